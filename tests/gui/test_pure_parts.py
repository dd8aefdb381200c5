"""The desktop app's parts that need no window: corrections folders, the training command, the results table."""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ["QT_QPA_PLATFORM"] = "offscreen"

import pytest  # noqa: E402

from coinnet import labels  # noqa: E402
from coinnet.gui.corrections import Correction, parse_label, save_corrections  # noqa: E402
from coinnet.gui.train_progress import train_command, train_overrides  # noqa: E402
from coinnet.label_folder import read_rows  # noqa: E402


@pytest.mark.parametrize(
    ("year", "mint", "expected"),
    [("1955", "D", (1955, "D")), (" 2017 ", "P", (2017, "P")), ("", "S", (None, "S")), ("1943", "", (1943, None))],
)
def test_parse_label_accepts_struck_pairs_and_unknowns(year, mint, expected):
    assert parse_label(year, mint) == expected
    if None not in expected:
        assert labels.is_valid(*expected)


@pytest.mark.parametrize(
    ("year", "mint", "reason"),
    [
        ("2017", "none", "no 2017 cent"),
        ("1995", "W", "mint mark W"),
        ("1800", "", "between"),
        ("19x5", "D", "four digits"),
        ("", "", "both empty"),
        ("1990", "X", "mint must be"),
    ],
)
def test_parse_label_rejects_with_a_reason(year, mint, reason):
    with pytest.raises(ValueError, match=reason):
        parse_label(year, mint)


def _image(path: Path, value: int) -> Path:
    from PIL import Image

    Image.new("RGB", (20, 10), (value, 0, 0)).save(path)
    return path


def test_save_corrections_keeps_rows_and_updates_in_place(tmp_path):
    folder = tmp_path / "dataset"
    (folder / "images").mkdir(parents=True)
    _image(folder / "images" / "old.png", 1)
    with (folder / "labels.csv").open("w", newline="") as fh:
        fh.write("file,year,mint,view,legible,notes\nimages/old.png,1909,S,whole,yes,kept\n")
    a, b = _image(tmp_path / "a.png", 10), _image(tmp_path / "b.jpeg", 20)

    first = save_corrections(
        folder, [Correction(a, 1955, "D"), Correction(b, None, "S", view="closeup", notes="worn\nrim")]
    )
    again = save_corrections(folder, [Correction(a, 1956, "none")])  # the same image corrected again

    rows = read_rows(folder)
    assert [r["file"] for r in rows] == ["images/old.png", *first]
    assert again == first[:1]
    assert rows[0]["notes"] == "kept"
    assert (rows[1]["year"], rows[1]["mint"], rows[1]["legible"]) == ("1956", "none", "yes")
    assert (rows[2]["year"], rows[2]["mint"], rows[2]["legible"], rows[2]["view"]) == ("", "S", "partial", "closeup")
    assert rows[2]["notes"] == "worn rim" and first[1].endswith(".jpg")
    assert (folder / first[0]).read_bytes() == a.read_bytes()
    assert not [p for p in folder.rglob(".*") if p.is_file()], "temporary files left behind"
    # The training side reads the folder back with the same meaning.
    from coinnet.data.real import read_labels

    records = read_labels(folder)
    assert [(r.year, r.mint) for r in records][-2:] == [(1956, "none"), (None, "S")]


