"""Temperature scaling of the five heads' logits, in numpy (no torch).

One temperature ``T`` divides every head's logits before the softmax. It is fitted by minimising the mean
per-head cross-entropy over the labelled (row, head) cells of held-out logits (``Predictor.head_logits``);
one number cannot change which class wins, only how sure the model says it is. Per-head temperatures were
not worth it: the heads share a backbone and are over- or under-confident together.

The ECE reported before/after uses the same *overall* confidence the user sees: the probability of the best
valid (year, mint) pair under the product of the head distributions, renormalised over valid pairs
(:class:`coinnet.infer.pair_decoder.PairDecoder`, the predictor's own decoding).

:func:`fit_confidence_temperature` fits that confidence directly instead: the T minimising the log-loss of
"the answer is right" against it. Heads that are each well calibrated can still give a pair confidence that is
not (the pair multiplies five of them), and the pair confidence is what the threshold and the user see.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from scipy.optimize import minimize_scalar
from scipy.special import log_softmax

from coinnet import labels
from coinnet.evaluate import metrics
from coinnet.infer.pair_decoder import PairDecoder

#: Search range for T; outside it the model is broken rather than miscalibrated.
T_BOUNDS = (0.05, 20.0)


def _labelled(targets: dict[str, np.ndarray], head: str) -> np.ndarray:
    return np.asarray(targets[head]) != labels.IGNORE_INDEX


def head_nll(logits: dict[str, np.ndarray], targets: dict[str, np.ndarray], temperature: float = 1.0) -> float:
    """Mean cross-entropy over every labelled (row, head) cell at ``temperature``.

    Raises:
        ValueError: when no cell is labelled.
    """
    total, count = 0.0, 0
    for head in labels.HEAD_NAMES:
        keep = _labelled(targets, head)
        if not keep.any():
            continue
        logp = log_softmax(np.asarray(logits[head], dtype=np.float64)[keep] / temperature, axis=1)
        total -= logp[np.arange(keep.sum()), np.asarray(targets[head])[keep]].sum()
        count += int(keep.sum())
    if count == 0:
        raise ValueError("no labelled targets to calibrate on")
    return total / count


def _fit(loss, logits: dict[str, np.ndarray], targets: dict[str, np.ndarray]) -> float:
    """The temperature minimising ``loss(logits, targets, T)`` within :data:`T_BOUNDS`."""
    # Searching log T keeps the bounded Brent search equally fine for T=0.1 and T=10.
    result = minimize_scalar(
        lambda log_t: loss(logits, targets, float(np.exp(log_t))),
        bounds=tuple(np.log(T_BOUNDS)),
        method="bounded",
        options={"xatol": 1e-4},
    )
    return float(np.exp(result.x))


def fit_temperature(logits: dict[str, np.ndarray], targets: dict[str, np.ndarray]) -> float:
    """The temperature minimising :func:`head_nll` within :data:`T_BOUNDS`.

    Args:
        logits: head name -> (N, C) raw logits (before any temperature).
        targets: head name -> (N,) class indices, :data:`coinnet.labels.IGNORE_INDEX` where unknown.
    """
    return _fit(head_nll, logits, targets)


def confidence_nll(logits: dict[str, np.ndarray], targets: dict[str, np.ndarray], temperature: float = 1.0) -> float:
    """Log-loss of the decoded pair confidence as a forecast of a right answer (rows with a known year).

    Raises:
        ValueError: when no row has a known year.
    """
    confidence, correct = answer_confidence(logits, targets, temperature)
    if not len(correct):
        raise ValueError("no labelled targets to calibrate on")
    c = np.clip(confidence, 1e-9, 1 - 1e-9)
    return float(-np.mean(np.where(correct, np.log(c), np.log1p(-c))))


def fit_confidence_temperature(logits: dict[str, np.ndarray], targets: dict[str, np.ndarray]) -> float:
    """The temperature minimising :func:`confidence_nll` within :data:`T_BOUNDS`."""
    return _fit(confidence_nll, logits, targets)


@lru_cache(maxsize=1)
def _decoder() -> PairDecoder:
    return PairDecoder(labels.schema_dict())


def decode_valid_pairs(logits: dict[str, np.ndarray], temperature: float = 1.0):
    """Best valid (year, mint) per row and its probability among valid pairs, as the predictor decodes.

    Returns:
        ``(years (N,), mint indices (N,), confidence (N,))``.
    """
    decoded = _decoder().decode(logits, temperature)
    years = np.array([y for y, _ in decoded.pairs], dtype=np.int64)
    mints = np.array([labels.MINTS.index(m) for _, m in decoded.pairs], dtype=np.int64)
    return years, mints, decoded.confidence


def true_labels(targets: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Years (-1 unless all four digits are labelled) and mint indices (-1 if unknown) from head targets."""
    digits = np.stack([np.asarray(targets[f"digit{i}"]) for i in range(labels.NUM_DIGITS)], axis=1)
    known = (digits != labels.IGNORE_INDEX).all(axis=1)
    years = np.where(known, digits @ np.array([1000, 100, 10, 1]), -1)
    mints = np.asarray(targets["mint"])
    return years.astype(np.int64), np.where(mints == labels.IGNORE_INDEX, -1, mints).astype(np.int64)


