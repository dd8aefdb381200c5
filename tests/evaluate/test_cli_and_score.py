"""Evaluation orchestration: labels.csv parsing, metrics from Prediction objects, and the CLI end to end."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys

import pytest

from coinnet.evaluate import cli
from coinnet.evaluate import score as evaluate
from coinnet.infer.results import Prediction
from coinnet.label_folder import LabelsError


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory):
    """An untrained 64 px model exported the way the lead ships models (the test process may use torch)."""
    from coinnet.model.export import export_onnx
    from coinnet.model.net import CoinNet

    path = tmp_path_factory.mktemp("model") / "tiny.onnx"
    export_onnx(CoinNet(backbone="mobilenetv3_small_050", input_size=64), path)
    return path


def _pred(year, mint, confidence, status="ok"):
    return Prediction(file="x", year=year, mint=mint, confidence=confidence, status=status)


def test_evaluate_predictions_by_hand():
    truths = [
        ("a.jpg", 1950, "D", "whole"),  # read right, confidence 0.9
        ("b.jpg", 1999, "none", "holder"),  # year wrong (1998), confidence 0.8: most confident mistake
        ("c.jpg", 2009, None, "whole"),  # mint unknown: year right, confidence 0.3
        ("d.jpg", "2015", "S", ""),  # tuples may carry strings; empty view -> "unknown"; file unreadable
    ]
    preds = [
        _pred(1950, "D", 0.9),
        _pred(1998, "none", 0.8),
        _pred(2009, "S", 0.3, "unknown"),
        Prediction(file="d.jpg", error="cannot identify image file"),
    ]
    result = evaluate.evaluate_predictions(preds, truths, threshold=0.5)
    # 4 labelled years, right on a and c: 2/4. Mints labelled on a, b, d; right on a, b: 2/3.
    assert result["overall"]["year"] == {"accuracy": 0.5, "correct": 2, "n": 4}
    assert result["overall"]["mint"] == {"accuracy": 2 / 3, "correct": 2, "n": 3}
    assert result["overall"]["year_mint"] == {"accuracy": 1 / 3, "correct": 1, "n": 3}
    assert result["status_counts"] == {"error": 1, "ok": 2, "unknown": 1}
    assert list(result["by_view"]) == ["whole", "holder", "unknown"]
    assert result["by_view"]["whole"]["year"] == {"accuracy": 1.0, "correct": 2, "n": 2}
    # Threshold 0.5 answers a and b (d's error counts as confidence 0): coverage 2/4, one of them right.
    point = result["coverage"]["at_threshold"]
    assert (point["answered"], point["correct"], point["n"]) == (2, 1, 4)
    assert point["coverage"] == 0.5 and point["precision"] == 0.5
    # Only a at 0.9 is answered at full precision.
    assert result["coverage"]["for_precision"]["0.99"]["threshold"] == 0.9
    assert result["errors"] == [{"file": "d.jpg", "error": "cannot identify image file"}]
    # The failed file is an error, not a mistake to show; b is the only wrong reading.
    assert [m["path"] for m in result["mistakes"]] == ["b.jpg"] and result["mistakes"][0]["pred_year"] == 1998
    json.dumps(result)  # must be JSON-able as is


def test_prediction_count_must_match():
    with pytest.raises(ValueError, match="2 predictions for 1"):
        evaluate.evaluate_predictions([_pred(1950, "D", 0.9)] * 2, [("a.jpg", 1950, "D", "whole")])


def test_read_labels(tmp_path):
    (tmp_path / "labels.csv").write_text(
        "file,year,mint,view,legible,notes\n"
        "images/a.jpg,1950,D,whole,yes,\n"
        f"{tmp_path / 'b.jpg'},,s,,partial,absolute path\n"
        "c.jpg,1999,none,holder,yes,\n"
    )
    truths = evaluate.read_labels(tmp_path)
    assert truths[0] == evaluate.Truth(str(tmp_path / "images" / "a.jpg"), 1950, "D", "whole", "yes", "")
    assert truths[1] == evaluate.Truth(str(tmp_path / "b.jpg"), None, "S", "unknown", "partial", "absolute path")
    assert len(evaluate.read_labels(tmp_path, limit=2)) == 2


def test_read_labels_errors_name_file_and_line(tmp_path):
    with pytest.raises(LabelsError, match="labels.csv: not found"):
        evaluate.read_labels(tmp_path)
    (tmp_path / "labels.csv").write_text("file,year\na.jpg,1950\n")
    with pytest.raises(LabelsError, match="missing column.*mint"):
        evaluate.read_labels(tmp_path)
    (tmp_path / "labels.csv").write_text("file,year,mint\na.jpg,1950,D\nb.jpg,19x0,D\n")
    with pytest.raises(LabelsError, match=r"labels.csv:3: year must be four digits"):
        evaluate.read_labels(tmp_path)


def test_predictions_csv_quotes_odd_names_and_escapes_undecodable_bytes():
    names = ['a\rb, "c".jpg', os.fsdecode(b"bad\xff.jpg"), "plain.jpg"]
    truths = [evaluate.Truth(name, 1950, "D", "whole") for name in names]
    preds = [Prediction(file=name, year=1950, mint="D", confidence=0.9, status="ok") for name in names[:2]]
    preds.append(Prediction(file=names[2], error='cannot read "plain.jpg",\r\nsecond line'))
    text = evaluate.predictions_csv(preds, truths).decode("utf-8")  # strict: valid UTF-8 whatever the names
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert len(rows) == 3
    assert [r["file"] for r in rows] == ['a\rb, "c".jpg', "bad\\xff.jpg", "plain.jpg"]
    assert [r["status"] for r in rows] == ["ok", "ok", "error"]
    assert rows[0]["year"] == "1950" and rows[0]["confidence"] == "0.9000"
    assert rows[2]["error"] == 'cannot read "plain.jpg",\r\nsecond line'


def test_cli_end_to_end(tiny_real_folder, tiny_model, tmp_path, capsys):
    import mlflow

    tracking = f"sqlite:///{tmp_path / 'mlflow.db'}"  # the project's store kind (see Makefile)
    client = mlflow.MlflowClient(tracking_uri=tracking)
    experiment = client.create_experiment("eval-test", artifact_location=(tmp_path / "artifacts").as_uri())
    run_id = client.create_run(experiment).info.run_id
    (tiny_real_folder / "images" / "coin_9.jpg").write_bytes(b"not a jpeg")  # one unreadable photo
    out = tmp_path / "eval"
    code = cli.main(["--data", str(tiny_real_folder), "--model", str(tiny_model), "--out", str(out),
                          "--threshold", "0.2", "--fit-temperature", "--mlflow-run", run_id,
                          "--tracking-uri", tracking])  # fmt: skip
    assert code == 0
    printed = capsys.readouterr().out
    assert "report:" in printed and "temperature T=" in printed
    result = json.loads((out / "metrics.json").read_text())
    # 10 photos; the fixture blanks the year of photo 0 and the mint of photo 1; photo 9 is unreadable.
    assert result["rows"] == 10 and result["threshold"] == 0.2
    assert result["overall"]["year"]["n"] == 9 and result["overall"]["mint"]["n"] == 9
    assert result["overall"]["year_mint"]["n"] == 8
    assert result["status_counts"].get("error") == 1 and result["errors"][0]["file"].endswith("coin_9.jpg")
    assert result["temperature"]["temperature"] > 0 and result["temperature"]["n_scored"] == 8
    html = (out / "report.html").read_text()
    assert "Most confident mistakes" in html and "data:image/png;base64," in html
    assert html.count("<figure>") == min(16, len(result["mistakes"]))  # gallery of wrong readings
    for name in ("confusion.png", "reliability.png", "coverage.png", "predictions.csv"):
        assert (out / name).stat().st_size > 0
    assert len((out / "predictions.csv").read_text().splitlines()) == 11
    logged = client.get_run(run_id).data.metrics
    assert logged["real/year_acc_n"] == 9 and 0.0 <= logged["real/year_acc"] <= 1.0
    assert {a.path for a in client.list_artifacts(run_id, "real_eval")} >= {"real_eval/report.html",
                                                                          "real_eval/metrics.json"}  # fmt: skip


def test_cli_bad_folder_is_one_line_error(tmp_path, capsys):
    assert cli.main(["--data", str(tmp_path), "--model", str(tmp_path / "none.onnx")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "labels.csv: not found" in err


def test_evaluation_modules_do_not_import_torch():
    code = (
        "import sys, coinnet.evaluate.score, coinnet.evaluate.report, coinnet.evaluate.metrics, coinnet.evaluate.calibrate, coinnet.infer.predictor\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('torch', 'lightning', 'hydra'))\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_impossible_labels_and_outside_files_are_not_scored(tmp_path):
    (tmp_path / "labels.csv").write_text("file,year,mint\na.jpg,1950,D\nb.jpg,2099,D\nc.jpg,1965,D\n../d.jpg,1950,D\n")
    assert [t.path for t in evaluate.read_labels(tmp_path)] == [str(tmp_path / "a.jpg")]
    assert len(evaluate.read_labels(tmp_path, allow_outside=True)) == 2  # the opt-in reads ../d.jpg
