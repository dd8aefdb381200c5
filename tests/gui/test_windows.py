"""The desktop app driven through its real widgets (offscreen): single image, batch, export, review, settings."""

from __future__ import annotations

import csv
import json
import os
import time
from pathlib import Path

os.environ["QT_QPA_PLATFORM"] = "offscreen"  # before any Qt import

import pytest  # noqa: E402
from PySide6.QtCore import QMimeData, QPoint, Qt, QUrl  # noqa: E402
from PySide6.QtGui import QDropEvent, QGuiApplication, QImage  # noqa: E402

from coinnet.infer.imageio import load_image  # noqa: E402
from coinnet.infer.predictor import Predictor  # noqa: E402
from coinnet.infer.results import RESULT_COLUMNS  # noqa: E402
from tests.helpers.gui import write_coin_images  # noqa: E402

TIMEOUT_MS = 20_000


def _process(qtbot, window) -> None:
    with qtbot.waitSignal(window.single.processed, timeout=TIMEOUT_MS):
        qtbot.mouseClick(window.single.process_button, Qt.MouseButton.LeftButton)


def _run_batch(qtbot, window, items) -> bool:
    with qtbot.waitSignal(window.batch.batch_finished, timeout=TIMEOUT_MS) as blocker:
        assert window.start_batch(items)
    return blocker.args[0]


def test_open_and_process_shows_the_predictors_reading(qtbot, window, coin_folder, tiny_model):
    path = coin_folder / "coin_001.png"
    assert window.open_image(path)
    assert window.single.view.has_image()
    _process(qtbot, window)
    shown = window.single.last_prediction
    expected = Predictor(tiny_model).predict_images([load_image(path)], names=[str(path)])[0]
    assert (shown.year, shown.mint) == (expected.year, expected.mint)
    assert shown.confidence == pytest.approx(expected.confidence, abs=1e-5)
    text = window.single.result_label.text()
    assert text == ("unknown" if expected.status == "unknown" else f"{expected.year}")[: len(text)]
    assert str(expected.year) in window.single.detail_label.text()
    assert window.results.rowCount() == 1  # single readings join the shared results (export, review)


def test_enhancement_changes_preview_and_reading_input(qtbot, window, coin_folder):
    window.open_image(coin_folder / "coin_002.jpg")
    before = window.single.view._pixmap.pixmap().toImage()
    window.single.enhance_panel.set_values({"contrast": 2.0, "rotate": 30})
    qtbot.waitUntil(lambda: window.single.view._pixmap.pixmap().toImage() != before, timeout=2000)
    rotated = window.single.view._pixmap.pixmap()
    assert rotated.width() > before.width()  # the canvas grew to keep the corners
    assert window.single.enhance_panel.enhancement().contrast == pytest.approx(2.0)
    _process(qtbot, window)
    assert window.single.last_prediction.status in ("ok", "unknown")


def test_bad_image_gives_a_one_line_message(window, tmp_path):
    bad = tmp_path / "bad.png"
    bad.write_text("nope")
    assert not window.open_image(bad)
    message = window.statusBar().currentMessage()
    assert "bad.png" in message and "\n" not in message


