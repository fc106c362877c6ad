"""`signcam bench`: the live pipeline (the app's capture thread and worker, no Qt) on video files.

Without --realtime, capture waits for the worker instead of dropping frames, so the
figure is the pipeline's throughput; with --realtime, frames arrive at the clip's
frame rate as from a camera, and the latency is what a user would see.
"""
from __future__ import annotations

import json
import os
import queue
import resource
import sys
import time
from pathlib import Path
from typing import TextIO

from ..config import Config
from ..errors import ModelError, SourceError
from ..headless import make_tracker
from ..letters.bundled import BUNDLED_TFLITE
from ..letters.classifier import model_view
from ..pipeline import Recognizer
from ..vision.frames import open_source
from .capture import CaptureThread, FrameSlot
from .soak import Timeline
from .stats import Stats
from .worker import InferenceWorker

_IMPORTED = time.perf_counter()


def seconds_since_process_start() -> float:
    """Age of this process (Linux: from /proc), so start-up counts the imports too; else since this import."""
    try:
        fields = Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()
        uptime = float(Path("/proc/uptime").read_text().split()[0])
        return uptime - int(fields[19]) / os.sysconf("SC_CLK_TCK")  # field 22: start time, in ticks after boot
    except (OSError, ValueError, IndexError):
        return time.perf_counter() - _IMPORTED


def cpu_seconds() -> float:
    """CPU time of the whole process (every thread, user + system)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def rss_mb() -> float:
    """Resident memory now (Linux), else the peak so far."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
        return pages * resource.getpagesize() / 2**20
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_pipeline(specs: list[str], config: Config, realtime: bool = False, loop_seconds: float = 0.0,
                 max_batch: int = 8, timeline: Timeline | None = None) -> tuple[dict, object]:
    """Returns the figures and the worker's classifier (for the baseline)."""
    stats = Stats(keep=10_000)
    # One clock for "since the process started": the age now, and perf_counter now.
    started_at = time.perf_counter() - seconds_since_process_start()
    slot, events = FrameSlot(), queue.SimpleQueue()
    worker = InferenceWorker(config, slot, stats, events, max_batch=max_batch).start()
    try:
        worker.ready.wait()
        if worker.classifier is None:
            # Before any source opens, the only events are the worker's start-up failures.
            raise ModelError(events.get_nowait().message if not events.empty() else "the model did not load")
        landmarks = worker.landmarks_name  # the tracker is closed with the worker
        rss = {"start": rss_mb()}
        peak = rss["start"]
        transcripts: dict[str, str] = {}
        cpu0 = cpu_seconds()
        t0 = time.perf_counter()
        sampler = timeline.sampler(stats, slot, worker) if timeline else None
        while True:
            for spec in specs:
                capture = CaptureThread(open_source(spec), slot, stats, realtime=realtime, drop=realtime).start()
                while not capture.join(0.1):
                    peak = max(peak, rss_mb())
                    if sampler:
                        sampler.maybe()
                if capture.state == "failed":
                    raise SourceError(capture.error)
                worker.wait_idle(timeout=60)
                transcripts[spec] = " ".join(worker.text.split())
                worker.clear()
                worker.new_source()
                worker.sync()  # so no frame of the next clip meets this clip's state
            rss.setdefault("first_pass", rss_mb())  # with --loop, memory should stay near this
            if time.perf_counter() - t0 >= loop_seconds:
                break
        elapsed = time.perf_counter() - t0
        cpu = cpu_seconds() - cpu0
        rss["end"] = rss_mb()
        rss["peak"] = max(peak, rss["end"])
    finally:
        stop_started = time.perf_counter()
        worker.stop(timeout=30.0)
        # How long closing takes (the window waits for this): measured here, not asserted in a test.
        stop_ms = 1e3 * (time.perf_counter() - stop_started)
    snap = stats.snapshot()
    if sampler:
        timeline.finish(sampler, f"signcam bench --realtime --loop {loop_seconds:.0f} on {len(specs)} clip(s)")
    return {
        "sources": specs, "realtime": realtime, "model": worker.model_name, "landmarks": landmarks,
        "device": worker.classifier.device, "seconds": round(elapsed, 2),
        "fps": round(snap.readings / elapsed, 2), "frames": snap.frames, "tracked": snap.tracked,
        "hands": snap.hands, "classified": snap.classified, "reused": snap.reused,
        "model_calls": snap.model_calls,
        "readings": snap.readings, "dropped": snap.dropped,
        "latency_ms": {"p50": round(snap.latency_p50, 1), "p95": round(snap.latency_p95, 1)},
        "stages_ms": {k: round(v, 2) for k, v in snap.stages_ms.items()},
        "rss_mb": {k: round(v) for k, v in rss.items()},
        # Process CPU over the frames read (every thread: capture, decode, tracking, model), and
        # as cores busy; start-up (imports, model, tracker) is counted apart.
        "cpu": {"ms_per_frame": round(1e3 * cpu / max(snap.frames, 1), 2), "cores": round(cpu / elapsed, 3),
                "startup_s": round(cpu0, 2)},
        "first_reading_s": (round(snap.first_reading_at - started_at, 2)
                            if snap.first_reading_at is not None else None),
        "stop_ms": round(stop_ms, 1),
        "transcripts": transcripts,
    }, worker.classifier


