"""Real photos from folders in the ``labels.csv`` format of ``cents-web``: ``file,year,mint[,view,...]``.

``file`` is relative to the folder (or absolute). Empty ``year``/``mint`` mean "not legible": they are encoded
as ``labels.IGNORE_INDEX`` and masked from the loss, never treated as a class.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
from torch.utils.data import Dataset

from coinnet import labels
from coinnet.imageio import load_image, square_resize


@dataclass(frozen=True)
class RealRecord:
    path: Path
    year: int | None
    mint: str | None
    view: str


def read_labels(folder: str | Path) -> list[RealRecord]:
    """Parse ``<folder>/labels.csv``; rows with neither field known are skipped (nothing to learn).

    Raises:
        FileNotFoundError / ValueError: one line naming the file, row and reason.
    """
    folder = Path(folder).expanduser()
    csv_path = folder / "labels.csv"
    if not csv_path.is_file():
        raise FileNotFoundError(f"{csv_path}: no labels.csv in the real-data folder")
    records = []
    with csv_path.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        missing = {"file", "year", "mint"} - set(reader.fieldnames or [])
        if missing:
            raise ValueError(f"{csv_path}: missing column(s) {', '.join(sorted(missing))}")
        for line, row in enumerate(reader, start=2):
            try:
                year, mint = labels.parse_year(row["year"]), labels.parse_mint(row["mint"])
            except ValueError as exc:
                raise ValueError(f"{csv_path}:{line}: {exc}") from None
            if year is None and mint is None:
                continue
            path = Path(row["file"])
            records.append(RealRecord(path if path.is_absolute() else folder / path, year, mint, row.get("view") or ""))
    return records


class RealCoins(Dataset):
    """Labelled real photos, padded to a square and resized to ``size`` like the predictor does."""

    def __init__(self, records: list[RealRecord], size: int, transform: Callable | None = None) -> None:
        self.records, self.size, self.transform = records, size, transform

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
            # Real photos carry no digit positions: nothing supervises where the heads look.
            "points": np.zeros((len(labels.HEAD_NAMES), 2), dtype=np.float32),
            "point_mask": np.zeros(len(labels.HEAD_NAMES), dtype=bool),
        }
