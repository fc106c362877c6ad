"""Vision: from a frame source to a hand and its square crop.

    frames.py            FrameSource (camera, video file, image folder) -> Frame
    hands.py             HandTracker interface, MediaPipeHandTracker (the only mediapipe user), Hand
    mediapipe_import.py  mediapipe imported without the TensorFlow it would pull in
    landmark_tracker.py  video tracking: MediaPipe's landmark model run on a region around the last hand
    hand_roi.py          that region: rotated square from landmarks, cut and mapped back
    crop.py              crop_hand: the one square hand crop, shared by training and the app

May import: its own modules and the foundation (signcam.config, errors, quiet, runtime); never
signcam.letters, signcam.spelling or anything above them (pipeline, headless, live, app).
The modules are imported one by one (`from signcam.vision.crop import crop_hand`); this file
imports nothing, so using one part never loads mediapipe or OpenCV's video stack by the way.
"""
