"""Results files: the box and angle columns survive a CSV and a JSON round trip, and stay empty when unknown."""

from __future__ import annotations

import csv
import json

import pytest

from coinnet.infer.results import RESULT_COLUMNS, Prediction, write_results

BOXED = Prediction(
    "boxed.jpg",
    1955,
    "D",
    0.91234,
    0.95,
    0.96,
    "ok",
    box=(10.04, 20.06, 110.5, 60.449),
    angle=-0.04,  # rounds to 0.0, not -0.0
    quad=((10.0, 30.0), (110.0, 20.0), (110.0, 60.0), (10.0, 60.0)),
)
PLAIN = Prediction("plain.jpg", error="cannot identify image file")


def test_box_columns_follow_the_existing_ones():
    assert RESULT_COLUMNS[:11] == ("file", "year", "mint", "confidence", "year_confidence", "mint_confidence",
                                   "status", "error", "notes", "weakest", "runner_up")  # fmt: skip
    assert RESULT_COLUMNS[11:] == ("box_x0", "box_y0", "box_x1", "box_y1", "angle")
    row = BOXED.as_row()
    assert list(row) == list(RESULT_COLUMNS)  # the quad is not a column: it stays in memory for the app
    assert [row[k] for k in RESULT_COLUMNS[11:]] == [10.0, 20.1, 110.5, 60.4, 0.0]
    assert str(row["angle"]) == "0.0" and row["confidence"] == 0.9123
    assert [PLAIN.as_row()[k] for k in RESULT_COLUMNS[11:]] == [None] * 5


def test_box_only_leaves_the_angle_empty():
    row = Prediction("b.jpg", 1999, "none", status="ok", box=(1, 2, 3, 4)).as_row()
    assert (row["box_x0"], row["box_y1"], row["angle"]) == (1.0, 4.0, None)


@pytest.mark.parametrize("suffix", [".csv", ".json"])
def test_round_trip(tmp_path, suffix):
    out = write_results([BOXED, PLAIN], tmp_path / f"results{suffix}")
    if suffix == ".json":
        assert json.loads(out.read_text(encoding="utf-8")) == [BOXED.as_row(), PLAIN.as_row()]
        return
    with out.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        boxed, plain = list(reader)
    assert tuple(reader.fieldnames) == RESULT_COLUMNS
    assert [boxed[k] for k in RESULT_COLUMNS[11:]] == ["10.0", "20.1", "110.5", "60.4", "0.0"]
    assert [plain[k] for k in RESULT_COLUMNS[11:]] == [""] * 5
    assert boxed["year"] == "1955" and plain["status"] == "error"
