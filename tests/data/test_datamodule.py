import numpy as np
import pytest
import torch
from hydra.utils import instantiate

from coinnet import labels
from coinnet.data.real import read_labels
from coinnet.data.sampling import MixedSourceSampler, kfold_split
from tests.helpers.paths import compose_train_cfg


def test_synthetic_batches_have_images_in_unit_range_and_full_labels(tmp_path):
    cfg = compose_train_cfg(tmp_path)
    dm = instantiate(cfg.data, _convert_="all")
    dm.setup("fit")
    batch = next(iter(dm.train_dataloader()))
    assert batch["image"].shape == (8, 3, 64, 64) and batch["image"].dtype == torch.float32
    assert 0.0 <= batch["image"].min() and batch["image"].max() <= 1.0
    assert (batch["target"] != labels.IGNORE_INDEX).all()
    for row in batch["target"].tolist():
        year, mint = labels.decode(row)
        assert labels.is_valid(year, mint)


def test_mixed_datamodule_reads_a_real_folder_with_partial_labels(tmp_path, tiny_real_folder):
    cfg = compose_train_cfg(
        tmp_path,
        "data=mixed",
        f"data.real.paths=[{tiny_real_folder}]",
        "data.real.weight=1.0",
        "data.synthetic.weight=0.0",
        "data.real.folds=2",
    )
    dm = instantiate(cfg.data, _convert_="all")
    dm.setup("fit")
    assert dm.val_source_names == ["synthetic", "real"]
    assert len(dm.train_sets[1]) + len(dm.val_sets[1]) == 10
    # Synthetic weight 0: every training sample comes from the real folder's training fold.
    real_targets = {tuple(labels.encode(r.year, r.mint)) for r in dm.train_sets[1].records}
    seen = torch.cat([b["target"] for b in dm.train_dataloader()])
    assert {tuple(row) for row in seen.tolist()} <= real_targets
    # The two partial rows (unknown year, unknown mint) are kept, encoded with the ignore index.
    all_records = dm.train_sets[1].records + dm.val_sets[1].records
    assert sorted((r.year is None, r.mint is None) for r in all_records)[-2:] == [(False, True), (True, False)]
    batch = next(iter(dm.val_dataloader()[1]))
    assert batch["image"].shape[1:] == (3, 64, 64)


def test_read_labels_reports_bad_rows_with_file_and_line(tmp_path):
    (tmp_path / "labels.csv").write_text("file,year,mint\na.jpg,19x5,D\n")
    with pytest.raises(ValueError, match=r"labels.csv:2: year must be four digits"):
        read_labels(tmp_path)
    with pytest.raises(ValueError, match="labels.csv: not found"):
        read_labels(tmp_path / "missing")


def test_read_labels_skips_rows_with_nothing_known(tiny_real_folder):
    (tiny_real_folder / "labels.csv").write_text("file,year,mint\nimages/coin_0.jpg,,\nimages/coin_1.jpg,1999,\n")
    records = read_labels(tiny_real_folder)
    assert [(r.year, r.mint) for r in records] == [(1999, None)]
    assert records[0].path == str(tiny_real_folder / "images/coin_1.jpg")


def test_mixed_sampler_follows_weights_and_is_seeded():
    sampler = MixedSourceSampler([1_000_000, 50], [3.0, 1.0], num_samples=4000, seed=7)
    first = list(sampler)
    share_real = np.mean(np.asarray(first) >= 1_000_000)
    assert 0.2 < share_real < 0.3
    assert list(sampler) == first
    sampler.set_epoch(1)
    assert list(sampler) != first
    with pytest.raises(ValueError, match="positive sum"):
        MixedSourceSampler([10, 0], [0.0, 1.0], 5, 0)


def test_kfold_keeps_groups_together_and_covers_everything():
    groups = [0, 0, 1, 2, 2, 2, 3, 4, 5, 5]
    vals = []
    for fold in range(3):
        train, val = kfold_split(10, 3, fold, seed=1, groups=groups)
        assert sorted(train + val) == list(range(10))
        assert not {groups[i] for i in train} & {groups[i] for i in val}
        vals += val
    assert sorted(vals) == list(range(10))


def test_real_folds_keep_a_photos_crops_together(tmp_path, tiny_real_folder, tmp_path_factory):
    from coinnet.infer.predictor import Predictor
    from coinnet.train.mine import mine
    from tests.helpers.infer import tiny_onnx

    crops = tmp_path / "crops"
    mine(tiny_real_folder, crops, Predictor(tiny_onnx(tmp_path_factory)), negatives=1)
    cfg = compose_train_cfg(tmp_path, "data=mixed", f"data.real.paths=[{crops}]", "data.real.folds=2")
    dm = instantiate(cfg.data, _convert_="all")
    dm.setup("fit")
    train_sources = {r.source for r in dm.train_sets[1].records}
    val_sources = {r.source for r in dm.val_sets[1].records}
    assert train_sources and val_sources and not train_sources & val_sources
    assert len(dm.train_sets[1]) + len(dm.val_sets[1]) == 20  # 10 date crops + 10 no-date crops
    batch = next(iter(dm.train_dataloader()))
    assert batch["negative"].dtype == torch.bool and batch["negative"].shape == (batch["image"].shape[0],)


def test_corrupt_photos_and_impossible_labels_in_a_real_folder_are_skipped_and_counted(
    tmp_path, tiny_real_folder, caplog
):
    import logging

    (tiny_real_folder / "images" / "coin_3.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    (tiny_real_folder / "images" / "coin_4.jpg").write_bytes(b"")
    with (tiny_real_folder / "labels.csv").open("a") as fh:
        fh.write("images/coin_5.jpg,2099,D,whole,yes,\n")  # a year no cent bears
    cfg = compose_train_cfg(
        tmp_path, "data=mixed", f"data.real.paths=[{tiny_real_folder}]", "data.real.folds=0", "data.synthetic=null"
    )
    dm = instantiate(cfg.data, _convert_="all")
    with caplog.at_level(logging.WARNING):
        dm.setup("fit")
    assert len(dm.train_sets[0]) == 8
    assert {r.path.rsplit("/", 1)[-1] for r in dm.train_sets[0].records}.isdisjoint({"coin_3.jpg", "coin_4.jpg"})
    messages = [r.getMessage() for r in caplog.records]
    assert any("coin_3.jpg: " in m and m.startswith("real data: skipped") for m in messages)
    assert any("real data: skipped 2 of 10 photos that cannot be decoded" in m for m in messages)
    assert any("labels.csv:12: year 2099 is outside 1909-2025; row skipped" in m for m in messages)
    batch = next(iter(dm.train_dataloader()))  # and training goes on
    assert batch["image"].shape[1:] == (3, 64, 64)
