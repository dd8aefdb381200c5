"""Why a reading may be wrong, as the views show it: the least sure head and the runner-up reading.

The predictor writes both as text (:class:`coinnet.infer.results.Prediction`): ``weakest`` is ``"digit 4 (0.62)"``
or ``"mint (0.55)"``, ``runner_up`` is ``"1956-D (0.18)"`` or ``"1956 (0.18)"`` (no mint mark). These helpers read
them back: the numbers for sorting, the pair for filling in a correction, and the sentences the views show.
"""

from __future__ import annotations

import re

_WEAKEST = re.compile(r"^\s*(?P<head>.*?)\s*\((?P<prob>[0-9.]+)\)\s*$")
_RUNNER_UP = re.compile(r"^\s*(?P<year>\d{4})(?:-(?P<mint>[A-Z]))?\s*\((?P<share>[0-9.]+)\)\s*$")
#: Sorts readings without a weakest head after every reading that has one.
NO_WEAKEST = 2.0


def weakest_prob(pred) -> float:
    """The probability in ``pred.weakest`` (``"digit 4 (0.62)"`` → 0.62); :data:`NO_WEAKEST` when absent."""
    match = _WEAKEST.match(getattr(pred, "weakest", "") or "")
    try:
        return float(match["prob"]) if match else NO_WEAKEST
    except ValueError:
        return NO_WEAKEST


def runner_up_label(pred) -> tuple[int, str] | None:
    """The runner-up reading as a (year, mint) label (``"none"`` = no mint mark), or None when there is none."""
    match = _RUNNER_UP.match(getattr(pred, "runner_up", "") or "")
    if match is None:
        return None
    return int(match["year"]), match["mint"] or "none"


def review_key(pred) -> tuple[float, float]:
    """Most likely wrong first: confidence ascending, then the weakest head's probability (errors first)."""
    confidence = -1.0 if pred.status == "error" else float(pred.confidence)
    return confidence, weakest_prob(pred)


def why_short(pred) -> str:
    """The table cell: ``"digit 4 (0.62) · next 1956-D (0.18)"`` ("" when the reading carries no doubt info)."""
    if pred.status == "error":
        return ""
    parts = [pred.weakest] if pred.weakest else []
    if pred.runner_up:
        parts.append(f"next {pred.runner_up}")
    return " · ".join(parts)


def why_sentence(pred) -> str:
    """One line for a reading: ``"Unsure: digit 4 (0.62) — could be 1956-D (0.18)"`` for an unknown one,
    ``"Least sure: digit 4 (0.98) · runner-up 1956-D (0.01)"`` for a sure one, "" when there is nothing to say."""
    if pred.status == "error" or not (pred.weakest or pred.runner_up):
        return ""
    if pred.status == "unknown":
        text = f"Unsure: {pred.weakest}" if pred.weakest else "Unsure"
        return text + (f" — could be {pred.runner_up}" if pred.runner_up else "")
    parts = [f"Least sure: {pred.weakest}"] if pred.weakest else []
    if pred.runner_up:
        parts.append(f"runner-up {pred.runner_up}")
    return " · ".join(parts)


def why_tooltip(pred) -> str:
    """The long form, for tool tips: what each number means."""
    lines = []
    if pred.weakest:
        lines.append(f"Least sure part of the reading: {pred.weakest} (its probability; check it on the coin)")
    if pred.runner_up:
        lines.append(f"Next most voted reading: {pred.runner_up} (its share of the vote against the answer)")
    return "\n".join(lines)
