"""Real photos from folders in the ``labels.csv`` format of ``cents-web``: ``file,year,mint[,view,...]``.

``file`` is relative to the folder (or absolute). Empty ``year``/``mint`` mean "not legible": they are encoded
as ``labels.IGNORE_INDEX`` and masked from the loss, never treated as a class.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import numpy as np
from torch.utils.data import Dataset

from coinnet import label_folder as records
from coinnet import labels
from coinnet.infer.imageio import ImageError, load_image, square_resize
from coinnet.label_folder import LabelRecord

log = logging.getLogger(__name__)


def read_labels(folder: str | Path, allow_outside: bool = False) -> list[LabelRecord]:
    """Rows of ``folder/labels.csv`` that teach something: a known field, or a no-date (reject) example.

    Rows with a label never struck, or a file outside the folder (unless ``allow_outside``), are skipped with a
    warning (:func:`coinnet.label_folder.read_labels`).

    Raises:
        LabelsError: one line naming the file, row and reason.
    """
    rows = records.read_labels(folder, allow_outside=allow_outside)
    return [r for r in rows if r.year is not None or r.mint is not None or r.no_date]


def readable(rows: list[LabelRecord], size: int) -> list[LabelRecord]:
    """The rows whose photo decodes, as training will decode it; each other one is reported in one line.

    One corrupt photo must not stop a training run hours in (predict, evaluate and mine skip such files too),
    so every photo is decoded once here, before the first batch; the count of those left out closes the report.
    """
    good = []
    for rec in rows:
        try:
            load_image(rec.path, min_side=2 * size)
        except ImageError as exc:
            log.warning("real data: skipped %s", exc)
            continue
        good.append(rec)
    if len(good) < len(rows):
        log.warning("real data: skipped %d of %d photos that cannot be decoded", len(rows) - len(good), len(rows))
    return good


class RealCoins(Dataset):
    """Labelled real photos, padded to a square and resized to ``size`` like the predictor does."""

    def __init__(self, rows: list[LabelRecord], size: int, transform: Callable | None = None) -> None:
        self.records, self.size, self.transform = rows, size, transform

    def __len__(self) -> int:
        return len(self.records)

    def __getitem__(self, index: int) -> dict:
        rec = self.records[index]
        # Resize before augmenting: augmentations then cost the same for a 1300 px and an 80 px photo.
        image = square_resize(load_image(rec.path, min_side=2 * self.size), self.size)  # decoded as the predictor does
        if self.transform is not None:
            image = self.transform(image=image)["image"]
        return {
            "image": np.ascontiguousarray(image),
            "target": np.asarray(labels.encode(rec.year, rec.mint), dtype=np.int64),
            "view": rec.view,
            "negative": rec.no_date,
            # Real photos carry no digit positions: nothing supervises where the heads look.
            "points": np.zeros((len(labels.HEAD_NAMES), 2), dtype=np.float32),
            "point_mask": np.zeros(len(labels.HEAD_NAMES), dtype=bool),
        }
