"""Evaluation metrics as pure numpy functions over labelled predictions (no torch, no plotting).

Conventions shared by every function here:

* Years are ints, mints are strings from :data:`coinnet.labels.MINTS`; ``None`` means *unknown*. An unknown
  truth is **not scored** for that field; an unknown prediction (the predictor failed on the file) is scored
  as wrong, because the user got no answer.
* Every rate comes as ``{"accuracy": float | None, "correct": int, "n": int}`` so a reader sees how many
  rows a percentage rests on (``accuracy`` is None when ``n`` is 0).
* Calibration and coverage need one yes/no per row to set against the predictor's overall confidence. That
  *answer correctness* is "year and mint both right" where both are labelled and "year right" where only the
  year is labelled; rows without a labelled year are left out (the overall confidence is about the whole
  reading, and a mint-only check would flatter it).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from coinnet import labels

_MISSING = -1
#: Eras of the Lincoln cent reverse, by year (inclusive ranges); the obverse date style changes little.
ERAS: tuple[tuple[str, int, int], ...] = (
    ("wheat 1909-1958", 1909, 1958),
    ("memorial 1959-2008", 1959, 2008),
    ("bicentennial 2009", 2009, 2009),
    ("shield 2010-", 2010, 9999),
)
UNKNOWN_GROUP = "unknown"


def year_array(years: Sequence[int | None]) -> np.ndarray:
    """Years as an int array, unknown as -1."""
    return np.array([_MISSING if y is None else int(y) for y in years], dtype=np.int64)


def mint_array(mints: Sequence[str | None]) -> np.ndarray:
    """Mint marks as head indices (order of :data:`labels.MINTS`), unknown as -1."""
    return np.array([_MISSING if m is None else labels.MINTS.index(m) for m in mints], dtype=np.int64)


def digit_array(years: np.ndarray) -> np.ndarray:
    """(N, 4) digit classes of an int year array; rows of unknown years are -1."""
    digits = np.stack([(years // 10 ** (3 - i)) % 10 for i in range(labels.NUM_DIGITS)], axis=1)
    digits[years == _MISSING] = _MISSING
    return digits


def rate(correct: np.ndarray, scored: np.ndarray) -> dict:
    """Accuracy of ``correct`` over the ``scored`` rows, with its counts."""
    n = int(np.count_nonzero(scored))
    hits = int(np.count_nonzero(correct & scored))
    return {"accuracy": hits / n if n else None, "correct": hits, "n": n}


def year_accuracy(true_years: np.ndarray, pred_years: np.ndarray) -> dict:
    """Exact-year accuracy over rows with a labelled year."""
    return rate(true_years == pred_years, true_years != _MISSING)


def digit_accuracy(true_years: np.ndarray, pred_years: np.ndarray) -> list[dict]:
    """Accuracy of each of the four digits over rows with a labelled year."""
    true_d, pred_d = digit_array(true_years), digit_array(pred_years)
    scored = true_years != _MISSING
    return [rate(true_d[:, i] == pred_d[:, i], scored) for i in range(labels.NUM_DIGITS)]


def mint_accuracy(true_mints: np.ndarray, pred_mints: np.ndarray) -> dict:
    """Mint-mark accuracy over rows with a labelled mint."""
    return rate(true_mints == pred_mints, true_mints != _MISSING)


def year_mint_accuracy(
    true_years: np.ndarray, true_mints: np.ndarray, pred_years: np.ndarray, pred_mints: np.ndarray
) -> dict:
    """Accuracy of the full reading over rows with both year and mint labelled."""
    scored = (true_years != _MISSING) & (true_mints != _MISSING)
    return rate((true_years == pred_years) & (true_mints == pred_mints), scored)


def summary(true_years: np.ndarray, true_mints: np.ndarray, pred_years: np.ndarray, pred_mints: np.ndarray) -> dict:
    """The headline rates: year, each digit, mint, year+mint."""
    return {
        "year": year_accuracy(true_years, pred_years),
        "digits": digit_accuracy(true_years, pred_years),
        "mint": mint_accuracy(true_mints, pred_mints),
        "year_mint": year_mint_accuracy(true_years, true_mints, pred_years, pred_mints),
        "rows": int(len(true_years)),
    }


def era_of(year: int | None) -> str:
    """Name of the era a year belongs to (see :data:`ERAS`), or ``"unknown"``."""
    if year is not None and year != _MISSING:
        for name, first, last in ERAS:
            if first <= year <= last:
                return name
    return UNKNOWN_GROUP


#: Display order of known group names; anything else sorts alphabetically after them.
GROUP_ORDER: tuple[str, ...] = ("whole", "holder", "closeup", *(name for name, _, _ in ERAS))


def _group_sort_key(group: str) -> tuple[int, str]:
    if group == UNKNOWN_GROUP:
        return (2, group)
    return (0, f"{GROUP_ORDER.index(group):03d}") if group in GROUP_ORDER else (1, group)


def summary_by_group(
    groups: Sequence[str],
    true_years: np.ndarray,
    true_mints: np.ndarray,
    pred_years: np.ndarray,
    pred_mints: np.ndarray,
) -> dict[str, dict]:
    """:func:`summary` for each distinct group label (e.g. view or era).

    Groups come in the order of :data:`GROUP_ORDER` (eras chronologically), then the rest sorted, ``"unknown"`` last.
    """
    groups_arr = np.asarray(groups, dtype=object)
    out = {}
    for group in sorted(set(groups_arr.tolist()), key=_group_sort_key):
        rows = groups_arr == group
        out[group] = summary(true_years[rows], true_mints[rows], pred_years[rows], pred_mints[rows])
    return out


def confusion_matrix(true_idx: np.ndarray, pred_idx: np.ndarray, num_classes: int) -> dict:
    """Counts[true, pred] over rows with a labelled truth and a prediction.

    Returns:
        ``{"counts": list of lists, "n": rows counted, "unpredicted": labelled rows with no prediction}``.
    """
    labelled = true_idx != _MISSING
    counted = labelled & (pred_idx != _MISSING)
    counts = np.zeros((num_classes, num_classes), dtype=np.int64)
    np.add.at(counts, (true_idx[counted], pred_idx[counted]), 1)
    return {
        "counts": counts.tolist(),
        "n": int(counted.sum()),
        "unpredicted": int((labelled & ~counted).sum()),
    }


def confusion_matrices(
    true_years: np.ndarray, true_mints: np.ndarray, pred_years: np.ndarray, pred_mints: np.ndarray
) -> dict[str, dict]:
    """Confusion matrices for the mint head and for each digit, keyed by head name."""
    true_d, pred_d = digit_array(true_years), digit_array(pred_years)
    out = {
        f"digit{i}": confusion_matrix(true_d[:, i], pred_d[:, i], labels.DIGIT_CLASSES)
        for i in range(labels.NUM_DIGITS)
    }
    out["mint"] = confusion_matrix(true_mints, pred_mints, len(labels.MINTS))
    return out


def answer_correctness(
    true_years: np.ndarray, true_mints: np.ndarray, pred_years: np.ndarray, pred_mints: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Per-row correctness of the whole answer and which rows it is defined for (see module docstring).

    Returns:
        ``(correct, scored)`` boolean arrays.
    """
    year_known = true_years != _MISSING
    mint_known = true_mints != _MISSING
    year_ok = true_years == pred_years
    correct = np.where(mint_known, year_ok & (true_mints == pred_mints), year_ok)
    return correct & year_known, year_known


