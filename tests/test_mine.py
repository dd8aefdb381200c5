"""Mining reader crops from labelled photos, and the shared labels.csv parser."""

import csv
from pathlib import Path

import numpy as np
import pytest

from coinnet import labels
from coinnet.data.real import read_labels as training_rows
from coinnet.mine import label_score, main, mine
from coinnet.predictor import Predictor
from coinnet.records import LabelsError, read_labels
from tests.helpers_infer import tiny_onnx


def test_label_score_sums_known_heads_only():
    logits = {h: np.log(np.full((2, 10 if h != "mint" else 5), 0.01)) for h in labels.HEAD_NAMES}
    for h, cls in zip(labels.HEAD_NAMES, labels.encode(1999, "D")):
        logits[h][1, cls] = 5.0  # view 1 says 1999-D loudly
    assert np.argmax(label_score(logits, 1999, "D")) == 1
    assert np.allclose(label_score(logits, None, None), 0.0)
    only_mint = label_score(logits, None, "D")
    assert only_mint[1] > only_mint[0]


def test_mine_writes_one_crop_per_row_in_order(tmp_path_factory, tiny_real_folder, tmp_path):
    predictor = Predictor(tiny_onnx(tmp_path_factory), search="full")
    out = tmp_path / "crops"
    n = mine(tiny_real_folder, out, predictor)
    source = read_labels(tiny_real_folder)
    mined = read_labels(out)
    assert n == len(source) == len(mined) == 10
    assert [(r.year, r.mint) for r in mined] == [(r.year, r.mint) for r in source]
    assert all(r.view == s.view and r.notes == f"mined from {Path(s.path).resolve()}" for r, s in zip(mined, source))
    from PIL import Image

    assert Image.open(mined[0].path).size == (64, 64)
    # Training keeps the same rows in the same order, so k-fold splits of both folders agree.
    assert [r.notes.removeprefix("mined from ") for r in training_rows(out)] == [str(Path(r.path).resolve()) for r in training_rows(tiny_real_folder)]


def test_mine_cli_reports_a_missing_folder(tmp_path_factory, tmp_path, capsys):
    assert main(["--data", str(tmp_path / "nope"), "--out", str(tmp_path / "o"), "--model", str(tiny_onnx(tmp_path_factory))]) == 2
    assert "labels.csv: not found" in capsys.readouterr().err


def test_read_labels_resolves_paths_and_keeps_unknown_rows(tmp_path):
    with (tmp_path / "labels.csv").open("w", newline="") as fh:
        csv.writer(fh).writerows([["file", "year", "mint", "view"], ["a.jpg", "", "", "whole"], ["/abs/b.png", "1909", "S", ""]])
    rows = read_labels(tmp_path)
    assert [(r.path, r.year, r.mint, r.view) for r in rows] == [(str(tmp_path / "a.jpg"), None, None, "whole"), ("/abs/b.png", 1909, "S", "")]
    (tmp_path / "labels.csv").write_text("file,year,mint\n,1999,D\n")
    with pytest.raises(LabelsError, match=r"labels.csv:2: empty file name"):
        read_labels(tmp_path)
