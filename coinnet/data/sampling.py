"""Sampling helpers: mixing sources by weight, and seeded train/val splits."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np
from torch.utils.data import Sampler


class MixedSourceSampler(Sampler[int]):
    """Draws ``num_samples`` indices into a ``ConcatDataset`` of sources, picking each source by weight.

    The draw is a pure function of (seed, epoch): Lightning calls :meth:`set_epoch`, so every epoch sees
    different samples (the synthetic source is a huge virtual range) yet two runs with one seed match.
    """

    def __init__(self, sizes: Sequence[int], weights: Sequence[float], num_samples: int, seed: int) -> None:
        if len(sizes) != len(weights) or not sizes:
            raise ValueError("MixedSourceSampler needs one weight per source")
        w = np.asarray(weights, dtype=float) * (np.asarray(sizes) > 0)
        if (w < 0).any() or w.sum() <= 0:
            raise ValueError(
                f"source weights must be >= 0 with a positive sum over non-empty sources, got {list(weights)}"
            )
        self.sizes, self.p, self.num_samples, self.seed, self.epoch = list(sizes), w / w.sum(), num_samples, seed, 0
        self.offsets = np.concatenate([[0], np.cumsum(self.sizes)[:-1]])

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch

    def __len__(self) -> int:
        return self.num_samples

    def __iter__(self) -> Iterator[int]:
        rng = np.random.default_rng([self.seed, self.epoch])
        src = rng.choice(len(self.sizes), size=self.num_samples, p=self.p)
        local = np.floor(rng.random(self.num_samples) * np.asarray(self.sizes)[src]).astype(np.int64)
        yield from (self.offsets[src] + local).tolist()


def kfold_split(
    n: int, folds: int, fold: int, seed: int, groups: Sequence[int] | None = None
) -> tuple[list[int], list[int]]:
    """Indices (train, val) of fold ``fold`` of ``folds``; items sharing a group never straddle the split."""
    if not 0 <= fold < folds or folds < 2:
        raise ValueError(f"need 0 <= fold < folds and folds >= 2, got fold={fold}, folds={folds}")
    groups = list(range(n)) if groups is None else list(groups)
    unique = sorted(set(groups))
    order = np.random.default_rng(seed).permutation(len(unique))
    val_groups = {unique[i] for i in order[fold::folds]}
    val = [i for i in range(n) if groups[i] in val_groups]
    train = [i for i in range(n) if groups[i] not in val_groups]
    return train, val
