"""`signcam read` end to end on real clips of a signer, with the bundled model."""
import json

import cv2
import pytest

from signcam import cli


def join_clips(paths, out_path):
    """One video of several clips played one after the other (a word spelled letter by letter)."""
    writer = None
    for path in paths:
        cap = cv2.VideoCapture(str(path))
        while True:
            ok, frame = cap.read()
            if not ok:
                break
            if writer is None:
                h, w = frame.shape[:2]
                writer = cv2.VideoWriter(str(out_path), cv2.VideoWriter_fourcc(*"mp4v"), 30, (w, h))
            writer.write(frame)
        cap.release()
    writer.release()
    return out_path


@pytest.fixture(scope="module")
def hello_clip(teal_dir, tmp_path_factory):
    return join_clips([teal_dir / f"{c}.mp4" for c in "HELLO"], tmp_path_factory.mktemp("word") / "hello.mp4")


def transcripts(capsys):
    out = capsys.readouterr().out.strip().splitlines()
    return dict(line.split("\t") for line in out)


def test_joined_clips_spell_hello_with_the_double_l(hello_clip, bundled_classifier, capsys, tmp_path):
    jsonl = tmp_path / "frames.jsonl"
    assert cli.main(["read", str(hello_clip), "--jsonl", str(jsonl)]) == 0
    assert transcripts(capsys) == {str(hello_clip): "HELLO"}
    rows = [json.loads(line) for line in jsonl.read_text().splitlines()]
    assert len(rows) == sum(int(cv2.VideoCapture(str(hello_clip)).get(cv2.CAP_PROP_FRAME_COUNT)) for _ in [0])
    assert {"frame", "t", "hand", "handedness", "letter", "confidence", "committed"} <= rows[0].keys()
    assert [r["committed"] for r in rows if r["committed"]] == list("HELLO")


def test_bad_source_and_bad_model_are_one_line_errors(tmp_path, capsys):
    assert cli.main(["read", str(tmp_path / "missing.mp4")]) == 1
    broken = tmp_path / "broken.keras"
    broken.write_bytes(b"this is not a zip file")
    (tmp_path / "labels.json").write_text(json.dumps({"labels": ["A", "B"], "input_size": 160}))
    assert cli.main(["read", "--model", str(broken), str(tmp_path)]) == 1
    (tmp_path / "labels.json").write_text("{not json")
    assert cli.main(["read", "--model", str(broken), str(tmp_path)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 3 and all(line.startswith("signcam: error:") for line in err)
    assert "not found" in err[0] and "not a valid model file" in err[1] and "bad labels file" in err[2]


def test_missing_camera_is_a_one_line_error(bundled_classifier, capsys):
    assert cli.main(["read", "9"]) == 1
    last = capsys.readouterr().err.strip().splitlines()[-1]
    assert last == "signcam: error: cannot open camera 9 (is a camera connected?)"
