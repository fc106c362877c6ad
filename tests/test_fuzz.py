"""Damaged and hostile files are refused in one line (or skipped, saying so): a seeded fuzz run."""
import os
import subprocess
import sys


from fuzz_files import fuzz, make_seeds


def test_five_hundred_bad_files_give_one_line_errors_or_stated_skips(tmp_path, capsys):
    summary = fuzz(cases=500, seed=0, work=tmp_path, deep_keras=2)
    with capsys.disabled():
        print(f"\nfuzz: {summary['cases']} cases in {summary['seconds']:.0f} s, slowest {summary['slowest']}, "
              f"by kind {summary['by_kind']}")
    assert summary["cases"] >= 500 and set(summary["by_kind"]) == {"model", "labels", "cache", "image", "video"}
    assert summary["tracebacks"] == [] and summary["crashes"] == []
    assert summary["stray_files"] == [] and summary["loud"] == []
    # A hang is a case that never ends; 60 s leaves room for a loaded machine loading a whole Keras model.
    assert all(r["seconds"] < 60 for r in summary["hangs"])
    (code,) = summary["keras_code_config"]
    assert code["outcome"].startswith("error: not a valid model file") and "Lambda" in code["outcome"]
    assert code["stray_files"] == []  # the lambda never ran
    bomb = [o for o in summary["outcomes"] if "decompression bomb" in o]
    assert bomb and all(o.endswith("skipped: 1 unreadable image(s)") for o in bomb)


def test_damaged_video_and_photo_leave_only_our_line_on_the_console(tmp_path):
    seeds = make_seeds(tmp_path / "seeds")
    clip = tmp_path / "cut.mp4"
    clip.write_bytes(seeds[".mp4"].read_bytes()[:3000])  # the index (moov) is at the end: FFmpeg complains
    photos = tmp_path / "photos"
    photos.mkdir()
    jpeg = seeds[".jpg"].read_bytes()
    (photos / "cut.jpg").write_bytes(jpeg[:len(jpeg) // 2])  # libjpeg: "Premature end of JPEG file"
    clean = {k: v for k, v in os.environ.items() if k not in ("TF_CPP_MIN_LOG_LEVEL", "GLOG_minloglevel")}
    run = subprocess.run([sys.executable, "-m", "signcam.cli", "read", str(clip)], capture_output=True, text=True,
                         env=clean, timeout=600)
    assert run.returncode == 1 and run.stdout == ""
    assert run.stderr.splitlines() == [f"signcam: error: cannot open {clip}"]
    run = subprocess.run([sys.executable, "-m", "signcam.cli", "read", str(photos)], capture_output=True,
                         text=True, env=clean, timeout=600)
    assert run.returncode == 0 and run.stderr == "" and run.stdout.startswith(str(photos))