def answer_confidence(
    logits: dict[str, np.ndarray], targets: dict[str, np.ndarray], temperature: float = 1.0
) -> tuple[np.ndarray, np.ndarray]:
    """Overall confidence at ``temperature`` and whether the whole answer is right, for rows with a known year."""
    pred_years, pred_mints, confidence = decode_valid_pairs(logits, temperature)
    correct, scored = metrics.answer_correctness(*true_labels(targets), pred_years, pred_mints)
    return confidence[scored], correct[scored]


def overall_ece(logits: dict[str, np.ndarray], targets: dict[str, np.ndarray], temperature: float = 1.0) -> dict:
    """:func:`coinnet.evaluate.metrics.expected_calibration_error` of the overall confidence at ``temperature``."""
    return metrics.expected_calibration_error(*answer_confidence(logits, targets, temperature))


def _rows(data: dict[str, np.ndarray], rows: np.ndarray) -> dict[str, np.ndarray]:
    return {k: np.asarray(v)[rows] for k, v in data.items()}


def heldout_ece(
    logits: dict[str, np.ndarray], targets: dict[str, np.ndarray], fit=fit_temperature
) -> tuple[list, float | None]:
    """Two-fold held-out ECE: T fitted (by ``fit``) on the even rows scores the odd ones and vice versa.

    Returns:
        ``(the two temperatures, ECE)``; ``([], None)`` when a half has no labels.
    """
    n = len(next(iter(targets.values())))
    folds = [np.arange(n) % 2 == k for k in (0, 1)]
    try:
        fold_t = [fit(_rows(logits, ~fold), _rows(targets, ~fold)) for fold in folds]
    except ValueError:  # a half without labels: too few rows for a held-out check
        return [], None
    # Rescale each fold's logits by its own out-of-fold T, then score all rows together at T=1.
    scaled = {h: np.asarray(logits[h], dtype=np.float64).copy() for h in labels.HEAD_NAMES}
    for fold, t in zip(folds, fold_t):
        for h in scaled:
            scaled[h][fold] /= t
    return fold_t, overall_ece(scaled, targets)["ece"]


def calibration_report(
    logits: dict[str, np.ndarray], targets: dict[str, np.ndarray], current_temperature: float = 1.0
) -> dict:
    """Fit T on all rows and measure what it does.

    ``ece_before`` is at T=1 (raw logits), ``ece_current`` at ``current_temperature`` (the model's metadata).
    ``ece_after`` is in-sample (T was fitted on these rows); ``ece_after_heldout`` is two-fold: T fitted on
    the even rows scores the odd ones and vice versa, which is the honest number for a small set.

    Returns:
        ``{"temperature", "nll_before", "nll_after", "ece_before", "current_temperature", "ece_current",
        "ece_after", "ece_after_heldout", "fold_temperatures", "n_rows", "n_scored"}``.
    """
    n = len(next(iter(targets.values())))
    temperature = fit_temperature(logits, targets)
    before = overall_ece(logits, targets)
    fold_t, heldout = heldout_ece(logits, targets)
    return {
        "temperature": temperature,
        "nll_before": head_nll(logits, targets),
        "nll_after": head_nll(logits, targets, temperature),
        "ece_before": before["ece"],
        "current_temperature": float(current_temperature),
        "ece_current": overall_ece(logits, targets, current_temperature)["ece"],
        "ece_after": overall_ece(logits, targets, temperature)["ece"],
        "ece_after_heldout": heldout,
        "fold_temperatures": fold_t,
        "n_rows": int(n),
        "n_scored": before["n"],
    }
