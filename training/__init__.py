"""signcam-train: datasets, training, evaluation and export for the letter model."""
import signcam  # noqa: F401  (first: it sets OpenCV's image size limit, read when cv2 is imported)
