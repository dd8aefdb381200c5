"""Metrics on a tiny hand-labelled table; every expected number is worked out in the comments."""

from __future__ import annotations

import numpy as np
import pytest

from coinnet import labels
from coinnet.evaluate import metrics

# row  truth year/mint   predicted year/mint   view      notes
#  0   1950 D            1950 D                whole     all right
#  1   1999 none         1998 none             holder    last digit wrong
#  2   2009 ?            2009 S                whole     mint unknown: only the year is scored
#  3   2015 S            2015 D                holder    mint wrong
#  4   ?    D            1960 D                whole     year unknown: only the mint is scored
#  5   ?    ?            2000 P                whole     nothing labelled: never scored
#  6   1943 S            (predictor error)     closeup   scored, and wrong everywhere
TRUE_YEARS = [1950, 1999, 2009, 2015, None, None, 1943]
TRUE_MINTS = ["D", "none", None, "S", "D", None, "S"]
PRED_YEARS = [1950, 1998, 2009, 2015, 1960, 2000, None]
PRED_MINTS = ["D", "none", "S", "D", "D", "P", None]
VIEWS = ["whole", "holder", "whole", "holder", "whole", "whole", "closeup"]


@pytest.fixture()
def table():
    return (
        metrics.year_array(TRUE_YEARS),
        metrics.mint_array(TRUE_MINTS),
        metrics.year_array(PRED_YEARS),
        metrics.mint_array(PRED_MINTS),
    )


def test_headline_rates_skip_unlabelled_fields(table):
    s = metrics.summary(*table)
    # Years labelled on rows 0,1,2,3,6; right on 0,2,3.
    assert s["year"] == {"accuracy": 3 / 5, "correct": 3, "n": 5}
    # Mints labelled on rows 0,1,3,4,6; right on 0,1,4.
    assert s["mint"] == {"accuracy": 3 / 5, "correct": 3, "n": 5}
    # Both labelled on rows 0,1,3,6; only row 0 has both right.
    assert s["year_mint"] == {"accuracy": 1 / 4, "correct": 1, "n": 4}
    # First digits 1,1,2,2,1 vs 1,1,2,2,(none): the error row is the only miss.
    assert s["digits"][0] == {"accuracy": 4 / 5, "correct": 4, "n": 5}
    # Last digits 0,9,9,5,3 vs 0,8,9,5,(none): two misses.
    assert s["digits"][3] == {"accuracy": 3 / 5, "correct": 3, "n": 5}
    assert s["rows"] == 7


def test_split_by_view(table):
    by_view = metrics.summary_by_group(VIEWS, *table)
    assert list(by_view) == ["whole", "holder", "closeup"]
    assert by_view["whole"]["year"] == {"accuracy": 1.0, "correct": 2, "n": 2}  # rows 0, 2
    assert by_view["whole"]["mint"] == {"accuracy": 1.0, "correct": 2, "n": 2}  # rows 0, 4
    assert by_view["holder"]["year_mint"] == {"accuracy": 0.0, "correct": 0, "n": 2}  # rows 1, 3
    assert by_view["closeup"]["year"] == {"accuracy": 0.0, "correct": 0, "n": 1}


def test_split_by_era(table):
    eras = [metrics.era_of(y) for y in TRUE_YEARS]
    assert eras == ["wheat 1909-1958", "memorial 1959-2008", "bicentennial 2009", "shield 2010-",
                    "unknown", "unknown", "wheat 1909-1958"]  # fmt: skip
    by_era = metrics.summary_by_group(eras, *table)
    assert list(by_era) == ["wheat 1909-1958", "memorial 1959-2008", "bicentennial 2009", "shield 2010-", "unknown"]
    assert by_era["wheat 1909-1958"]["year"] == {"accuracy": 0.5, "correct": 1, "n": 2}  # rows 0, 6
    assert by_era["unknown"]["year"]["n"] == 0 and by_era["unknown"]["year"]["accuracy"] is None
    assert by_era["unknown"]["mint"] == {"accuracy": 1.0, "correct": 1, "n": 1}  # row 4
    assert metrics.era_of(1958) == "wheat 1909-1958" and metrics.era_of(1959) == "memorial 1959-2008"
    assert metrics.era_of(2010) == "shield 2010-"


