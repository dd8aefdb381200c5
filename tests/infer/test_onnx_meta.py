"""Hostile ONNX metadata: every field bounded and checked, one line naming the file, bounded memory."""

from __future__ import annotations

import json
import tracemalloc
from pathlib import Path

import pytest

from coinnet import labels
from coinnet.infer.onnx_meta import MAX_PAIRS, parse_metadata
from coinnet.infer.pair_decoder import PairDecoder
from tests.helpers.infer import tiny_onnx


def _props(**overrides: str) -> dict[str, str]:
    base = {"coinnet_format": "coinnet-onnx-1", "schema": json.dumps(labels.schema_dict()), "input_size": "64"}
    return {**base, **overrides}


def _schema(**fields) -> str:
    return json.dumps({**labels.schema_dict(), **fields})


HOSTILE = {
    "digit_classes": _schema().replace('"digit_classes": 10', '"digit_classes": Infinity'),
    "nested too deeply": "[" * 100_000 + "]" * 100_000,
    "deep but small": '{"heads": ' + "[" * 20_000 + "]" * 20_000 + "}",
    "a million pairs": _schema(valid_pairs=[[1950, "D"]] * 1_000_000),
    "30k valid pairs": _schema(valid_pairs=[[y, m] for y in range(6000) for m in labels.MINTS]),
    "too many under the size limit": _schema(valid_pairs=[[y, "D"] for y in range(MAX_PAIRS + 1)]),
    "bool digits": _schema(digit_classes=True),
    "negative year": _schema(valid_pairs=[[-5, "D"]]),
    "unknown mint": _schema(valid_pairs=[[1950, "Q"]]),
    "not an object": "[1, 2]",
    "not JSON": "{",
}


@pytest.mark.parametrize("schema", HOSTILE.values(), ids=list(HOSTILE))
def test_hostile_schemas_are_refused_in_one_line(schema):
    tracemalloc.start()
    try:
        with pytest.raises(ValueError) as info:
            parse_metadata(Path("m.onnx"), _props(schema=schema))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    message = str(info.value)
    assert message.startswith("m.onnx: bad coinnet metadata (") and "\n" not in message and len(message) <= 500
    assert peak < 400e6  # the million-pair schema is refused by its size, before it is parsed


@pytest.mark.parametrize(
    ("field", "value", "keyword"),
    [
        ("temperature", "1e-300", "temperature must be in"),  # would make every wrong reading "ok" at 1.0
        ("temperature", "inf", "temperature must be in"),
        ("temperature", "nan", "temperature must be in"),
        ("temperature", "hot", "temperature must be a number"),
        ("threshold", "nan", "threshold must be in"),
        ("threshold", "1.5", "threshold must be in"),
        ("input_size", "100000", "input_size must be in"),
        ("input_size", "64.5", "input_size must be an integer"),
        ("view_vote", "mean", "view_vote"),
        ("model_version", "x" * 100_000, "model_version is over"),
    ],
)
def test_out_of_range_fields_are_refused(field, value, keyword):
    with pytest.raises(ValueError, match=keyword) as info:
        parse_metadata(Path("m.onnx"), _props(**{field: value}))
    assert "\n" not in str(info.value) and str(info.value).startswith("m.onnx: ")


def test_the_real_schema_and_sane_values_pass():
    meta = parse_metadata(Path("m.onnx"), _props(temperature="0.924", threshold="0.876", view_vote="sum"))
    assert meta["temperature"] == 0.924 and meta["input_size"] == 64
    assert len(meta["schema"]["valid_pairs"]) == len(labels.valid_pairs())


def test_the_pair_decoder_needs_memory_linear_in_the_pairs():
    schema = {**labels.schema_dict(), "valid_pairs": [[y, "none"] for y in range(MAX_PAIRS)]}  # 4096 years
    tracemalloc.start()
    try:
        PairDecoder(schema)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 20e6  # a one-hot (pairs x years) float64 matrix was 134 MB here


def test_a_model_file_with_a_hostile_temperature_is_refused_by_the_predictor(tmp_path_factory, tmp_path):
    import onnx

    from coinnet.infer.predictor import Predictor

    model = onnx.load(tiny_onnx(tmp_path_factory))
    for prop in model.metadata_props:
        if prop.key == "temperature":
            prop.value = "1e-300"
            break
    else:
        model.metadata_props.add(key="temperature", value="1e-300")
    path = tmp_path / "cold.onnx"
    onnx.save(model, path)
    with pytest.raises(ValueError, match=r"cold.onnx: bad coinnet metadata \(temperature must be in") as info:
        Predictor(path)
    assert "\n" not in str(info.value)
