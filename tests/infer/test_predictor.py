"""Predictor: valid-pair decoding, thresholds, metadata checks, and no torch on the inference path."""

from __future__ import annotations

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper

from coinnet import labels
from coinnet.infer.enhance import Enhancement
from coinnet.infer.pair_decoder import PairDecoder
from coinnet.infer.predictor import Predictor
from coinnet.infer.results import RESULT_COLUMNS
from tests.helpers.infer import coin_like, tiny_onnx


@pytest.fixture(scope="session")
def model_path(tmp_path_factory):
    return tiny_onnx(tmp_path_factory)


def _logits_for(year_digits: str, mint: str, margin: float = 6.0) -> dict[str, np.ndarray]:
    """Logits whose per-head argmax reads ``year_digits`` + ``mint``, with a runner-up one class over."""
    out = {}
    for i, ch in enumerate(year_digits):
        row = np.zeros(labels.DIGIT_CLASSES)
        row[int(ch)] = margin
        row[(int(ch) + 1) % 10] = margin - 1.0
        out[f"digit{i}"] = row[None]
    mint_row = np.zeros(len(labels.MINTS))
    mint_row[labels.MINTS.index(mint)] = margin
    mint_row[(labels.MINTS.index(mint) + 1) % len(labels.MINTS)] = margin - 2.0
    out["mint"] = mint_row[None]
    return out


def _brute_force_best(logits: dict[str, np.ndarray]) -> tuple[tuple[int, str], float]:
    """Best valid pair by enumerating every valid pair's product of head softmaxes."""
    probs = {h: np.exp(v[0] - v[0].max()) / np.exp(v[0] - v[0].max()).sum() for h, v in logits.items()}
    scores = {}
    for year, mint in labels.valid_pairs():
        p = probs["mint"][labels.MINTS.index(mint)]
        for i, ch in enumerate(f"{year:04d}"):
            p *= probs[f"digit{i}"][int(ch)]
        scores[(year, mint)] = p
    best = max(scores, key=scores.get)
    return best, scores[best] / sum(scores.values())


@pytest.mark.parametrize("digits,mint", [("2017", "none"), ("1965", "D"), ("1922", "S"), ("2019", "P"), ("2099", "D")])
def test_decoder_picks_the_best_valid_pair_when_argmax_is_invalid(digits, mint):
    logits = _logits_for(digits, mint)
    argmax_pair = (int(digits), mint)
    assert not labels.is_valid(*argmax_pair)  # the point of the test: independent argmaxes are wrong
    decoded = PairDecoder(labels.schema_dict()).decode(logits)
    best, prob = _brute_force_best(logits)
    assert decoded.pairs[0] == best and labels.is_valid(*best)
    assert decoded.confidence[0] == pytest.approx(prob)
    assert decoded.posterior[0].sum() == pytest.approx(1.0)
    # Marginals include the chosen pair, so they can't be below its probability.
    assert decoded.year_confidence[0] >= decoded.confidence[0] - 1e-12
    assert decoded.mint_confidence[0] >= decoded.confidence[0] - 1e-12


def test_decoder_agrees_with_argmax_when_that_is_valid_and_temperature_softens():
    logits = _logits_for("1943", "S")
    dec = PairDecoder(labels.schema_dict())
    sharp, soft = dec.decode(logits, 1.0), dec.decode(logits, 3.0)
    assert sharp.pairs[0] == soft.pairs[0] == (1943, "S")
    assert soft.confidence[0] < sharp.confidence[0]


