"""One command builds the shipped model: pretrain -> mine -> fine-tune -> export with calibration (shrunk)."""

import csv
import json
import os

import onnx

from coinnet.labels import NO_DATE
from coinnet.train.recipe import train
from tests.helpers.paths import compose_train_cfg


def test_pretrain_mine_two_rounds_finetune_in_one_run_and_reuse_finished_stages(tmp_path, tiny_real_folder):
    cfg = compose_train_cfg(
        tmp_path,
        "data=mixed",
        "data.real.paths=[]",
        "data.real.folds=0",
        "data.synthetic.negative_prob=0.25",
        "model.negative_weight=1.0",
        'recipe.pretrain=["experiment=smoke"]',
        f"recipe.mine={{data:{tiny_real_folder},negatives:1,rounds:2}}",
        "recipe.calibration.temperature=1.25",
        "recipe.calibration.threshold=0.7",
    )
    result = train(cfg)
    run = tmp_path / "run"
    pretrained = run / "pretrain" / "checkpoints" / "best.ckpt"
    assert pretrained.is_file() and (run / "pretrain" / "model.onnx").is_file()
    rows = list(csv.DictReader((run / "mined" / "0" / "labels.csv").open()))
    # One date crop and one no-date crop per labelled photo, both naming their source photo.
    assert len(rows) == 20 and sum(r["legible"] == NO_DATE for r in rows) == 10
    assert all(r["notes"].startswith("mined from ") for r in rows)
    # The wizard hears each stage before the run's own fit starts.
    events = [json.loads(line) for line in (run / "progress.jsonl").read_text().splitlines()]
    stages = [e["stage"] for e in events if e["event"] == "stage"]
    assert stages == ["pretrain", "mine", "round 1", "mine, round 2"]
    assert [e["event"] for e in events].index("start") > max(i for i, e in enumerate(events) if e["event"] == "stage")
    # Round 2: a reader fine-tuned on the first crops mined the photos again; the final fit uses those crops.
    assert (run / "round1" / "model.onnx").is_file() and (run / "mined_round2" / "0" / "labels.csv").is_file()
    saved = (run / "config.yaml").read_text()
    assert f"init_ckpt: {pretrained}" in saved and str(run / "mined_round2" / "0") in saved
    assert str(run / "mined" / "0") not in saved
    meta = {p.key: p.value for p in onnx.load(result["onnx"]).metadata_props}
    assert (float(meta["temperature"]), float(meta["threshold"])) == (1.25, 0.7)

    # The same command again (e.g. after a crash) reuses the finished stages instead of redoing them.
    stamp = os.stat(pretrained).st_mtime_ns
    cfg = compose_train_cfg(
        tmp_path,
        "data=mixed",
        "data.real.paths=[]",
        "data.real.folds=0",
        'recipe.pretrain=["experiment=smoke"]',
        f"recipe.mine={{data:{tiny_real_folder},negatives:1}}",
    )
    train(cfg)
    assert os.stat(pretrained).st_mtime_ns == stamp
