"""The fitted confidence rule against softmax alone, judged on groups held out of the fit; risk-coverage and AURC."""

from __future__ import annotations

import numpy as np
import pytest

from coinnet.evaluate import metrics
from coinnet.evaluate.confidence_fit import fit_rule, held_out_confidence, shifted_report, stored_curve
from coinnet.infer.confidence import parse_precision_curve, threshold_for


def _fixture(n: int = 600, seed: int = 0):
    """Readings whose softmax is over-confident and barely tells right from wrong, while the agreement of the
    views and the weakest digit do (as on photos from a source the model never saw). Two 'sources' differ in
    how over-confident the softmax is."""
    rng = np.random.default_rng(seed)
    correct = rng.random(n) < 0.7
    source = np.where(np.arange(n) < n // 2, "holder", "raw")
    signals = []
    for ok, src in zip(correct, source):
        shift = 0.15 if src == "holder" else 0.0
        signals.append(
            {
                "view": float(np.clip(rng.uniform(0.6, 1.0) + (0.03 if ok else 0.0) - shift, 0.01, 0.999)),
                "vote": float(np.clip(rng.normal(0.85 if ok else 0.55, 0.1), 0.01, 0.999)),
                "agree": float(np.clip(rng.normal(0.9 if ok else 0.5, 0.15), 0.0, 1.0)),
                "weakest": float(np.clip(rng.normal(0.8 if ok else 0.5, 0.15), 0.01, 0.999)),
                "dateness": float(rng.uniform(0.5, 1.0)),
            }
        )
    return signals, correct, source


def test_the_rule_beats_softmax_alone_on_a_held_out_source():
    signals, correct, source = _fixture()
    softmax = np.array([s["view"] for s in signals])
    held = held_out_confidence(signals, correct, source)
    for group in ("holder", "raw"):
        rows = source == group
        assert metrics.aurc(held[rows], correct[rows]) < metrics.aurc(softmax[rows], correct[rows]) - 0.05
    report = shifted_report(signals, correct, {"source": list(source)}, precision=0.95)
    for name in ("source", "random 5-fold"):
        assert report[name]["rule"]["aurc"] < report[name]["softmax"]["aurc"]
    assert report["source"]["groups"] == {"holder": 300, "raw": 300}
    assert len(report["pooled_shifted"]["confidence"]) == len(correct)


def test_fit_refuses_one_class_and_learns_positive_weights_for_informative_signals():
    signals, correct, _ = _fixture()
    rule = fit_rule(signals, correct)
    weights = dict(zip(rule.signals, rule.weights))
    assert weights["vote"] > 0 and weights["agree"] > 0 and weights["weakest"] > 0
    with pytest.raises(ValueError, match="right and wrong"):
        fit_rule(signals[:10], np.ones(10, bool))


def test_aurc_rewards_a_confidence_that_ranks_mistakes_last():
    correct = np.array([True] * 8 + [False] * 2)
    good = np.linspace(1.0, 0.1, 10)  # the two mistakes are the least confident
    bad = good[::-1]
    assert metrics.aurc(good, correct) < 0.05 < 0.4 < metrics.aurc(bad, correct)
    # A constant confidence is worth the error rate at every coverage (ties count mistakes first: pessimistic).
    assert metrics.aurc(np.full(10, 0.5), correct) > 0.2
    assert metrics.precision_at_coverage(good, correct, 0.5) == 1.0 and metrics.aurc(np.array([]), correct[:0]) is None
    coverage, risk = metrics.risk_coverage(good, correct)
    assert coverage[-1] == 1.0 and risk[-1] == pytest.approx(0.2)


def test_the_stored_curve_gives_back_a_threshold_that_holds_its_precision():
    signals, correct, source = _fixture()
    confidence = held_out_confidence(signals, correct, source)
    curve = parse_precision_curve(__import__("json").dumps(stored_curve(confidence, correct)))
    threshold, precision, coverage = threshold_for(curve, 0.95)
    answered = confidence >= threshold - 5e-4  # the curve's thresholds are rounded to 3 decimals
    assert correct[answered].mean() >= 0.94 and answered.mean() == pytest.approx(coverage, abs=0.01)
