"""The CLI in other processes: DDP with 2 CPU processes (gloo), and a Hydra multirun sweep."""

import json
import os
import subprocess
import sys

import pytest

from tests.helpers.paths import REPO


@pytest.mark.slow
def test_ddp_two_cpu_processes(tmp_path):
    run_dir = tmp_path / "run"
    cmd = [
        sys.executable,
        "-m",
        "coinnet.train",
        "experiment=smoke",
        "trainer=ddp",
        "trainer.devices=2",
        "export=false",
        f"paths.run_dir={run_dir}",
        f"paths.outputs={tmp_path / 'outputs'}",
        "data.epoch_size=32",
        "trainer.max_epochs=1",
    ]
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "MASTER_PORT": "29561"}
    proc = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "distributed_backend=gloo" in proc.stderr + proc.stdout
    events = [json.loads(line) for line in (run_dir / "progress.jsonl").read_text().splitlines()]
    # Rank 0 alone writes the progress file; each process saw half of the 32 samples (2 steps of 8).
    assert events[0]["event"] == "start" and events[0]["steps_per_epoch"] == 2
    assert events[-1]["event"] == "done"


@pytest.mark.slow
def test_multirun_sweep_logs_one_mlflow_run_per_job(tmp_path):
    from mlflow.tracking import MlflowClient

    from coinnet.train.tracking import store_uris

    cmd = [
        sys.executable,
        "-m",
        "coinnet.train",
        "-m",
        "experiment=smoke",
        "logger=mlflow",
        "export=false",
        f"paths.outputs={tmp_path / 'outputs'}",
        "model.backbone=mobilenetv3_small_050,mobilenetv3_small_075",
    ]
    proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    client = MlflowClient(store_uris(tmp_path / "outputs")[0])
    runs = client.search_runs([client.get_experiment_by_name("coinnet").experiment_id])
    assert sorted(r.data.params["model/backbone"] for r in runs) == ["mobilenetv3_small_050", "mobilenetv3_small_075"]
    assert all("val/year_acc" in r.data.metrics for r in runs)
