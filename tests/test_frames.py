"""Frame sources: image folders, video files, and clear errors for bad ones."""
import cv2
import numpy as np
import pytest

from signcam.errors import SourceError
from signcam.vision.frames import ImageFolderSource, VideoSource, open_source


def test_image_folder_skips_unreadable_files(tmp_path):
    for i in range(3):
        cv2.imwrite(str(tmp_path / f"{i}.png"), np.full((20, 30, 3), i * 50, np.uint8))
    (tmp_path / "1b.jpg").write_bytes(b"not a jpeg")
    with open_source(str(tmp_path)) as src:
        frames = list(src)
    assert [f.name for f in frames] == ["0.png", "1.png", "2.png"]
    assert src.skipped and src.skipped[0].name == "1b.jpg"
    assert frames[2].t_media == pytest.approx(3 / 30)  # the unreadable file kept its slot in time


def test_video_file_reads_every_frame_with_media_time(tmp_path):
    path = str(tmp_path / "clip.avi")
    writer = cv2.VideoWriter(path, cv2.VideoWriter_fourcc(*"MJPG"), 10, (64, 48))
    for i in range(7):
        writer.write(np.full((48, 64, 3), i * 30, np.uint8))
    writer.release()
    with VideoSource(path) as src:
        frames = list(src)
    assert len(frames) == 7
    assert frames[3].t_media == pytest.approx(0.3)


@pytest.mark.parametrize("spec", ["/no/such/clip.mp4", "/no/such/folder/"])
def test_missing_sources_raise_a_clear_error(spec):
    with pytest.raises(SourceError, match="not found|no such"):
        open_source(spec).open()


def test_empty_folder_is_refused(tmp_path):
    with pytest.raises(SourceError, match="no images"):
        ImageFolderSource(tmp_path).open()
