"""Why a reading may be wrong, in the GUI: the unsure line, the batch column and the review queue's order."""

from __future__ import annotations

import os
from dataclasses import replace

os.environ["QT_QPA_PLATFORM"] = "offscreen"  # before any Qt import

import pytest  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402

from coinnet.catalog import notes_for  # noqa: E402
from coinnet.gui.doubt import NO_WEAKEST, review_key, runner_up_label, weakest_prob, why_sentence  # noqa: E402
from coinnet.infer.results import Prediction  # noqa: E402

TIMEOUT_MS = 20_000


def _pred(name, confidence, weakest="", runner_up="", year=1955, mint="D", status=None) -> Prediction:
    status = status or ("ok" if confidence >= 0.5 else "unknown")
    return Prediction(
        name, year, mint, confidence, confidence, confidence, status, weakest=weakest, runner_up=runner_up
    )


def test_doubt_fields_are_read_back_and_phrased():
    unsure = _pred("a.jpg", 0.3, "digit 4 (0.62)", "1956-D (0.18)")
    assert weakest_prob(unsure) == pytest.approx(0.62)
    assert weakest_prob(_pred("m.jpg", 0.3, "mint (0.55)")) == pytest.approx(0.55)
    assert weakest_prob(_pred("n.jpg", 0.3)) == NO_WEAKEST
    assert runner_up_label(unsure) == (1956, "D")
    assert runner_up_label(_pred("p.jpg", 0.3, runner_up="1981 (0.14)")) == (1981, "none")  # no mint mark
    assert runner_up_label(_pred("q.jpg", 0.3)) is None
    assert why_sentence(unsure) == "Unsure: digit 4 (0.62) — could be 1956-D (0.18)"
    assert why_sentence(_pred("r.jpg", 0.3, "digit 2 (0.40)")) == "Unsure: digit 2 (0.40)"
    sure = why_sentence(_pred("s.jpg", 0.97, "digit 3 (0.98)", "1958-D (0.01)"))
    assert sure.startswith("Least sure: digit 3 (0.98)") and "1958-D (0.01)" in sure and "Unsure" not in sure
    assert why_sentence(Prediction("e.jpg", error="cannot decode")) == ""
    assert review_key(Prediction("e.jpg", error="x"))[0] < review_key(unsure)[0]


def test_single_view_says_which_digit_and_follows_the_threshold(qtbot, window, coin_folder):
    single = window.single
    path = coin_folder / "coin_001.png"
    assert window.open_image(path)
    assert single.why_label.isHidden()  # nothing read yet
    # A real reading from the predictor: the line says what its fields say.
    with qtbot.waitSignal(single.processed, timeout=TIMEOUT_MS):
        single.process()
    real = single.last_prediction
    assert real.weakest, "the predictor fills in the weakest head"
    assert single.why_label.text() == why_sentence(real) and not single.why_label.isHidden()

    window.threshold_spin.setValue(0.9)
    unsure = _pred(str(path), 0.8, "digit 4 (0.62)", "1909 (0.18)", 1909, "S", "unknown")
    single.show_prediction(replace(unsure, notes=notes_for(1909, "S", sure=False)))
    assert single.result_label.text() == "unknown"
    line = single.why_label.text()
    assert "Unsure" in line and "digit 4 (0.62)" in line and "could be 1909 (0.18)" in line
    assert "possible 1909-S (unsure)" in single.detail_label.text()

    window.threshold_spin.setValue(0.5)  # the reading is now sure: the line turns into a quiet footnote
    assert single.result_label.text() == "1909 S" and single.last_prediction.status == "ok"
    assert "Unsure" not in single.why_label.text() and "digit 4 (0.62)" in single.why_label.text()
    assert "key date 1909-S" in single.detail_label.text()

    window.threshold_spin.setValue(0.85)  # and back
    assert single.result_label.text() == "unknown" and single.why_label.text() == line
    assert "key date" not in single.detail_label.text()


