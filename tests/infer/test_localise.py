"""The date box from attention maps: geometry by hand, and the shipped model on rendered coins at a stated IoU."""

import numpy as np
import pytest

from coinnet.infer.localise import date_box, date_corners, date_corners_in_photo, iou, peak_centres, quad_and_angle
from coinnet.infer.predictor import Predictor, default_model_path
from coinnet.infer.views import View
from coinnet.render import RenderConfig, render

#: What the shipped model must reach on rendered coins at any rotation (measured: see README, "Accuracy").
WHOLE_MIN_HIT_RATE = 0.75  # share of whole coins whose box has IoU >= 0.5 with the rendered date box (measured 88 %)
CLOSEUP_MIN_HIT_RATE = 0.9  # measured 100 %
HIT_IOU = 0.5


def test_iou_by_hand():
    assert iou((0, 0, 2, 2), (1, 1, 3, 3)) == pytest.approx(1 / 7)
    assert iou((0, 0, 1, 1), (0, 0, 1, 1)) == 1.0
    assert iou((0, 0, 1, 1), (2, 2, 3, 3)) == 0.0


def test_peak_centres_are_the_weighted_mean_around_the_peak():
    attn = np.zeros((2, 8, 8))
    attn[0, 2, 3] = 1.0  # one cell: its centre, (3.5, 2.5) cells = (56, 40) px on a 128 px view
    attn[1, 5, 5], attn[1, 5, 6] = 0.75, 0.25  # between two cells, nearer the first
    attn[1, 0, 0] = 1e-3  # far from the peak: ignored
    centres = peak_centres(attn / attn.sum(axis=(1, 2), keepdims=True), 128)
    assert centres[0] == pytest.approx([56, 40])
    assert centres[1] == pytest.approx([(5.25 + 0.5) * 16, 5.5 * 16])


def test_date_rectangle_through_the_digit_centres():
    # Digits 20 px apart on a horizontal line: the date is 80 px long, 0.4 * 80 = 32 px tall.
    corners = date_corners(np.array([[30.0, 50], [50, 50], [70, 50], [90, 50]]), height_ratio=0.4)
    assert corners == pytest.approx(np.array([[20, 34], [100, 34], [100, 66], [20, 66]]))
    # A view scaled by 2 and shifted maps the box into the photo.
    attn = np.zeros((5, 8, 8))
    for k, col in enumerate((1, 3, 5, 7)):
        attn[k, 4, col] = 1.0
    view = View(np.zeros((128, 128, 3), np.uint8), np.array([[2.0, 0, 10], [0, 2.0, 20]]), "ring")
    x0, y0, x1, y1 = date_box(attn, view)
    corners = date_corners_in_photo(attn, view)
    assert corners.shape == (4, 2) and corners[0] == pytest.approx([x0, y0]) and corners[2] == pytest.approx([x1, y1])
    # Centres at x = 24, 56, 88, 120 px, y = 72: length 128, height 51.2, then x2 and shift.
    assert (x0, x1) == pytest.approx((2 * (72 - 64) + 10, 2 * (72 + 64) + 10))
    assert (y0, y1) == pytest.approx((2 * (72 - 25.6) + 20, 2 * (72 + 25.6) + 20))


@pytest.mark.parametrize("angle", [0.0, 30.0, -45.0, 90.0, 180.0, -150.0])
def test_quad_and_angle_of_a_rotated_rectangle(angle):
    # An 80 x 20 date centred at (100, 50), turned counter-clockwise on screen: image y points down, so the
    # rotation of an upright corner offset (x, y) is (x cos + y sin, -x sin + y cos).
    a = np.deg2rad(angle)
    rot = np.array([[np.cos(a), np.sin(a)], [-np.sin(a), np.cos(a)]])
    upright = np.array([[-40.0, -10], [40, -10], [40, 10], [-40, 10]])  # TL, TR, BR, BL
    corners = upright @ rot.T + [100, 50]
    quad, got = quad_and_angle(corners)
    assert got == pytest.approx(angle) and isinstance(got, float)
    assert len(quad) == 4 and all(type(v) is float for point in quad for v in point)
    assert np.array(quad) == pytest.approx(corners)
    if angle == 30.0:  # the right end of the baseline is higher in the photo (smaller y)
        assert quad[1][1] < quad[0][1] and round(got, 1) == 30.0
    if angle == 0.0:
        assert str(got) == "0.0"  # not -0.0 from a level baseline


@pytest.mark.parametrize(
    "kind, closeup_prob, min_rate", [("whole", 0.0, WHOLE_MIN_HIT_RATE), ("closeup", 1.0, CLOSEUP_MIN_HIT_RATE)]
)
def test_shipped_model_boxes_the_rendered_date(kind, closeup_prob, min_rate):
    predictor = Predictor(default_model_path(), search="full")  # the attention maps' box (locate: the localiser's)
    cfg = RenderConfig(size=384, closeup_prob=closeup_prob, rotation_deg=180)
    coins = [render(cfg, seed=21, index=i) for i in range(40)]
    preds = predictor.predict_images([c.image for c in coins])
    scores = np.array([iou(p.box, c.date_box) if p.box else 0.0 for p, c in zip(preds, coins)])
    assert np.mean(scores >= HIT_IOU) >= min_rate, f"{kind}: IoU >= {HIT_IOU} on {np.mean(scores >= HIT_IOU):.0%}"
    # Where it read the year right, it looked at the date.
    read = np.array([p.year == c.year for p, c in zip(preds, coins)])
    assert read.any() and np.mean(scores[read] >= HIT_IOU) >= 0.9