def test_drop_and_paste_open_images(qtbot, window, coin_folder):
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(coin_folder / "coin_003.png"))])
    drop = QDropEvent(
        QPoint(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    )
    window.dropEvent(drop)
    assert window.single.path == coin_folder / "coin_003.png"

    QGuiApplication.clipboard().setImage(QImage(str(coin_folder / "coin_004.jpg")))
    assert window.paste()
    assert window.single.path.name.startswith("pasted-") and window.single.path.is_file()
    assert window.single.original.shape[:2] == load_image(coin_folder / "coin_004.jpg").shape[:2]
    _process(qtbot, window)
    first = window.single.path
    assert window.paste() and window.single.path != first  # each paste keeps its own file and result row
    _process(qtbot, window)
    assert window.results.rowCount() == 2


def test_batch_runs_to_completion_with_errors_per_row(qtbot, window, coin_folder):
    assert _run_batch(qtbot, window, [coin_folder]) is False
    model = window.results
    assert model.rowCount() == 7
    by_name = {Path(p.file).name: p for p in model.predictions()}
    assert by_name["broken.jpg"].status == "error" and by_name["broken.jpg"].error
    assert all(p.status in ("ok", "unknown") for n, p in by_name.items() if n != "broken.jpg")
    thumbs = {Path(r.prediction.file).name: r.thumbnail for r in model.rows}
    assert thumbs["broken.jpg"] is None and thumbs["coin_000.jpg"].width() == 64
    assert window.batch.progress.value() == 7
    window.batch.status_filter.setCurrentText("error")
    assert window.batch.proxy.rowCount() == 1
    index = window.batch.proxy.index(0, 1)
    rect = window.batch.table.visualRect(index)
    qtbot.mouseClick(window.batch.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert window.tabs.currentIndex() == 0  # the click opened the row in the single view (it cannot load)
    assert "broken.jpg" in window.statusBar().currentMessage()


def test_batch_cancel_stops_between_chunks(qtbot, window, tmp_path):
    paths = write_coin_images(tmp_path / "many", 40, size=48)
    real = window.predictor.predict_paths

    def slow_predict(chunk, **kwargs):  # the real predictor, slowed so the cancel lands mid-run
        time.sleep(0.1)
        return real(chunk, **kwargs)

    window.predictor.predict_paths = slow_predict
    with qtbot.waitSignal(window.batch.batch_finished, timeout=TIMEOUT_MS) as blocker:
        window.start_batch(paths)
        qtbot.waitUntil(lambda: window.results.rowCount() > 0, timeout=TIMEOUT_MS)
        qtbot.mouseClick(window.batch.cancel_button, Qt.MouseButton.LeftButton)
    assert blocker.args[0] is True
    assert 0 < window.results.rowCount() < 40
    assert window.results.rowCount() % 8 == 0  # whole chunks only
    assert "cancelled" in window.statusBar().currentMessage()


def test_export_csv_and_json_round_trip(qtbot, window, coin_folder, tmp_path):
    _run_batch(qtbot, window, [coin_folder])
    predictions = window.results.predictions()
    assert window.export_results(tmp_path / "out.csv")
    assert window.export_results(tmp_path / "out.json")
    with (tmp_path / "out.csv").open(newline="") as fh:
        reader = csv.DictReader(fh)
        rows = list(reader)
    assert tuple(reader.fieldnames) == RESULT_COLUMNS
    records = json.loads((tmp_path / "out.json").read_text())
    assert [r["file"] for r in rows] == [r["file"] for r in records] == [p.file for p in predictions]
    for row, record, pred in zip(rows, records, predictions):
        assert record == pred.as_row()
        assert row["status"] == pred.status and row["year"] == ("" if pred.year is None else str(pred.year))


def test_review_correction_lands_in_labels_csv(qtbot, window, coin_folder, tmp_path):
    dataset = tmp_path / "corrections"
    dataset.mkdir()
    (dataset / "labels.csv").write_text("file,year,mint,view,legible,notes\nimages/x.jpg,1909,S,whole,yes,old row\n")
    window.review.set_dataset_folder(str(dataset))
    _run_batch(qtbot, window, [coin_folder])
    review = window.review
    assert review.proxy.rowCount() == 6  # the unreadable file is not offered for labelling
    confidences = [
        review.model.rows[review.proxy.mapToSource(review.proxy.index(r, 0)).row()].prediction.confidence
        for r in range(review.proxy.rowCount())
    ]
    assert confidences == sorted(confidences)
    first = review.model.rows[review._current_source_row].prediction
    assert first.confidence == confidences[0]

    review.year_edit.setCurrentText("1995")
    review.mint_edit.setCurrentText("W")  # never struck
    assert not review.save_button.isEnabled() and "1995" in review.validation_label.text()
    review.mint_edit.setCurrentText("D")
    review.notes_edit.setText("checked by eye")
    assert review.save_button.isEnabled()
    qtbot.mouseClick(review.save_button, Qt.MouseButton.LeftButton)

    with (dataset / "labels.csv").open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert rows[0]["notes"] == "old row"
    assert (rows[1]["year"], rows[1]["mint"], rows[1]["notes"], rows[1]["legible"]) == (
        "1995",
        "D",
        "checked by eye",
        "yes",
    )
    assert (dataset / rows[1]["file"]).read_bytes() == Path(first.file).read_bytes()
    assert window.results.rows[window.results.predictions().index(first)].corrected == (1995, "D")


def test_threshold_settings_and_enhancement_persist(qtbot, window, app_settings, tiny_model, coin_folder):
    from coinnet.gui.app import MainWindow

    # The spin box shows the model's threshold to three decimals (the shipped one is 0.924), not rounded.
    window.threshold_spin.setValue(0.924)
    assert window.predictor.threshold == pytest.approx(0.924)
    _run_batch(qtbot, window, [coin_folder])
    window.threshold_spin.setValue(0.0)
    assert all(p.status != "unknown" for p in window.results.predictions())
    window.single.enhance_panel.set_values({"clahe": 2.5, "brightness": -0.2})
    window.close()
    again = MainWindow(app_settings)  # no model argument: the remembered one
    qtbot.addWidget(again)
    assert again.predictor is not None and again.predictor.model_path == Path(tiny_model)
    assert again.threshold_spin.value() == 0.0 and again.predictor.threshold == 0.0
    values = again.single.enhance_panel.values()
    assert (values["clahe"], values["brightness"]) == (2.5, -0.2)
    assert app_settings.text("paths/batch") == str(coin_folder)


def test_model_dialog_shows_metadata_and_switches(qtbot, window, second_model, tmp_path):
    dialog = window.open_model_dialog()
    qtbot.addWidget(dialog)
    rows = {dialog.table.item(r, 0).text(): dialog.table.item(r, 1).text() for r in range(dialog.table.rowCount())}
    assert rows["backbone"] == window.predictor.metadata["backbone"]
    assert "valid pairs" in rows["schema"]
    dialog.model_chosen.emit(str(second_model))
    assert window.predictor.model_path == second_model
    assert str(second_model) in dialog.path_label.text()
    bad = tmp_path / "bad.onnx"
    bad.write_bytes(b"not onnx")
    assert not window.load_model(str(bad))
    assert window.predictor.model_path == second_model  # a bad file keeps the model in use
    assert "bad.onnx" in window.statusBar().currentMessage()


def test_date_box_is_outlined_in_image_pixels(window, coin_folder):
    from dataclasses import replace

    window.open_image(coin_folder / "coin_005.png")
    reading = Predictor(window.predictor.model_path).predict_images([window.single.original], names=["x"])[0]
    window.single.show_prediction(replace(reading, box=(10.0, 20.0, 60.0, 45.0), quad=None))  # axis-aligned only
    rect = window.single.view.box_rect()
    assert (rect.x(), rect.y(), rect.width(), rect.height()) == (10.0, 20.0, 50.0, 25.0)
    window.single.show_prediction(replace(reading, box=None, quad=None))  # no box (an older model): nothing is drawn
    assert window.single.view.box_rect() is None
    # A model with attention maps always boxes where it read, inside the photo's neighbourhood.
    assert reading.box is not None
    window.single.show_prediction(reading)
    h, w = window.single.original.shape[:2]
    rect = window.single.view.box_rect()
    assert rect.width() > 0 and rect.height() > 0 and -w < rect.x() < 2 * w and -h < rect.y() < 2 * h
