"""The model shipped inside the package loads and reads example photos (our renders and a few real ones)."""

import pytest

from coinnet.predictor import Predictor, default_model_path
from coinnet.records import read_labels
from tests.conftest import CENTS_WEB, REPO

# Real photos read from ../shared (never copied into the repo): whole coins the shipped model reads right.
REAL_SAMPLES = ("images/aa6085b4b15ffc45.jpg", "images/1b7414ce9381377a.jpg", "images/aa371309432bed34.jpg")


@pytest.fixture(scope="module")
def predictor():
    assert default_model_path().is_file(), "coinnet/models/default.onnx must ship with the package"
    return Predictor()


def test_metadata_describes_the_shipped_model(predictor):
    meta = predictor.metadata
    assert meta["input_size"] == 128 and meta["backbone"] == "mobilenetv3_small_100"
    assert 0.0 < meta["threshold"] < 1.0 and meta["temperature"] > 0


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
