"""``labels.csv`` folders (the format of ``cents-web``): one parser for training, evaluation and mining (no torch).

Columns: ``file,year,mint[,view,legible,notes]``; ``file`` relative to the folder or absolute. An empty ``year``
or ``mint`` means "not legible" (None here), never a class.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from coinnet import labels

REQUIRED_COLUMNS = ("file", "year", "mint")
#: ``notes`` of a crop made by ``coinnet.mine`` start with this, then the source photo's path.
MINED_FROM = "mined from "


class LabelsError(ValueError):
    """A labels.csv that cannot be used; the message is one line naming the file (and line) and the reason."""


@dataclass(frozen=True)
class LabelRecord:
    """One labelled photo."""

    path: str
    year: int | None
    mint: str | None
    view: str = ""
    legible: str = ""
    notes: str = ""

    @property
    def no_date(self) -> bool:
        """The image shows no readable date (:data:`coinnet.labels.NO_DATE`): a reject example for training."""
        return self.legible == labels.NO_DATE

    @property
    def source(self) -> str:
        """The original photo: a mined crop's source (from ``notes``), else the file itself; k-fold groups."""
        return self.notes[len(MINED_FROM):] if self.notes.startswith(MINED_FROM) else self.path


def read_labels(folder: str | Path, limit: int | None = None) -> list[LabelRecord]:
    """The rows of ``folder/labels.csv`` (the first ``limit``), paths resolved against the folder."""
    folder = Path(folder).expanduser()
    csv_path = folder / "labels.csv"
    if not csv_path.is_file():
        raise LabelsError(f"{csv_path}: not found (a real-data folder must hold labels.csv)")
    with csv_path.open(newline="", encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise LabelsError(f"{csv_path}: missing column(s) {', '.join(missing)}")
        records = []
        for line, row in enumerate(reader, start=2):
            if limit is not None and len(records) >= limit:
                break
            try:
                year, mint = labels.parse_year(row["year"]), labels.parse_mint(row["mint"])
            except ValueError as exc:
                raise LabelsError(f"{csv_path}:{line}: {exc}") from None
            file = Path((row["file"] or "").strip())
            if not str(file) or str(file) == ".":
                raise LabelsError(f"{csv_path}:{line}: empty file name")
            path = file if file.is_absolute() else folder / file
            extra = {k: (row.get(k) or "").strip() for k in ("view", "legible", "notes")}
            records.append(LabelRecord(str(path), year, mint, **extra))
    return records
