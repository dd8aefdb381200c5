"""The metadata contract of a coinnet ONNX file: what :mod:`coinnet.model.export` writes and the predictor reads.

No torch and no onnxruntime: plain parsing of ``metadata_props`` (a dict of strings).

A model file is data from wherever the user got it, so every field is bounded and type-checked here before
anything is built from it: a hostile file gets one line naming it and the field, never a traceback, a hang, or
gigabytes of memory (a schema nested 100,000 deep, ``digit_classes: Infinity``, a million "valid" pairs, a
temperature of 1e-300 that would turn every reading into a certain one).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

from coinnet.infer.confidence import ConfidenceRule, parse_precision_curve

#: Value of the ``coinnet_format`` metadata key; a model without it is not ours.
MODEL_FORMAT = "coinnet-onnx-1"
#: Name of the graph's single input: (N, 3, S, S) float RGB in [0, 1].
INPUT_NAME = "image"
#: Optional output (N, heads, h, w): each head's attention map, for the date box (older files lack it).
ATTENTION_NAME = "attention"

#: Longest metadata value read (the shipped schema is about 5 KB; every other value is a short string).
MAX_VALUE_CHARS = 64 * 1024
MAX_SCHEMA_CHARS = 256 * 1024
#: The schema's limits: the real one has 4 digit heads of 10 classes, 5 mint marks and about 300 pairs.
MAX_PAIRS = 4096
MAX_DIGIT_HEADS = 8
DIGIT_CLASSES_RANGE = (10, 64)
MAX_MINTS = 32
#: Input side in pixels: every photo brings up to 32 views of this size to the model.
INPUT_SIZE_RANGE = (16, 1024)
#: Softmax temperature: far below 1 makes every reading look certain, far above makes none pass the threshold.
TEMPERATURE_RANGE = (0.05, 20.0)


def _refuse_constant(name: str) -> float:
    raise ValueError(f"non-finite number {name} in JSON")


def _int(value: object, what: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{what} must be an integer, got {type(value).__name__}")
    if not low <= value <= high:
        raise ValueError(f"{what} must be in [{low}, {high}], got {value}")
    return value


def _names(value: object, what: str, low: int, high: int) -> list[str]:
    if not isinstance(value, list) or not low <= len(value) <= high:
        raise ValueError(f"{what} must be a list of {low} to {high} names")
    if not all(isinstance(v, str) and 0 < len(v) <= 64 for v in value) or len(set(value)) != len(value):
        raise ValueError(f"{what} must hold distinct non-empty names")
    return value


def check_schema(schema: object) -> dict:
    """The label schema (:func:`coinnet.labels.schema_dict` format), bounded and type-checked.

    Raises:
        ValueError: the first field that is missing, of the wrong type or out of range (one line).
    """
    if not isinstance(schema, dict):
        raise ValueError("schema must be a JSON object")
    missing = [k for k in ("heads", "digit_classes", "mints", "valid_pairs") if k not in schema]
    if missing:
        raise ValueError(f"schema lacks {', '.join(missing)}")
    heads = _names(schema["heads"], "heads", 2, MAX_DIGIT_HEADS + 1)
    digit_classes = _int(schema["digit_classes"], "digit_classes", *DIGIT_CLASSES_RANGE)
    mints = _names(schema["mints"], "mints", 1, MAX_MINTS)
    pairs = schema["valid_pairs"]
    if not isinstance(pairs, list) or not 0 < len(pairs) <= MAX_PAIRS:
        raise ValueError(f"valid_pairs must be a list of 1 to {MAX_PAIRS} pairs")
    top = 10 ** (len(heads) - 1) - 1
    known = set(mints)
    for pair in pairs:
        if not (isinstance(pair, list) and len(pair) == 2 and isinstance(pair[1], str)):
            raise ValueError(f"valid_pairs must hold [year, mint] pairs, got {str(pair)[:40]}")
        _int(pair[0], "a valid pair's year", 0, top)
        if pair[1] not in known:
            raise ValueError(f"valid pair {pair[0]} {pair[1]!r}: mint not in mints")
    if len({(y, m) for y, m in pairs}) != len(pairs):
        raise ValueError("valid_pairs holds duplicates")
    return {**schema, "heads": heads, "digit_classes": digit_classes, "mints": mints, "valid_pairs": pairs}


def _schema(text: str) -> dict:
    if len(text) > MAX_SCHEMA_CHARS:
        raise ValueError(f"schema is {len(text)} characters, limit {MAX_SCHEMA_CHARS}")
    try:
        parsed = json.loads(text, parse_constant=_refuse_constant)
    except RecursionError:
        raise ValueError("schema is nested too deeply") from None
    except ValueError as exc:
        raise ValueError(f"schema is not valid JSON ({exc})") from None
    return check_schema(parsed)


def _number(props: dict[str, str], key: str, default: object, kind: type) -> float | int:
    try:
        return kind(props.get(key, default))
    except (TypeError, ValueError):
        what = "an integer" if kind is int else "a number"
        raise ValueError(f"{key} must be {what}, got {props[key][:20]!r}") from None


def _float(props: dict[str, str], key: str, default: float, low: float, high: float) -> float:
    value = _number(props, key, default, float)
    if not (math.isfinite(value) and low <= value <= high):
        raise ValueError(f"{key} must be in [{low}, {high}], got {props.get(key)}")
    return value


def parse_metadata(path: Path, props: dict[str, str]) -> dict:
    """Typed, bounded metadata from the ONNX ``metadata_props``; ValueError (one line naming ``path``) otherwise."""
    if props.get("coinnet_format") != MODEL_FORMAT:
        found = str(props.get("coinnet_format", "missing"))[:80]
        raise ValueError(
            f"{path}: not a coinnet model (metadata coinnet_format is {found!r}, expected {MODEL_FORMAT!r})"
        )
    meta: dict = dict(props)
    try:
        long = [k for k, v in props.items() if k != "schema" and len(str(v)) > MAX_VALUE_CHARS]
        if long:
            raise ValueError(f"{long[0]} is over {MAX_VALUE_CHARS} characters")
        if "schema" not in props or "input_size" not in props:
            raise ValueError("schema and input_size are required")
        meta["schema"] = _schema(props["schema"])
        size = _number(props, "input_size", None, int)
        if not INPUT_SIZE_RANGE[0] <= size <= INPUT_SIZE_RANGE[1]:
            raise ValueError(f"input_size must be in {list(INPUT_SIZE_RANGE)}, got {size}")
        meta["input_size"] = size
        meta["temperature"] = _float(props, "temperature", 1.0, *TEMPERATURE_RANGE)
        meta["threshold"] = _float(props, "threshold", 0.5, 0.0, 1.0)
        # "sum": the model was trained to be unsure on no-date views, so a photo's views can vote; older files: "max".
        meta["view_vote"] = props.get("view_vote", "max")
        if meta["view_vote"] not in ("sum", "max"):
            raise ValueError(f"view_vote is {meta['view_vote'][:20]!r}, expected 'sum' or 'max'")
        # Optional (coinnet.infer.confidence): the fitted rule that turns a reading's signals into its confidence,
        # and the precision/coverage it measured per threshold on photo sources held out of the fit.
        rule = props.get("confidence_rule")
        meta["confidence_rule"] = ConfidenceRule.from_json(rule) if rule else None
        curve = props.get("precision_curve")
        meta["precision_curve"] = parse_precision_curve(curve) if curve else None
    except (ValueError, TypeError, OverflowError) as exc:
        raise ValueError(f"{path}: bad coinnet metadata ({exc})".splitlines()[0][:500]) from None
    return meta