def run_baseline(specs: list[str], config: Config, classifier) -> dict:
    """The tutorial loop: one thread, read a frame, track the hand (the app's tracker, int8 landmarks
    included), `model.predict()` on it, next frame.

    It needs a Keras model; for a TFLite export it runs the .keras file the export was made from."""
    if getattr(classifier, "model", None) is None:
        from ..letters.bundled import BUNDLED_KERAS, source_model_for
        from ..letters.classifier import load_classifier

        source = source_model_for(classifier.path) or (BUNDLED_KERAS if classifier.path == BUNDLED_TFLITE else None)
        if source is None:
            raise ModelError("the baseline needs a Keras model (.keras), whose model.predict() it calls")
        classifier = load_classifier(source)
    model = classifier.model
    frames = 0
    t0 = time.perf_counter()
    with make_tracker(config) as tracker:
        for spec in specs:
            recognizer = Recognizer(classifier, tracker, config)
            with open_source(spec) as source:
                for frame in source:
                    located = recognizer.locate(frame)
                    probs = None
                    if located.hand is not None:
                        cut = recognizer.cropped(located)
                        crop, lms = model_view(classifier.info, cut.image[None], cut.landmarks[None],
                                               [located.hand.handedness])
                        probs = model.predict({"crop": crop, "landmarks": lms}, verbose=0)[0]
                    recognizer.interpret(located, probs)
                    frames += 1
    elapsed = time.perf_counter() - t0
    return {"baseline_fps": round(frames / elapsed, 2), "baseline_frames": frames,
            "baseline_model": classifier.path.name}


def report(result: dict, out: TextIO) -> None:
    r = result
    stages = ", ".join(f"{k} {v:.1f}" for k, v in r["stages_ms"].items())
    lines = [
        f"signcam bench: {len(r['sources'])} source(s), model {r['model']} on {r['device']}, landmarks {r['landmarks']}"
        + (", realtime" if r["realtime"] else ", as fast as possible"),
        f"  end to end   {r['fps']:.1f} fps ({r['readings']} readings in {r['seconds']:.1f} s)",
        f"  tracked      {r['tracked']} of {r['frames']} frames ({r['hands']} with a hand)",
        f"  classified   {r['classified']} crops in {r['model_calls']} model calls"
        f" ({r['reused']} more of a still hand took the result of a frame before)",
        f"  latency      p50 {r['latency_ms']['p50']:.0f} ms, p95 {r['latency_ms']['p95']:.0f} ms"
        " (frame read -> reading)",
        f"  stages (ms)  {stages}",
        f"  dropped      {r['dropped']} frames",
        f"  memory (RSS) start {r['rss_mb']['start']} MB, after one pass {r['rss_mb']['first_pass']} MB, "
        f"end {r['rss_mb']['end']} MB, peak {r['rss_mb']['peak']} MB",
        f"  CPU          {r['cpu']['ms_per_frame']:.1f} ms per frame, {r['cpu']['cores']:.2f} cores busy"
        f" (process CPU over the run; start-up took {r['cpu']['startup_s']:.1f} s of CPU)",
        "  first reading " + (f"{r['first_reading_s']:.1f} s after the process started"
                              if r["first_reading_s"] is not None else "none"),
        f"  stop         {r['stop_ms']:.0f} ms (worker and tracker closed)",
    ]
    if "baseline_fps" in r:
        lines.append(f"  baseline     {r['baseline_fps']:.1f} fps (one thread, {r['baseline_model']}"
                     " model.predict per frame)"
                     f" -> speed-up {r['speedup']:.1f}x")
    lines += [f"  transcript   {Path(spec).name}: {text!r}" for spec, text in r["transcripts"].items()]
    out.write("\n".join(lines) + "\n")


def bench(specs: list[str], config: Config, json_path: Path | None = None, baseline: bool = False,
          realtime: bool = False, loop_seconds: float = 0.0, out: TextIO | None = None,
          timeline: Timeline | None = None) -> dict:
    out = out or sys.stdout  # looked up per call: a default bound at import keeps a stream closed since
    result, classifier = run_pipeline(specs, config, realtime, loop_seconds, timeline=timeline)
    if baseline:
        result.update(run_baseline(specs, config, classifier))
        result["speedup"] = round(result["fps"] / result["baseline_fps"], 2)
    report(result, out)
    if json_path:
        json_path.write_text(json.dumps(result, indent=1) + "\n")
    return result
