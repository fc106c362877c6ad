"""Widgets that paint: the video with its overlay, the hold ring, the top-3 strip, the problem banner."""
from __future__ import annotations

import cv2
from PyQt6.QtCore import QPointF, QRectF, Qt, pyqtSignal
from PyQt6.QtGui import QColor, QFont, QImage, QPainter, QPen
from PyQt6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QSizePolicy, QWidget

from ..pipeline import Reading
from ..vision.frames import Frame

# MediaPipe's 21 hand landmarks: the bones between them (wrist 0, thumb 1-4, fingers 5-20).
HAND_CONNECTIONS = ((0, 1), (1, 2), (2, 3), (3, 4), (0, 5), (5, 6), (6, 7), (7, 8), (5, 9), (9, 10), (10, 11),
                    (11, 12), (9, 13), (13, 14), (14, 15), (15, 16), (13, 17), (17, 18), (18, 19), (19, 20), (0, 17))
HOLDING = QColor(255, 196, 0)
COMMITTED = QColor(60, 200, 90)


def paint_hold_ring(painter: QPainter, rect: QRectF, progress: float) -> None:
    """A ring that fills clockwise from the top while a letter is held, and turns green once it is committed."""
    painter.setPen(QPen(QColor(255, 255, 255, 60), 6))
    painter.drawEllipse(rect)
    if progress > 0:
        painter.setPen(QPen(COMMITTED if progress >= 1 else HOLDING, 6, cap=Qt.PenCapStyle.RoundCap))
        painter.drawArc(rect, 90 * 16, -round(360 * 16 * min(progress, 1.0)))


