"""End-to-end: the real config, shrunk, trains, logs to MLflow, exports, resumes."""

import json

import mlflow
import pytest
from mlflow.tracking import MlflowClient

from coinnet.tracking import store_uris
from coinnet.train import train
from tests.conftest import compose_train_cfg


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
    events = _events(run_dir)
    assert events[0]["event"] == "start" and events[-1]["event"] == "done"
    assert any(e["event"] == "epoch" and "val/year_acc" in e["metrics"] for e in events)

    tracking_uri, _ = store_uris(tmp_path / "outputs")
    client = MlflowClient(tracking_uri)
    run = client.get_run(result["mlflow_run_id"])
    assert run.data.params["model/backbone"] == "mobilenetv3_small_050"
    assert "val/year_acc" in run.data.metrics and "train/loss" in run.data.metrics
    artifacts = {a.path for a in client.list_artifacts(run.info.run_id)}
    assert {"config.yaml", "model.onnx", "plots", "checkpoints"} <= artifacts
    plots = {a.path for a in client.list_artifacts(run.info.run_id, "plots")}
    assert "plots/confusion_mint.png" in plots and "plots/val_predictions.png" in plots

    # Resume from last.ckpt for one more epoch: same MLflow run, epoch 1 gets trained.
    resumed = compose_train_cfg(
        tmp_path, "logger=mlflow", "trainer.max_epochs=2", f"ckpt_path={run_dir / 'checkpoints' / 'last.ckpt'}",
        f"paths.run_dir={tmp_path / 'run2'}",
    )
    result2 = train(resumed)
    assert result2["mlflow_run_id"] == result["mlflow_run_id"]
    epochs = [e["epoch"] for e in _events(tmp_path / "run2") if e["event"] == "epoch"]
    assert epochs == [1]
    history = client.get_metric_history(run.info.run_id, "val/year_acc")
    assert len(history) >= 2
    mlflow.set_tracking_uri(None)


def test_same_seed_same_metrics(tmp_path):
    a = train(compose_train_cfg(tmp_path / "a", "export=false"))
    b = train(compose_train_cfg(tmp_path / "b", "export=false"))
    assert a["val/loss"] == b["val/loss"] and a["val/year_acc"] == b["val/year_acc"]


def test_unknown_override_is_rejected_by_hydra(tmp_path):
    from hydra.errors import ConfigCompositionException

    with pytest.raises(ConfigCompositionException):
        compose_train_cfg(tmp_path, "model.bakbone=resnet18")
