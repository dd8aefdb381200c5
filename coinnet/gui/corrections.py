"""Save reviewed labels to a dataset folder in the ``cents-web`` format (pure Python, no Qt; :mod:`coinnet.label_folder`).

A folder holds ``labels.csv`` (``file,year,mint,view,legible,notes``, ``file`` relative to the folder) and
``images/``. Training reads such a folder as a real-data source (``data.real.paths=[FOLDER]``).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from coinnet import labels
from coinnet.files import atomic_copy
from coinnet.label_folder import merge_rows

#: ``whole``/``holder`` as in cents-web; ``closeup`` for microscope shots of the date area.
VIEWS = ("whole", "holder", "closeup")


@dataclass(frozen=True)
class Correction:
    """A label the user confirmed for one image file.

    Attributes:
        source: the image file to copy into the dataset.
        year: the year, or None when it cannot be read.
        mint: one of ``labels.MINTS``, or None when it cannot be read.
        view: how the coin was shot (see :data:`VIEWS`).
        notes: free text.
    """

    source: Path
    year: int | None
    mint: str | None
    view: str = "whole"
    notes: str = ""


def parse_label(year_text: str, mint_text: str) -> tuple[int | None, str | None]:
    """Validate what the user typed; empty means unknown.

    Raises:
        ValueError: a one-line reason (malformed, out of range, a pair never struck, or nothing known).
    """
    year = labels.parse_year(year_text)
    mint = labels.parse_mint(mint_text)
    if year is not None and not labels.YEAR_MIN <= year <= labels.YEAR_MAX:
        raise ValueError(f"year must be between {labels.YEAR_MIN} and {labels.YEAR_MAX}, got {year}")
    if year is not None and mint is not None and not labels.is_valid(year, mint):
        mark = "no mint mark" if mint == "none" else f"mint mark {mint}"
        raise ValueError(f"no {year} cent was struck with {mark}")
    if year is None and mint is None:
        raise ValueError("year and mint are both empty: nothing to learn from")
    return year, mint


def content_name(source: Path) -> str:
    """``<first 16 hex of the md5>.<ext>`` as in cents-web: names carry no label and duplicates collapse."""
    digest = hashlib.md5(source.read_bytes()).hexdigest()[:16]
    suffix = source.suffix.lower() or ".png"
    return f"{digest}{'.jpg' if suffix == '.jpeg' else suffix}"


def save_corrections(folder: str | Path, corrections: list[Correction]) -> list[str]:
    """Copy the images into ``folder/images/`` and add or update their rows in ``folder/labels.csv``.

    Existing rows are kept (a row for the same image is replaced, its extra columns kept): the rows are merged
    into the file under its lock (:func:`coinnet.label_folder.merge_rows`), so two windows or processes saving
    into one folder lose nothing; ``labels.csv`` is written atomically.

    Returns:
        The ``file`` value (relative to the folder) of each correction, in order.
    """
    folder = Path(folder)
    (folder / "images").mkdir(parents=True, exist_ok=True)
    rows, written = [], []
    for corr in corrections:
        source = Path(corr.source)
        if not source.is_file():
            raise FileNotFoundError(f"{source}: image file not found")
        rel = f"images/{content_name(source)}"
        target = folder / rel
        if not target.exists():
            atomic_copy(source, target)
        known = corr.year is not None and corr.mint is not None
        rows.append(
            {
                "file": rel,
                "year": "" if corr.year is None else str(corr.year),
                "mint": corr.mint or "",
                "view": corr.view,
                "legible": "yes" if known else "partial",
                "notes": " ".join(corr.notes.split()),  # no line breaks (a bare CR too) in a CSV field
            }
        )
        written.append(rel)
    merge_rows(folder, rows)
    return written