def test_save_corrections_into_a_hand_edited_folder_loses_nothing(tmp_path):
    from coinnet.gui.corrections import content_name

    folder = tmp_path / "dataset"
    a = _image(tmp_path / "a.png", 30)
    rel = f"images/{content_name(a)}"
    # Saved by a spreadsheet: a BOM, an extra column, "./" in front of the path, group-readable.
    text = f"file,year,mint,grader\n./{rel},1909,S,PCGS\nimages/other.png,1960,D,NGC\n"
    folder.mkdir()
    (folder / "labels.csv").write_bytes(text.encode("utf-8-sig"))
    os.chmod(folder / "labels.csv", 0o644)
    assert save_corrections(folder, [Correction(a, 1910, "S")]) == [rel]
    rows = read_rows(folder)
    assert [(r["file"], r["year"], r["grader"]) for r in rows] == [
        (rel, "1910", "PCGS"),
        ("images/other.png", "1960", "NGC"),
    ]
    assert (folder / "labels.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert os.stat(folder / "labels.csv").st_mode & 0o777 == 0o644


def test_save_corrections_names_a_missing_source(tmp_path):
    with pytest.raises(FileNotFoundError, match="gone.png"):
        save_corrections(tmp_path / "d", [Correction(tmp_path / "gone.png", 1990, "D")])


def test_train_overrides_parse_with_hydra(tmp_path):
    from hydra.core.override_parser.overrides_parser import OverridesParser

    folders = [str(tmp_path / "my photos"), "/data/it's,odd"]
    overrides = train_overrides("resnet18", 3, 500, folders, ["experiment=smoke"])
    cmd = train_command(overrides, tmp_path / "run dir")
    assert cmd[:3] == [sys.executable, "-m", "coinnet.train"]
    parsed = {o.get_key_element(): o.value() for o in OverridesParser.create().parse_overrides(cmd[3:])}
    assert parsed["model.backbone"] == "resnet18"
    assert parsed["data.epoch_size"] == 500 and parsed["data"] == "mixed"
    # Real photos: the chosen reader is trained first, finds the dates in them (mine), then is fine-tuned.
    assert parsed["recipe.pretrain"] == [
        "model.backbone=resnet18",
        "trainer.max_epochs=3",
        "data.epoch_size=500",
        "experiment=smoke",
    ]
    assert parsed["recipe.mine"] == {"data": folders, "negatives": 1, "rounds": 2} and parsed["data.real.paths"] == []
    assert parsed["hydra.run.dir"] == str(tmp_path / "run dir")
    assert not any(o.startswith("data") and "real" in o for o in train_overrides("resnet18", 1, 10, []))


def test_results_filter_sorts_numbers_and_filters(qtbot):
    from PySide6.QtCore import Qt

    from coinnet.gui.results_model import COL_CONF, COL_FILE, ResultsFilter, ResultsModel
    from coinnet.infer.results import Prediction

    model = ResultsModel()
    preds = [
        Prediction("a.jpg", 1955, "D", 0.9, 0.9, 0.95, "ok", notes="doubled die?"),
        Prediction("b.jpg", 1990, "none", 0.1, 0.2, 0.3, "unknown"),
        Prediction("c.jpg", error="cannot identify image file"),
        Prediction("d.jpg", 2001, "S", 0.45, 0.5, 0.6, "unknown"),
    ]
    for p in preds:
        model.add(p)
    model.add(Prediction("b.jpg", 1991, "D", 0.6, 0.6, 0.6, "ok"))  # processed again: replaces its row
    proxy = ResultsFilter()
    proxy.setSourceModel(model)
    proxy.sort(COL_CONF, Qt.SortOrder.AscendingOrder)
    names = [proxy.index(r, COL_FILE).data() for r in range(proxy.rowCount())]
    assert names == ["c.jpg", "d.jpg", "b.jpg", "a.jpg"]
    proxy.set_status("unknown")
    assert proxy.rowCount() == 1
    proxy.set_status("")
    proxy.set_text("DOUBLED")
    assert [proxy.index(r, COL_FILE).data() for r in range(proxy.rowCount())] == ["a.jpg"]
    model.apply_threshold(0.95)
    assert {p.status for p in model.predictions()} == {"unknown", "error"}


def test_raising_the_threshold_withdraws_key_date_claims(qtbot):
    from coinnet.gui.results_model import ResultsModel
    from coinnet.infer.results import Prediction

    model = ResultsModel()
    model.add(Prediction("k.jpg", 1909, "S", 0.9, 0.9, 0.9, "ok", notes="key date 1909-S; check the reverse"))
    model.apply_threshold(0.95)
    (pred,) = model.predictions()
    assert pred.status == "unknown" and "key" not in pred.notes and pred.notes == "possible 1909-S (unsure)"
    model.apply_threshold(0.5)
    assert "key date 1909-S" in model.predictions()[0].notes


def test_model_dialog_summarises_the_confidence_rule_and_curve():
    from coinnet.gui.model_dialog import metadata_rows
    from coinnet.infer.confidence import ConfidenceRule

    rule = ConfidenceRule(("view", "vote"), (1.25, 0.5), -0.3)
    rows = dict(metadata_rows({"confidence_rule": rule, "precision_curve": [(0.5, 0.9, 0.7), (0.9, 0.995, 0.3)]}))
    assert rows["confidence_rule"] == "logistic on view +1.25, vote +0.50"
    assert "2 points" in rows["precision_curve"] and "99.5%" in rows["precision_curve"]
