"""End-to-end: the real config, shrunk, trains, logs to MLflow, exports, resumes."""

import json

import mlflow
import pytest
from mlflow.tracking import MlflowClient

from coinnet.model.checkpoints import CheckpointError
from coinnet.train.fit import fit
from coinnet.train.recipe import train
from coinnet.train.tracking import store_uris
from tests.helpers.paths import compose_train_cfg


def _events(run_dir):
    return [json.loads(line) for line in (run_dir / "progress.jsonl").read_text().splitlines()]


@pytest.mark.slow
def test_train_logs_to_mlflow_exports_and_resumes(tmp_path):
    cfg = compose_train_cfg(tmp_path, "logger=mlflow", "trainer.max_epochs=1")
    result = train(cfg)
    run_dir = tmp_path / "run"
    assert 0.0 <= result["val/year_acc"] <= 1.0
    assert (run_dir / "checkpoints" / "last.ckpt").is_file() and (run_dir / "checkpoints" / "best.ckpt").is_file()
    assert result["onnx"] and (run_dir / "model.onnx").is_file()
    # The shipped localiser travels beside the reader and is named in its metadata: its default search is locate.
    from coinnet.infer.predictor import Predictor

    assert (run_dir / "localiser.onnx").is_file() and Predictor(result["onnx"]).search == "locate"
    assert Predictor(result["onnx"]).localiser.path == run_dir / "localiser.onnx"
    events = _events(run_dir)
    assert events[0]["event"] == "start" and events[-1]["event"] == "done"
    assert any(e["event"] == "epoch" and "val/year_acc" in e["metrics"] for e in events)

    tracking_uri, _ = store_uris(tmp_path / "outputs")
    client = MlflowClient(tracking_uri)
    run = client.get_run(result["mlflow_run_id"])
    assert run.data.params["model/backbone"] == "mobilenetv3_small_050"
    assert client.get_experiment(run.info.experiment_id).tags["mlflow.experimentKind"] == "custom_model_development"
    assert "val/year_acc" in run.data.metrics and "train/loss" in run.data.metrics
    artifacts = {a.path for a in client.list_artifacts(run.info.run_id)}
    assert {"config.yaml", "model.onnx", "localiser.onnx", "plots", "checkpoints"} <= artifacts
    plots = {a.path for a in client.list_artifacts(run.info.run_id, "plots")}
    assert "plots/confusion_mint.png" in plots and "plots/val_predictions.png" in plots

    mlflow.set_tracking_uri(None)


_KILLED_RUN = """
import os, signal, sys
import lightning.pytorch as pl
from coinnet.model.checkpoints import CheckpointError
from coinnet.train.fit import fit
from coinnet.train.recipe import train
from tests.helpers.paths import compose_train_cfg

class KillAt(pl.Callback):  # what `kill -9` does mid-epoch, at a known step
    def on_train_batch_start(self, trainer, *args):
        if trainer.global_step == 7:
            os.kill(os.getpid(), signal.SIGKILL)

train(compose_train_cfg(__import__("pathlib").Path(sys.argv[1]), *sys.argv[2:]), callbacks=[KillAt()])
"""


