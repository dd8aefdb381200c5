"""The positions that supervise the heads' attention lie on the rendered glyphs."""

import numpy as np

from coinnet import labels
from coinnet.data.synthetic import head_points
from coinnet.render import RenderConfig, render


def test_digit_points_sit_inside_the_date_box_in_reading_order():
    cfg = RenderConfig(size=128, closeup_prob=1.0, rotation_deg=20, clean=True)
    for i in range(20):
        s = render(cfg, seed=5, index=i)
        p = head_points(s)
        pts, mask = p["points"] * 128, p["point_mask"]
        x0, y0, x1, y1 = s.date_box
        assert mask[:4].all() and mask[4] == (s.mint != "none")
        assert ((pts[:4, 0] >= x0 - 1) & (pts[:4, 0] <= x1 + 1) & (pts[:4, 1] >= y0 - 1) & (pts[:4, 1] <= y1 + 1)).all()
        # Reading order follows the baseline direction: digit0 -> digit3 points along the date's angle.
        direction = pts[3] - pts[0]
        angle = np.degrees(np.arctan2(-direction[1], direction[0]))
        assert abs((angle - s.angle + 180) % 360 - 180) < 5
        if s.mint_box is not None:
            mx0, my0, mx1, my1 = s.mint_box
            assert mx0 <= pts[4, 0] <= mx1 and my0 <= pts[4, 1] <= my1


def test_no_date_samples_have_no_label_and_no_upright_date():
    from coinnet.data.synthetic import SyntheticCoins

    cfg = RenderConfig(size=64, closeup_prob=1.0)
    plain = SyntheticCoins(cfg, seed=3, length=50)
    mixed = SyntheticCoins(cfg, seed=3, length=50, negative_prob=0.5)
    flags = [mixed[i]["negative"] for i in range(50)]
    assert 10 < sum(flags) < 40 and not any(plain[i]["negative"] for i in range(50))
    for i, neg in enumerate(flags):
        a, b = plain[i], mixed[i]
        if neg:  # the same render, turned or shifted away, with every head unlabelled and unsupervised
            assert (b["target"] == labels.IGNORE_INDEX).all() and not b["point_mask"].any()
            assert b["image"].shape == a["image"].shape and not np.array_equal(a["image"], b["image"])
        else:  # the rest are exactly the renders a model without no-date examples sees
            assert np.array_equal(a["image"], b["image"]) and np.array_equal(a["target"], b["target"])
