"""The rotated date box in the app: the quad and its baseline arrow are drawn where the prediction says."""

from __future__ import annotations

import os
from pathlib import Path

os.environ["QT_QPA_PLATFORM"] = "offscreen"  # before any Qt import

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from PySide6.QtCore import QPointF  # noqa: E402
from PySide6.QtGui import QColor, QImage  # noqa: E402

from coinnet.infer.localise import quad_and_angle  # noqa: E402
from coinnet.infer.results import Prediction  # noqa: E402

#: A 120 x 40 date centred at (200, 150), turned 30 degrees counter-clockwise (TL, TR, BR, BL).
A = np.deg2rad(30.0)
CORNERS = np.array([[-60.0, -20], [60, -20], [60, 20], [-60, 20]]) @ np.array(
    [[np.cos(A), -np.sin(A)], [np.sin(A), np.cos(A)]]
) + [200, 150]
QUAD, ANGLE = quad_and_angle(CORNERS)
BOX = (*CORNERS.min(axis=0), *CORNERS.max(axis=0))


def _grey(w: int = 400, h: int = 300) -> QImage:
    image = QImage(w, h, QImage.Format.Format_RGB32)
    image.fill(QColor(90, 90, 90))
    return image


def _colour_at(view, scene_point: QPointF) -> QColor:
    shot = view.viewport().grab().toImage()
    return shot.pixelColor(view.mapFromScene(scene_point))


def _mid(a, b) -> QPointF:
    return QPointF((a[0] + b[0]) / 2, (a[1] + b[1]) / 2)


def test_image_view_draws_the_quad_and_its_baseline_arrow(qtbot):
    from coinnet.gui.image_view import ImageView

    view = ImageView()
    qtbot.addWidget(view)
    view.resize(500, 400)
    view.show()
    view.set_image(_grey())
    assert ANGLE == pytest.approx(30.0)
    view.set_box(BOX, QUAD)
    polygon = view.box_quad()
    assert np.array([(p.x(), p.y()) for p in polygon]) == pytest.approx(np.array(QUAD))
    rect = view.box_rect()  # the quad's bounds
    assert (rect.left(), rect.top(), rect.right(), rect.bottom()) == pytest.approx(BOX)
    line = view.baseline()  # bottom-left to bottom-right: Qt's angle is counter-clockwise on screen too
    assert (line.p1().x(), line.p1().y(), line.p2().x(), line.p2().y()) == pytest.approx((*QUAD[3], *QUAD[2]))
    assert line.angle() == pytest.approx(30.0)
    top = _colour_at(view, _mid(QUAD[0], QUAD[1]))  # the top edge is red, the baseline yellow
    assert top.red() > 200 and top.green() < 120 and top.blue() < 120, top.getRgb()
    bottom = _colour_at(view, _mid(QUAD[3], QUAD[2]))
    assert bottom.red() > 200 and bottom.green() > 180 and bottom.blue() < 120, bottom.getRgb()
    inside = _colour_at(view, QPointF(200, 150))  # an outline, not a filled box
    assert inside.getRgb()[:3] == (90, 90, 90)

    view.set_box(BOX)  # no quad (older models): the axis-aligned box as before, no arrow
    assert view.box_quad() is None and view.baseline() is None
    assert (view.box_rect().left(), view.box_rect().bottom()) == pytest.approx((BOX[0], BOX[3]))
    view.set_box(BOX, QUAD)
    view.set_box(None)
    assert view.box_rect() is None and view.box_quad() is None and view.baseline() is None


def test_single_view_shows_the_quad_and_the_angle(qtbot):
    from coinnet.gui.single_view import SingleView

    single = SingleView()
    qtbot.addWidget(single)
    single.resize(1000, 700)
    single.show()
    single.set_image(np.full((300, 400, 3), 90, np.uint8), Path("coin.png"))
    reading = Prediction("coin.png", 1955, "D", 0.9, 0.9, 0.9, "ok", box=BOX, angle=ANGLE, quad=QUAD)
    single.show_prediction(reading)
    assert single.view.box_quad() is not None and single.view.baseline() is not None
    assert "+30°" in single.detail_label.text()
    single.view.viewport().grab()  # paints without error
    single.show_prediction(Prediction("coin.png", 1955, "D", 0.9, 0.9, 0.9, "ok", box=BOX))
    assert single.view.box_quad() is None and single.view.box_rect() is not None
    assert "°" not in single.detail_label.text()
    single.show_prediction(Prediction("coin.png", error="cannot identify image file"))
    assert single.view.box_rect() is None
