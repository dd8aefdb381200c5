"""Confidence from more than one softmax: the signals of a reading, the stored rule and the precision curve."""

from __future__ import annotations

import json

import numpy as np
import pytest

from coinnet import labels
from coinnet.infer.confidence import ConfidenceRule, parse_precision_curve, threshold_for
from coinnet.infer.pair_decoder import PairDecoder


def _view(year: str, mint: str, margin: float, weak_digit: int | None = None) -> dict[str, np.ndarray]:
    """Logits of one view reading ``year`` + ``mint``; ``weak_digit`` is nearly a coin toss with the next digit."""
    out = {}
    for i, ch in enumerate(year):
        row = np.zeros(labels.DIGIT_CLASSES)
        row[int(ch)] = margin
        row[(int(ch) + 1) % 10] = margin - (0.2 if i == weak_digit else 3.0)
        out[f"digit{i}"] = row[None]
    mint_row = np.zeros(len(labels.MINTS))
    mint_row[labels.MINTS.index(mint)] = margin
    out["mint"] = mint_row[None]
    return out


def _vote(views: list[dict], counts: list[int]):
    logits = {h: np.concatenate([v[h] for v in views]) for h in labels.HEAD_NAMES}
    return PairDecoder(labels.schema_dict()).vote(logits, counts, rule="sum")


def test_signals_say_how_many_views_agree_which_digit_is_weak_and_what_came_next():
    # Photo 0: three views agree on 1972-D, its last digit is weak in each (2 or 3). Photo 1: two views disagree.
    photo0 = [_view("1972", "D", 9.0, weak_digit=3) for _ in range(3)]
    photo1 = [_view("1941", "none", 9.0), _view("1948", "none", 8.0)]
    decoded, _ = _vote(photo0 + photo1, [3, 2])
    first, second = decoded.doubts
    assert decoded.pairs == [(1972, "D"), (1941, "none")]
    assert first.weakest_head == 3 and first.weakest_prob == pytest.approx(1 / (1 + np.exp(-0.2)), abs=0.01)
    assert first.runner_up == (1973, "D") and first.signals["agree"] == 1.0
    assert first.signals["vote"] == pytest.approx(1 - first.runner_up_share)
    # The disagreeing photo: half its confident views read another year, and the runner-up is that year.
    assert second.signals["agree"] == 0.5 and second.runner_up == (1948, "none")
    assert second.signals["vote"] < first.signals["vote"]
    for d in decoded.doubts:
        assert set(d.signals) == {"view", "vote", "agree", "weakest", "dateness"}
        assert all(0.0 <= v <= 1.0 for v in d.signals.values())


def test_a_view_with_no_date_has_low_dateness():
    flat = {h: np.zeros((1, c)) for h, c in zip(labels.HEAD_NAMES, [10, 10, 10, 10, len(labels.MINTS)])}
    decoded, _ = _vote([flat, _view("2001", "none", 9.0)], [1, 1])
    assert decoded.doubts[0].signals["dateness"] < 0.01 < 0.9 < decoded.doubts[1].signals["dateness"]
    assert decoded.doubts[0].signals["agree"] == 0.0  # no confident view at all


def test_rule_round_trips_through_json_and_applies_a_logistic_on_signal_logits():
    rule = ConfidenceRule(("view", "vote"), (1.5, 2.0), -0.5)
    again = ConfidenceRule.from_json(rule.to_json())
    assert again == rule
    signals = {"view": 0.8, "vote": 0.6, "agree": 1.0, "weakest": 0.7, "dateness": 0.9}
    z = -0.5 + 1.5 * np.log(0.8 / 0.2) + 2.0 * np.log(0.6 / 0.4)
    assert again.apply(signals)[0] == pytest.approx(1 / (1 + np.exp(-z)))


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("{", "not valid JSON"),
        (json.dumps({"signals": ["view", "psychic"], "weights": [1, 1], "bias": 0}), "distinct names"),
        (json.dumps({"signals": ["view", "view"], "weights": [1, 1], "bias": 0}), "distinct names"),
        (json.dumps({"signals": ["view"], "weights": [1, 2], "bias": 0}), "one weight per signal"),
        (json.dumps({"signals": ["view"], "weights": ["1"], "bias": 0}), "must be numbers"),
        ('{"signals": ["view"], "weights": [NaN], "bias": 0}', "finite"),
        (json.dumps({"signals": ["view"], "weights": [1e300], "bias": 0}), "finite"),
        ("[" * 100_000, "not valid JSON"),
    ],
)
def test_a_hostile_rule_is_refused_in_one_line(text, reason):
    with pytest.raises(ValueError, match=reason) as err:
        ConfidenceRule.from_json(text)
    assert "\n" not in str(err.value)


def test_precision_curve_gives_the_lowest_threshold_that_reached_a_precision():
    curve = parse_precision_curve(json.dumps([[0.9, 0.995, 0.2], [0.5, 0.9, 0.7], [0.7, 0.96, 0.45]]))
    assert [p[0] for p in curve] == [0.5, 0.7, 0.9]
    assert threshold_for(curve, 0.95) == (0.7, 0.96, 0.45)
    assert threshold_for(curve, 0.99) == (0.9, 0.995, 0.2)
    with pytest.raises(ValueError, match=r"not reached .* \(best 0.995\)"):
        threshold_for(curve, 0.999)
    for bad in ("[]", "[[0.5, 1.5, 0.1]]", "[[0.5, 0.9]]", "[[0.5, NaN, 0.1]]", json.dumps([[0.5, 0.9, 0.1]] * 5000)):
        with pytest.raises(ValueError, match="precision_curve"):
            parse_precision_curve(bad)


def test_jitters_keep_the_view_size_and_steady_is_the_chosen_pairs_mean_over_them():
    from coinnet.infer.confidence import add_steady
    from coinnet.infer.views import JITTERS, jitters

    square = np.random.default_rng(0).integers(0, 255, (64, 64, 3), dtype=np.uint8)
    out = jitters(square)
    assert len(out) == len(JITTERS) and all(j.shape == square.shape and j.dtype == np.uint8 for j in out)
    assert not any(np.array_equal(j, square) for j in out)
    decoded, _ = _vote([_view("1972", "D", 9.0), _view("1941", "none", 9.0)], [1, 1])
    posterior = np.zeros((2 * len(JITTERS), 4))
    posterior[: len(JITTERS), 1] = [0.9, 0.6, 0.3]  # reading 0's pair is column 1, reading 1's column 2
    posterior[len(JITTERS) :, 2] = 1.0
    add_steady(decoded.doubts, np.array([1, 2]), posterior)
    assert decoded.doubts[0].signals["steady"] == pytest.approx(0.6) and decoded.doubts[1].signals["steady"] == 1.0


def test_nearby_steady_averages_the_chosen_pair_over_a_photos_other_views():
    from coinnet.infer.confidence import nearby_steady

    posterior = np.array([[0.9, 0.1], [0.6, 0.4], [0.2, 0.8], [0.5, 0.5], [0.3, 0.7], [0.1, 0.9]])
    counts, rows, chosen = [3, 1, 2], np.array([0, 3, 5]), np.array([0, 0, 1])
    got = nearby_steady(posterior, counts, rows, chosen, [True, False, True])
    assert got == pytest.approx({0: (0.6 + 0.2) / 2, 2: 0.7})  # photo 1 is not read near one place: jitters
