"""Fit the confidence rule, and judge it on photo sources held out of the fit (torch-free).

The rule (:class:`coinnet.infer.confidence.ConfidenceRule`) is a logistic model of "the reading is right" on the
logits of a reading's signals. A confidence fitted on one kind of photo says little of another, so it is judged by
*leaving one group out*: for each way photo sources differ (holder or raw, proof or business strike, resolution,
era, ...), fit on every other group and score the held-out group's readings. The pooled held-out confidences give
the precision-coverage curve and the threshold the model ships with.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sklearn.linear_model import LogisticRegression

from coinnet.evaluate import metrics
from coinnet.infer.confidence import SIGNALS, ConfidenceRule, logit

#: Softmax alone: the old confidence, the baseline every figure is compared with.
BASELINE = "view"


def signal_matrix(signals: Sequence[dict[str, float]], names: Sequence[str] = SIGNALS) -> np.ndarray:
    """(N, len(names)) logits of the signals, the rule's inputs."""
    return logit(np.array([[s[n] for n in names] for s in signals], dtype=np.float64).reshape(len(signals), -1))


def fit_rule(
    signals: Sequence[dict[str, float]], correct: np.ndarray, names: Sequence[str] | None = None
) -> ConfidenceRule:
    """The logistic rule on ``names`` (default: every signal the readings carry) that best predicts ``correct``
    (L2-regularised, C=1).

    Raises:
        ValueError: ``correct`` holds one class only (nothing to learn from).
    """
    correct = np.asarray(correct, dtype=bool)
    if correct.all() or not correct.any():
        raise ValueError("the confidence rule needs right and wrong readings to learn from")
    names = [n for n in SIGNALS if n in signals[0]] if names is None else names
    model = LogisticRegression(C=1.0, max_iter=1000).fit(signal_matrix(signals, names), correct)
    return ConfidenceRule(tuple(names), tuple(float(w) for w in model.coef_[0]), float(model.intercept_[0]))


def held_out_confidence(
    signals: Sequence[dict[str, float]],
    correct: np.ndarray,
    groups: Sequence[str],
    names: Sequence[str] | None = None,
) -> np.ndarray:
    """Each reading's confidence from a rule fitted without its group (leave one group out)."""
    correct, groups = np.asarray(correct, dtype=bool), np.asarray(groups)
    out = np.zeros(len(correct))
    for group in np.unique(groups):
        held = groups == group
        rule = fit_rule([s for s, h in zip(signals, held) if not h], correct[~held], names)
        out[held] = rule.apply([s for s, h in zip(signals, held) if h])
    return out


def judge(confidence: np.ndarray, correct: np.ndarray, precision: float = 0.99) -> dict:
    """What a confidence is worth: AURC, the most coverage that reaches ``precision``, precision at 50 % coverage."""
    point = metrics.threshold_for_precision(confidence, correct, precision)
    return {
        "n": int(len(correct)),
        "accuracy": float(np.mean(correct)) if len(correct) else None,
        "aurc": metrics.aurc(confidence, correct),
        f"coverage_at_{round(precision * 100)}": point["coverage"] if point else 0.0,
        "precision_at_50": metrics.precision_at_coverage(confidence, correct, 0.5),
    }


def shifted_report(
    signals: Sequence[dict[str, float]],
    correct: np.ndarray,
    groupings: dict[str, Sequence[str]],
    precision: float = 0.99,
    seed: int = 0,
) -> dict:
    """Softmax alone against the fitted rule, per grouping (leave one group out) and on random folds.

    Returns:
        ``{grouping: {"softmax": judge, "rule": judge, "groups": {name: n}}}``, with ``"random 5-fold"`` added, and
        ``"pooled_shifted"``: the held-out rule confidences of every grouping concatenated (for the curve).
    """
    correct = np.asarray(correct, dtype=bool)
    baseline = judge(np.array([s[BASELINE] for s in signals]), correct, precision)  # no fit: the same for every split
    random_folds = np.random.default_rng(seed).permutation(len(correct)) % 5
    report, pooled_conf, pooled_ok = {}, [], []
    for name, groups in {**groupings, "random 5-fold": [str(f) for f in random_folds]}.items():
        rule = held_out_confidence(signals, correct, groups)
        report[name] = {
            "softmax": baseline,
            "rule": judge(rule, correct, precision),
            "groups": {g: int(np.sum(np.asarray(groups) == g)) for g in sorted(set(groups))},
        }
        if name != "random 5-fold":
            pooled_conf.append(rule)
            pooled_ok.append(correct)
    if pooled_conf:
        report["pooled_shifted"] = {"confidence": np.concatenate(pooled_conf), "correct": np.concatenate(pooled_ok)}
    return report


def stored_curve(confidence: np.ndarray, correct: np.ndarray) -> list[list[float]]:
    """``[[threshold, precision, coverage], ...]`` at every observed confidence (at most ~1000 points), for
    ``metadata_props["precision_curve"]`` and ``--precision``."""
    thresholds = np.unique(np.round(np.asarray(confidence, dtype=np.float64), 3))
    points = [metrics.at_threshold(confidence, correct, float(t)) for t in thresholds]
    return [
        [p["threshold"], round(p["precision"], 4), round(p["coverage"], 4)]
        for p in points
        if p["precision"] is not None
    ]
