"""Recording when things go wrong: a full disk, a read-only folder, kills, a damaged manifest."""
import json
import os
import resource
import shutil
import subprocess
import sys

import cv2
import numpy as np
import pytest

from signcam import cli
from signcam.datasets.recorder import MANIFEST, STAGING, Recorder, read_manifest
from signcam.vision.frames import Frame
from signcam.vision.hands import Hand
from record_kills import check, kill_while_recording


def record_cmd(teal_dir, out):
    return [sys.executable, "-m", "signcam.cli", "record", "--label", "W", "--source", str(teal_dir / "W.mp4"),
            "--out", str(out), "--rate", "30"]


def earlier_session(root, lines: int, pad: int) -> None:
    """A dataset recorded before: small images, each with a (padded) manifest line."""
    (root / "A").mkdir(parents=True)
    with open(root / MANIFEST, "w") as f:
        for i in range(lines):
            name = f"old_20250101T000000-abcd_{i:05d}.jpg"
            cv2.imwrite(str(root / "A" / name), np.full((8, 8, 3), i, np.uint8))
            f.write(json.dumps({"file": f"A/{name}", "label": "A", "note": "x" * pad}) + "\n")


@pytest.mark.parametrize("room", ["manifest fills first", "image does not fit"])
def test_a_full_disk_stops_recording_in_one_line_and_keeps_folder_and_manifest_in_step(teal_dir, tmp_path, room):
    out = tmp_path / "ds"
    # RLIMIT_FSIZE (files may not grow past `limit` bytes) stands in for a full disk: writes
    # fail with EFBIG as they would with ENOSPC. Images of this clip are ~127 kB.
    if room == "manifest fills first":
        limit = 400_000
        earlier_session(out, 38, 10_000 - 70)  # the manifest has room for ~15 more lines
    else:
        limit = 50_000
    proc = subprocess.run(record_cmd(teal_dir, out), capture_output=True, text=True, timeout=600,
                          preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit)))
    assert proc.returncode == 1
    err = proc.stderr.strip().splitlines()
    assert len(err) == 1 and err[0] == f"signcam: error: cannot save into {out}: File too large", proc.stderr
    saved = int(proc.stdout.split()[1])  # "recorded N frame(s) of W ..."
    result = check(out)
    assert result["lines_without_image"] == result["images_without_line"] == result["staged_left"] == 0
    assert result["unreadable"] == 0 and result["damaged_lines"] == 0
    assert len([e for e in read_manifest(out) if e["label"] == "W"]) == saved
    assert (saved >= 1) if room == "manifest fills first" else (saved == 0)


def test_a_folder_made_read_only_while_recording_stops_it_in_one_line(tmp_path):
    """The window's path: the worker's LiveRecording raises one line, folder and manifest agree."""
    from signcam.errors import DatasetError

    root = tmp_path / "ds"
    grid = np.stack(np.meshgrid(np.linspace(60, 100, 7), np.linspace(40, 80, 3)), -1).reshape(-1, 2)[:21]
    hand = Hand(np.c_[grid, np.zeros(21)].astype(np.float32), "Right", 1.0)
    rng = np.random.default_rng(0)
    frame = lambda i: Frame(rng.integers(0, 255, (120, 160, 3), np.uint8), i, 0.0, float(i))  # noqa: E731
    with Recorder(root, "me") as rec:
        assert rec.offer(frame(0), hand, "B") and rec.offer(frame(1), hand, "B")
        if os.geteuid() == 0:  # root writes through permissions: take the folder's permission away another way
            shutil.rmtree(root / STAGING)
            (root / STAGING).write_text("a file where the staging folder was")
        else:
            for folder in (root, root / "B", root / STAGING):
                folder.chmod(0o555)
        try:
            with pytest.raises(DatasetError, match=f"^cannot save into {root}: "):
                rec.offer(frame(2), hand, "B")
        finally:
            for folder in (root, root / "B", root / STAGING):
                folder.chmod(0o755)
    result = check(root)
    assert result["listed"] == 2 and result["images_without_line"] == result["lines_without_image"] == 0


def test_fifty_sigkills_while_recording_leave_a_consistent_dataset_each_time(tmp_path, capsys):
    result = kill_while_recording(tmp_path / "ds", kills=50, seed=0)
    worst = result["worst_after_any_kill"]
    assert worst == {"lines_without_image": 0, "images_without_line": 0, "duplicate_lines": 0,
                     "damaged_lines": 0, "staged_left": 0, "unreadable": 0}
    assert result["listed"] > 50  # the kills landed while images were being saved
    with capsys.disabled():
        print("\n" + capsys.readouterr().out.strip())


DAMAGED = [
    ('{"file": "B/me_20260101T000000-abcd_00001.jpg", "label": "B"}', None),
    ('{"file": "B/me_2026', "not JSON"),
    ("this is not json", "not JSON"),
    ("[1, 2, 3]", "a JSON list, not an object"),
    ('{"file": 7, "label": "B"}', "no text 'file' and 'label'"),
    ('{"file": "B/x.jpg", "label": "Q!"}', "unknown label 'Q!'"),
    ('{"file": "../../outside.jpg", "label": "B"}', "file '../../outside.jpg' is not B/<name>.jpg"),
    ('{"file": "/etc/passwd", "label": "B"}', "file '/etc/passwd' is not B/<name>.jpg"),
    ('{"file": "B/../../outside.jpg", "label": "B"}', "file 'B/../../outside.jpg' is not B/<name>.jpg"),
    ('{"file": "A/me_20260101T000000-abcd_00002.jpg", "label": "B"}', "is not B/<name>.jpg"),
    ("[" * 100_000 + "]" * 100_000, "not JSON"),
    ('{"file": "B/me_20260101T000000-abcd_00003.jpg", "label": "B"}', None),
]


def test_damaged_manifest_lines_are_skipped_one_by_one_and_nothing_outside_is_touched(tmp_path, capsys, teal_dir):
    root = tmp_path / "ds"
    (root / "B").mkdir(parents=True)
    for n in (1, 3):
        cv2.imwrite(str(root / "B" / f"me_20260101T000000-abcd_{n:05d}.jpg"), np.zeros((8, 8, 3), np.uint8))
    outside = tmp_path / "outside.jpg"
    outside.write_bytes(b"not the dataset's")
    raw = "\n".join(line for line, _ in DAMAGED).encode() + b"\n\xff\xfe binary\n"
    (root / MANIFEST).write_bytes(raw)
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}

    skipped = []
    entries = read_manifest(root, skipped)
    assert [e["file"] for e in entries] == [f"B/me_20260101T000000-abcd_{n:05d}.jpg" for n in (1, 3)]
    expected = [(i + 1, why) for i, (_, why) in enumerate(DAMAGED) if why] + [(len(DAMAGED) + 1, "not JSON")]
    assert len(skipped) == len(expected)
    for line, (number, why) in zip(skipped, expected):
        assert line.startswith(f"line {number}: ") and why in line

    # `signcam record` says so, line by line, and records on; nothing it did not write changes.
    assert cli.main(["record", "--label", "W", "--source", str(teal_dir / "W.mp4"), "--out", str(root),
                     "--max", "2", "--rate", "30"]) == 0
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == len(expected) and all(line.startswith(f"signcam: warning: {root / MANIFEST} line ")
                                             and line.endswith(": skipped") for line in err)
    after = {p: p.read_bytes() for p in before}
    assert after == before | {root / MANIFEST: after[root / MANIFEST]}
    assert (root / MANIFEST).read_bytes().startswith(raw)  # damaged lines are left for the user to see
    assert len(read_manifest(root)) == 4
