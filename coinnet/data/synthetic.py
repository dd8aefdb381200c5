"""Rendered cents, drawn on the fly: sample ``i`` is a pure function of (seed, i)."""

from __future__ import annotations

from collections.abc import Callable

import cv2
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
        negative_prob: share of samples turned into no-date examples by :func:`no_date_view` (label unknown,
            ``negative`` true): the view search shows the reader such views, and it must not read them confidently.
    """

    def __init__(
        self,
        render_cfg: RenderConfig,
        seed: int,
        length: int,
        transform: Callable | None = None,
        negative_prob: float = 0.0,
    ) -> None:
        self.cfg, self.seed, self.length, self.transform = render_cfg, seed, length, transform
        self.negative_prob = negative_prob

    def __len__(self) -> int:
        return self.length

    def __getitem__(self, index: int) -> dict:
        sample = render(self.cfg, seed=self.seed, index=int(index))
        image = sample.image
        points = head_points(sample)
        rng = np.random.default_rng((self.seed, int(index), 1))  # its own stream: renders don't change with p
        if self.negative_prob and rng.random() < self.negative_prob:
            image = no_date_view(image, rng)
            points["point_mask"][:] = False
            return {
                "image": np.ascontiguousarray(image),
                "view": sample.view,
                "negative": True,
                **points,
                "target": np.full(len(labels.HEAD_NAMES), labels.IGNORE_INDEX, dtype=np.int64),
            }
        if self.transform is not None:  # augmentations may move pixels: don't supervise where heads look
            image = self.transform(image=image)["image"]
            points["point_mask"][:] = False
        return {
            "image": np.ascontiguousarray(image),
            "target": np.asarray(labels.encode(sample.year, sample.mint), dtype=np.int64),
            "view": sample.view,
            "negative": False,
            **points,
        }


def no_date_view(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A view of a close-up that shows no upright date: turned 60-300 degrees, or shifted half a side or more.

    Black fills what falls outside, as in the predictor's views.
    """
    size = image.shape[0]
    if rng.random() < 0.5:
        angle, shift = rng.uniform(60.0, 300.0), rng.uniform(-0.15, 0.15, 2) * size
    else:
        angle, shift = (
            rng.uniform(-25.0, 25.0),
            rng.uniform(0.5, 0.8) * size * rng.choice([-1, 1], 2) * (rng.random(2) < 0.7),
        )
        if not shift.any():
            shift[0] = 0.6 * size
    m = cv2.getRotationMatrix2D((size / 2, size / 2), float(angle), 1.0)
    m[:, 2] += shift
    return cv2.warpAffine(
        image, m, (size, size), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=(0, 0, 0)
    )


def head_points(sample) -> dict[str, np.ndarray]:
    """Where each head should look, as fractions of the image side: the four digit centres and the mint mark.

    Digit ``k`` sits at ``(k + 0.5) / 4`` along the date's baseline direction, about the date box centre.
    Used only when no augmentation moved pixels (the renderer already rotates, shifts and tilts).
    """
    size = sample.image.shape[0]
    (x0, y0), (x1, y1) = sample.meta["date_line"]
    cx, cy = (sample.date_box[0] + sample.date_box[2]) / 2, (sample.date_box[1] + sample.date_box[3]) / 2
    points = np.zeros((len(labels.HEAD_NAMES), 2), dtype=np.float32)
    mask = np.zeros(len(labels.HEAD_NAMES), dtype=bool)
    for k in range(labels.NUM_DIGITS):
        f = (k + 0.5) / labels.NUM_DIGITS - 0.5
        points[k] = (cx + f * (x1 - x0), cy + f * (y1 - y0))
        mask[k] = True
    if sample.mint_box is not None:
        mb = sample.mint_box
        points[-1], mask[-1] = ((mb[0] + mb[2]) / 2, (mb[1] + mb[3]) / 2), True
    return {"points": points / size, "point_mask": mask}
