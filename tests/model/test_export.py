"""ONNX export: one file, named dynamic-batch graph, metadata round-trip, parity with torch, checkpoint CLI."""

from __future__ import annotations

import json
from datetime import datetime

import numpy as np
import onnx
import onnxruntime as ort
import pytest
import torch

from coinnet import labels
from coinnet.infer.predictor import Predictor
from coinnet.model.export import export_checkpoint, export_onnx, main, parity_inputs
from coinnet.model.net import CoinNet
from tests.helpers.infer import export_report, tiny_onnx


@pytest.fixture(scope="session")
def model_path(tmp_path_factory):
    return tiny_onnx(tmp_path_factory)


def test_single_checked_file_with_named_dynamic_io(model_path):
    assert [p.name for p in model_path.parent.iterdir()] == ["tiny.onnx"]  # no .onnx.data, no temp left
    proto = onnx.load(str(model_path))
    onnx.checker.check_model(proto)
    assert [i.name for i in proto.graph.input] == ["image"]
    assert [o.name for o in proto.graph.output] == [*labels.HEAD_NAMES, "attention"]
    session = ort.InferenceSession(str(model_path), providers=["CPUExecutionProvider"])
    for n in (1, 5):
        outs = session.run(None, {"image": np.random.default_rng(n).random((n, 3, 64, 64), dtype=np.float32)})
        assert [o.shape for o in outs] == [(n, 10)] * 4 + [(n, len(labels.MINTS)), (n, len(labels.HEAD_NAMES), 4, 4)]
        # Each head's attention map is a distribution over the stride-16 grid.
        assert np.allclose(outs[-1].sum(axis=(2, 3)), 1.0, atol=1e-5)


def test_onnxruntime_matches_torch(model_path):
    report = export_report()
    assert report["parity_ok"] and report["max_abs_diff"] < 1e-4
    # Independent check on fresh inputs: rebuild the same seeded model and compare.
    torch.manual_seed(0)
    model = CoinNet(backbone="mobilenetv3_small_050", input_size=64).eval()
    batch = parity_inputs(64, count=4)
    with torch.no_grad():
        expected = [t.numpy() for t in model(torch.from_numpy(batch), with_attention=True)]
    got = ort.InferenceSession(str(model_path), providers=["CPUExecutionProvider"]).run(None, {"image": batch})
    assert max(float(np.abs(e - g).max()) for e, g in zip(expected, got)) < 1e-4


def test_metadata_round_trip(model_path):
    meta = Predictor(model_path, threads=1).metadata
    assert meta["schema"] == json.loads(json.dumps(labels.schema_dict()))
    assert meta["input_size"] == 64 and meta["backbone"] == "mobilenetv3_small_050"
    assert meta["mlflow_run_id"] == "run123"
    assert meta["temperature"] == 1.0 and 0.0 < meta["threshold"] < 1.0
    assert datetime.fromisoformat(meta["export_date"]).year >= 2024
    assert meta["coinnet_version"] and meta["model_version"]


def test_extra_metadata_overrides_and_eval_mode_is_restored(tmp_path):
    model = CoinNet(backbone="mobilenetv3_small_050", input_size=64).train()
    report = export_onnx(model, tmp_path / "m.onnx", metadata={"temperature": "1.7", "threshold": 0.3}, check=False)
    assert model.training and report["max_abs_diff"] is None
    meta = Predictor(tmp_path / "m.onnx", threads=1).metadata
    assert meta["temperature"] == pytest.approx(1.7) and meta["threshold"] == pytest.approx(0.3)


@pytest.fixture
def checkpoint(tmp_path):
    """A Lightning-format checkpoint of a tiny CoinNetModule (what ModelCheckpoint writes, minus optimiser state)."""
    import lightning.pytorch as pl

    from coinnet.model.lit import CoinNetModule

    module = CoinNetModule(backbone="mobilenetv3_small_050", input_size=64)
    path = tmp_path / "epoch3.ckpt"
    torch.save(
        {
            "state_dict": module.state_dict(),
            "hyper_parameters": dict(module.hparams),
            "pytorch-lightning_version": pl.__version__,
        },
        path,
    )
    return path, module


def test_export_checkpoint_carries_weights_and_run_id(checkpoint, tmp_path):
    path, module = checkpoint
    report = export_checkpoint(path, tmp_path / "out" / "model.onnx", run_id="abc", extra_metadata={"note": "x"})
    assert report["max_abs_diff"] < 1e-4
    meta = Predictor(tmp_path / "out" / "model.onnx", threads=1).metadata
    assert meta["mlflow_run_id"] == "abc" and meta["model_version"] == "epoch3" and meta["note"] == "x"


