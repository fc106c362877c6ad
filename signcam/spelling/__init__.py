"""Spelling: from a stream of letter probabilities and landmarks to text.

    smoothing.py  Smoother: mean probabilities over a short window, threshold, hysteresis
    motion.py     MotionMeter: hand and finger speed -> still or moving
    strokes.py    StrokeReader: J and Z from the fingertip's path
    speller.py    Speller: still segments commit letters, releases allow doubles, pauses end words
    words.py      Suggester: words ranked from each letter's evidence and word frequencies
    speech.py     Speaker: the text aloud through the system's offline engine
    replay.py     frame dumps (`signcam read --jsonl --full`) through the speller, without models

May import: its own modules and the foundation (signcam.config, errors, quiet, runtime); never
signcam.vision, signcam.letters or anything above them (pipeline, headless, live, app).
Landmarks arrive as plain arrays, so the speller needs no vision types.
"""