def test_predictions_have_the_contract_fields(model_path):
    p = Predictor(model_path, threads=1)
    images = [coin_like(i) for i in range(5)]
    preds = p.predict_images(images, names=[f"c{i}" for i in range(5)], batch_size=2)
    assert [x.file for x in preds] == [f"c{i}" for i in range(5)]
    for pred in preds:
        assert set(pred.as_row()) == set(RESULT_COLUMNS) and list(pred.as_row()) == list(RESULT_COLUMNS)
        assert labels.is_valid(pred.year, pred.mint)
        assert 0.0 <= pred.confidence <= min(pred.year_confidence, pred.mint_confidence) + 1e-9 <= 1.0 + 1e-9
        assert pred.status == ("ok" if pred.confidence >= p.threshold else "unknown")
        assert pred.box is None or (len(pred.box) == 4 and pred.box[0] < pred.box[2] and pred.box[1] < pred.box[3])


def test_threshold_turns_answers_unknown_but_keeps_the_guess(model_path):
    images = [coin_like(i) for i in range(3)]
    strict = Predictor(model_path, threshold=1.0, threads=1).predict_images(images)
    lenient = Predictor(model_path, threshold=0.0, threads=1).predict_images(images)
    assert all(x.status == "unknown" and x.year is not None for x in strict)
    assert all(x.status == "ok" for x in lenient)
    assert [(x.year, x.mint) for x in strict] == [(x.year, x.mint) for x in lenient]


def test_head_probs_are_softmax_of_logits_over_temperature(model_path):
    p = Predictor(model_path, threads=1)
    images = [coin_like(i) for i in range(3)]
    logits, probs = p.head_logits(images), p.head_probs(images)
    assert list(logits) == list(labels.HEAD_NAMES)
    for head, value in probs.items():
        z = np.exp(logits[head] / p.temperature)
        np.testing.assert_allclose(value, z / z.sum(axis=1, keepdims=True), rtol=1e-5)
        assert value.shape == (3, labels.DIGIT_CLASSES if head != "mint" else len(labels.MINTS))


def test_paths_and_arrays_give_the_same_answer(model_path, tmp_path):
    from PIL import Image

    img = coin_like(7)
    Image.fromarray(img).save(tmp_path / "a.png")
    p = Predictor(model_path, threads=1)
    from_path = p.predict_paths([tmp_path / "a.png", tmp_path / "missing.png"])
    from_array = p.predict_images([img])[0]
    assert from_path[0].confidence == pytest.approx(from_array.confidence)
    assert from_path[1].status == "error" and "not found" in from_path[1].error


@pytest.mark.parametrize("search", ["none", "rotate"])
def test_views_of_a_jpeg_decoded_at_reduced_scale_map_to_the_files_own_pixels(model_path, tmp_path, search):
    from PIL import Image

    Image.fromarray(np.kron(coin_like(8, 64, 64), np.ones((16, 16, 1), np.uint8))).save(tmp_path / "big.jpg")
    p = Predictor(model_path, threads=1, search=search)
    views = p._load_views(str(tmp_path / "big.jpg"))  # decoded at 1/8 or 1/4 of its 1024 x 1024 pixels
    full = p.views(np.asarray(Image.open(tmp_path / "big.jpg").convert("RGB")), search)
    for small, exact in zip(views, full):
        np.testing.assert_allclose(small.to_image, exact.to_image, atol=0.02 * 1024)
    pred = p.predict_paths([tmp_path / "big.jpg"])[0]
    assert pred.box is None or max(pred.box) > 300  # a box, where the model has one, in the 1024 px frame


def test_enhancement_changes_what_the_model_sees(model_path):
    img = coin_like(3)
    plain = Predictor(model_path, threads=1)
    tuned = Predictor(model_path, threads=1, enhancement=Enhancement(contrast=2.5, brightness=0.3))
    assert not np.array_equal(plain.preprocess(img), tuned.preprocess(img))
    assert plain.preprocess(img).shape == (64, 64, 3)