def test_mint_confusion_counts_and_unpredicted(table):
    conf = metrics.confusion_matrices(*table)["mint"]
    d, s, none = labels.MINTS.index("D"), labels.MINTS.index("S"), labels.MINTS.index("none")
    counts = np.array(conf["counts"])
    # Rows 0 and 4 are D->D, row 1 none->none, row 3 S->D; row 6 has no prediction.
    assert counts[d, d] == 2 and counts[none, none] == 1 and counts[s, d] == 1
    assert counts.sum() == 4 and conf["n"] == 4 and conf["unpredicted"] == 1


def test_digit_confusion(table):
    conf = metrics.confusion_matrices(*table)["digit3"]
    counts = np.array(conf["counts"])
    assert counts[9, 8] == 1  # 1999 read as 1998
    assert counts[9, 9] == 1 and counts[0, 0] == 1 and counts[5, 5] == 1
    assert conf["n"] == 4 and conf["unpredicted"] == 1


def test_answer_correctness(table):
    correct, scored = metrics.answer_correctness(*table)
    # Row 2 (year only) counts the year; rows 4 and 5 have no year and are left out.
    assert scored.tolist() == [True, True, True, True, False, False, True]
    assert correct[scored].tolist() == [True, False, True, False, False]


def test_expected_calibration_error_by_hand():
    conf = np.array([0.95, 0.95, 0.65, 0.65, 0.15])
    correct = np.array([True, False, True, True, False])
    out = metrics.expected_calibration_error(conf, correct, n_bins=10)
    # Bin 0.9-1.0: 2 rows, |0.5 - 0.95| = 0.45; bin 0.6-0.7: 2 rows, |1 - 0.65| = 0.35;
    # bin 0.1-0.2: 1 row, |0 - 0.15| = 0.15.  ECE = (2*0.45 + 2*0.35 + 1*0.15) / 5 = 0.35.
    assert out["ece"] == pytest.approx(0.35)
    assert out["n"] == 5
    assert [b["count"] for b in out["bins"]] == [0, 1, 0, 0, 0, 0, 2, 0, 0, 2]
    assert out["bins"][9]["accuracy"] == 0.5 and out["bins"][0]["accuracy"] is None


def test_confidence_of_exactly_one_and_zero_is_binned():
    out = metrics.expected_calibration_error(np.array([1.0, 0.0]), np.array([True, False]), n_bins=4)
    assert out["bins"][3]["count"] == 1 and out["bins"][0]["count"] == 1
    assert out["ece"] == pytest.approx(0.0)


def test_coverage_and_precision_at_threshold():
    conf = np.array([0.9, 0.8, 0.6, 0.3])
    correct = np.array([True, True, False, True])
    # t=0.5 answers 0.9, 0.8, 0.6: 3 of 4 rows, 2 of them right.
    assert metrics.at_threshold(conf, correct, 0.5) == {
        "threshold": 0.5, "coverage": 0.75, "precision": 2 / 3, "answered": 3, "correct": 2, "n": 4,
    }  # fmt: skip
    nothing = metrics.at_threshold(conf, correct, 0.95)
    assert nothing["coverage"] == 0.0 and nothing["precision"] is None
    curve = metrics.coverage_curve(conf, correct)
    assert len(curve) == 101 and curve[0]["coverage"] == 1.0 and curve[0]["precision"] == 0.75
    assert curve[70]["threshold"] == 0.7 and curve[70]["precision"] == 1.0 and curve[70]["coverage"] == 0.5


def test_threshold_for_precision_picks_the_lowest():
    conf = np.array([0.9, 0.8, 0.6, 0.3])
    correct = np.array([True, True, False, True])
    # Candidates: 0.3 -> 3/4, 0.6 -> 2/3, 0.8 -> 2/2. The first reaching 0.99 is 0.8, with half answered.
    point = metrics.threshold_for_precision(conf, correct, 0.99)
    assert point["threshold"] == 0.8 and point["coverage"] == 0.5 and point["precision"] == 1.0
    assert metrics.threshold_for_precision(conf, correct, 0.75)["threshold"] == 0.3
    assert metrics.threshold_for_precision(conf, np.zeros(4, dtype=bool), 0.5) is None


def test_empty_input_gives_none_not_nan():
    empty = metrics.year_array([])
    assert metrics.year_accuracy(empty, empty) == {"accuracy": None, "correct": 0, "n": 0}
    assert metrics.expected_calibration_error(np.array([]), np.array([], dtype=bool))["ece"] is None