def test_cli_exit_codes(checkpoint, tmp_path, capsys):
    path, _ = checkpoint
    assert (
        main(["--ckpt", str(path), "--out", str(tmp_path / "cli.onnx"), "--threshold", "0.8", "--model-version", "v7"])
        == 0
    )
    assert (tmp_path / "cli.onnx").is_file()
    from coinnet.infer.predictor import Predictor

    meta = Predictor(tmp_path / "cli.onnx").metadata
    assert meta["threshold"] == 0.8 and meta["model_version"] == "v7"
    garbage = tmp_path / "garbage.ckpt"
    garbage.write_bytes(b"not a checkpoint")
    for argv in (
        ["--ckpt", str(tmp_path / "missing.ckpt"), "--out", "x.onnx"],
        ["--ckpt", str(garbage), "--out", "x.onnx"],
        ["--ckpt", "a.ckpt"],
        ["--bogus", "1", "--out", "x.onnx"],
        ["--ckpt", str(path), "--out", "x.onnx", "--threshold", "-1"],
    ):
        capsys.readouterr()
        assert main(argv) == 2, argv
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "error" in err, err


def test_the_confidence_rule_and_precision_curve_round_trip_through_export_and_predictor(tmp_path):
    from coinnet.infer.confidence import ConfidenceRule, metadata_from_report

    rule = ConfidenceRule(("view", "vote", "weakest"), (0.8, 1.3, 0.6), -0.4)
    report = {"rule": json.loads(rule.to_json()), "threshold": 0.83, "curve": [[0.5, 0.9, 0.7], [0.83, 0.99, 0.4]]}
    (tmp_path / "confidence.json").write_text(json.dumps(report))
    torch.manual_seed(0)
    model = CoinNet(backbone="mobilenetv3_small_050", input_size=64)
    meta = metadata_from_report(tmp_path / "confidence.json")
    export_onnx(model, tmp_path / "m.onnx", metadata=meta, check=False)
    p = Predictor(tmp_path / "m.onnx", threads=1, search="rotate")
    assert p.confidence_rule == rule and p.threshold == pytest.approx(0.83)
    assert p.metadata["precision_curve"] == [(0.5, 0.9, 0.7), (0.83, 0.99, 0.4)]
    assert Predictor(tmp_path / "m.onnx", threads=1, precision=0.95).threshold == pytest.approx(0.83)
    assert Predictor(tmp_path / "m.onnx", threads=1, precision=0.9).threshold == pytest.approx(0.5)
    # The predictor's confidence is the rule applied to the reading's signals, not the view's softmax.
    (pred,) = p.predict_images([np.random.default_rng(3).integers(0, 255, (80, 90, 3), dtype=np.uint8)])
    assert pred.confidence == pytest.approx(float(rule.apply(pred.signals)[0]))
    assert pred.weakest.startswith(("digit", "mint")) and pred.runner_up
    assert "steady" not in pred.signals  # the rule does not use it: no jitters are read
    steady = Predictor(tmp_path / "m.onnx", threads=1, search="rotate", steady=True)
    (again,) = steady.predict_images([np.random.default_rng(3).integers(0, 255, (80, 90, 3), dtype=np.uint8)])
    assert 0.0 <= again.signals["steady"] <= 1.0 and (again.year, again.mint) == (pred.year, pred.mint)
    # A rule that needs the jitters gets them, whatever the caller asked for.
    needs = ConfidenceRule(("view", "steady"), (1.0, 1.0), 0.0)
    export_onnx(model, tmp_path / "n.onnx", metadata={"confidence_rule": needs.to_json()}, check=False)
    needing = Predictor(tmp_path / "n.onnx", threads=1, search="none", steady=False)
    (third,) = needing.predict_images([np.random.default_rng(3).integers(0, 255, (80, 90, 3), dtype=np.uint8)])
    assert needing.steady and third.confidence == pytest.approx(float(needs.apply(third.signals)[0]))
    with pytest.raises(ValueError, match="not a confidence report"):
        (tmp_path / "bad.json").write_text('{"rule": {"signals": ["view"], "weights": [1], "bias": 0}}')
        metadata_from_report(tmp_path / "bad.json")
    export_onnx(model, tmp_path / "plain.onnx", check=False)
    with pytest.raises(ValueError, match="stores no precision curve"):
        Predictor(tmp_path / "plain.onnx", threads=1, precision=0.9)
    with pytest.raises(ValueError, match="not both"):
        Predictor(tmp_path / "m.onnx", threads=1, precision=0.9, threshold=0.5)


def test_write_metadata_sets_keys_in_place_and_keeps_the_rest(model_path, tmp_path):
    import shutil

    from coinnet.model.export import write_metadata

    copy = tmp_path / "copy.onnx"
    shutil.copy(model_path, copy)
    write_metadata(copy, {"threshold": "0.7", "note": "refitted"})
    meta = Predictor(copy, threads=1).metadata
    assert meta["threshold"] == pytest.approx(0.7) and meta["note"] == "refitted"
    assert meta["mlflow_run_id"] == "run123" and [p.name for p in tmp_path.iterdir()] == ["copy.onnx"]
