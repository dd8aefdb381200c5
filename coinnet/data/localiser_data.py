"""Rendered photos labelled with where the date is, for the localiser (:mod:`coinnet.model.localiser`).

Each sample is a pure function of (render config, seed, index): a render (whole coin or close-up, any rotation),
then, drawn from the same seed, either a zoom-out onto a plain backdrop (a small coin in a big frame, as in
holder and phone photos) or a no-date view (a close-up of the coin away from the date), or the render as is.
The target row is ``has_date, cx, cy, angle_rad, length, mint_dx, mint_dy, has_mint``
(:func:`coinnet.model.localiser.encode_targets`) plus the date's height, for the metrics.
"""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor

import cv2
import numpy as np
import torch
from torch.utils.data import Dataset

from coinnet.render import RenderConfig, render

#: Target columns: what encode_targets reads, then the date height (fraction of the side) for the metrics.
TARGET_COLUMNS = ("has_date", "cx", "cy", "angle", "length", "mint_dx", "mint_dy", "has_mint", "height")


def _warp(image: np.ndarray, m: np.ndarray, size: int, fill: tuple[int, int, int]) -> np.ndarray:
    return cv2.warpAffine(
        image, m, (size, size), flags=cv2.INTER_AREA, borderMode=cv2.BORDER_CONSTANT, borderValue=fill
    )


def localiser_sample(cfg: RenderConfig, seed: int, index: int, zoom_prob: float, negative_prob: float):
    """(image uint8 HxWx3, target float32 row of :data:`TARGET_COLUMNS`) for one index."""
    s = render(cfg, seed, index)
    size = cfg.size
    quad = np.asarray(s.meta["date_quad"], np.float64)
    centre = quad.mean(0)
    length = float(np.linalg.norm(quad[1] - quad[0]))
    height = float(np.linalg.norm(quad[3] - quad[0]))
    mint = None
    if s.mint_box is not None:
        mb = s.mint_box
        mint = (np.array([(mb[0] + mb[2]) / 2, (mb[1] + mb[3]) / 2]) - centre) / max(length, 1e-6)
    rng = np.random.default_rng([int(seed) & 0xFFFFFFFF, int(index) & 0xFFFFFFFF, 0x10C])
    image = s.image
    u = rng.random()
    fill = tuple(int(v) for v in rng.integers(0, 256, 3))
    if u < negative_prob and s.view == "whole":
        # A close-up of the coin somewhere the date is not: its centre at least a date length away.
        for _ in range(8):
            zoom = rng.uniform(2.0, 3.5)
            spot = rng.uniform(0.2, 0.8, 2) * size
            if np.linalg.norm(spot - centre) > 0.5 * size / zoom + length:
                m = cv2.getRotationMatrix2D((float(spot[0]), float(spot[1])), 0.0, zoom)
                m[:, 2] += size / 2 - spot
                return _warp(image, m, size, fill), np.zeros(len(TARGET_COLUMNS), np.float32)
    elif u < negative_prob + zoom_prob and s.view == "whole":
        scale = rng.uniform(0.4, 0.95)
        offset = rng.uniform(0, 1 - scale, 2) * size
        m = np.array([[scale, 0, offset[0]], [0, scale, offset[1]]])
        image = _warp(image, m, size, fill)
        centre, length, height = centre * scale + offset, length * scale, height * scale
    angle = np.deg2rad(s.angle)
    row = [1.0, centre[0] / size, centre[1] / size, angle, length / size]
    row += [mint[0], mint[1], 1.0] if mint is not None else [0.0, 0.0, 0.0]
    return image, np.asarray([*row, height / size], np.float32)


def _chunk(args: tuple) -> tuple[np.ndarray, np.ndarray]:
    cfg, seed, indices, zoom_prob, negative_prob = args
    pairs = [localiser_sample(cfg, seed, i, zoom_prob, negative_prob) for i in indices]
    return np.stack([p[0] for p in pairs]), np.stack([p[1] for p in pairs])


def render_set(
    cfg: RenderConfig, seed: int, count: int, zoom_prob: float, negative_prob: float, workers: int = 2
) -> tuple[np.ndarray, np.ndarray]:
    """``count`` samples rendered up front ((N, S, S, 3) uint8, (N, 9) float32): the localiser trains for several
    epochs on one set, since rendering is as slow as a training step on a CPU."""
    chunks = [(cfg, seed, range(i, min(count, i + 256)), zoom_prob, negative_prob) for i in range(0, count, 256)]
    if workers <= 1:
        parts = [_chunk(c) for c in chunks]
    else:
        with ProcessPoolExecutor(workers) as pool:
            parts = list(pool.map(_chunk, chunks))
    return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])


class LocaliserSet(Dataset):
    """Rendered images and target rows as tensors (float in [0, 1], CHW), with a cheap colour jitter in training."""

    def __init__(self, images: np.ndarray, targets: np.ndarray, jitter: bool = False) -> None:
        self.images, self.targets, self.jitter = images, targets, jitter

    def __len__(self) -> int:
        return len(self.images)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, torch.Tensor]:
        x = torch.from_numpy(self.images[index]).permute(2, 0, 1).float() / 255.0
        if self.jitter:  # brightness, contrast and per-channel gain: the renders are reused over epochs
            gain = 1 + (torch.rand(3, 1, 1) - 0.5) * 0.3
            contrast = 1 + (torch.rand(1) - 0.5) * 0.6
            x = ((x - x.mean()) * contrast + x.mean()) * gain
            x = x.clamp(0, 1)
        return x, torch.from_numpy(self.targets[index])