class VideoView(QWidget):
    """The newest frame, mirrored like a selfie camera if asked, with the latest reading drawn over it."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.mirror = True
        self.badge = ""  # e.g. "● REC B 12" while recording
        self.placeholder = "Starting…"
        self._image: QImage | None = None
        self._frame_size = (1, 1)
        self._reading: Reading | None = None
        self.setMinimumSize(480, 270)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def show_frame(self, frame: Frame, reading: Reading | None) -> None:
        h, w = frame.image.shape[:2]
        # Shrink before converting: turning every 1080p frame into a QImage would load the GUI thread.
        # INTER_LINEAR: ~2 ms a 1080p frame where INTER_AREA takes ~12, which at 30 fps is a third of a core.
        ratio = self.devicePixelRatioF()
        scale = min(self.width() * ratio / w, self.height() * ratio / h, 1.0)
        small = cv2.resize(frame.image, (max(1, round(w * scale)), max(1, round(h * scale))),
                           interpolation=cv2.INTER_LINEAR)
        if self.mirror:
            small = cv2.flip(small, 1)
        # BGRA bytes are Qt's native 32-bit layout (on little-endian machines), which it draws
        # several times faster than RGB888. copy(): the QImage must not point into numpy's buffer.
        bgra = cv2.cvtColor(small, cv2.COLOR_BGR2BGRA)
        self._image = QImage(bgra.data, bgra.shape[1], bgra.shape[0], 4 * bgra.shape[1],
                             QImage.Format.Format_RGB32).copy()
        self._frame_size = (w, h)
        self._reading = reading
        self.update()

    def show_message(self, text: str) -> None:
        self._image, self._reading, self.placeholder = None, None, text
        self.update()

    def _target(self) -> QRectF:
        w, h = self._frame_size
        scale = min(self.width() / w, self.height() / h)
        return QRectF((self.width() - w * scale) / 2, (self.height() - h * scale) / 2, w * scale, h * scale)

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), QColor(20, 20, 24))
        if self._image is None:
            painter.setPen(QColor(220, 220, 220))
            painter.setFont(QFont(self.font().family(), 14))
            painter.drawText(QRectF(self.rect()).adjusted(20, 20, -20, -20),
                             Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, self.placeholder)
            return
        target = self._target()
        painter.drawImage(target, self._image)
        if self._reading is not None:
            self._paint_hand(painter, target, self._reading)
            self._paint_letter(painter, target, self._reading)
        if self.badge:
            self._paint_badge(painter, target)

    def _paint_hand(self, painter: QPainter, target: QRectF, reading: Reading) -> None:
        if reading.hand is None:
            return
        w = self._frame_size[0]
        scale = target.width() / w

        def point(x: float, y: float) -> QPointF:  # frame pixels -> widget, mirrored as the image is
            return QPointF(target.x() + (w - x if self.mirror else x) * scale, target.y() + y * scale)

        pts = [point(x, y) for x, y, _ in reading.hand.landmarks]
        painter.setPen(QPen(QColor(255, 255, 255, 200), 2))
        for a, b in HAND_CONNECTIONS:
            painter.drawLine(pts[a], pts[b])
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(255, 80, 80))
        for p in pts:
            painter.drawEllipse(p, 3.5, 3.5)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        if reading.crop_box:  # the square the classifier sees: green with a steady letter, amber when unsure
            x0, y0, x1, y1 = reading.crop_box
            painter.setPen(QPen(COMMITTED if reading.letter else HOLDING, 2, Qt.PenStyle.DashLine))
            painter.drawRect(QRectF(point(x0, y0), point(x1, y1)).normalized())

    def _paint_letter(self, painter: QPainter, target: QRectF, reading: Reading) -> None:
        panel = QRectF(target.x() + 12, target.y() + 12, 150, 178)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(0, 0, 0, 150))
        painter.drawRoundedRect(panel, 12, 12)
        ring = QRectF(panel.x() + 15, panel.y() + 12, 120, 120)
        paint_hold_ring(painter, ring, reading.hold if reading.letter else 0.0)
        font = QFont(self.font().family(), 44, QFont.Weight.Bold)
        painter.setFont(font)
        painter.setPen(QColor(255, 255, 255) if reading.letter else QColor(150, 150, 150))
        painter.drawText(ring, Qt.AlignmentFlag.AlignCenter, reading.letter or "·")
        painter.setFont(QFont(self.font().family(), 12))
        if reading.letter:
            caption = f"{reading.confidence:.0%}" + ("  ✓ typed" if reading.hold >= 1 else "")
        else:
            caption = "no hand" if reading.hand is None else "unsure"
        painter.drawText(QRectF(panel.x(), ring.bottom() + 6, panel.width(), 26),
                         Qt.AlignmentFlag.AlignCenter, caption)


    def _paint_badge(self, painter: QPainter, target: QRectF) -> None:
        painter.setFont(QFont(self.font().family(), 14, QFont.Weight.Bold))
        width = painter.fontMetrics().horizontalAdvance(self.badge) + 24
        box = QRectF(target.right() - width - 12, target.y() + 12, width, 36)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(179, 38, 30, 220))
        painter.drawRoundedRect(box, 8, 8)
        painter.setPen(QColor(255, 255, 255))
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter, self.badge)


class TopCandidates(QWidget):
    """The three likeliest letters of the latest frame, each with a bar of its score."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.candidates: list[tuple[str, float]] = []
        self.setFixedHeight(34)

    def set_candidates(self, candidates: list[tuple[str, float]]) -> None:
        if candidates != self.candidates:
            self.candidates = list(candidates)
            self.update()

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        cell_w = self.width() / 3
        for i in range(3):
            cell = QRectF(i * cell_w + 3, 3, cell_w - 6, self.height() - 6)
            painter.fillRect(cell, QColor(45, 45, 52))
            if i >= len(self.candidates):
                continue
            label, score = self.candidates[i]
            painter.fillRect(QRectF(cell.x(), cell.y(), cell.width() * score, cell.height()),
                             COMMITTED.darker(150) if i == 0 else QColor(80, 90, 120))
            painter.setPen(QColor(255, 255, 255))
            painter.drawText(cell.adjusted(8, 0, -8, 0), Qt.AlignmentFlag.AlignVCenter, label)
            painter.drawText(cell.adjusted(8, 0, -8, 0),
                             Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight, f"{score:.0%}")


class Banner(QFrame):
    """A message above the video: a problem (red) or a notice, with an optional Retry and a Dismiss."""

    retry = pyqtSignal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.retry_button = QPushButton("Retry")
        self.retry_button.clicked.connect(self.retry)
        dismiss = QPushButton("Dismiss")
        dismiss.clicked.connect(self.hide)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 4, 6, 4)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.retry_button)
        layout.addWidget(dismiss)
        self.hide()

    def show_message(self, message: str, retry_text: str | None = None, problem: bool = True) -> None:
        self.setStyleSheet(f"Banner {{ background: {'#7a2e1e' if problem else '#2b4a6b'}; }} QLabel {{ color: white; }}")
        self.label.setText(message)
        self.retry_button.setVisible(retry_text is not None)
        self.retry_button.setText(retry_text or "")
        self.show()
