"""A zoom-and-pan image viewer that can outline the date box the model found (axis-aligned or rotated)."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QImage, QPainter, QPainterPath, QPen, QPixmap, QPolygonF
from PySide6.QtWidgets import (
    QGraphicsPathItem,
    QGraphicsPixmapItem,
    QGraphicsPolygonItem,
    QGraphicsRectItem,
    QGraphicsScene,
    QGraphicsView,
)

ZOOM_STEP = 1.25
MIN_ZOOM, MAX_ZOOM = 0.02, 40.0
BOX_COLOUR = QColor(255, 60, 60)
#: The baseline arrow: yellow, so it stands out from the red outline it lies on.
BASELINE_COLOUR = QColor(255, 220, 0)
#: Arrowhead length over the date's height: big enough to see at fit-to-window zoom, small beside the date.
ARROW_RATIO = 0.35


class ImageView(QGraphicsView):
    """Shows one image; mouse wheel zooms around the cursor, dragging pans.

    Scene coordinates are full-resolution image pixels even when a smaller preview is shown (the pixmap item
    is scaled up), so a box from the predictor can be drawn as is.
    """

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setScene(QGraphicsScene(self))
        self.setRenderHints(QPainter.RenderHint.SmoothPixmapTransform | QPainter.RenderHint.Antialiasing)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setBackgroundBrush(QBrush(QColor(40, 40, 40)))
        # The main window handles drops for the whole app; a view that accepted them would swallow them.
        self.setAcceptDrops(False)
        self.viewport().setAcceptDrops(False)
        self._pixmap = QGraphicsPixmapItem()
        self._pixmap.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
        self.scene().addItem(self._pixmap)
        self._box = self._overlay(QGraphicsRectItem(), BOX_COLOUR, 3)
        self._quad = self._overlay(QGraphicsPolygonItem(), BOX_COLOUR, 3)
        self._arrow = self._overlay(QGraphicsPathItem(), BASELINE_COLOUR, 3, z=2)
        self._baseline: QLineF | None = None
        self._fit_mode = True
        self.placeholder = "Open, drop or paste an image (Ctrl+O / Ctrl+V)"

    def _overlay(self, item, colour: QColor, width: int, z: int = 1):
        pen = QPen(colour, width)
        pen.setCosmetic(True)  # same on-screen width at every zoom
        item.setPen(pen)
        item.setZValue(z)
        item.hide()
        self.scene().addItem(item)
        return item

    def has_image(self) -> bool:
        return not self._pixmap.pixmap().isNull()

    def set_image(self, image: QImage, scale: float = 1.0, keep_view: bool = False) -> None:
        """Show ``image`` drawn ``scale`` times larger (a preview of a bigger original).

        Args:
            keep_view: keep the current zoom and position (live preview updates); otherwise fit to the window.
        """
        self._pixmap.setPixmap(QPixmap.fromImage(image))
        self._pixmap.setScale(scale)
        self.scene().setSceneRect(self._pixmap.sceneBoundingRect())
        if not keep_view:
            self.fit()
        self.viewport().update()

    def clear(self) -> None:
        self._pixmap.setPixmap(QPixmap())
        self.set_box(None)
        self.viewport().update()

    def set_box(
        self,
        box: tuple[float, float, float, float] | None,
        quad: Sequence[tuple[float, float]] | None = None,
    ) -> None:
        """Outline the date in full-resolution pixels, or hide the outline when both are None.

        Args:
            box: axis-aligned ``(x0, y0, x1, y1)``; drawn only when there is no ``quad``.
            quad: the rotated date rectangle, corners top-left, top-right, bottom-right, bottom-left of the upright
                date. Its bottom edge (the date's baseline) gets a yellow arrow pointing the way the date reads,
                so a user sees its angle, upside down included.
        """
        for item in (self._box, self._quad, self._arrow):
            item.hide()
        self._baseline = None
        if quad is not None:
            points = [QPointF(float(x), float(y)) for x, y in quad]
            self._quad.setPolygon(QPolygonF(points))
            self._baseline = QLineF(points[3], points[2])
            self._arrow.setPath(_arrow_path(self._baseline, QLineF(points[3], points[0]).length()))
            self._quad.show()
            self._arrow.show()
        elif box is not None:
            x0, y0, x1, y1 = box
            self._box.setRect(QRectF(x0, y0, x1 - x0, y1 - y0))
            self._box.show()

    def box_rect(self) -> QRectF | None:
        """The drawn outline's bounds (the quad's when a quad is shown), or None when nothing is drawn."""
        if self._quad.isVisible():
            return self._quad.polygon().boundingRect()
        return self._box.rect() if self._box.isVisible() else None

    def box_quad(self) -> QPolygonF | None:
        """The drawn rotated outline, or None when none is shown (no box, or only an axis-aligned one)."""
        return self._quad.polygon() if self._quad.isVisible() else None

    def baseline(self) -> QLineF | None:
        """The arrowed baseline (bottom-left to bottom-right of the date), or None when no quad is shown."""
        return self._baseline

    def zoom(self) -> float:
        """Current magnification (1.0 = one screen pixel per scene pixel)."""
        return self.transform().m11()

    def zoom_by(self, factor: float) -> None:
        target = min(max(self.zoom() * factor, MIN_ZOOM), MAX_ZOOM)
        self._fit_mode = False
        self.scale(target / self.zoom(), target / self.zoom())

    def zoom_in(self) -> None:
        self.zoom_by(ZOOM_STEP)

    def zoom_out(self) -> None:
        self.zoom_by(1 / ZOOM_STEP)

    def actual_size(self) -> None:
        self._fit_mode = False
        self.resetTransform()

    def fit(self) -> None:
        self._fit_mode = True
        if self.has_image():
            self.fitInView(self.sceneRect(), Qt.AspectRatioMode.KeepAspectRatio)

    def wheelEvent(self, event) -> None:  # noqa: N802 (Qt override)
        steps = event.angleDelta().y() / 120
        if steps:
            self.zoom_by(ZOOM_STEP**steps)
        event.accept()

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        if self._fit_mode:
            self.fit()

    def drawForeground(self, painter: QPainter, rect) -> None:  # noqa: N802
        if self.has_image():
            return
        painter.save()
        painter.resetTransform()
        painter.setPen(QColor(200, 200, 200))
        painter.drawText(self.viewport().rect(), Qt.AlignmentFlag.AlignCenter, self.placeholder)
        painter.restore()


def _arrow_path(line: QLineF, height: float) -> QPainterPath:
    """``line`` with an open arrowhead at its end, ``ARROW_RATIO * height`` long (scene pixels)."""
    path = QPainterPath(line.p1())
    path.lineTo(line.p2())
    if line.length() > 0:
        head = ARROW_RATIO * height
        for turn in (150.0, -150.0):  # Qt angles are counter-clockwise on screen, like the date's
            barb = QLineF.fromPolar(head, line.angle() + turn).translated(line.p2())
            path.moveTo(barb.p2())
            path.lineTo(line.p2())
    return path
