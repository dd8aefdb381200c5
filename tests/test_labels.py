import pytest

from coinnet import labels


def test_encode_decode_round_trip_over_every_valid_pair():
    for year, mint in labels.valid_pairs():
        assert labels.decode(labels.encode(year, mint)) == (year, mint)


def test_unknown_fields_encode_to_ignore_index():
    assert labels.encode(None, "D") == (labels.IGNORE_INDEX,) * 4 + (labels.MINTS.index("D"),)
    assert labels.encode(1955, None)[4] == labels.IGNORE_INDEX
    assert labels.decode(labels.encode(None, None)) == (None, None)


@pytest.mark.parametrize(
    "year, mint, exists",
    [
        (2017, "P", True),
        (2017, "none", False),
        (2018, "P", False),
        (2019, "W", True),
        (2020, "W", False),
        (1965, "none", True),
        (1965, "D", False),
        (1966, "S", False),
        (1909, "S", True),
        (1909, "D", False),
        (1911, "D", True),
        (1922, "D", True),
        (1922, "none", True),
        (1922, "S", False),
        (1932, "S", False),
        (1955, "S", True),
        (1956, "S", False),
        (1968, "S", True),
        (1908, "none", False),
        (labels.YEAR_MAX + 1, "none", False),
    ],
)
def test_valid_pairs_follow_the_mintage_record(year, mint, exists):
    assert labels.is_valid(year, mint) is exists
    assert ((year, mint) in labels.valid_pairs()) is exists


def test_parse_fields():
    assert labels.parse_year(" 1943 ") == 1943
    assert labels.parse_year("") is None and labels.parse_mint("") is None
    assert labels.parse_mint("d") == "D" and labels.parse_mint("NONE") == "none"
    with pytest.raises(ValueError, match="four digits"):
        labels.parse_year("19x3")
    with pytest.raises(ValueError, match="mint must be"):
        labels.parse_mint("Q")


def test_schema_dict_lists_every_valid_pair():
    schema = labels.schema_dict()
    assert schema["mints"] == list(labels.MINTS)
    assert len(schema["valid_pairs"]) == len(labels.valid_pairs())
    assert [2019, "W"] in schema["valid_pairs"]
