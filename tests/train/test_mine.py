"""Mining reader crops from labelled photos, and the shared labels.csv parser."""

import csv
from pathlib import Path

import numpy as np
import pytest

from coinnet import labels
from coinnet.data.real import read_labels as training_rows
from coinnet.infer.predictor import Predictor
from coinnet.infer.views import RING_STEPS, candidate_views
from coinnet.label_folder import LabelsError, read_labels
from coinnet.train.mine import far_views, label_score, main, mine
from tests.helpers.infer import tiny_onnx


def test_label_score_sums_known_heads_only():
    logits = {h: np.log(np.full((2, 10 if h != "mint" else 5), 0.01)) for h in labels.HEAD_NAMES}
    for h, cls in zip(labels.HEAD_NAMES, labels.encode(1999, "D")):
        logits[h][1, cls] = 5.0  # view 1 says 1999-D loudly
    assert np.argmax(label_score(logits, 1999, "D")) == 1
    assert np.allclose(label_score(logits, None, None), 0.0)
    only_mint = label_score(logits, None, "D")
    assert only_mint[1] > only_mint[0]


def test_mine_writes_a_date_crop_and_no_date_crops_per_row(tmp_path_factory, tiny_real_folder, tmp_path):
    predictor = Predictor(tiny_onnx(tmp_path_factory), search="full")
    out = tmp_path / "crops"
    n = mine(tiny_real_folder, out, predictor, negatives=2)
    source = read_labels(tiny_real_folder)
    mined = read_labels(out)
    dates = [r for r in mined if not r.no_date]
    assert n == len(mined) == 30 and len(dates) == len(source) == 10
    assert [(r.year, r.mint) for r in dates] == [(r.year, r.mint) for r in source]
    assert all(r.view == s.view and r.notes == f"mined from {Path(s.path).resolve()}" for r, s in zip(dates, source))
    # No-date rows carry no label and name their source photo, so k-fold groups keep them with it.
    negatives = [r for r in mined if r.no_date]
    assert all(r.year is None and r.mint is None for r in negatives)
    assert sorted({r.source for r in negatives}) == sorted(str(Path(s.path).resolve()) for s in source)
    from PIL import Image

    assert Image.open(mined[0].path).size == (64, 64)
    # Training keeps the no-date rows (they teach the heads to be unsure) beside the labelled ones.
    assert len(training_rows(out)) == 30


def test_far_views_exclude_the_date_view_and_its_tighter_crop():
    img = np.zeros((400, 400, 3), np.uint8)
    views = candidate_views(img, 64, "full")
    best = views[8]  # the first ring view
    far = {id(v) for v in far_views(views, best)}
    assert id(best) not in far and id(views[8 + RING_STEPS]) not in far  # same spot, tighter crop
    assert id(views[10]) in far and id(views[14]) in far  # 60 and 180 degrees round the coin


def test_mine_cli_reports_a_missing_folder(tmp_path_factory, tmp_path, capsys):
    assert (
        main(
            [
                "--data",
                str(tmp_path / "nope"),
                "--out",
                str(tmp_path / "o"),
                "--model",
                str(tiny_onnx(tmp_path_factory)),
            ]
        )
        == 2
    )
    assert "labels.csv: not found" in capsys.readouterr().err


def test_read_labels_resolves_paths_and_keeps_unknown_rows(tmp_path):
    with (tmp_path / "labels.csv").open("w", newline="") as fh:
        csv.writer(fh).writerows(
            [["file", "year", "mint", "view"], ["a.jpg", "", "", "whole"], ["/abs/b.png", "1909", "S", ""]]
        )
    rows = read_labels(tmp_path, allow_outside=True)  # an absolute path needs the opt-in
    assert [(r.path, r.year, r.mint, r.view) for r in rows] == [
        (str(tmp_path / "a.jpg"), None, None, "whole"),
        ("/abs/b.png", 1909, "S", ""),
    ]
    (tmp_path / "labels.csv").write_text("file,year,mint\n,1999,D\n")
    with pytest.raises(LabelsError, match=r"labels.csv:2: empty file name"):
        read_labels(tmp_path)


def test_mine_refuses_an_output_folder_inside_its_input(tmp_path_factory, tiny_real_folder, capsys):
    before = (tiny_real_folder / "labels.csv").read_bytes()
    model = str(tiny_onnx(tmp_path_factory))
    for out in (tiny_real_folder, tiny_real_folder / "crops", tiny_real_folder / "images" / ".."):
        assert main(["--data", str(tiny_real_folder), "--out", str(out), "--model", model]) == 2
        err = capsys.readouterr().err
        assert "is inside --data" in err and err.count("\n") == 1, err
    assert (tiny_real_folder / "labels.csv").read_bytes() == before
    assert not (tiny_real_folder / "crops").exists()


def test_mined_crop_names_are_safe_whatever_the_photo_is_called(tmp_path_factory, tiny_real_folder, tmp_path):
    from coinnet.label_folder import read_rows, write_rows

    odd = "images/pièce\r1.jpg"  # a carriage return in a file name: quoted in the CSV, never in a crop's name
    (tiny_real_folder / "images" / "coin_2.jpg").rename(tiny_real_folder / odd)
    rows = read_rows(tiny_real_folder)
    rows[2]["file"] = odd
    write_rows(tiny_real_folder, rows[:3])
    assert mine(tiny_real_folder, tmp_path / "crops", Predictor(tiny_onnx(tmp_path_factory)), negatives=0) == 3
    mined = read_labels(tmp_path / "crops")
    assert Path(mined[2].path).name == "pièce_1_2.png" and Path(mined[2].path).is_file()
    assert mined[2].source == str((tiny_real_folder / odd).resolve())  # the source keeps its real name