@pytest.mark.slow
def test_run_killed_mid_epoch_resumes_from_last_ckpt_and_finishes(tmp_path):
    import subprocess
    import sys

    from tests.helpers.paths import REPO

    # 2 epochs of 4 steps; last.ckpt every 2 steps; SIGKILL before step 8, i.e. in the middle of epoch 2.
    overrides = ["logger=mlflow", "trainer.max_epochs=2", "ckpt_every_n_steps=2", "export=false"]
    proc = subprocess.run(
        [sys.executable, "-c", _KILLED_RUN, str(tmp_path), *overrides],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == -9, proc.stderr[-2000:]
    last = tmp_path / "run" / "checkpoints" / "last.ckpt"
    import torch

    killed_at = torch.load(last, map_location="cpu", weights_only=True)["global_step"]
    assert killed_at == 6
    first_run_id = json.loads((tmp_path / "run" / "run.json").read_text())["mlflow_run_id"]

    result = train(compose_train_cfg(tmp_path, *overrides, f"ckpt_path={last}", f"paths.run_dir={tmp_path / 'run2'}"))
    assert result["mlflow_run_id"] == first_run_id
    assert torch.load(tmp_path / "run2" / "checkpoints" / "last.ckpt", weights_only=True)["global_step"] == 8
    assert _events(tmp_path / "run2")[-1]["event"] == "done"
    tags = MlflowClient(store_uris(tmp_path / "outputs")[0]).get_run(first_run_id).data.tags
    assert tags["resumed_from"] == str(last)
    mlflow.set_tracking_uri(None)


def test_same_seed_same_metrics(tmp_path):
    a = train(compose_train_cfg(tmp_path / "a", "export=false"))
    b = train(compose_train_cfg(tmp_path / "b", "export=false"))
    assert a["val/loss"] == b["val/loss"] and a["val/year_acc"] == b["val/year_acc"]
    # The two checkpoint callbacks share last.ckpt: no stray last-v1.ckpt beside it.
    ckpts = tmp_path / "a" / "run" / "checkpoints"
    assert sorted(p.name for p in ckpts.iterdir()) == ["best.ckpt", "last.ckpt"]
    # A real checkpoint loads weights-only (the only way coinnet loads one), and fine-tunes from there.
    from coinnet.model.checkpoints import load_checkpoint

    assert load_checkpoint(ckpts / "best.ckpt")["state_dict"]


class _Harmless:
    """A pickle whose ``__reduce__`` runs code on loading: here it only creates a marker file."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        import pathlib

        return (pathlib.Path.touch, (pathlib.Path(self.marker),))


def test_a_checkpoint_that_runs_code_is_refused_and_runs_nothing(tmp_path):
    import subprocess
    import sys

    import torch

    from tests.helpers.paths import REPO

    marker = tmp_path / "code_ran"
    evil = tmp_path / "evil.ckpt"
    torch.save({"state_dict": {}, "payload": _Harmless(marker)}, evil)
    cmd = [sys.executable, "-m", "coinnet.train", "experiment=smoke", f"init_ckpt={evil}",
           f"paths.run_dir={tmp_path / 'run'}", f"paths.outputs={tmp_path / 'out'}"]  # fmt: skip
    run = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=300)
    assert run.returncode == 2, run.stderr[-2000:]
    last = run.stderr.strip().splitlines()[-1]
    assert last.startswith(f"coinnet-train: error: init_ckpt={evil}: cannot load (refused: not plain weights")
    assert "Traceback" not in run.stderr and not marker.exists()
    with pytest.raises(CheckpointError, match="refused"):  # the fit refuses it too, whoever calls it
        fit(compose_train_cfg(tmp_path, f"init_ckpt={evil}"))
    assert not marker.exists()


@pytest.mark.parametrize("content", [b"", b"\x00garbage", b"PK\x03\x04 truncated zip"])
def test_a_corrupt_ckpt_path_is_one_line_naming_the_file(tmp_path, content):
    bad = tmp_path / "last.ckpt"
    bad.write_bytes(content)
    with pytest.raises(CheckpointError) as info:
        train(compose_train_cfg(tmp_path, f"ckpt_path={bad}"))
    message = str(info.value)
    assert message.startswith(f"ckpt_path={bad}: cannot load (") and "\n" not in message
    assert not (tmp_path / "run" / "checkpoints").exists()  # refused before any training


def test_unknown_override_is_rejected_by_hydra(tmp_path):
    from hydra.errors import ConfigCompositionException

    with pytest.raises(ConfigCompositionException):
        compose_train_cfg(tmp_path, "model.bakbone=resnet18")


def test_the_export_carries_the_confidence_report_and_a_bad_one_is_refused_before_training(tmp_path):
    from coinnet.infer.confidence import ConfidenceReportError
    from coinnet.infer.predictor import Predictor
    from tests.helpers.paths import REPO

    bad = tmp_path / "confidence.json"
    bad.write_text('{"rule": "nonsense"}')
    with pytest.raises(ConfidenceReportError, match="not a confidence report") as info:
        train(compose_train_cfg(tmp_path, f"recipe.calibration.confidence={bad}"))
    assert "\n" not in str(info.value) and not (tmp_path / "run" / "checkpoints").exists()
    report = REPO / "coinnet" / "infer" / "models" / "default_confidence.json"
    result = train(compose_train_cfg(tmp_path, f"recipe.calibration.confidence={report}"))
    shipped = json.loads(report.read_text())
    predictor = Predictor(result["onnx"])
    assert predictor.confidence_rule.weights == pytest.approx(shipped["rule"]["weights"])
    assert predictor.threshold == pytest.approx(shipped["threshold"], abs=1e-4) and predictor.steady