def test_missing_corrupt_and_foreign_models_are_refused(model_path, tmp_path):
    with pytest.raises(FileNotFoundError, match="nope.onnx"):
        Predictor(tmp_path / "nope.onnx")
    corrupt = tmp_path / "corrupt.onnx"
    corrupt.write_bytes(model_path.read_bytes()[:5000])
    with pytest.raises(ValueError, match="corrupt.onnx") as info:
        Predictor(corrupt)
    assert "\n" not in str(info.value)
    graph = helper.make_graph(
        [helper.make_node("Identity", ["x"], ["y"])],
        "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 3])],
    )
    foreign = tmp_path / "foreign.onnx"
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), foreign)
    with pytest.raises(ValueError, match="foreign.onnx: not a coinnet model"):
        Predictor(foreign)


def test_bad_settings_are_refused(model_path):
    with pytest.raises(ValueError, match="threshold"):
        Predictor(model_path, threshold=1.5)
    with pytest.raises(ValueError, match="threads"):
        Predictor(model_path, threads=0)


def test_vote_sums_views_and_reports_the_view_most_sure_of_the_pair():
    dec = PairDecoder(labels.schema_dict())
    # Photo 0: one view sure of 1999-D (a misreading), two overlapping views fairly sure of 1955-S.
    # Photo 1: a single view.
    views = [
        _logits_for("1999", "D", 2.2),
        _logits_for("1955", "S", 1.8),
        _logits_for("1955", "S", 1.7),
        _logits_for("2005", "none"),
    ]
    logits = {h: np.concatenate([v[h] for v in views]) for h in labels.HEAD_NAMES}
    voted, rows = dec.vote(logits, [3, 1], rule="sum")
    assert voted.pairs == [(1955, "S"), (2005, "none")] and rows.tolist() == [1, 3]
    alone = dec.decode({h: v[[1, 3]] for h, v in logits.items()})
    assert np.allclose(voted.confidence, alone.confidence) and np.allclose(voted.year_confidence, alone.year_confidence)
    most_sure, rows = dec.vote(logits, [3, 1], rule="max")
    assert most_sure.pairs[0] == (1999, "D") and rows.tolist() == [0, 3]
    with pytest.raises(ValueError, match="vote rule"):
        dec.vote(logits, [4], rule="mean")


def test_ctrl_c_ends_a_batch_at_once_even_with_a_decode_worker_stuck(model_path, tmp_path, monkeypatch):
    import threading
    import time

    from PIL import Image

    for name in ("a.png", "stuck.png", "c.png"):
        Image.fromarray(coin_like(1)).save(tmp_path / name)
    release = threading.Event()
    p = Predictor(model_path, threads=1, decode_workers=2, search="none")
    real_load = p._load_views

    def load(path):
        if path.endswith("stuck.png"):
            release.wait(60)  # a read that never returns (a dead network share, say)
        return real_load(path)

    def ctrl_c(done, total):
        raise KeyboardInterrupt

    monkeypatch.setattr(p, "_load_views", load)
    outcome: dict = {}

    def run():
        start = time.monotonic()
        try:
            p.predict_paths(
                [tmp_path / "a.png", tmp_path / "stuck.png", tmp_path / "c.png"], batch_size=1, progress=ctrl_c
            )
        except KeyboardInterrupt:
            outcome["interrupted_after"] = time.monotonic() - start

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(20)
    release.set()
    # The first batch's progress call is the Ctrl-C; the stuck decode of the next batch is not waited for.
    assert "interrupted_after" in outcome and outcome["interrupted_after"] < 10


@pytest.mark.parametrize(("confidence", "status"), [(0.99, "ok"), (0.40, "unknown")])
def test_a_key_date_is_claimed_only_on_a_sure_reading(model_path, confidence, status):
    from coinnet.infer.pair_decoder import DecodedBatch

    predictor = Predictor(model_path, threshold=0.9, threads=1)
    decoded = DecodedBatch(
        [(1909, "S")], np.array([confidence]), np.array([confidence]), np.array([1.0]), np.ones((1, 1))
    )
    (pred,) = predictor._decode(decoded, ["k.jpg"])
    assert pred.status == status
    if status == "ok":
        assert "key date 1909-S" in pred.notes
    else:
        assert pred.notes == "possible 1909-S (unsure)" and "key" not in pred.notes