def expected_calibration_error(confidence: np.ndarray, correct: np.ndarray, n_bins: int = 10) -> dict:
    """ECE over equal-width confidence bins, with the bins for a reliability diagram.

    ECE = sum over bins of (bin share of rows) * |accuracy in bin - mean confidence in bin|. A confidence
    of exactly 1.0 falls in the last bin.

    Returns:
        ``{"ece": float | None, "n": int, "bins": [{"lo", "hi", "count", "mean_confidence", "accuracy"}]}``;
        empty bins have None for their mean confidence and accuracy.
    """
    confidence = np.asarray(confidence, dtype=np.float64)
    correct = np.asarray(correct, dtype=bool)
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    which = np.clip(np.digitize(confidence, edges[1:-1], right=False), 0, n_bins - 1)
    bins, ece = [], 0.0
    for b in range(n_bins):
        in_bin = which == b
        count = int(in_bin.sum())
        mean_conf = float(confidence[in_bin].mean()) if count else None
        acc = float(correct[in_bin].mean()) if count else None
        if count:
            ece += count / len(confidence) * abs(acc - mean_conf)
        bins.append({"lo": float(edges[b]), "hi": float(edges[b + 1]), "count": count,
                     "mean_confidence": mean_conf, "accuracy": acc})  # fmt: skip
    return {"ece": ece if len(confidence) else None, "n": int(len(confidence)), "bins": bins}


