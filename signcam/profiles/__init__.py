"""Per-person profiles: a person's calibration frames and the adaptation learned from them.

store.py keeps profiles in the platform's user data folder; calibrate.py records a person's
letters into one (from clips or image folders, or frame by frame from the window) and adapts the
letter model to them. Imports signcam.letters, signcam.vision, signcam.datasets and the foundation;
never Qt (the window's calibration walk lives in signcam/app/).
"""
