"""The model shipped inside the package loads and reads example photos (our renders and a few real ones)."""

import pytest

from coinnet.infer.predictor import Predictor, default_model_path
from coinnet.label_folder import read_labels
from tests.helpers.paths import CENTS_WEB, REPO

# Real photos read from ../shared (never copied into the repo): the first fully legible whole coin, holder shot and
# proof in labels.csv order that the shipped model reads right. It trained on crops of all of cents-web, so this is
# a smoke test that the shipped file works end to end, not an accuracy figure (see docs/model_card.md for that).
REAL_SAMPLES = ("images/bb574ebeb510ce81.jpg", "images/981ac8456bc971ce.jpg", "images/ac286d9a9f4cc5cc.jpg")
# The shipped model reads 9 of the 12 rendered examples (all 6 close-ups, 3 of 6 whole coins; so did the previous one).
MIN_EXAMPLES_RIGHT = 9


@pytest.fixture(scope="module")
def predictor():
    assert default_model_path().is_file(), "coinnet/infer/models/default.onnx must ship with the package"
    return Predictor()


def test_metadata_describes_the_shipped_model(predictor):
    meta = predictor.metadata
    assert meta["input_size"] == 128 and meta["backbone"] == "tf_efficientnet_lite0"
    assert 0.0 < meta["threshold"] < 1.0 and meta["temperature"] > 0
    # Its confidence is the fitted rule (coinnet/infer/models/default_confidence.json), steady signal included, and
    # its default threshold is the one that reached 99 % precision on held-out photo sources.
    assert predictor.confidence_rule is not None and predictor.steady
    curve = meta["precision_curve"]  # its thresholds are rounded to 3 decimals
    above = [p for p in curve if p[0] >= meta["threshold"] - 5e-4]
    assert above and above[0][1] >= 0.99 and above[0][0] == pytest.approx(meta["threshold"], abs=1e-3)
    assert Predictor(precision=0.95).threshold < meta["threshold"]


def test_reads_the_rendered_examples(predictor):
    rows = read_labels(REPO / "examples")
    preds = predictor.predict_paths([r.path for r in rows])
    right = [(p.year, p.mint) == (r.year, r.mint) for p, r in zip(preds, rows)]
    assert sum(right) >= MIN_EXAMPLES_RIGHT, [(p.file, p.year, p.mint, round(p.confidence, 2)) for p in preds]


@pytest.mark.skipif(not CENTS_WEB.is_dir(), reason="../shared/datasets/cents-web not present")
def test_reads_a_few_real_photos(predictor):
    truth = {r.path: (r.year, r.mint) for r in read_labels(CENTS_WEB)}
    for name in REAL_SAMPLES:
        path = str(CENTS_WEB / name)
        pred = predictor.predict_paths([path])[0]
        assert (pred.year, pred.mint) == truth[path], (name, pred)
