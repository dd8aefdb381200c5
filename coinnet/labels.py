"""Label schema: the single source of truth for years, digits and mint marks.

A label is a year (four digits, each its own 10-way head) and a mint mark. Only the (year, mint) pairs
that were actually struck as Lincoln cents are valid; decoding picks the most probable *valid* pair.
Unknown fields (empty in ``labels.csv``) encode to :data:`IGNORE_INDEX` so they are masked from the loss.

Pure Python, no numpy/torch: importable from every layer, inference included.
"""

from __future__ import annotations

from functools import cache

YEAR_MIN = 1909
#: Last year Lincoln cents were struck (circulation strikes ended in November 2025).
YEAR_MAX = 2025
NUM_DIGITS = 4
DIGIT_CLASSES = 10
#: Mint marks in head order. ``none`` = no mark under the date (Philadelphia before 2017, and 1965-67 all mints).
MINTS: tuple[str, ...] = ("none", "P", "D", "S", "W")
IGNORE_INDEX = -100
#: ``legible`` value of a ``labels.csv`` row whose image holds no readable date (another part of the coin, a date
#: turned far from upright): training teaches the heads to be unsure there, so the view search can tell a date
#: view from a confident misreading of the bust or the legend.
NO_DATE = "no-date"
HEAD_NAMES: tuple[str, ...] = ("digit0", "digit1", "digit2", "digit3", "mint")

# Years in which no cent bears the mark (inclusive ranges), from the mintage record.
_NO_D = {1909, 1910, 1921, 1923, 1965, 1966, 1967}
_D_RANGE = (1911, YEAR_MAX)
_NO_S = {1922, 1932, 1933, 1934} | set(range(1956, 1968))
_S_RANGE = (1909, YEAR_MAX)  # from 1975 on, S cents are proofs only; still a real (year, mint) pair


def _mint_exists(year: int, mint: str) -> bool:
    if not YEAR_MIN <= year <= YEAR_MAX:
        return False
    if mint == "none":
        # 2017 Philadelphia cents carry a P; 1922 "plain" is a worn-die Denver variety with no mark.
        return year != 2017
    if mint == "P":
        return year == 2017
    if mint == "W":
        return year == 2019
    if mint == "D":
        return _D_RANGE[0] <= year <= _D_RANGE[1] and year not in _NO_D
    if mint == "S":
        return _S_RANGE[0] <= year <= _S_RANGE[1] and year not in _NO_S
    return False


@cache
def valid_pairs(year_min: int = YEAR_MIN, year_max: int = YEAR_MAX) -> tuple[tuple[int, str], ...]:
    """All (year, mint) pairs struck as Lincoln cents within ``[year_min, year_max]``, sorted."""
    return tuple(
        (y, m) for y in range(max(year_min, YEAR_MIN), min(year_max, YEAR_MAX) + 1) for m in MINTS if _mint_exists(y, m)
    )


def is_valid(year: int, mint: str) -> bool:
    """Whether a cent with this year and mint mark was struck."""
    return _mint_exists(int(year), mint)


def parse_year(value: object) -> int | None:
    """Parse a year field; empty/None/'unknown' gives None, anything else malformed raises ``ValueError``."""
    if value is None:
        return None
    text = str(value).strip()
    if text == "" or text.lower() in {"unknown", "nan", "?"}:
        return None
    if len(text) != 4 or not text.isdigit():
        raise ValueError(f"year must be four digits or empty, got {value!r}")
    return int(text)


def parse_mint(value: object) -> str | None:
    """Parse a mint field (case-insensitive; 'P'/'D'/'S'/'W'/'none'); empty gives None."""
    if value is None:
        return None
    text = str(value).strip()
    if text == "" or text.lower() in {"unknown", "nan", "?"}:
        return None
    for mint in MINTS:
        if text.lower() == mint.lower():
            return mint
    raise ValueError(f"mint must be one of {', '.join(MINTS)} or empty, got {value!r}")


def encode(year: int | None, mint: str | None) -> tuple[int, int, int, int, int]:
    """Class indices for the five heads; unknown fields become :data:`IGNORE_INDEX`."""
    if year is None:
        digits = [IGNORE_INDEX] * NUM_DIGITS
    else:
        text = f"{int(year):04d}"
        if len(text) != NUM_DIGITS:
            raise ValueError(f"year {year} does not have four digits")
        digits = [int(c) for c in text]
    mint_idx = IGNORE_INDEX if mint is None else MINTS.index(mint)
    return (*digits, mint_idx)  # type: ignore[return-value]


def decode(indices: tuple[int, ...] | list[int]) -> tuple[int | None, str | None]:
    """Inverse of :func:`encode` (ignored fields decode to None)."""
    digits, mint_idx = list(indices[:NUM_DIGITS]), indices[NUM_DIGITS]
    year = None if any(d == IGNORE_INDEX for d in digits) else int("".join(str(int(d)) for d in digits))
    mint = None if mint_idx == IGNORE_INDEX else MINTS[int(mint_idx)]
    return year, mint


def schema_dict() -> dict:
    """The schema as plain JSON-able data (stored in ONNX metadata, read back by the predictor)."""
    return {
        "heads": list(HEAD_NAMES),
        "digit_classes": DIGIT_CLASSES,
        "mints": list(MINTS),
        "year_min": YEAR_MIN,
        "year_max": YEAR_MAX,
        "valid_pairs": [[y, m] for y, m in valid_pairs()],
    }
