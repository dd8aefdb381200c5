"""``python -m coinnet.predict``: one row per file whatever the file, CSV/JSON outputs, exit codes."""

from __future__ import annotations

import csv
import errno
import json
import os
import subprocess
import sys

import pytest
from PIL import Image

from coinnet import labels
from coinnet.infer import imageio
from coinnet.infer.results import RESULT_COLUMNS, Prediction, write_results
from coinnet.predict import main
from tests.helpers.infer import bad_input_folder, coin_like, tiny_onnx


@pytest.fixture(scope="session")
def model_path(tmp_path_factory):
    return tiny_onnx(tmp_path_factory)


@pytest.fixture
def messy(tmp_path, monkeypatch):
    """The bad-input folder plus a file the OS refuses to open (simulated: tests run as root)."""
    folder = tmp_path / "photos"
    expected = bad_input_folder(folder)
    Image.fromarray(coin_like(9)).save(folder / "locked.png")
    os.chmod(folder / "locked.png", 0)
    expected["locked.png"] = "permission denied"
    real_open = imageio.Image.open

    def guarded_open(fp, *args, **kwargs):
        if str(fp).endswith("locked.png"):
            raise PermissionError(errno.EACCES, "Permission denied", str(fp))
        return real_open(fp, *args, **kwargs)

    monkeypatch.setattr(imageio.Image, "open", guarded_open)
    return folder, expected


def _check_rows(rows: list[dict], folder, expected: dict[str, str]) -> None:
    assert sorted(os.path.basename(r["file"]) for r in rows) == sorted(expected)
    for row in rows:
        want = expected[os.path.basename(row["file"])]
        assert list(row) == list(RESULT_COLUMNS)
        if want == "ok":
            assert row["status"] in ("ok", "unknown") and row["error"] in ("", None), row
            assert labels.is_valid(int(row["year"]), row["mint"])
        else:
            assert row["status"] == "error" and want in row["error"].lower(), row
            assert "\n" not in row["error"] and "Traceback" not in row["error"]


def test_messy_folder_to_csv(messy, model_path, tmp_path, capsys):
    folder, expected = messy
    out = tmp_path / "res" / "results.csv"
    assert main(["--input", str(folder), "--output", str(out), "--model", str(model_path), "--threads", "1"]) == 1
    with out.open(newline="", encoding="utf-8") as fh:
        _check_rows(list(csv.DictReader(fh)), folder, expected)
    err = capsys.readouterr().err
    n_bad = sum(v != "ok" for v in expected.values())
    assert f"{len(expected)} files" in err and f"{n_bad} error" in err
    assert [p.name for p in out.parent.iterdir()] == ["results.csv"]  # no temp file left behind


def test_messy_folder_to_json_with_small_batches(messy, model_path, tmp_path):
    folder, expected = messy
    out = tmp_path / "results.JSON"
    argv = [
        "--input",
        str(folder),
        "--output",
        str(out),
        "--model",
        str(model_path),
        "--batch-size",
        "3",
        "--threads",
        "1",
    ]
    assert main(argv) == 1
    _check_rows(json.loads(out.read_text(encoding="utf-8")), folder, expected)


def test_all_good_folder_exits_0_and_prints_a_table(model_path, tmp_path, capsys):
    for i in range(3):
        Image.fromarray(coin_like(i)).save(tmp_path / f"c{i}.jpg")
    (tmp_path / "sub").mkdir()
    Image.fromarray(coin_like(5)).save(tmp_path / "sub" / "deep.png")
    assert (
        main(["--input", str(tmp_path), "--model", str(model_path), "--threshold", "1.0", "--enhance", "clahe=2"]) == 0
    )
    table = capsys.readouterr().out.splitlines()
    assert table[0].split()[:3] == ["file", "year", "mint"] and len(table) == 4
    assert all("unknown" in line for line in table[1:])  # threshold 1.0: nothing is certain
    assert main(["--input", str(tmp_path), "--model", str(model_path), "--recursive"]) == 0
    assert any(line.startswith("sub/deep.png") for line in capsys.readouterr().out.splitlines())


def test_usage_errors_exit_2_with_one_line(model_path, tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    img = tmp_path / "one.png"
    Image.fromarray(coin_like(0)).save(img)
    bad_model = tmp_path / "bad.onnx"
    bad_model.write_bytes(b"\x00garbage")
    cases = {
        "not found": ["--input", str(tmp_path / "missing")],
        "no images": ["--input", str(tmp_path / "empty")],
        "bad.onnx": ["--input", str(img), "--model", str(bad_model)],
        "nothere.onnx": ["--input", str(img), "--model", str(tmp_path / "nothere.onnx")],
        ".csv or .json": ["--input", str(img), "--output", str(tmp_path / "r.txt")],
        "gamma": ["--input", str(img), "--enhance", "gamma=2"],
        "--threshold": ["--input", str(img), "--threshold", "2"],
        "--batch-size": ["--input", str(img), "--batch-size", "0"],
    }
    for keyword, argv in cases.items():
        capsys.readouterr()
        if "--model" not in argv:
            argv = [*argv, "--model", str(model_path)]
        assert main(argv) == 2, keyword
        err = capsys.readouterr().err
        assert keyword in err and err.count("\n") == 1, (keyword, err)
    with pytest.raises(SystemExit) as info:
        main(["--input"])  # argparse's own usage error
    assert info.value.code == 2


def test_existing_output_survives_a_failed_run_and_a_failed_write(model_path, tmp_path, monkeypatch):
    out = tmp_path / "results.csv"
    out.write_text("precious\n")
    assert main(["--input", str(tmp_path / "missing"), "--output", str(out), "--model", str(model_path)]) == 2
    assert out.read_text() == "precious\n"

    def broken_replace(src, dst):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError):
        write_results([Prediction(file="a.jpg", year=1999, mint="D", status="ok")], out)
    assert out.read_text() == "precious\n"
    assert [p.name for p in tmp_path.iterdir()] == ["results.csv"]


def test_module_entry_point_runs_without_traceback(model_path, tmp_path):
    img = tmp_path / "one.png"
    Image.fromarray(coin_like(0)).save(img)
    ok = subprocess.run(
        [sys.executable, "-m", "coinnet.predict", "--input", str(img), "--model", str(model_path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert ok.returncode == 0 and "one.png" in ok.stdout, ok.stderr
    help_text = subprocess.run(
        [sys.executable, "-m", "coinnet.predict", "--help"], capture_output=True, text=True, timeout=120
    )
    assert "exit codes" in help_text.stdout
