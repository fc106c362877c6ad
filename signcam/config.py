"""One typed configuration, passed down explicitly (no module-level tunables)."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class SmoothingConfig:
    window: float = 0.3  # seconds of per-frame probabilities averaged
    # Smoothed confidence needed to show (and hold) a letter: the speller's threshold, so the letter
    # shown is one that can be written (the window sets both from one Confidence setting).
    threshold: float = 0.7
    hysteresis: float = 0.1  # a new letter must beat the shown one by this much to replace it


@dataclass
class MotionConfig:
    lag: float = 0.1  # seconds over which speeds are measured
    # Still: the hand's centre and its shape each move under these (hand sizes per second). A hand
    # may drift at up to 2 while its shape is held: replayed over the 78 clips and the 0.5 s cut words,
    # 1.5 read the same clips (59) and 17 cut words, 1.75-2.25 read 22 (a fluent signer's hand drifts
    # as it spells); 2.5 lost a clip and 0.4 for the fingers lost two.
    still_hand: float = 2.0
    still_fingers: float = 0.3


@dataclass
class StrokeConfig:
    window: float = 2.0  # seconds of fingertip path looked at (a J or Z takes 0.5-2 s)
    min_frames: int = 6  # frames a stroke needs at least
    start_step: int = 2  # frames between the stroke starts tried
    end_step: int = 2  # ... and between its ends, when the hand moved on after it before resting
    move_on: float = 1.0  # ... for up to this long (s)
    # A movement that starts within this long (s) of the last stroke's movement is part of that
    # stroke's ending, not a new stroke (a second J or Z needs this much rest before it).
    settle: float = 1.2
    min_extent: float = 0.5  # hand sizes the fingertip must travel: a still hand draws nothing
    # Mean distance to the nearest template (path scaled to extent 1), per letter. Set on the
    # synthetic paths of tests/synthetic_strokes.py (Zs with loose corners, rounded strokes, aspect
    # 0.6-1.6, 25° turns, lead-ins, uneven speed and noise; Js with any stem and hook), as the
    # loosest that reads 95% of Js while lines, arcs, N-shapes, waves and circles read as J or Z at
    # most 5% of the time: 91% of Zs, 98% of Js; arcs 1%, circles 5%, lines, N-shapes and waves
    # none; V-shapes 23% and L-shapes (down, then sideways: half a J) 24%. (The J templates of one
    # proportion with 0.10 read 77% of those Js.)
    max_distance: dict = field(default_factory=lambda: {"J": 0.08, "Z": 0.14})
    shape_share: float = 0.6  # share of the frames showing the letter's handshape (fingers out)


@dataclass
class SpellingConfig:
    # The hold a still sign needs adapts to how clear it is: `min_hold` s at a mean probability of
    # `clear_confidence` or more, growing to `hold_time` s at `threshold` (fluent signers show a
    # letter 0.2-0.4 s; an unclear one is asked for longer, as before). A still sign's mean must
    # reach 0.7: measured over the 78 clips, 0.6 let steady misreadings at 0.60-0.69 commit beside
    # the letter signed (59 exact against 60, more letters never signed; 0.5 s cut words the same).
    threshold: float = 0.7
    clear_confidence: float = 0.85
    min_hold: float = 0.2
    # 0.4, not 0.5 as before: replayed over the scoreboard's clips and words (`signcam-train respell`),
    # 0.5 s cut words 22 -> 24 of 60 read exactly (31 -> 34 after the best suggestion: an unclear S, L,
    # P shown 0.5 s now commits) with no transcript of the 78 clips or the 4 joined words changed.
    # Shorter doubles letters on cream-wall (it is also the rest a bounce needs): N -> NN at 0.35, S -> SS too at 0.3.
    # Chosen on those clips: the synthetic streams of tests/test_speller.py are the unseen check.
    hold_time: float = 0.4
    # A bounce or slide (how a letter is doubled): the hand moves at `rearm_speed` hand sizes a
    # second or more (0.4 up and back in 0.3 s peaks near 4; a held hand glides at up to ~2 while
    # the signer settles), then rests again near where it signed the letter.
    rearm_speed: float = 2.5
    # ... and only a quick move from a rest: the hand held still for `hold_time` (it held the letter),
    # then moving for at most `bounce_time` s (a 0.3 s bounce reads as moving for about 0.4 s, the
    # speeds being measured over `motion.lag`), then at rest again for `min_hold`. Moving about for
    # longer between two holds, however fast, is not doubling the letter.
    bounce_time: float = 0.6
    # After a bounce the letter is signed again only back at rest within `rearm_reach` hand sizes of
    # where it was signed, its size within a factor `rearm_scale` (not much nearer the camera or further).
    rearm_reach: float = 1.5
    rearm_scale: float = 1.3
    # The hand drifting faster than `motion.still_hand` (slower than `rearm_speed`) with its fingers
    # still, for at most `glide_time` s, does not end a still segment: the shape is held throughout.
    glide_time: float = 0.3
    evidence_window: float = 0.2  # a still segment's latest frames that can show a new sign began
    drop_time: float = 0.25  # seconds without a hand that count as the hand dropping (trackers miss frames)
    word_gap: float = 1.5  # seconds with no sign read that end a word
    motion_letters: tuple[str, ...] = ("J", "Z")  # read from their strokes only, never from a still frame
    # A stroke replaces the still shape committed just before it, when that shape is how the stroke
    # starts (the I before a J; an index pointing before a Z) and was held until at most
    # `stroke_lead` s before the stroke began.
    stroke_starts: dict = field(default_factory=lambda: {"J": ("I", "Y"), "Z": ("D", "X", "G", "L")})
    stroke_lead: float = 1.0
    # On a still frame the model's J or Z vote counts for the likeliest of those start shapes when
    # the model gives that shape this much itself (an X read as Z while held still is an X).
    still_start_share: float = 0.2
    motion: MotionConfig = field(default_factory=MotionConfig)
    strokes: StrokeConfig = field(default_factory=StrokeConfig)
    space_label: str = "space"
    delete_label: str = "del"
    idle_label: str = "nothing"


@dataclass
class TrackerConfig:
    max_hands: int = 1
    min_detection: float = 0.5
    min_tracking: float = 0.5
    # MediaPipe's full landmark model, as the training data was prepared with. The lite one (0)
    # takes about 4 ms less CPU per frame, but its landmarks cost the letter model accuracy:
    # keptsecret-test 0.9848 -> 0.9369, roboflow-train 0.7692 -> 0.7041 (teal clips 23 -> 24 of 26).
    model_complexity: int = 1
    # Video: follow the hand by running MediaPipe's landmark model ourselves (signcam/vision/landmark_tracker.py),
    # MediaPipe's graph only finding a lost hand. False: MediaPipe's own video mode throughout.
    direct_landmarks: bool = True
    # With direct_landmarks: the bundled int8 export of the full landmark model (models/, made by
    # `signcam-train export-landmarks`): about 4.3 ms less CPU per frame, landmarks a mean 0.42% of the
    # hand's size from the float model's (models/MODEL.md). False: MediaPipe's float model as shipped.
    int8_landmarks: bool = True


@dataclass
class ReuseConfig:
    """A still hand's crop is the same picture as a frame ago: a sure result is not worked out again.

    Held hands jitter about 1% of their size a frame, while any two letters differ by a finger
    moving much further. An unsure result is not reused: fresh readings averaged are how the
    speller settles an unclear letter. Replayed over all 78 clips (frame dumps with every crop
    classified), these values skip the model for 50% of the crops and leave 60 of 78 clips exact,
    as without reuse; one wrong transcript changes (cream-wall O: EO -> EOSO). Reusing unsure
    results too skips 62% but changes two clips (teal S read nothing: 59 exact).
    """
    max_motion: float = 0.03  # mean landmark movement, in hand sizes, since the last classified frame
    max_frames: int = 5  # frames in a row that take one result (at 30 fps, a fresh one every 1/6 s)
    min_confidence: float = 0.8  # top probability a result needs to be reused


@dataclass
class Config:
    model: Path | None = None  # None: the bundled model
    # auto: the .keras model on a GPU when an installed Keras back end sees one, else the CPU
    # (signcam/letters/devices.py); cpu; gpu (an error where there is none).
    device: str = "auto"
    tracker: TrackerConfig = field(default_factory=TrackerConfig)
    smoothing: SmoothingConfig = field(default_factory=SmoothingConfig)
    spelling: SpellingConfig = field(default_factory=SpellingConfig)
    reuse: ReuseConfig = field(default_factory=ReuseConfig)
    suggestions: bool = True  # word suggestions while a word is spelled (signcam/spelling/words.py)
