"""Tools ▸ Train model: the wizard runs a trainer process, follows progress.jsonl and switches the model."""

from __future__ import annotations

import os
import sys
import textwrap
from pathlib import Path

os.environ["QT_QPA_PLATFORM"] = "offscreen"  # before any Qt import

import pytest  # noqa: E402

import coinnet.gui.train_wizard as train_wizard  # noqa: E402
from coinnet.gui.train_progress import train_command  # noqa: E402

# Stands in for `python -m coinnet.train`: records its arguments, then writes the progress contract.
FAKE_TRAINER = textwrap.dedent("""
    import json, os, sys, time
    run_dir = next(a.split("=", 1)[1] for a in sys.argv[1:] if a.startswith("hydra.run.dir="))
    os.makedirs(run_dir, exist_ok=True)
    open(os.path.join(run_dir, "argv.json"), "w").write(json.dumps(sys.argv[1:]))
    print("fake trainer starting", flush=True)
    records = [
        {"event": "start", "max_epochs": 2, "steps_per_epoch": 4, "total_steps": 8},
        {"event": "step", "epoch": 0, "step": 4, "total_steps": 8, "loss": 2.0},
        {"event": "epoch", "epoch": 0, "metrics": {"val/year_acc": 0.1, "val/mint_acc": 0.4}},
        {"event": "step", "epoch": 1, "step": 8, "total_steps": 8, "loss": 1.0},
        {"event": "epoch", "epoch": 1, "metrics": {"val/year_acc": 0.2, "val/mint_acc": 0.5}},
        {"event": "done", "onnx": os.environ["FAKE_ONNX"], "best_ckpt": "", "metrics": {"val/year_acc": 0.2}},
    ]
    with open(os.path.join(run_dir, "progress.jsonl"), "a") as fh:
        for record in records:
            fh.write(json.dumps(record) + "\\n")
            fh.flush()
            time.sleep(0.15)
    sys.exit(int(os.environ.get("FAKE_EXIT", "0")))
""")


def _configure(wizard, run_dir: Path, epochs: str, epoch_size: str, extra: str = "") -> None:
    wizard.data_page.epoch_size.setCurrentText(epoch_size)
    wizard.model_page.backbone.setCurrentText("mobilenetv3_small_100")
    wizard.model_page.epochs.setCurrentText(epochs)
    wizard.model_page.run_dir.setText(str(run_dir))
    wizard.model_page.extra.setText(extra)


@pytest.fixture
def fake_trainer(tmp_path, monkeypatch, second_model):
    script = tmp_path / "fake_trainer.py"
    script.write_text(FAKE_TRAINER)
    monkeypatch.setenv("FAKE_ONNX", str(second_model))
    # The real command line, with the module swapped for the script (the arguments are what is tested).
    monkeypatch.setattr(
        train_wizard,
        "train_command",
        lambda overrides, run_dir: [sys.executable, str(script), *train_command(overrides, run_dir)[3:]],
    )
    return script


def test_wizard_follows_progress_and_switches_model(qtbot, window, fake_trainer, second_model, tmp_path):
    import json

    wizard = window.open_train_wizard()
    folder = tmp_path / "real"
    folder.mkdir()
    wizard.data_page.add_folder(str(folder))
    assert wizard.data_page.real_folders() == [] and "labels.csv" in wizard.data_page.warning.text()
    (folder / "labels.csv").write_text("file,year,mint\n")
    wizard.data_page.add_folder(str(folder))
    _configure(wizard, tmp_path / "run", "2", "64")
    wizard.next()
    with qtbot.waitSignal(wizard.model_ready, timeout=20_000) as blocker:
        wizard.next()  # the commit page's "Train"
    assert blocker.args == [str(second_model)]
    assert window.predictor.model_path == second_model
    page = wizard.run_page
    assert page.progress.value() == 100 and page.isComplete()
    assert "year_acc 0.200" in page.metrics.text() and "step 8/8" in page.summary.text()
    qtbot.waitUntil(lambda: "fake trainer starting" in page.log.toPlainText(), timeout=5000)
    argv = json.loads((tmp_path / "run" / "argv.json").read_text())
    assert "model.backbone=mobilenetv3_small_100" in argv and "data.epoch_size=64" in argv
    # Real photos are mined (date crops found by the freshly trained reader) before fine-tuning on them.
    pretrain = next(a for a in argv if a.startswith("recipe.pretrain=["))
    assert all(
        o in pretrain for o in ("model.backbone=mobilenetv3_small_100", "trainer.max_epochs=2", "data.epoch_size=64")
    )
    assert f"recipe.mine={{data:[{folder}],negatives:1,rounds:2}}" in argv
    wizard.accept()
    assert window.settings.text_list("train/real_folders") == [str(folder)]


def test_wizard_reports_a_failed_run_and_keeps_the_model(qtbot, window, fake_trainer, monkeypatch, tmp_path):
    monkeypatch.setenv("FAKE_EXIT", "3")
    before = window.predictor.model_path
    wizard = window.open_train_wizard()
    _configure(wizard, tmp_path / "run", "1", "32")
    wizard.next()
    wizard.next()
    qtbot.waitUntil(lambda: wizard.run_page.isComplete(), timeout=20_000)
    assert "exited with code 3" in wizard.run_page.result.text()
    assert window.predictor.model_path == before


def test_wizard_cancel_kills_the_trainer(qtbot, window, fake_trainer, monkeypatch, tmp_path):
    wizard = window.open_train_wizard()
    _configure(wizard, tmp_path / "run", "1", "32")
    wizard.next()
    wizard.next()
    qtbot.waitUntil(lambda: wizard.job.is_running(), timeout=10_000)
    wizard.cancel_training()
    qtbot.waitUntil(lambda: wizard.run_page.isComplete(), timeout=10_000)
    assert "cancelled" in wizard.run_page.result.text()
    assert not wizard.job.is_running()


@pytest.mark.slow
@pytest.mark.timeout(180)
def test_wizard_real_smoke_training_switches_model(qtbot, window, tmp_path):
    """A real `python -m coinnet.train experiment=smoke` run, a few steps at 64 px."""
    wizard = window.open_train_wizard()
    _configure(wizard, tmp_path / "run", "1", "32", extra="experiment=smoke threads=1")
    wizard.next()
    with qtbot.waitSignal(wizard.model_ready, timeout=150_000) as blocker:
        wizard.next()
    onnx = Path(blocker.args[0])
    assert onnx.is_file() and onnx.parent == (tmp_path / "run").resolve()
    assert window.predictor.model_path == onnx
    assert window.predictor.metadata["backbone"] == "mobilenetv3_small_100"
    assert wizard.run_page.progress.value() == 100
