"""Datasets: labelled frames written to and read from disk.

    recorder.py  Recorder: crash-safe recording of labelled frames (image, then its manifest line),
                 the manifest reader and reconcile() for what a kill leaves behind

May import: signcam.vision (frames, hands, crop) and the foundation (signcam.config, errors, quiet,
runtime); never signcam.letters, signcam.spelling or anything above them.
"""
