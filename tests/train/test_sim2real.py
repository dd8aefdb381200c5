"""scripts/sim2real.py: renders-only training by wall clock, then the default predictor on a labels.csv folder."""

from __future__ import annotations

import csv
import importlib.util
import json
import subprocess
import sys

from tests.helpers.paths import REPO

SCRIPT = REPO / "scripts" / "sim2real.py"
# experiment=synthetic_only shrunk to seconds (conf/experiment/smoke.yaml): model=tiny must win over its lite0.
TINY = [
    *("--override", "model=tiny", "--override", "logger=none", "--override", "data.num_workers=0"),
    *(
        "--override",
        "data.batch_size=8",
        "--override",
        "data.epoch_size=32",
        "--override",
        "data.synthetic.val_size=16",
    ),
    *("--override", "trainer.enable_progress_bar=false", "--override", "trainer.log_every_n_steps=1"),
]


def _script():
    spec = importlib.util.spec_from_file_location("sim2real", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_trains_by_the_clock_reads_the_folder_and_prints_one_summary(tmp_path, capsys):
    out = tmp_path / "out"
    data = REPO / "examples"
    assert _script().main(["--data", str(data), "--minutes", "0.05", "--out", str(out), "--seed", "7", *TINY]) == 0
    rows = list(csv.DictReader((out / "predictions.csv").open(newline="")))
    assert len(rows) == 12
    result = json.loads((out / "metrics.json").read_text())
    year = result["overall"]["year"]["accuracy"]
    assert isinstance(year, float) and 0.0 <= year <= 1.0
    assert (
        result["seed"] == 7 and result["minutes"] == 0.05 and result["model"] == str(out.resolve() / "run/model.onnx")
    )
    config = (out / "run" / "config.yaml").read_text()
    assert "max_time: 00:00:00:03" in config and "backbone: mobilenetv3_small_050" in config and "real: null" in config
    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert last.startswith(f"sim2real: {data} n=12 year ") and "0.05 min, seed 7" in last


def test_a_folder_without_labels_is_one_line_and_exit_2(tmp_path):
    cmd = [sys.executable, str(SCRIPT), "--data", str(tmp_path), "--minutes", "1", "--out", str(tmp_path / "o")]
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO, timeout=60)
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1 and "labels.csv" in done.stderr
    assert not (tmp_path / "o").exists()


def test_minutes_must_be_positive(tmp_path, capsys):
    argv = ["--data", str(REPO / "examples"), "--minutes", "0", "--out", str(tmp_path / "o")]
    assert _script().main(argv) == 2
    assert capsys.readouterr().err.strip().splitlines() == ["sim2real: error: --minutes must be > 0, got 0.0"]
