"""How sure a reading is, from more than one softmax (numpy only, no torch).

A single view's pair probability is over-confident on photos unlike the ones it was fitted on. The predictor
therefore describes each reading by a few *signals* (:data:`SIGNALS`), all in [0, 1], computed from every view it
read of the photo:

- ``view``: the chosen pair's probability in the view most sure of it (the old, single-softmax confidence);
- ``vote``: the chosen pair's share of the vote against the runner-up pair, summed over all views;
- ``agree``: the share of the photo's confident views (own best pair over 0.5) that read the chosen pair;
- ``weakest``: the lowest per-head probability of the chosen classes in that view (the weakest digit decides);
- ``dateness``: one minus the mean normalised entropy of the heads there (a view with no date, for a model
  trained with no-date examples, is near uniform);
- ``steady``: the chosen pair's mean probability when that view is slightly zoomed and turned
  (:func:`coinnet.infer.views.jitters`, test-time augmentation; three more model runs a photo, so the predictor
  computes it only for a rule that uses it, or when asked). A photo read where the localiser pointed already has
  such views, the proposal's other zooms: their mean stands in, at no cost (:func:`nearby_steady`).

A :class:`ConfidenceRule` (a logistic model on the signals' logits, fitted out of fold on photo sources held out
of the fit, :mod:`coinnet.evaluate.confidence_fit`) turns them into the confidence the threshold compares. It is
stored in the ONNX metadata (``confidence_rule``); a model without one keeps the ``view`` signal as confidence.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

import numpy as np

SIGNALS = ("view", "vote", "agree", "weakest", "dateness", "steady")
#: A view counts towards ``agree`` when its own best pair is at least this probable.
CONFIDENT_VIEW = 0.5
_EPS = 1e-4
#: Bounds on a stored rule (a model file is data from anywhere: see :mod:`coinnet.infer.onnx_meta`).
MAX_WEIGHT = 100.0
MAX_CURVE_POINTS = 2048


def logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(np.asarray(p, np.float64), _EPS, 1.0 - _EPS)
    return np.log(p) - np.log1p(-p)


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(x, -50.0, 50.0)))


@dataclass(frozen=True)
class Doubt:
    """What the signals say of one reading: the signals, the weakest head and the runner-up pair."""

    signals: dict[str, float]
    weakest_head: int  # index into the heads (digits first, then mint)
    weakest_prob: float
    runner_up: tuple[int, str] | None
    runner_up_share: float  # the runner-up's share of the vote against the chosen pair


def doubts(
    posterior: np.ndarray,
    head_probs: list[np.ndarray],
    head_of_pair: list[np.ndarray],
    pairs: list[tuple[int, str]],
    counts: list[int],
    chosen: np.ndarray,
    rows: np.ndarray,
) -> list[Doubt]:
    """One :class:`Doubt` per photo.

    Args:
        posterior: (V, P) pair posterior of every view of every photo, photos' views consecutive.
        head_probs: per head, (N, C) softmax probabilities (temperature applied) of each photo's view ``rows``.
        head_of_pair: per head, (P,) the class each valid pair needs from it.
        pairs: the valid pairs, in ``posterior`` column order.
        counts: views per photo.
        chosen: (N,) the chosen pair per photo; ``rows``: (N,) the flat row of the view most sure of it.
    """
    out, start = [], 0
    for i, n in enumerate(counts):
        block, b, row = posterior[start : start + n], int(chosen[i]), int(rows[i])
        votes = block.sum(axis=0)
        votes_other = votes.copy()
        votes_other[b] = -1.0
        second = int(votes_other.argmax()) if len(votes) > 1 else None
        second_votes = float(votes[second]) if second is not None else 0.0
        vote = float(votes[b] / (votes[b] + second_votes)) if votes[b] + second_votes > 0 else 0.0
        confident = block.max(axis=1) >= CONFIDENT_VIEW
        agree = float((block[confident].argmax(axis=1) == b).mean()) if confident.any() else 0.0
        per_head = np.array([probs[i, idx[b]] for probs, idx in zip(head_probs, head_of_pair)])
        entropy = [float(-(p[i] * np.log(np.clip(p[i], 1e-12, 1.0))).sum() / math.log(p.shape[1])) for p in head_probs]
        signals = {
            "view": float(block[row - start, b]),
            "vote": vote,
            "agree": agree,
            "weakest": float(per_head.min()),
            "dateness": float(1.0 - np.mean(entropy)),
        }
        out.append(
            Doubt(
                signals=signals,
                weakest_head=int(per_head.argmin()),
                weakest_prob=float(per_head.min()),
                runner_up=pairs[second] if second is not None else None,
                runner_up_share=1.0 - vote if second is not None else 0.0,
            )
        )
        start += n
    return out


def add_steady(found: list[Doubt], chosen: np.ndarray, jitter_posterior: np.ndarray) -> None:
    """Set each reading's ``steady`` signal from the pair posterior of its view's jitters (rows grouped by reading)."""
    per = len(jitter_posterior) // max(len(found), 1)
    for i, doubt in enumerate(found):
        doubt.signals["steady"] = float(jitter_posterior[i * per : (i + 1) * per, chosen[i]].mean())


def nearby_steady(
    posterior: np.ndarray, counts: list[int], rows: np.ndarray, chosen: np.ndarray, nearby: list[bool]
) -> dict[int, float]:
    """``steady`` of the readings whose views all look at one place (``nearby[i]``, e.g. the zooms of a localiser's
    proposal): the chosen pair's mean probability over the photo's views other than its best (flat row ``rows[i]``).
    Out of fold it judges readings as well as jitters do (99 % precision at 66.9 against 66.6 % coverage), free."""
    start = np.cumsum([0, *counts])
    out = {}
    for i in np.flatnonzero(nearby):
        others = [r for r in range(start[i], start[i + 1]) if r != rows[i]]
        out[int(i)] = float(posterior[others, chosen[i]].mean())
    return out


def explain(doubt: Doubt, heads: int) -> dict:
    """The :class:`coinnet.infer.results.Prediction` fields saying why a reading may be wrong: ``weakest``
    (``"digit 4 (0.62)"``, ``"mint (0.55)"``), ``runner_up`` (``"1956-D (0.18)"``) and the raw ``signals``."""
    where = "mint" if doubt.weakest_head == heads - 1 else f"digit {doubt.weakest_head + 1}"
    runner = ""
    if doubt.runner_up is not None:
        year, mint = doubt.runner_up
        runner = f"{year}{'' if mint == 'none' else '-' + mint} ({doubt.runner_up_share:.2f})"
    return {"weakest": f"{where} ({doubt.weakest_prob:.2f})", "runner_up": runner, "signals": doubt.signals}


def _load_json(text: str, key: str):
    """A metadata value's JSON; NaN/Infinity read as NaN, which the callers' finiteness checks then refuse."""
    try:
        return json.loads(text, parse_constant=lambda name: float("nan"))
    except (ValueError, RecursionError):
        raise ValueError(f"{key} is not valid JSON") from None


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


@dataclass(frozen=True)
class ConfidenceRule:
    """``confidence = sigmoid(bias + sum_k weights[k] * logit(signal_k))`` over ``signals`` (names in SIGNALS)."""

    signals: tuple[str, ...]
    weights: tuple[float, ...]
    bias: float

    def apply(self, signals: dict[str, float] | list[dict[str, float]]) -> np.ndarray:
        """Confidence per reading (an array, also for a single dict)."""
        rows = [signals] if isinstance(signals, dict) else signals
        x = np.array([[r[s] for s in self.signals] for r in rows], dtype=np.float64).reshape(len(rows), -1)
        return sigmoid(self.bias + logit(x) @ np.asarray(self.weights, np.float64))

    def to_json(self) -> str:
        return json.dumps({"signals": list(self.signals), "weights": list(self.weights), "bias": self.bias})

    @classmethod
    def from_json(cls, text: str) -> ConfidenceRule:
        """Parse and bound a stored rule; ValueError (one line) on anything else."""
        data = _load_json(text, "confidence_rule")
        if not isinstance(data, dict) or not isinstance(data.get("signals"), list):
            raise ValueError("confidence_rule must be an object with signals, weights and bias")
        signals, weights, bias = data["signals"], data.get("weights"), data.get("bias")
        if not signals or len(set(signals)) != len(signals) or not all(s in SIGNALS for s in signals):
            raise ValueError(f"confidence_rule signals must be distinct names from {', '.join(SIGNALS)}")
        if not isinstance(weights, list) or len(weights) != len(signals):
            raise ValueError("confidence_rule needs one weight per signal")
        numbers = [*weights, bias]
        if not all(_is_number(v) for v in numbers):
            raise ValueError("confidence_rule weights and bias must be numbers")
        if not all(math.isfinite(v) and abs(v) <= MAX_WEIGHT for v in numbers):
            raise ValueError(f"confidence_rule weights and bias must be finite and within ±{MAX_WEIGHT:g}")
        return cls(tuple(signals), tuple(float(w) for w in weights), float(bias))


#: What a model without a stored rule uses: the best view's pair probability.
NO_RULE = ConfidenceRule(("view",), (1.0,), 0.0)


def choose_threshold(metadata: dict, threshold: float | None, precision: float | None, path) -> float:
    """The threshold a predictor uses: ``threshold`` if given, else the lowest one of the model's stored precision
    curve that reached ``precision``, else the model's own default.

    Raises:
        ValueError: both given, or a precision asked of a model without a curve or beyond its best (one line).
    """
    if precision is None:
        return float(metadata["threshold"] if threshold is None else threshold)
    if threshold is not None:
        raise ValueError("give a threshold or a precision, not both")
    if metadata.get("precision_curve") is None:
        raise ValueError(f"{path}: the model stores no precision curve; use a threshold")
    return threshold_for(metadata["precision_curve"], float(precision))[0]


def parse_precision_curve(text: str) -> list[tuple[float, float, float]]:
    """A stored ``[[threshold, precision, coverage], ...]`` curve, bounded and sorted by threshold."""
    data = _load_json(text, "precision_curve")
    if not isinstance(data, list) or not 0 < len(data) <= MAX_CURVE_POINTS:
        raise ValueError(f"precision_curve must be a list of 1 to {MAX_CURVE_POINTS} points")
    points = []
    for p in data:
        ok = isinstance(p, list) and len(p) == 3 and all(_is_number(v) for v in p)
        if not ok or not all(math.isfinite(v) and 0.0 <= v <= 1.0 for v in p):
            raise ValueError("precision_curve points must be [threshold, precision, coverage] in [0, 1]")
        points.append((float(p[0]), float(p[1]), float(p[2])))
    return sorted(points)


def threshold_for(curve: list[tuple[float, float, float]], precision: float) -> tuple[float, float, float]:
    """The lowest stored threshold whose measured precision reaches ``precision``: (threshold, precision, coverage).

    Raises:
        ValueError: no point of the curve reaches it (names the best the model offers).
    """
    for point in curve:
        if point[1] >= precision:
            return point
    best = max(p[1] for p in curve)
    raise ValueError(f"precision {precision:g} is not reached at any threshold of this model (best {best:.3f})")


class ConfidenceReportError(ValueError):
    """A ``confidence.json`` that can't be used (one line naming the file)."""


def metadata_from_report(path) -> dict[str, str]:
    """The ``metadata_props`` (``confidence_rule``, ``threshold``, ``precision_curve``) of a ``confidence.json``
    written by ``scripts/fit_confidence.py``, checked as the predictor will check them.

    Raises:
        ConfidenceReportError: one line naming the file, when it is not such a report.
    """
    from pathlib import Path

    try:
        report = json.loads(Path(path).read_text(encoding="utf-8"))
        rule = ConfidenceRule.from_json(json.dumps(report["rule"]))
        curve = json.dumps(report["curve"])
        parse_precision_curve(curve)
        threshold = float(report["threshold"])
        if not 0.0 <= threshold <= 1.0:
            raise ValueError(f"threshold {threshold} is not in [0, 1]")
    except (OSError, KeyError, TypeError, ValueError) as exc:
        raise ConfidenceReportError(f"{path}: not a confidence report ({exc})".splitlines()[0]) from None
    return {"confidence_rule": rule.to_json(), "threshold": f"{threshold:.4f}", "precision_curve": curve}
