"""``python -m coinnet.predict``: one row per file whatever the file, CSV/JSON outputs, exit codes."""

from __future__ import annotations

import csv
import errno
import io
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
    real_open = os.open

    def guarded_open(path, *args, **kwargs):
        if str(path).endswith("locked.png"):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(imageio.os, "open", guarded_open)
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
        "--precision": ["--input", str(img), "--precision", "1.5"],
        "stores no precision curve": ["--input", str(img), "--precision", "0.95"],
    }
    for keyword, argv in cases.items():
        capsys.readouterr()
        if "--model" not in argv:
            argv = [*argv, "--model", str(model_path)]
        assert main(argv) == 2, keyword
        err = capsys.readouterr().err
        assert keyword in err and err.count("\n") == 1, (keyword, err)
    for argv in (["--input"], ["--input", str(img), "--threshold", "0.5", "--precision", "0.9"]):
        with pytest.raises(SystemExit) as info:
            main(argv)  # argparse's own usage errors (a missing value; --threshold and --precision together)
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


_STUCK_RUN = """
import os, signal, sys, threading
# A shell starts background jobs with SIGINT ignored, and Python keeps that: restore Ctrl-C as a terminal has it.
signal.signal(signal.SIGINT, signal.default_int_handler)
from coinnet import predict
from coinnet.infer.predictor import Predictor

real_load = Predictor._load_views
def load(self, path):
    if path.endswith("stuck.png"):
        threading.Timer(1.0, os.kill, (os.getpid(), signal.SIGINT)).start()  # the user presses Ctrl-C
        threading.Event().wait()  # a read that never returns
    return real_load(self, path)
Predictor._load_views = load
sys.exit(predict.main(sys.argv[1:]))
"""


def test_a_fifo_in_the_folder_is_an_error_row_and_ctrl_c_exits_130_at_once(model_path, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    Image.fromarray(coin_like(0)).save(folder / "good.png")
    os.mkfifo(folder / "pipe.jpg")  # a decode worker opening it would wait for a writer forever
    out = tmp_path / "r.csv"
    argv = ["--input", str(folder), "--output", str(out), "--model", str(model_path), "--threads", "1"]
    run = subprocess.run([sys.executable, "-m", "coinnet.predict", *argv], capture_output=True, text=True, timeout=120)
    assert run.returncode == 1, run.stderr
    rows = {os.path.basename(r["file"]): r for r in csv.DictReader(out.open(newline=""))}
    assert rows["pipe.jpg"]["error"] == "a named pipe (FIFO), not a regular file" and rows["good.png"]["year"]

    Image.fromarray(coin_like(1)).save(folder / "stuck.png")
    out.unlink()
    stuck = subprocess.run([sys.executable, "-c", _STUCK_RUN, *argv], capture_output=True, text=True, timeout=120)
    assert stuck.returncode == 130, stuck.stderr
    assert stuck.stderr.strip().splitlines()[-1] == "coinnet-predict: interrupted; no results written"
    assert not out.exists()


def test_output_problems_are_found_before_any_photo_is_read(model_path, tmp_path, monkeypatch, capsys):
    from coinnet.infer.predictor import Predictor

    def must_not_run(*args, **kwargs):
        raise AssertionError("the batch ran before the output was checked")

    monkeypatch.setattr(Predictor, "predict_paths", must_not_run)
    photo = tmp_path / "one.png"
    Image.fromarray(coin_like(0)).save(photo)
    (tmp_path / "a_file").write_text("x")
    listed = tmp_path / "list.csv"
    listed.write_text("precious\n")
    cases = {
        "is not a folder": str(tmp_path / "a_file" / "r.csv"),
        "one of the input files": str(listed),  # --input list.csv --output list.csv
    }
    for keyword, output in cases.items():
        source = listed if keyword == "one of the input files" else photo
        assert main(["--input", str(source), "--output", output, "--model", str(model_path)]) == 2
        err = capsys.readouterr().err
        assert keyword in err and err.count("\n") == 1, err
    assert listed.read_text() == "precious\n"

    def read_only(*args, **kwargs):  # tests run as root, which may write anywhere: simulate the OS refusing
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr("coinnet.predict.tempfile.TemporaryFile", read_only)
    assert main(["--input", str(photo), "--output", str(tmp_path / "ro" / "r.csv"), "--model", str(model_path)]) == 2
    err = capsys.readouterr().err
    assert f"cannot write results in {tmp_path} (Permission denied)" in err and err.count("\n") == 1


def test_odd_file_names_keep_csv_and_json_valid(model_path, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    names = ["a\rb.png", "c\nd.png", 'q"uote,comma.png', os.fsdecode(b"caf\xe9.png")]
    for i, name in enumerate(names):
        Image.fromarray(coin_like(i)).save(os.path.join(os.fsencode(folder), os.fsencode(name)), format="PNG")
    for suffix in (".csv", ".json"):
        out = tmp_path / f"r{suffix}"
        assert main(["--input", str(folder), "--output", str(out), "--model", str(model_path), "--threads", "1"]) == 0
        text = out.read_bytes().decode("utf-8")  # strict: valid UTF-8 whatever the names on disk
        rows = list(csv.DictReader(io.StringIO(text, newline=""))) if suffix == ".csv" else json.loads(text)
        got = sorted(os.path.basename(r["file"]) for r in rows)
        assert got == sorted(["a\rb.png", "c\nd.png", 'q"uote,comma.png', "caf\\xe9.png"]), got
