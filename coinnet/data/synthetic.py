"""Rendered cents, drawn on the fly: sample ``i`` is a pure function of (seed, i)."""

from __future__ import annotations

from typing import Callable

import numpy as np
from torch.utils.data import Dataset

from coinnet import labels
from coinnet.render import RenderConfig, render


class SyntheticCoins(Dataset):
    """A virtual dataset of ``length`` rendered coins.

    Args:
        render_cfg: renderer settings (its ``size`` should equal the model's input size).
        seed: base seed; train and val use different seeds so they never share a sample.
        length: number of indices; training draws from a large virtual range so every epoch sees new coins.
        transform: optional ``fn(image=np.ndarray) -> {"image": np.ndarray}`` (an albumentations pipeline).
    """

    def __init__(self, render_cfg: RenderConfig, seed: int, length: int, transform: Callable | None = None) -> None:
        self.cfg, self.seed, self.length, self.transform = render_cfg, seed, length, transform

    def __len__(self) -> int:
        return self.length

    def __getitem__(self, index: int) -> dict:
        sample = render(self.cfg, seed=self.seed, index=int(index))
        image = sample.image
        if self.transform is not None:
            image = self.transform(image=image)["image"]
        return {
            "image": np.ascontiguousarray(image),
            "target": np.asarray(labels.encode(sample.year, sample.mint), dtype=np.int64),
            "view": sample.view,
        }
