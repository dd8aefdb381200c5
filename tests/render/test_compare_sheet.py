"""``compare_sheet`` / ``--compare``: real photos come from the shared labels.csv reader (coinnet.label_folder)."""

from __future__ import annotations

import codecs
import logging

import numpy as np
import pytest
from PIL import Image

from coinnet.label_folder import LabelsError
from coinnet.render import RenderConfig
from coinnet.render.__main__ import main
from coinnet.render.sheet import compare_sheet

SIZE = 48
GOOD = (0, 0, 255)  # the good photo is solid blue
OUTSIDE = (255, 0, 0)  # the photo outside the folder is solid red


@pytest.fixture
def real_folder(tmp_path):
    """``real/`` with a BOM labels.csv: one good row, one naming ``../x.jpg`` (which exists, outside the folder)."""
    folder = tmp_path / "real"
    folder.mkdir()
    Image.new("RGB", (64, 64), GOOD).save(folder / "good.png")
    Image.new("RGB", (64, 64), OUTSIDE).save(tmp_path / "x.jpg")
    text = "file,year,mint\ngood.png,1950,D\n../x.jpg,1960,D\n"
    (folder / "labels.csv").write_bytes(codecs.BOM_UTF8 + text.encode("utf-8"))
    return folder


def test_sheet_uses_the_good_row_and_skips_the_outside_one(real_folder, caplog):
    with caplog.at_level(logging.WARNING, logger="coinnet.label_folder"):
        sheet = compare_sheet(RenderConfig(size=SIZE), real_folder, n=4, seed=0)
    assert sheet.shape == (SIZE, 8 * SIZE, 3)  # one row of 8 cells
    real = sheet[:, SIZE : 2 * SIZE].reshape(-1, 3)
    assert tuple(np.median(real, axis=0).astype(int)) == GOOD  # the pair's real side is the good photo
    assert not sheet[:, 2 * SIZE :].any()  # no second pair: the rest of the row is blank
    assert "'../x.jpg' is outside the folder" in caplog.text and "row skipped" in caplog.text


def test_compare_sheet_raises_labels_error_on_unusable_csv(tmp_path):
    (tmp_path / "labels.csv").write_text("name,year,mint\na.jpg,1950,D\n")
    with pytest.raises(LabelsError, match=r"missing column\(s\) file"):
        compare_sheet(RenderConfig(size=SIZE), tmp_path, n=2, seed=0)


def test_cli_compare_writes_the_sheet(real_folder, tmp_path, capsys):
    out = tmp_path / "sheet.png"
    assert main(["--n", "2", "--size", str(SIZE), "--out", str(out), "--compare", str(real_folder)]) == 0
    assert out.stat().st_size > 0 and "wrote" in capsys.readouterr().out


@pytest.mark.parametrize(
    "content",
    [b"name,year,mint\na.jpg,1950,D\n", b"file,year,mint\n\xff\xfe.jpg,1950,D\n"],
    ids=["missing-file-column", "not-utf8"],
)
def test_cli_unusable_labels_is_one_line_exit_2(tmp_path, capsys, content):
    (tmp_path / "labels.csv").write_bytes(content)
    out = tmp_path / "sheet.png"
    assert main(["--n", "2", "--size", str(SIZE), "--out", str(out), "--compare", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and err.startswith("error: ") and "labels.csv" in err, err
    assert "Traceback" not in err and not out.exists()


def test_cli_compare_folder_without_labels_is_one_line_exit_2(tmp_path, capsys):
    assert main(["--n", "2", "--out", str(tmp_path / "s.png"), "--compare", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "labels.csv: not found" in err
