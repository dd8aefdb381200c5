"""The shipped localiser finds the date on rendered coins it never trained on (a fixed seed set)."""

import numpy as np
import pytest

from coinnet.infer.locate import Localiser
from coinnet.infer.predictor import Predictor, default_model_path
from coinnet.render import RenderConfig, render

#: Share of the seed set below whose top proposal is right: measured 0.99 (99 of 100 whole coins, 99 of 100 close-ups,
#: 2026-12-05, after the real-photo fine-tune; 100 and 100 before it; docs/model_card.md); the issue asks 0.98.
MIN_FOUND = 0.98
SEED, COUNT = 2026, 200  # the localiser trained on seeds 7 and 10007


def _right(proposal, sample) -> bool:
    quad = np.asarray(sample.meta["date_quad"])
    height = np.linalg.norm(quad[3] - quad[0])
    centre_ok = np.linalg.norm(proposal.centre - quad.mean(0)) <= 0.5 * height
    return bool(centre_ok and abs((proposal.angle - sample.angle + 180.0) % 360.0 - 180.0) <= 10.0)


@pytest.fixture(scope="module")
def localiser():
    meta = Predictor(search="full").metadata
    assert meta.get("localiser"), "the shipped reader names its localiser"
    return Localiser(default_model_path().parent / meta["localiser"])


@pytest.mark.parametrize("view", ["whole", "closeup"])
def test_centre_within_half_a_date_height_and_angle_within_10_degrees(localiser, view):
    cfg = RenderConfig(size=384, closeup_prob=1.0 if view == "closeup" else 0.0, rotation_deg=180.0)
    hits = []
    for index in range(COUNT // 2):
        sample = render(cfg, seed=SEED, index=index)
        found = localiser.find(sample.image, top=1)
        hits.append(bool(found) and _right(found[0], sample))
    assert np.mean(hits) >= MIN_FOUND, f"{np.mean(hits):.3f} of {len(hits)} {view} renders"


def test_the_default_search_is_locate_and_fills_the_box_columns():
    predictor = Predictor()
    assert predictor.search == "locate"
    sample = render(RenderConfig(size=384, closeup_prob=0.0, rotation_deg=180.0), seed=SEED, index=999)
    pred = predictor.predict_images([sample.image])[0]
    row = pred.as_row()
    assert None not in (row["box_x0"], row["box_y0"], row["box_x1"], row["box_y1"], row["angle"])
    x0, y0, x1, y1 = pred.box
    cx, cy = np.asarray(sample.meta["date_quad"]).mean(0)
    assert x0 <= cx <= x1 and y0 <= cy <= y1
