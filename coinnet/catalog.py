"""Key dates and varieties of Lincoln cents that collectors look for (pure Python).

The model reads only year and mint, so most entries say what to *check* (a doubled die, a reverse detail,
the metal) rather than assert a variety. ``notes_for`` is shown next to each prediction by the CLI and app.
"""

from __future__ import annotations

#: Any mint: None in the key means "whatever the mint mark".
ANY = None

# (year, mint or ANY) -> note. Mints use the label schema's names ("none" = no mark).
KEY_DATES: dict[tuple[int, str | None], str] = {
    (1909, "S"): "key date 1909-S; check the reverse for VDB initials (1909-S VDB, the top key)",
    (1909, "none"): "check the reverse for VDB initials (1909 VDB)",
    (1910, "S"): "semi-key 1910-S",
    (1911, "S"): "semi-key 1911-S",
    (1912, "S"): "semi-key 1912-S",
    (1913, "S"): "semi-key 1913-S",
    (1914, "D"): "key date 1914-D; beware altered 1944-D cents (check the 9)",
    (1914, "S"): "semi-key 1914-S",
    (1915, "S"): "semi-key 1915-S",
    (1917, "none"): "1917 doubled-die obverse candidate",
    (1922, "none"): "1922 plain (no D): key variety; check for a weak D under the date",
    (1922, "D"): "1922-D: only Denver struck cents in 1922; a missing D is the key 'plain' variety",
    (1924, "D"): "semi-key 1924-D",
    (1926, "S"): "semi-key 1926-S",
    (1931, "S"): "key date 1931-S (lowest mintage of the series)",
    (1931, "D"): "semi-key 1931-D",
    (1933, "D"): "semi-key 1933-D",
    (1936, "none"): "1936 doubled-die obverse candidate",
    (1941, "none"): "1941 doubled-die obverse candidate",
    (1943, ANY): "1943 cents are zinc-coated steel; a copper (bronze) 1943 is a great rarity: check with a magnet",
    (1944, ANY): "1944 cents are bronze; a steel 1944 is a great rarity: check with a magnet",
    (1955, "none"): "1955 doubled-die obverse candidate: look for doubling on the date and LIBERTY",
    (1958, "none"): "1958 doubled-die obverse candidate",
    (1960, ANY): "1960: check small date vs large date (the small date is scarcer)",
    (1969, "S"): "1969-S doubled-die obverse candidate",
    (1970, "S"): "1970-S: check small date (level 7) and doubled-die obverse",
    (1971, "S"): "1971-S doubled-die obverse candidate (proof)",
    (1972, "none"): "1972 doubled-die obverse candidate",
    (1982, ANY): "1982: check small vs large date and weigh it (3.11 g copper, 2.5 g zinc)",
    (1983, "none"): "1983 doubled-die reverse candidate",
    (1984, "none"): "1984 doubled-die obverse candidate (doubled ear)",
    (1992, "none"): "1992 close AM candidate: check the spacing of AM in AMERICA",
    (1992, "D"): "1992-D close AM candidate: check the spacing of AM in AMERICA",
    (1995, "none"): "1995 doubled-die obverse candidate (LIBERTY)",
    (1998, "none"): "1998 wide AM candidate: check the spacing of AM in AMERICA",
    (1999, "none"): "1999 wide AM candidate: check the spacing of AM in AMERICA",
    (2000, "none"): "2000 wide AM candidate: check the spacing of AM in AMERICA",
    (2017, "P"): "2017-P: first cents with a P mint mark (Mint's 225th anniversary)",
    (2019, "W"): "2019-W: West Point cents, issued only in sets",
}


def notes_for(year: int | None, mint: str | None, sure: bool = True) -> str:
    """Notes for a (year, mint) pair, joined with ``"; "``; ``""`` if nothing is notable.

    With an unknown mint (None) only the notes that hold for every mint of that year are given. A reading that is
    not ``sure`` (status ``unknown``) never asserts a key date or variety: a collector would set the coin aside
    on it. It gets ``"possible 1909-S (unsure)"`` instead, so the coin is still worth a look by eye.
    """
    if year is None:
        return ""
    notes = [KEY_DATES.get((int(year), mint), "") if mint else "", KEY_DATES.get((int(year), ANY), "")]
    if not sure:
        label = f"{int(year)}-{mint}" if mint and mint != "none" else str(int(year))
        return f"possible {label} (unsure)" if any(notes) else ""
    return "; ".join(n for n in notes if n)
