"""Temperature scaling on synthetic logits whose (mis)calibration is known by construction."""

from __future__ import annotations

import math

import numpy as np
import pytest

from coinnet import labels
from coinnet.evaluate import calibrate

HEAD_SIZES = {**{f"digit{i}": labels.DIGIT_CLASSES for i in range(labels.NUM_DIGITS)}, "mint": len(labels.MINTS)}


def _synthetic(n: int, accuracy: float, scale: float, seed: int = 0):
    """Each head puts ``scale`` on its argmax, which is the target with probability ``accuracy``.

    With scale 12 the softmax says ~100 % while only ``accuracy`` of argmaxes are right: over-confident.
    """
    rng = np.random.default_rng(seed)
    logits, targets = {}, {}
    for head, classes in HEAD_SIZES.items():
        target = rng.integers(0, classes, n)
        right = rng.random(n) < accuracy
        wrong = (target + rng.integers(1, classes, n)) % classes
        top = np.where(right, target, wrong)
        logit = rng.normal(0.0, 0.5, (n, classes))
        logit[np.arange(n), top] += scale
        logits[head], targets[head] = logit, target
    return logits, targets


def test_head_nll_of_uniform_logits_is_log_classes():
    logits = {h: np.zeros((1, c)) for h, c in HEAD_SIZES.items()}
    targets = {h: np.array([0]) for h in HEAD_SIZES}
    # Four 10-way heads and one 5-way head, each at chance: mean of 4*ln10 and ln5 over 5 cells.
    assert calibrate.head_nll(logits, targets) == pytest.approx((4 * math.log(10) + math.log(5)) / 5)


def test_ignored_targets_are_masked():
    logits = {h: np.zeros((2, c)) for h, c in HEAD_SIZES.items()}
    logits["mint"][1] = [50.0, -50.0, 0.0, 0.0, 0.0]  # wildly wrong, but its target is unknown
    targets = {h: np.array([0, labels.IGNORE_INDEX]) for h in HEAD_SIZES}
    assert calibrate.head_nll(logits, targets) == pytest.approx((4 * math.log(10) + math.log(5)) / 5)
    with pytest.raises(ValueError, match="no labelled"):
        calibrate.head_nll(logits, {h: np.full(2, labels.IGNORE_INDEX) for h in HEAD_SIZES})


def test_overconfident_logits_get_a_temperature_above_one():
    logits, targets = _synthetic(400, accuracy=0.7, scale=12.0)
    t = calibrate.fit_temperature(logits, targets)
    assert t > 2.0
    assert calibrate.head_nll(logits, targets, t) < calibrate.head_nll(logits, targets, 1.0)
    # The fitted T is a minimum: a little either side is worse.
    assert calibrate.head_nll(logits, targets, t) <= calibrate.head_nll(logits, targets, t * 1.1)
    assert calibrate.head_nll(logits, targets, t) <= calibrate.head_nll(logits, targets, t / 1.1)


def test_underconfident_logits_get_a_temperature_below_one():
    logits, targets = _synthetic(400, accuracy=0.98, scale=1.5)
    assert calibrate.fit_temperature(logits, targets) < 1.0


def test_unlabelled_rows_do_not_move_the_temperature():
    logits, targets = _synthetic(300, accuracy=0.7, scale=12.0)
    noisy_logits, noisy_targets = _synthetic(100, accuracy=0.0, scale=40.0, seed=1)
    merged_logits = {h: np.concatenate([logits[h], noisy_logits[h]]) for h in HEAD_SIZES}
    merged_targets = {h: np.concatenate([targets[h], np.full(100, labels.IGNORE_INDEX)]) for h in HEAD_SIZES}
    assert calibrate.fit_temperature(merged_logits, merged_targets) == pytest.approx(
        calibrate.fit_temperature(logits, targets), rel=1e-3
    )


def test_decoding_picks_the_best_valid_pair():
    # Digits say 2017 and the mint head prefers "none", but 2017 cents carry a P: the joint picks P.
    logits = {f"digit{i}": np.full((1, 10), -10.0) for i in range(4)}
    for i, d in enumerate((2, 0, 1, 7)):
        logits[f"digit{i}"][0, d] = 10.0
    logits["mint"] = np.array([[5.0, 4.0, -10.0, -10.0, -10.0]])
    years, mints, confidence = calibrate.decode_valid_pairs(logits)
    assert years[0] == 2017 and labels.MINTS[mints[0]] == "P"
    assert 0.99 < confidence[0] <= 1.0


def test_calibration_report_lowers_ece_on_overconfident_logits():
    logits, targets = _synthetic(600, accuracy=0.9, scale=10.0)
    report = calibrate.calibration_report(logits, targets)
    assert report["temperature"] > 1.0
    assert report["nll_after"] < report["nll_before"]
    assert report["ece_after"] < report["ece_before"]
    assert report["ece_after_heldout"] < report["ece_before"]
    assert len(report["fold_temperatures"]) == 2 and report["n_scored"] == 600


def test_confidence_temperature_fits_the_answer_confidence_and_lowers_its_ece():
    logits, targets = _synthetic(600, accuracy=0.9, scale=12.0, seed=3)  # over-confident heads
    t = calibrate.fit_confidence_temperature(logits, targets)
    assert t > 1.0  # over-confidence is softened
    assert calibrate.confidence_nll(logits, targets, t) < calibrate.confidence_nll(logits, targets, 1.0)
    # Scored on fresh rows drawn the same way (not those it was fitted on).
    fresh, fresh_targets = _synthetic(600, accuracy=0.9, scale=12.0, seed=4)
    before = calibrate.overall_ece(fresh, fresh_targets)["ece"]
    after = calibrate.overall_ece(fresh, fresh_targets, t)["ece"]
    assert after < 0.5 * before
