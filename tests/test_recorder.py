"""Recording labelled frames: real clips in, a folder-per-class dataset and its manifest out."""
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import cv2
import numpy as np
import pytest

from signcam import cli
from signcam.config import Config
from signcam.errors import DatasetError
from signcam.vision.frames import Frame, VideoSource
from signcam.headless import record_source
from signcam.datasets.recorder import MANIFEST, Recorder, fewest, inside, label_counts, normalize_label, read_manifest, reconcile


def assert_consistent(root):
    """Every manifest line names an image on disk, every image is listed once, nothing half-written."""
    entries = read_manifest(root)
    listed = [e["file"] for e in entries]
    labels = [d for d in root.iterdir() if d.is_dir() and not d.name.startswith(".")]  # what prepare reads
    on_disk = sorted(str(p.relative_to(root)) for d in labels for p in d.iterdir())
    assert not [p for p in on_disk if not p.endswith(".jpg")], "temporary files left in a label folder"
    assert sorted(listed) == on_disk
    for e in entries:
        assert e["file"].startswith(e["label"] + "/")
        assert len(e["landmarks"]) == 21 and len(e["box"]) == 4
        assert cv2.imread(str(root / e["file"])) is not None
    return entries


def test_record_clip_writes_raw_frames_and_a_matching_manifest(teal_dir, tmp_path, capsys):
    out = tmp_path / "ds"
    assert cli.main(["record", "--label", "b", "--source", str(teal_dir / "B.mp4"), "--out", str(out),
                     "--signer", "teal", "--rate", "5", "--max", "6"]) == 0
    entries = assert_consistent(out)
    assert len(entries) == 6 and {e["label"] for e in entries} == {"B"}
    assert len({e["session"] for e in entries}) == 1 and entries[0]["signer"] == "teal"
    times = [e["t_source"] for e in entries]
    assert np.all(np.diff(times) >= 0.2 - 1e-3)  # at most 5 per second of video
    # The saved image is the raw frame: compare with the clip's own frame at that index.
    with VideoSource(str(teal_dir / "B.mp4")) as src:
        frames = {f.index: f.image for f, _ in zip(src, range(entries[-1]["frame"] + 1))}
    for e in entries[:2]:
        saved = cv2.imread(str(out / e["file"])).astype(int)
        assert np.abs(saved - frames[e["frame"]]).mean() < 3  # JPEG, nothing drawn on it
    assert "recorded 6 frame(s) of B" in capsys.readouterr().out
    assert label_counts(out)["B"] == 6 and fewest(label_counts(out))[0] != "B"


def test_a_repeated_frame_is_not_saved_twice(teal_dir, tmp_path):
    from signcam.vision.hands import MediaPipeHandTracker

    with VideoSource(str(teal_dir / "L.mp4")) as src:
        frame = next(iter(src))
    with MediaPipeHandTracker(video=False) as tracker:
        hand = tracker.track(frame.image)[0]
    with Recorder(tmp_path, "me", rate=5) as rec:
        assert rec.offer(frame, hand, "L") is not None
        frame.t_media += 1.0  # due again, but the same picture
        assert rec.offer(frame, hand, "L") is None
        assert rec.offer(frame, None, "L") is None  # and no hand, no image
    assert rec.skipped_same == 1 and len(read_manifest(tmp_path)) == 1


def test_once_live_recording_is_stopped_nothing_more_is_saved(teal_dir, tmp_path):
    """The window's Stop must not race the track thread's write under way (a frame saved after Stop)."""
    import threading

    from signcam.vision.hands import MediaPipeHandTracker
    from signcam.live import LiveRecording

    with VideoSource(str(teal_dir / "L.mp4")) as src:
        frame = next(iter(src))
    with MediaPipeHandTracker(video=False) as tracker:
        hand = tracker.track(frame.image)[0]
    looks = [np.clip(frame.image.astype(int) + shift, 0, 255).astype(np.uint8) for shift in (0, 60)]
    recording = LiveRecording(tmp_path, "me", rate=1000, label="L")
    done = threading.Event()

    def track_thread():  # offers frames as fast as it can, like the worker with a fast camera
        i = 0
        while not done.is_set():
            i += 1
            recording.offer(Frame(looks[i % 2], i, time.perf_counter(), i * 0.01), hand)

    thread = threading.Thread(target=track_thread)
    thread.start()
    try:
        for _ in range(5):
            before = recording.counts()[0]
            recording.on = True
            deadline = time.monotonic() + 10
            while recording.counts()[0] < before + 3 and time.monotonic() < deadline:
                time.sleep(0.005)
            recording.on = False
            stopped_at = recording.counts()[0]
            assert stopped_at >= before + 3
            time.sleep(0.1)
            assert recording.counts()[0] == stopped_at
    finally:
        done.set()
        thread.join()
        recording.close()
    assert_consistent(tmp_path)


@pytest.mark.parametrize("label", ["../B", "B/../../x", "AB", "", "Q1", "/etc"])
def test_unknown_labels_are_refused(label):
    with pytest.raises(DatasetError, match="unknown label"):
        normalize_label(label)


