"""LightningDataModule that mixes rendered coins with real labelled folders, each with a weight."""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

import albumentations as A
import lightning.pytorch as pl
import numpy as np
import torch
from torch.utils.data import ConcatDataset, DataLoader, Dataset, get_worker_info

from coinnet.data.real import RealCoins, read_labels, readable
from coinnet.data.sampling import MixedSourceSampler, kfold_split
from coinnet.data.synthetic import SyntheticCoins
from coinnet.render import RenderConfig

#: The synthetic training set is this many virtual indices; the sampler draws fresh ones each epoch.
VIRTUAL_SYNTHETIC = 10_000_000


def _compose(transforms: Sequence[Any] | None, seed: int) -> A.Compose | None:
    return A.Compose(list(transforms), seed=seed) if transforms else None


def _worker_init(worker_id: int) -> None:
    """Give every worker its own, reproducible random streams (albumentations keeps its own generator)."""
    seed = torch.initial_seed() % 2**32
    np.random.seed(seed)
    random.seed(seed)
    info = get_worker_info()
    stack: list[Dataset] = [info.dataset] if info else []
    while stack:
        ds = stack.pop()
        stack.extend(getattr(ds, "datasets", []))
        if hasattr(ds, "dataset"):
            stack.append(ds.dataset)
        if getattr(ds, "transform", None) is not None and hasattr(ds.transform, "set_random_seed"):
            ds.transform.set_random_seed(seed)


def _collate(items: list[dict]) -> dict:
    images = torch.from_numpy(np.stack([it["image"] for it in items])).permute(0, 3, 1, 2).float().div_(255.0)
    target = torch.from_numpy(np.stack([it["target"] for it in items]))
    return {
        "image": images,
        "target": target,
        "points": torch.from_numpy(np.stack([it["points"] for it in items])),
        "point_mask": torch.from_numpy(np.stack([it["point_mask"] for it in items])),
        "negative": torch.tensor([bool(it.get("negative", False)) for it in items]),
        "view": [it["view"] for it in items],
    }


class CoinDataModule(pl.LightningDataModule):
    """Synthetic + real data, from plain values (the Hydra ``data`` group maps onto these arguments).

    Args:
        input_size: side of the square images fed to the model.
        batch_size: per-device batch size.
        num_workers: loader workers (2 fits a 2-core machine: rendering overlaps the training step).
        seed: seeds splits, the source sampler and augmentations.
        epoch_size: training samples per epoch, drawn from the sources by weight.
        synthetic: ``{weight, val_size, negative_prob, render: {...RenderConfig}}`` or None to disable;
            ``negative_prob`` of the training renders are turned into no-date examples (see ``SyntheticCoins``).
        real: ``{paths: [folders], weight, folds, fold, allow_outside}`` or None; fold ``fold`` of ``folds`` is
            validation; ``allow_outside`` reads labels.csv rows naming files outside their folder. Rows with a
            label never struck and photos that do not decode are skipped, each with a warning, and counted.
        augment_synthetic / augment_real: albumentations transforms for training samples of each source.
    """

    def __init__(
        self,
        input_size: int = 128,
        batch_size: int = 64,
        num_workers: int = 2,
        seed: int = 0,
        epoch_size: int = 20_000,
        synthetic: dict | None = None,
        real: dict | None = None,
        augment_synthetic: Sequence[Any] | None = None,
        augment_real: Sequence[Any] | None = None,
    ) -> None:
        super().__init__()
        self.input_size, self.batch_size, self.num_workers, self.seed = input_size, batch_size, num_workers, seed
        self.epoch_size = epoch_size
        self.synthetic_cfg = dict(synthetic) if synthetic else None
        self.real_cfg = dict(real) if real and real.get("paths") else None
        if not self.synthetic_cfg and not self.real_cfg:
            raise ValueError("data: enable at least one source (data.synthetic or data.real.paths)")
        self.augment_synthetic, self.augment_real = augment_synthetic, augment_real
        self.train_sets: list[Dataset] = []
        self.train_weights: list[float] = []
        self.val_sets: list[Dataset] = []
        self.val_source_names: list[str] = []

    def setup(self, stage: str | None = None) -> None:
        if self.train_sets:
            return
        if self.synthetic_cfg:
            cfg = self.synthetic_cfg
            render_cfg = RenderConfig(**{**dict(cfg.get("render") or {}), "size": self.input_size})
            aug = _compose(self.augment_synthetic, self.seed)
            negative_prob = float(cfg.get("negative_prob", 0.0))
            self.train_sets.append(SyntheticCoins(render_cfg, self.seed * 2 + 1, VIRTUAL_SYNTHETIC, aug, negative_prob))
            self.train_weights.append(float(cfg.get("weight", 1.0)))
            # Validation renders with another seed: no coin is shared with training.
            self.val_sets.append(SyntheticCoins(render_cfg, self.seed * 2 + 2, int(cfg.get("val_size", 1000))))
            self.val_source_names.append("synthetic")
        if self.real_cfg:
            cfg = self.real_cfg
            outside = bool(cfg.get("allow_outside", False))
            rows = readable([r for folder in cfg["paths"] for r in read_labels(folder, outside)], self.input_size)
            folds, fold = int(cfg.get("folds") or 0), int(cfg.get("fold", 0))
            if folds:  # crops mined from one photo (its date and its no-date views) stay on one side
                train_idx, val_idx = kfold_split(len(rows), folds, fold, self.seed, groups=[r.source for r in rows])
            else:  # folds 0: every real photo trains (a final model; real accuracy comes from cross-validation)
                train_idx, val_idx = list(range(len(rows))), []
            real_train = RealCoins(
                [rows[i] for i in train_idx], self.input_size, _compose(self.augment_real, self.seed)
            )
            self.train_sets.append(real_train)
            self.train_weights.append(float(cfg.get("weight", 1.0)))
            if val_idx:
                self.val_sets.append(RealCoins([rows[i] for i in val_idx], self.input_size))
                self.val_source_names.append("real")

    def _loader(self, dataset: Dataset, **kwargs: Any) -> DataLoader:
        return DataLoader(
            dataset,
            batch_size=self.batch_size,
            num_workers=self.num_workers,
            persistent_workers=self.num_workers > 0,
            worker_init_fn=_worker_init,
            collate_fn=_collate,
            **kwargs,
        )

    def train_dataloader(self) -> DataLoader:
        sizes = [len(ds) for ds in self.train_sets]
        sampler = MixedSourceSampler(sizes, self.train_weights, self.epoch_size, self.seed)
        return self._loader(ConcatDataset(self.train_sets), sampler=sampler, drop_last=True)

    def val_dataloader(self) -> list[DataLoader]:
        return [self._loader(ds, shuffle=False) for ds in self.val_sets]
