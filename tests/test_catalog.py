"""catalog: key dates are flagged, ordinary coins are not, and every entry is a real (year, mint) pair."""

from __future__ import annotations

from coinnet import labels
from coinnet.catalog import ANY, KEY_DATES, notes_for


def test_every_entry_is_a_struck_pair_and_mentions_its_year():
    for (year, mint), note in KEY_DATES.items():
        assert any(labels.is_valid(year, m) for m in labels.MINTS) if mint is ANY else labels.is_valid(year, mint)
        assert str(year) in note and "\n" not in note


def test_famous_dates_are_flagged():
    for year, mint, word in [
        (1909, "S", "VDB"),
        (1914, "D", "key"),
        (1922, "none", "plain"),
        (1931, "S", "key"),
        (1955, "none", "doubled"),
        (2017, "P", "first"),
        (1943, "D", "copper"),
        (1944, "S", "steel"),
    ]:
        assert word.lower() in notes_for(year, mint).lower(), (year, mint)


def test_ordinary_and_unknown():
    assert notes_for(2005, "D") == ""
    assert notes_for(None, "S") == ""
    assert "magnet" in notes_for(1943, None)  # year-wide notes still apply when the mint is unread
    assert notes_for(1909, None) == ""  # the VDB hint depends on the mint


def test_an_unsure_reading_never_asserts_a_key_date():
    for year, mint in KEY_DATES:
        unsure = notes_for(year, mint or "none", sure=False)
        assert "key" not in unsure and "variety" not in unsure and "check" not in unsure, unsure
    assert notes_for(1909, "S", sure=False) == "possible 1909-S (unsure)"
    assert notes_for(1922, "none", sure=False) == "possible 1922 (unsure)"
    assert notes_for(2005, "D", sure=False) == ""