def test_batch_column_shows_the_why_and_sorts_by_the_weakest_head(qtbot):
    from coinnet.gui.results_model import COL_FILE, COL_WHY, COLUMNS, ResultsFilter, ResultsModel

    model = ResultsModel()
    for pred in (
        _pred("a.jpg", 0.3, "digit 4 (0.62)", "1956-D (0.18)"),
        _pred("b.jpg", 0.97, "mint (0.91)", "1955 (0.02)"),
        _pred("c.jpg", 0.4, "digit 2 (0.35)"),
        Prediction("d.jpg", error="cannot identify image file"),
    ):
        model.add(pred)
    assert COLUMNS[COL_WHY] == "Why unsure"
    cells = {model.index(r, COL_FILE).data(): model.index(r, COL_WHY).data() for r in range(model.rowCount())}
    assert cells == {
        "a.jpg": "digit 4 (0.62) · next 1956-D (0.18)",
        "b.jpg": "mint (0.91) · next 1955 (0.02)",  # sure readings carry it too
        "c.jpg": "digit 2 (0.35)",
        "d.jpg": "",
    }
    tip = model.index(0, COL_WHY).data(Qt.ItemDataRole.ToolTipRole)
    assert "digit 4 (0.62)" in tip and "1956-D" in tip
    proxy = ResultsFilter()
    proxy.setSourceModel(model)
    proxy.sort(COL_WHY, Qt.SortOrder.AscendingOrder)
    assert [proxy.index(r, COL_FILE).data() for r in range(proxy.rowCount())] == ["c.jpg", "a.jpg", "b.jpg", "d.jpg"]
    proxy.set_text("digit 4")  # the filter finds the why too
    assert [proxy.index(r, COL_FILE).data() for r in range(proxy.rowCount())] == ["a.jpg"]


@pytest.mark.parametrize("reverse", [False, True])
def test_review_queue_puts_the_likeliest_mistakes_first(qtbot, reverse):
    from coinnet.gui.results_model import ResultsModel
    from coinnet.gui.review_view import ReviewView

    model = ResultsModel()
    review = ReviewView(model)
    qtbot.addWidget(review)
    preds = [
        _pred("same_conf_strong.jpg", 0.45, "digit 3 (0.90)", "1958-D (0.30)"),
        _pred("same_conf_weak.jpg", 0.45, "digit 4 (0.30)", "1956 (0.40)"),
        _pred("same_conf_mint.jpg", 0.45, "mint (0.60)"),
        _pred("same_conf_no_why.jpg", 0.45),
        _pred("lowest.jpg", 0.20, "digit 2 (0.95)", "1965-D (0.10)"),
        _pred("sure.jpg", 0.95, "digit 4 (0.97)"),
        Prediction("broken.jpg", error="cannot identify image file"),
    ]
    model.add_many([(p, None) for p in (reversed(preds) if reverse else preds)])
    queue = [
        model.rows[review.proxy.mapToSource(review.proxy.index(r, 0)).row()].prediction.file
        for r in range(review.proxy.rowCount())
    ]
    assert queue == [
        "lowest.jpg",
        "same_conf_weak.jpg",
        "same_conf_mint.jpg",
        "same_conf_strong.jpg",
        "same_conf_no_why.jpg",
        "sure.jpg",
    ]

    review.select_proxy_row(1)  # which digit to check and the runner-up are shown beside the photo
    text = review.prediction_label.text()
    assert "digit 4 (0.30)" in text and "could be 1956 (0.40)" in text
    assert review.runner_up_button.isEnabled() and "1956" in review.runner_up_button.text()
    qtbot.mouseClick(review.runner_up_button, Qt.MouseButton.LeftButton)  # one click takes it as the label
    assert (review.year_edit.currentText(), review.mint_edit.currentText()) == ("1956", "none")
    assert review.save_button.isEnabled()

    model.apply_threshold(0.4)  # the shown reading turns sure: the text follows without reselecting
    assert "(ok)" in review.prediction_label.text() and "Unsure" not in review.prediction_label.text()

    review.select_proxy_row(2)  # no runner-up: nothing to take
    assert not review.runner_up_button.isEnabled() and not review.fill_from_runner_up()