def test_escaping_paths_and_bad_names_are_refused(tmp_path, teal_dir, capsys):
    with pytest.raises(DatasetError, match="would leave the dataset folder"):
        inside(tmp_path, "..", "elsewhere")
    with pytest.raises(DatasetError, match="would leave the dataset folder"):
        inside(tmp_path, "/tmp/x")
    with pytest.raises(DatasetError, match="bad signer"):
        Recorder(tmp_path, signer="../../home")
    clip = str(teal_dir / "B.mp4")
    assert cli.main(["record", "--label", "../../B", "--source", clip, "--out", str(tmp_path)]) == 1
    assert cli.main(["record", "--label", "B", "--signer", "a/b", "--source", clip, "--out", str(tmp_path)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2 and all(line.startswith("signcam: error:") for line in err)
    assert not any(tmp_path.iterdir())  # nothing was written anywhere


def test_reconcile_tidies_what_a_kill_between_steps_leaves_and_loses_nothing(tmp_path):
    (tmp_path / "B").mkdir()
    (tmp_path / ".partial").mkdir()
    (tmp_path / ".partial" / "me_20260101T000000-abcd_00001.jpg.tmp").write_bytes(b"half")
    orphan = tmp_path / "B" / "me_20260101T000000-abcd_00002.jpg"
    orphan.write_bytes(b"renamed, manifest line never written")
    theirs = tmp_path / "B" / "photo1.jpg"  # not ours: never touched
    theirs.write_bytes(b"x")
    (tmp_path / MANIFEST).write_text('{"file": "B/x.jpg"}\n{"file": "B/y.j')  # a last line cut short
    moved = reconcile(tmp_path)
    assert moved == [tmp_path / ".unlisted" / "B" / orphan.name] and moved[0].read_bytes().startswith(b"renamed")
    assert sorted(p.name for p in (tmp_path / "B").iterdir()) == ["photo1.jpg"]
    assert not any((tmp_path / ".partial").iterdir())
    assert (tmp_path / MANIFEST).read_text() == '{"file": "B/x.jpg"}\n'


def test_one_recorder_per_dataset_folder(tmp_path):
    with Recorder(tmp_path, "me"):
        with pytest.raises(DatasetError, match="another signcam"):
            Recorder(tmp_path, "you")
    Recorder(tmp_path, "you").close()  # free again once the first one closed


def test_recording_killed_midway_leaves_a_consistent_dataset(teal_dir, tmp_path):
    out = tmp_path / "ds"
    cmd = [sys.executable, "-m", "signcam.cli", "record", "--label", "W", "--source", str(teal_dir / "W.mp4"),
           "--out", str(out), "--rate", "30"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while len(read_manifest(out)) < 4:
            assert proc.poll() is None, "the recording ended before it could be killed"
            assert time.monotonic() < deadline
            time.sleep(0.02)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(10)
    assert proc.returncode == -signal.SIGKILL
    # As the kill left it, before any repair: every line names a whole image, no temporary
    # file sits in a label folder. Two files cannot change in one atomic step, so a kill
    # between the image's rename and its manifest line leaves that one image unlisted.
    entries = read_manifest(out)
    assert len(entries) >= 4
    for e in entries:
        assert cv2.imread(str(out / e["file"])) is not None
    on_disk = sorted(p.name for p in (out / "W").iterdir())
    assert all(name.endswith(".jpg") for name in on_disk), "temporary files left in a label folder"
    unlisted = sorted(set(on_disk) - {Path(e["file"]).name for e in entries})
    assert unlisted in ([], [on_disk[-1]]), "only the image being saved at the kill may be unlisted"
    # Opening the folder again repairs it, losing nothing; the new session appends after the old lines.
    with Recorder(out, "me") as rec:
        assert rec.session != entries[0]["session"]
        assert [p.name for p in rec.set_aside] == unlisted
    assert assert_consistent(out) == entries
    assert sorted(p.name for p in (out / ".unlisted" / "W").glob("*.jpg")) == unlisted


def test_prepare_and_train_accept_a_recorded_folder(teal_dir, tmp_path, mobilenet_weights):
    from signcam.training import cli as train_cli
    from signcam.training.prepare import load_cache

    out = tmp_path / "ds"
    for letter in ("B", "L"):
        for signer in ("teal", "teal-again"):  # two sessions per letter, so validation holds out whole sessions
            with Recorder(out, signer, rate=10) as rec:
                record_source(str(teal_dir / f"{letter}.mp4"), rec, letter, Config(), max_images=4)
    cache = tmp_path / "rec.npz"
    assert train_cli.main(["prepare", str(out), "--out", str(cache)]) == 0
    samples = load_cache(cache)
    assert sorted(set(samples.labels)) == ["B", "L"] and len(samples) >= 14
    assert len(set(samples.groups)) == 4 and all(g.count("/") == 2 for g in samples.groups)
    run = tmp_path / "run"
    assert train_cli.main(["train", str(cache), "--weights", str(mobilenet_weights), "--out", str(run),
                           "--head-epochs", "1", "--finetune-epochs", "0", "--steps-per-epoch", "1",
                           "--batch-size", "8", "--val-fraction", "0.3"]) == 0
    assert json.loads((run / "labels.json").read_text())["labels"] == ["B", "L"]
