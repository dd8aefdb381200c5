"""What the predictor returns for one photo, and the results files it is written to (CSV or JSON)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from coinnet.files import atomic_write, printable

#: The columns that hold :attr:`Prediction.box`, in its (x0, y0, x1, y1) order.
BOX_COLUMNS = ("box_x0", "box_y0", "box_x1", "box_y1")

#: The columns of a results file, in order.
RESULT_COLUMNS = (
    "file",
    "year",
    "mint",
    "confidence",
    "year_confidence",
    "mint_confidence",
    "status",
    "error",
    "notes",
    "weakest",
    "runner_up",
    *BOX_COLUMNS,
    "angle",
)


@dataclass
class Prediction:
    """What the model read from one image.

    ``year``/``mint`` hold the best guess even when ``status`` is ``"unknown"`` (confidence below the
    threshold), so a UI can still show it; both are None for ``"error"``, with the reason in ``error``.
    ``box`` is the date's box (x0, y0, x1, y1) in image pixels, where the reader looked (None on error, and for
    older models without an attention output unless the reading came from a crop of a whole coin).
    ``quad`` is the date's rotated rectangle in image pixels, its 4 corners top-left, top-right, bottom-right,
    bottom-left of the upright date, and ``angle`` the date's baseline in degrees (0 = upright, counter-clockwise
    positive, as :attr:`coinnet.render.RenderedCoin.angle`); both None where only an axis-aligned box is known.
    Why a reading may be wrong: ``weakest`` names the least sure head and its probability (``"digit 4 (0.62)"``,
    ``"mint (0.55)"``), ``runner_up`` the next most voted reading and its share of the vote against the answer
    (``"1956-D (0.18)"``); ``signals`` are what the confidence was computed from (:mod:`coinnet.infer.confidence`).
    """

    file: str
    year: int | None = None
    mint: str | None = None
    confidence: float = 0.0
    year_confidence: float = 0.0
    mint_confidence: float = 0.0
    status: str = "error"
    error: str = ""
    notes: str = ""
    weakest: str = ""
    runner_up: str = ""
    box: tuple[float, float, float, float] | None = None
    angle: float | None = None
    quad: tuple[tuple[float, float], ...] | None = None
    signals: dict[str, float] | None = None

    def as_row(self) -> dict:
        """Exactly :data:`RESULT_COLUMNS`, in order; unknown fields are None.

        Probabilities are rounded to 4 decimals, box pixels and the angle to 1 (finer means nothing for a box
        drawn from attention peaks).
        """
        row = {name: getattr(self, name) for name in RESULT_COLUMNS if name not in BOX_COLUMNS}
        for key in ("confidence", "year_confidence", "mint_confidence"):
            row[key] = round(float(row[key]), 4)
        row.update(zip(BOX_COLUMNS, (None,) * 4 if self.box is None else map(_tenths, self.box)))
        row["angle"] = None if self.angle is None else _tenths(self.angle)
        return {name: row[name] for name in RESULT_COLUMNS}


def _tenths(value: float) -> float:
    # + 0.0 turns a -0.0 (a small negative rounded) into 0.0, which files and tables show without the sign.
    return round(float(value), 1) + 0.0


def _csv_text(rows: list[dict]) -> str:
    # The csv module's own line end (CRLF, RFC 4180): with "\n" it leaves a field holding a bare "\r" unquoted,
    # and a file name with a carriage return split its row in two.
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=RESULT_COLUMNS)
    writer.writeheader()
    writer.writerows({k: "" if v is None else v for k, v in row.items()} for row in rows)
    return buffer.getvalue()


def write_results(predictions: Sequence[Prediction], path: str | Path) -> Path:
    """Write one row per prediction to ``.csv`` or ``.json`` (by suffix), atomically.

    An existing file is either left as it was or fully replaced, never half-written (:mod:`coinnet.files`).

    Raises:
        ValueError: the suffix is neither ``.csv`` nor ``.json``.
        OSError: the folder can't be written.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    # A file name that is not UTF-8 on disk is written with its odd bytes as \xNN, so the file stays valid UTF-8.
    rows = [{k: printable(v) if isinstance(v, str) else v for k, v in p.as_row().items()} for p in predictions]
    if suffix == ".csv":
        text = _csv_text(rows)
    elif suffix == ".json":
        text = json.dumps(rows, indent=1) + "\n"
    else:
        raise ValueError(f"{path}: output must end in .csv or .json")
    return atomic_write(path, text)
