"""A zoom-and-pan image viewer that can outline the date box the model found."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QImage, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QGraphicsPixmapItem, QGraphicsRectItem, QGraphicsScene, QGraphicsView

ZOOM_STEP = 1.25
MIN_ZOOM, MAX_ZOOM = 0.02, 40.0


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
        self._box = QGraphicsRectItem()
        pen = QPen(QColor(255, 60, 60), 3)
        pen.setCosmetic(True)  # same on-screen width at every zoom
        self._box.setPen(pen)
        self._box.setZValue(1)
        self._box.hide()
        self.scene().addItem(self._box)
        self._fit_mode = True
        self.placeholder = "Open, drop or paste an image (Ctrl+O / Ctrl+V)"

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
        self._box.hide()
        self.viewport().update()

    def set_box(self, box: tuple[float, float, float, float] | None) -> None:
        """Outline ``(x0, y0, x1, y1)`` in full-resolution pixels, or hide the outline for None."""
        if box is None:
            self._box.hide()
            return
        x0, y0, x1, y1 = box
        self._box.setRect(QRectF(x0, y0, x1 - x0, y1 - y0))
        self._box.show()

    def box_rect(self) -> QRectF | None:
        return self._box.rect() if self._box.isVisible() else None

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
