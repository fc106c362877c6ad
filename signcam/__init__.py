"""signcam: American Sign Language fingerspelling from a camera."""
import os

# OpenCV reads this limit once, when cv2 is imported: an image whose header claims more pixels
# (a decompression bomb: a 30000x30000 PNG is under 1 MB and 2.7 GB decoded) is refused before
# any memory is taken for it. 2**27 pixels (134 M, e.g. 13400x10000) is beyond any camera's photo.
os.environ.setdefault("OPENCV_IO_MAX_IMAGE_PIXELS", str(2**27))
