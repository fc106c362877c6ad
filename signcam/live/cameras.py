"""Which cameras this machine has, for the window's camera picker."""
from __future__ import annotations

import sys
from pathlib import Path


def available_cameras() -> list[tuple[int, str]]:
    """(index, name) of the cameras OpenCV can open: V4L2 capture nodes on Linux, a probe elsewhere."""
    if sys.platform.startswith("linux"):
        sysfs, cams = Path("/sys/class/video4linux"), []
        for dev in sysfs.glob("video*"):
            index_file = dev / "index"  # 0 is the capture node; others are metadata nodes of the same camera
            if index_file.is_file() and index_file.read_text().strip() != "0":
                continue
            name = (dev / "name").read_text().strip() if (dev / "name").is_file() else dev.name
            cams.append((int(dev.name[5:]), name))
        return sorted(cams)
    import cv2

    cams = []
    for index in range(4):
        cap = cv2.VideoCapture(index)
        if cap.isOpened():
            cams.append((index, f"Camera {index}"))
        cap.release()
    return cams
