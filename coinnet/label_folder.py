"""``labels.csv`` folders (the format of ``cents-web``): the one reader and writer for training, evaluation,
mining and the desktop app's review (no torch).

Columns: ``file,year,mint[,view,legible,notes]``; ``file`` relative to the folder or absolute. An empty ``year``
or ``mint`` means "not legible" (None here), never a class.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from coinnet import labels
from coinnet.files import atomic_write

REQUIRED_COLUMNS = ("file", "year", "mint")
#: The columns coinnet writes, in order.
COLUMNS = ("file", "year", "mint", "view", "legible", "notes")
#: ``notes`` of a crop made by ``coinnet.train.mine`` start with this, then the source photo's path.
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
        return self.notes[len(MINED_FROM) :] if self.notes.startswith(MINED_FROM) else self.path


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


def read_rows(folder: str | Path) -> list[dict[str, str]]:
    """The raw rows of ``folder/labels.csv`` as :data:`COLUMNS` dicts (empty list when there is none yet).

    Raises:
        LabelsError: a required column is missing.
    """
    csv_path = Path(folder) / "labels.csv"
    if not csv_path.exists():
        return []
    with csv_path.open(newline="", encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise LabelsError(f"{csv_path}: missing column(s) {', '.join(missing)}")
        return [{col: (row.get(col) or "") for col in COLUMNS} for row in reader]


def write_rows(folder: str | Path, rows: Iterable[dict]) -> Path:
    """Write ``folder/labels.csv`` (:data:`COLUMNS`) atomically; returns its path."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS)
    writer.writeheader()
    writer.writerows(rows)
    return atomic_write(Path(folder) / "labels.csv", buffer.getvalue())
