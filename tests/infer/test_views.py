"""Candidate views: one ring view of a rendered whole coin is an upright crop of its date."""

import numpy as np
import pytest

from coinnet.infer.views import MODES, RING_SCALES, RING_STEPS, box_in_image, candidate_views, find_coin
from coinnet.render import RenderConfig, render


def _centre(box):
    return np.array([(box[0] + box[2]) / 2, (box[1] + box[3]) / 2])


@pytest.mark.parametrize("index", range(6))
def test_a_ring_view_lands_on_the_date_upright(index):
    cfg = RenderConfig(
        size=384,
        closeup_prob=0.0,
        rotation_deg=180,
        whole_coin_frac=[0.8, 0.95],
        clean=True,
        holder_prob=0.0,
        traced_prob=0.0,  # the font dates the ring's constants were measured on (traced ones: test_shipped_localiser)
    )
    s = render(cfg, seed=11, index=index)
    views = [v for v in candidate_views(s.image, 128, "ring") if v.kind == "ring"]
    assert len(views) == RING_STEPS * len(RING_SCALES)
    date = _centre(s.date_box)
    dist = [np.linalg.norm(v.to_image @ [64, 64, 1] - date) for v in views]
    best = views[int(np.argmin(dist))]
    date_width = s.date_box[2] - s.date_box[0]
    # Within half the date's size: the crop (about twice the date's width) holds the whole date.
    assert min(dist) < 0.5 * max(date_width, s.date_box[3] - s.date_box[1])
    # The view's x axis follows the date's baseline (within half a ring step).
    axis = best.to_image[:, 0]
    view_angle = np.degrees(np.arctan2(-axis[1], axis[0]))
    assert abs((view_angle - s.angle + 180) % 360 - 180) <= 180 / RING_STEPS + 3
    # The default date region of that view, mapped back, covers the date's centre.
    x0, y0, x1, y1 = box_in_image(best)
    assert x0 <= date[0] <= x1 and y0 <= date[1] <= y1


def test_find_coin_on_a_rendered_coin():
    cfg = RenderConfig(
        size=256, closeup_prob=0.0, whole_coin_frac=[0.85, 0.85], clean=True, holder_prob=0.0, perspective=0.0
    )
    s = render(cfg, seed=2, index=0)
    cx, cy, r = find_coin(s.image)
    assert abs(r - 0.85 * 128) < 0.12 * 128 and np.hypot(cx - 128, cy - 128) < 0.2 * 128


def test_modes_and_view_counts():
    img = np.zeros((90, 160, 3), np.uint8)
    ring = RING_STEPS * len(RING_SCALES)
    assert [len(candidate_views(img, 64, m)) for m in MODES] == [1, 8, ring, 8 + ring]
    plain = candidate_views(img, 64, "none")[0]
    assert plain.image.shape == (64, 64, 3) and np.allclose(plain.to_image @ [32, 32, 1], [80, 45])
    with pytest.raises(ValueError, match="search mode"):
        candidate_views(img, 64, "zoom")
