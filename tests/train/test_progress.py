"""The progress file: what the trainer writes and the desktop wizard reads (torch-free both ways)."""

from __future__ import annotations

import json

import pytest

from coinnet.train.progress import EVENTS, ProgressLog, ProgressTail, TrainState


def test_log_writes_what_the_tail_reads(tmp_path):
    log, tail = ProgressLog(tmp_path / "run" / "progress.jsonl"), ProgressTail(tmp_path / "run" / "progress.jsonl")
    for event in EVENTS:
        log.write(event, n=1)
    records = tail.read_new()
    assert [r["event"] for r in records] == list(EVENTS) and all(r["n"] == 1 and r["time"] > 0 for r in records)
    with pytest.raises(ValueError, match="unknown progress event"):
        log.write("finished")


def test_progress_tail_reads_only_complete_new_lines(tmp_path):
    path = tmp_path / "progress.jsonl"
    tail = ProgressTail(path)
    assert tail.read_new() == []  # not written yet
    with path.open("w") as fh:
        fh.write(json.dumps({"event": "start", "max_epochs": 2, "steps_per_epoch": 5}) + "\n")
        fh.write('{"event": "step", "epoch": 0, "st')  # half a record, as a reader may see it
        fh.flush()
        assert [r["event"] for r in tail.read_new()] == ["start"]
        fh.write('ep": 4, "total_steps": 10, "loss": 1.5}\nnot json\n')
    records = tail.read_new()
    assert records[0] == {"event": "step", "epoch": 0, "step": 4, "total_steps": 10, "loss": 1.5}
    assert records[1]["event"] == "garbled"
    assert tail.read_new() == []


def test_train_state_folds_records():
    state = TrainState()
    state.apply({"event": "stage", "stage": "pretrain"})  # stages before the fit are named until it starts
    assert state.summary().startswith("stage: pretrain") and not state.finished
    for record in (
        {"event": "start", "max_epochs": 2, "steps_per_epoch": 5},
        {"event": "step", "epoch": 1, "step": 6, "total_steps": 10, "loss": 0.8},
        {"event": "epoch", "epoch": 1, "metrics": {"val/year_acc": 0.25, "val/mint_acc": 0.5}},
    ):
        state.apply(record)
    assert (state.percent, state.finished) == (60, False)
    assert "epoch 2/2" in state.summary() and "year_acc 0.250" in state.summary() and "stage" not in state.summary()
    state.apply({"event": "done", "onnx": "/x/model.onnx", "metrics": {"val/year_acc": 0.3}})
    assert (state.finished, state.onnx, state.percent, state.metrics["val/year_acc"]) == (
        True,
        "/x/model.onnx",
        100,
        0.3,
    )
    failed = TrainState()
    failed.apply({"event": "error", "message": "boom"})
    assert failed.finished and failed.error == "boom" and failed.percent == 0