def at_threshold(confidence: np.ndarray, correct: np.ndarray, threshold: float) -> dict:
    """What a user gets when answers below ``threshold`` are withheld.

    Returns:
        ``{"threshold", "coverage" (answered / n), "precision" (correct / answered, None if nothing
        answered), "answered", "correct", "n"}``.
    """
    confidence = np.asarray(confidence, dtype=np.float64)
    correct = np.asarray(correct, dtype=bool)
    answered = confidence >= threshold
    n, n_answered = len(confidence), int(answered.sum())
    n_correct = int((answered & correct).sum())
    return {
        "threshold": float(threshold),
        "coverage": n_answered / n if n else None,
        "precision": n_correct / n_answered if n_answered else None,
        "answered": n_answered,
        "correct": n_correct,
        "n": int(n),
    }


def coverage_curve(confidence: np.ndarray, correct: np.ndarray, thresholds: Sequence[float] | None = None) -> list:
    """:func:`at_threshold` for each threshold (default: 0.00, 0.01, ..., 1.00)."""
    if thresholds is None:
        thresholds = np.round(np.linspace(0.0, 1.0, 101), 2)
    return [at_threshold(confidence, correct, t) for t in thresholds]


def threshold_for_precision(confidence: np.ndarray, correct: np.ndarray, target: float) -> dict | None:
    """The lowest threshold whose answered rows reach ``target`` precision (so the most coverage).

    Only the observed confidences are candidates: between two of them nothing changes. Returns
    :func:`at_threshold` at that threshold, or None when no threshold answering at least one row reaches it.
    """
    for threshold in np.unique(np.asarray(confidence, dtype=np.float64)):
        point = at_threshold(confidence, correct, float(threshold))
        if point["precision"] is not None and point["precision"] >= target:
            return point
    return None


def risk_coverage(confidence: np.ndarray, correct: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The risk-coverage curve: answering the k most confident rows, for k = 1..n, the share answered
    (coverage) and the share of those that are wrong (risk). Ties are broken pessimistically (wrong first)."""
    confidence = np.asarray(confidence, dtype=np.float64)
    wrong = ~np.asarray(correct, dtype=bool)
    order = np.lexsort((~wrong, -confidence))  # by confidence, high first; among ties the wrong ones first
    k = np.arange(1, len(order) + 1)
    return k / max(len(order), 1), np.cumsum(wrong[order]) / k


def aurc(confidence: np.ndarray, correct: np.ndarray) -> float | None:
    """Area under the risk-coverage curve (lower is better; the error rate when every row is answered is the
    ceiling of a useless confidence, and a perfect one approaches 0). None when there are no rows."""
    if len(confidence) == 0:
        return None
    return float(risk_coverage(confidence, correct)[1].mean())


def precision_at_coverage(confidence: np.ndarray, correct: np.ndarray, coverage: float) -> float | None:
    """Precision of the ``coverage`` share of rows the confidence is surest of (None when there are no rows)."""
    if len(confidence) == 0:
        return None
    covered, risk = risk_coverage(confidence, correct)
    return float(1.0 - risk[min(int(np.searchsorted(covered, coverage - 1e-9)), len(risk) - 1)])
