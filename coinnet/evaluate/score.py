"""Score predictions against a labelled folder's truth: accuracy per field and group, calibration, coverage.

Torch-free; :mod:`coinnet.evaluate.cli` runs the predictor and writes the report, and the cross-validation
script scores its out-of-fold readings with the same functions.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np

from coinnet import label_folder as records
from coinnet import labels
from coinnet.evaluate import metrics
from coinnet.files import printable

DEFAULT_THRESHOLD = 0.5
PRECISION_TARGETS = (0.99, 0.95, 0.9)
#: Wrong readings kept in metrics.json (all of them are in predictions.csv).
MAX_MISTAKES = 50
DEFINITIONS = (
    "Unlabelled fields are not scored; a photo the predictor could not read counts as wrong. "
    "Calibration and coverage use the predictor's overall confidence; an answer is correct when year and mint "
    "are both right (photos with both labelled) or the year is right (year-only labels); photos without a "
    "labelled year are left out of them. Coverage = fraction of those photos answered (confidence ≥ threshold); "
    "precision = accuracy of the answered ones."
)


#: One labelled photo (``path, year, mint, view, ...``); an empty view reads as ``"unknown"`` here.
Truth = records.LabelRecord


def read_labels(data_dir: str | Path, limit: int | None = None, allow_outside: bool = False) -> list[Truth]:
    """The rows of ``data_dir/labels.csv`` (the first ``limit`` of them), paths resolved against the folder.

    Rows with a label never struck, or a file outside the folder (unless ``allow_outside``), are skipped with a
    warning (:func:`coinnet.label_folder.read_labels`): they are not scored.
    """
    rows = records.read_labels(data_dir, limit, allow_outside=allow_outside)
    return [replace(r, view=r.view or metrics.UNKNOWN_GROUP) for r in rows]


def _as_truth(item) -> Truth:
    if isinstance(item, Truth):
        return item
    path, year, mint, view = item
    return Truth(str(path), labels.parse_year(year), labels.parse_mint(mint), view or metrics.UNKNOWN_GROUP)


def _predicted(pred) -> tuple[int | None, str | None, float]:
    """Year, mint and confidence of a Prediction; a failed one reads as nothing, with confidence 0."""
    if pred.status == "error":
        return None, None, 0.0
    return pred.year, pred.mint, float(pred.confidence)


def _answer_table(
    preds: Sequence, truths: Sequence[Truth]
) -> tuple[tuple[np.ndarray, ...], np.ndarray, np.ndarray, np.ndarray]:
    """(true/predicted year and mint arrays, confidence, correct, scored) for predictions against labels."""
    if len(preds) != len(truths):
        raise ValueError(f"{len(preds)} predictions for {len(truths)} labelled photos")
    readings = [_predicted(p) for p in preds]
    table = (
        metrics.year_array([t.year for t in truths]),
        metrics.mint_array([t.mint for t in truths]),
        metrics.year_array([r[0] for r in readings]),
        metrics.mint_array([r[1] for r in readings]),
    )
    confidence = np.array([r[2] for r in readings], dtype=np.float64)
    correct, scored = metrics.answer_correctness(*table)
    return table, confidence, correct, scored


def correctness(preds: Sequence, truths: Sequence) -> tuple[np.ndarray, np.ndarray]:
    """(correct, scored) per photo, all rows kept (:func:`coinnet.evaluate.metrics.answer_correctness`)."""
    _, _, correct, scored = _answer_table(preds, [_as_truth(t) for t in truths])
    return correct, scored


def answers(preds: Sequence, truths: Sequence) -> tuple[np.ndarray, np.ndarray]:
    """(confidence, correct) of the scored photos: what coverage curves and thresholds are computed from."""
    _, confidence, correct, scored = _answer_table(preds, [_as_truth(t) for t in truths])
    return confidence[scored], correct[scored]


def evaluate_predictions(preds: Sequence, truths: Sequence, threshold: float = DEFAULT_THRESHOLD) -> dict:
    """Every metric of :mod:`coinnet.evaluate.metrics` for predictions against their labels.

    Args:
        preds: :class:`coinnet.infer.predictor.Prediction` objects, in the order of ``truths``.
        truths: :class:`Truth` objects or ``(path, year, mint, view)`` tuples (year/mint None if unknown).
        threshold: confidence below which the answer is withheld, for the coverage/precision point.

    Returns:
        A JSON-able dict (the content of ``metrics.json``); its ``mistakes`` are the :data:`MAX_MISTAKES` most
        confident wrong readings (path, truth, reading, confidence), most confident first.
    """
    truths = [_as_truth(t) for t in truths]
    table, confidence, correct, scored = _answer_table(preds, truths)
    readings = [_predicted(p) for p in preds]
    conf_s, correct_s = confidence[scored], correct[scored]
    result = {
        "rows": len(truths),
        "status_counts": dict(sorted(Counter(p.status for p in preds).items())),
        "definitions": DEFINITIONS,
        "overall": metrics.summary(*table),
        "by_view": metrics.summary_by_group([t.view for t in truths], *table),
        "by_era": metrics.summary_by_group([metrics.era_of(t.year) for t in truths], *table),
        "confusion": metrics.confusion_matrices(*table),
        "calibration": metrics.expected_calibration_error(conf_s, correct_s),
        "coverage": {
            "at_threshold": metrics.at_threshold(conf_s, correct_s, threshold),
            "for_precision": {str(p): metrics.threshold_for_precision(conf_s, correct_s, p) for p in PRECISION_TARGETS},
            "curve": metrics.coverage_curve(conf_s, correct_s),
            # Risk-coverage: error rate of the k most confident answers; AURC is its mean (lower is better).
            "aurc": metrics.aurc(conf_s, correct_s),
            "risk_coverage": _thinned(*metrics.risk_coverage(conf_s, correct_s)),
        },
        "errors": [{"file": t.path, "error": p.error} for t, p in zip(truths, preds) if p.status == "error"],
    }
    wrong = [i for i in np.flatnonzero(scored & ~correct) if preds[i].status != "error"]
    result["mistakes"] = [
        {"path": truths[i].path, "true_year": truths[i].year, "true_mint": truths[i].mint,
         "pred_year": readings[i][0], "pred_mint": readings[i][1], "confidence": readings[i][2]}
        for i in sorted(wrong, key=lambda i: -confidence[i])[:MAX_MISTAKES]
    ]  # fmt: skip
    return result


def _thinned(coverage: np.ndarray, risk: np.ndarray, points: int = 200) -> list[list[float]]:
    """At most ``points`` [coverage, risk] pairs of the curve (metrics.json stays small for big folders)."""
    keep = np.unique(np.linspace(0, len(coverage) - 1, min(points, len(coverage))).round().astype(int))
    return [[round(float(coverage[i]), 5), round(float(risk[i]), 5)] for i in keep] if len(coverage) else []


def predictions_csv(preds: Sequence, truths: Sequence[Truth]) -> bytes:
    """One row per photo: its labels beside what the predictor read (for digging into single cases)."""
    buf = io.StringIO()
    writer = csv.writer(buf)  # CRLF: with "\n" a carriage return in a file name is left unquoted
    writer.writerow(["file", "true_year", "true_mint", "view", "year", "mint", "confidence",
                     "year_confidence", "mint_confidence", "status", "error"])  # fmt: skip
    for t, p in zip(truths, preds):
        writer.writerow([printable(t.path), t.year or "", t.mint or "", t.view, p.year or "", p.mint or "",
                         f"{p.confidence:.4f}", f"{p.year_confidence:.4f}", f"{p.mint_confidence:.4f}",
                         p.status, printable(p.error)])  # fmt: skip
    return buf.getvalue().encode("utf-8")
