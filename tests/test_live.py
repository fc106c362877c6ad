"""The live threads without Qt, on real clips: capture keeps the newest frame, the worker reads what it takes."""
import json
import os
import queue
import time

import cv2
import pytest

from signcam.config import Config
from signcam.vision.frames import VideoSource
from signcam.live import CaptureThread, FrameSlot, InferenceWorker, Stats


def frame_count(clip) -> int:
    return int(cv2.VideoCapture(str(clip)).get(cv2.CAP_PROP_FRAME_COUNT))


def drain(events) -> list:
    out = []
    while not events.empty():
        out.append(events.get())
    return out


def test_capture_keeps_the_newest_frames_and_counts_the_drops(teal_dir):
    clip = teal_dir / "B.mp4"
    slot, stats = FrameSlot(depth=3), Stats()
    capture = CaptureThread(VideoSource(str(clip)), slot, stats, realtime=False, drop=True).start()
    assert capture.join(timeout=30) and capture.state == "ended"
    n = frame_count(clip)
    snap = stats.snapshot()
    # Nobody took a frame: past the queue's three, each new one pushed out the oldest.
    assert snap.frames == n and snap.dropped == n - 3
    assert [slot.take(timeout=0).index for _ in range(3)] == [n - 3, n - 2, n - 1]  # oldest first
    assert slot.take(timeout=0) is None


def test_capture_waits_for_the_consumer_when_told_not_to_drop(teal_dir):
    clip = teal_dir / "Y.mp4"
    slot, stats = FrameSlot(), Stats()
    capture = CaptureThread(VideoSource(str(clip)), slot, stats, realtime=False, drop=False).start()
    seen = []
    while capture.alive or not slot.idle(len(seen)):
        frame = slot.take(timeout=0.1)
        if frame is not None:
            seen.append(frame.index)
    assert seen == list(range(frame_count(clip))) and stats.snapshot().dropped == 0


def test_realtime_capture_paces_a_file_like_a_camera_and_stops_at_once(teal_dir):
    slot, events = FrameSlot(), queue.SimpleQueue()
    started = time.perf_counter()
    capture = CaptureThread(VideoSource(str(teal_dir / "L.mp4")), slot, events=events, realtime=True).start()
    while slot.newest is None or slot.newest.index < 5:  # a loaded machine may open and decode slowly
        assert time.perf_counter() - started < 60
        time.sleep(0.01)
    time.sleep(0.3)
    t0 = time.perf_counter()
    assert capture.stop(timeout=30.0)  # stops, with a limit a loaded machine meets (bench prints the time)
    assert capture.state == "stopped"
    # Paced: never ahead of the clip's 30 fps (+1 frame), so far from all 106 frames.
    assert slot.newest.index <= 30 * (t0 - started) + 1 and slot.newest.index < 100
    assert [e.kind for e in drain(events)] == ["source_opened"]


def test_missing_file_is_reported_as_an_event_not_raised(tmp_path):
    events = queue.SimpleQueue()
    capture = CaptureThread(VideoSource(str(tmp_path / "gone.mp4")), FrameSlot(), events=events).start()
    assert capture.join(timeout=60) and capture.state == "failed"
    (event,) = drain(events)
    assert event.kind == "source_failed" and "not found" in event.message and event.origin is capture


def test_worker_reads_every_frame_edits_text_keeps_its_model_and_stops(
        teal_dir, model_path, tmp_path):
    clip = teal_dir / "L.mp4"
    slot, stats, events = FrameSlot(), Stats(), queue.SimpleQueue()
    worker = InferenceWorker(Config(model=model_path), slot, stats, events).start()
    try:
        assert worker.ready.wait(timeout=90) and worker.classifier is not None
        capture = CaptureThread(VideoSource(str(clip)), slot, stats, events, realtime=False, drop=False).start()
        assert capture.join(timeout=60) and worker.wait_idle(timeout=30)
        n = frame_count(clip)
        snap = stats.snapshot()
        assert snap.frames == snap.tracked == snap.readings == n and snap.dropped == 0
        # Batched stand-ins and still hands taking an earlier result leave most crops to the model or reuse.
        assert snap.hands > n * 0.9 and snap.classified > 0 and snap.classified + snap.reused >= snap.hands / 2
        assert worker.latest.frame_index == n - 1 and worker.latest.latency_ms > 0
        assert worker.text == "L"
        assert [e.kind for e in drain(events)] == ["model_loaded", "source_opened", "source_ended"]

        # Edits from other threads go through the worker's speller.
        worker.edit("space")
        worker.edit("O")
        assert worker.sync() and worker.text == "L O"
        worker.edit("del")
        assert worker.sync() and worker.text == "L "
        worker.set_text("L A")  # as the user typed it in the window
        assert worker.sync() and worker.text == "L A"
        worker.clear()
        assert worker.sync() and worker.text == ""

        # A corrupt model file is refused; the one loaded stays.
        broken = tmp_path / "broken.keras"
        broken.write_bytes(b"not a zip file")
        (tmp_path / "labels.json").write_text(json.dumps({"labels": ["A", "B"], "input_size": 160}))
        worker.load_model(broken)
        assert worker.sync(timeout=30)
        (event,) = drain(events)
        assert event.kind == "model_failed" and "not a valid model file" in event.message
        assert worker.classifier.path == model_path

        assert worker.stop(timeout=30.0)  # how fast: `signcam bench` prints it (stop)
    finally:
        worker.stop()


def test_bench_runs_the_live_pipeline_and_the_baseline_and_writes_json(teal_dir, model_path, tmp_path, capsys):
    from signcam import cli

    out = tmp_path / "bench.json"
    clip = teal_dir / "Y.mp4"
    assert cli.main(["bench", str(clip), "--model", str(model_path), "--json", str(out), "--baseline"]) == 0
    result = json.loads(out.read_text())
    n = frame_count(clip)
    assert result["frames"] == result["tracked"] == n and result["dropped"] == 0
    assert result["classified"] > 0 and result["classified"] + result["reused"] >= result["hands"] / 2
    assert result["fps"] > 0 and result["baseline_fps"] > 0
    assert result["speedup"] == pytest.approx(result["fps"] / result["baseline_fps"], rel=0.01)
    assert 0 < result["latency_ms"]["p50"] <= result["latency_ms"]["p95"]
    assert {"decode", "landmarks", "crop", "classify"} <= result["stages_ms"].keys()
    assert result["transcripts"] == {str(clip): "Y"}
    assert result["landmarks"] == "hand_landmark_full_int8.tflite"  # the tracker's own, bundled
    assert 0 < result["cpu"]["ms_per_frame"] and 0 < result["cpu"]["cores"] <= (os.cpu_count() or 1) + 0.5
    assert 0 < result["first_reading_s"] and 0 < result["rss_mb"]["end"] <= result["rss_mb"]["peak"]
    printed = capsys.readouterr().out
    assert "fps" in printed and "speed-up" in printed and "dropped" in printed
    assert "ms per frame" in printed and "first reading" in printed
