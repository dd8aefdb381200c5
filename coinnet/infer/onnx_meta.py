"""The metadata contract of a coinnet ONNX file: what :mod:`coinnet.model.export` writes and the predictor reads.

No torch and no onnxruntime: plain parsing of ``metadata_props`` (a dict of strings).
"""

from __future__ import annotations

import json
from pathlib import Path

#: Value of the ``coinnet_format`` metadata key; a model without it is not ours.
MODEL_FORMAT = "coinnet-onnx-1"
#: Name of the graph's single input: (N, 3, S, S) float RGB in [0, 1].
INPUT_NAME = "image"
#: Optional output (N, heads, h, w): each head's attention map, for the date box (older files lack it).
ATTENTION_NAME = "attention"


def parse_metadata(path: Path, props: dict[str, str]) -> dict:
    """Typed metadata from the ONNX ``metadata_props``; ValueError (one line) if it isn't a coinnet model."""
    if props.get("coinnet_format") != MODEL_FORMAT:
        found = props.get("coinnet_format", "missing")
        raise ValueError(
            f"{path}: not a coinnet model (metadata coinnet_format is {found!r}, expected {MODEL_FORMAT!r})"
        )
    meta: dict = dict(props)
    try:
        meta["schema"] = json.loads(props["schema"])
        meta["input_size"] = int(props["input_size"])
        meta["temperature"] = float(props.get("temperature", 1.0))
        meta["threshold"] = float(props.get("threshold", 0.5))
        # "sum": the model was trained to be unsure on no-date views, so a photo's views can vote; older files: "max".
        meta["view_vote"] = props.get("view_vote", "max")
    except (KeyError, ValueError, TypeError) as exc:
        raise ValueError(f"{path}: bad coinnet metadata ({type(exc).__name__}: {exc})".splitlines()[0]) from None
    if not meta["input_size"] > 0 or not meta["temperature"] > 0 or not 0.0 <= meta["threshold"] <= 1.0:
        raise ValueError(f"{path}: bad coinnet metadata (input_size, temperature or threshold out of range)")
    if meta["view_vote"] not in ("sum", "max"):
        raise ValueError(f"{path}: bad coinnet metadata (view_vote {meta['view_vote']!r}, expected 'sum' or 'max')")
    return meta
