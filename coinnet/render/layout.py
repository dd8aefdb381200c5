"""Where things go: the label draw, the date's era style and place on the coin, and the camera framing."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from coinnet import labels
from coinnet.render import fonts, traced
from coinnet.render.relief import Strip, text_strip


@lru_cache(maxsize=64)
def _mints_by_year(year_min: int, year_max: int) -> tuple[tuple[int, tuple[str, ...]], ...]:
    by_year: dict[int, list[str]] = {}
    for year, mint in labels.valid_pairs(year_min, year_max):
        by_year.setdefault(year, []).append(mint)
    return tuple((y, tuple(m)) for y, m in sorted(by_year.items()))


def sample_label(rng: np.random.Generator, year_min: int, year_max: int) -> tuple[int, str]:
    """Uniform over years that have a valid pair, then uniform over that year's mints."""
    table = _mints_by_year(year_min, year_max)
    if not table:
        raise ValueError(f"no Lincoln cents were struck between {year_min} and {year_max}")
    year, mints = table[rng.integers(len(table))]
    return year, mints[rng.integers(len(mints))]


@dataclass
class DateStyle:
    """Era-dependent geometry of the date (coin units: radius 1).

    Attributes:
        centre: nominal (x, y) of the date's ink centre on the coin.
        width: nominal ink width of the four digits.
        spacing: gap between digits as a fraction of the cap height.
        mint_scale: mint-mark cap height relative to the digits' cap height.
    """

    centre: tuple[float, float]
    width: float
    spacing: float
    mint_scale: float


def date_style(year: int, rng: np.random.Generator) -> DateStyle:
    """The date's look by era: small 1909-17 dates, wheat, memorial and shield eras, with jitter."""
    if year <= 1917:
        style = DateStyle((0.62, 0.42), 0.31, 0.10, 0.62)
    elif year <= 1958:
        style = DateStyle((0.62, 0.41), 0.35, 0.12, 0.60)
    elif year <= 2008:
        style = DateStyle((0.63, 0.40), 0.38, 0.10, 0.65)
    else:
        style = DateStyle((0.63, 0.40), 0.36, 0.10, 0.62)
    j = rng.uniform(-1, 1, 5)
    return DateStyle(
        (style.centre[0] + 0.03 * j[0], style.centre[1] + 0.03 * j[1]),
        style.width * (1 + 0.10 * j[2]),
        max(0.02, style.spacing + 0.06 * j[3]),
        style.mint_scale * (1 + 0.12 * j[4]),
    )


@dataclass
class Placement:
    """A strip placed on the coin: ``to_coin`` maps strip pixels (homogeneous) to coin coordinates."""

    strip: Strip
    to_coin: np.ndarray


def _place(strip: Strip, centre: np.ndarray, units_per_px: float, tilt_deg: float) -> Placement:
    x0, y0, x1, y1 = strip.ink_box
    c, s = np.cos(np.deg2rad(tilt_deg)), np.sin(np.deg2rad(tilt_deg))
    rot = units_per_px * np.array([[c, s], [-s, c]])
    m = np.eye(3)
    m[:2, :2] = rot
    m[:2, 2] = centre - rot @ np.array([(x0 + x1) / 2, (y0 + y1) / 2])
    return Placement(strip, m)


def place_date_and_mint(
    year: int, mint: str, rng: np.random.Generator, font_pool: list[str], distort: float, traced_prob: float = 0.0
) -> tuple[Placement, Placement | None]:
    """Lay out the date (and the mint mark centred under it) on the coin.

    With probability ``traced_prob`` both use the traced Lincoln face of the year's era, else a font from
    ``font_pool``.
    """
    style = date_style(year, rng)
    font = font_pool[rng.integers(len(font_pool))]
    # No draw at all when traced_prob is 0, so a fonts-only config renders exactly as before traced faces.
    use_traced = traced_prob > 0 and rng.random() < traced_prob
    spacing = style.spacing
    if use_traced:
        font = traced.face_for_year(year)
        spacing += traced.TRACKING[font]
    date = text_strip(str(year), font, rng, spacing, distort)
    tilt = rng.uniform(-3, 3)
    units_per_px = style.width / (date.ink_box[2] - date.ink_box[0])
    date_pl = _place(date, np.array(style.centre), units_per_px, tilt)
    if mint == "none":
        return date_pl, None
    # A font date sometimes gets its mint letter from another font (punched separately); a traced one never.
    mint_font = font if use_traced or rng.random() < 0.7 else font_pool[rng.integers(len(font_pool))]
    mark = text_strip(mint, mint_font, rng, 0.0, distort)
    cap_units = date.cap_px * units_per_px
    mark_cap = cap_units * style.mint_scale
    mark_upp = mark_cap / (mark.ink_box[3] - mark.ink_box[1])
    # Centred under the date with a little sideways play, as the dies were punched by hand.
    if use_traced:  # where the photos put it: below the baseline (old-style digits hang), left of centre
        sideways = rng.uniform(*traced.MINT_SHIFT[font]) * style.width
        base_below_centre = (date.baseline[1] - (date.ink_box[1] + date.ink_box[3]) / 2) * units_per_px
        down = base_below_centre + rng.uniform(*traced.MINT_DROP[font]) * cap_units
    else:
        sideways = rng.uniform(-0.08, 0.08) * style.width
        down = cap_units * 0.5 + rng.uniform(0.12, 0.35) * cap_units
    offset_local = np.array([sideways, down + mark_cap * 0.5])
    c, s = np.cos(np.deg2rad(tilt)), np.sin(np.deg2rad(tilt))
    centre = np.array(style.centre) + np.array([[c, s], [-s, c]]) @ offset_local
    return date_pl, _place(mark, centre, mark_upp, tilt)


def font_pool(names: list[str]) -> list[str]:
    """The fonts to draw from: the configured ones, or every vendored font."""
    return list(names) if names else list(fonts.available_fonts())


def ink_corners(pl: Placement) -> np.ndarray:
    """The four corners of a placement's ink box in coin coordinates, shape (4, 2)."""
    x0, y0, x1, y1 = pl.strip.ink_box
    pts = np.array([[x0, y0, 1], [x1, y0, 1], [x1, y1, 1], [x0, y1, 1]], np.float64).T
    return (pl.to_coin @ pts)[:2].T


def camera(
    size: int, px_per_unit: float, rot_deg: float, look_at: np.ndarray, shift: np.ndarray, persp: np.ndarray
) -> np.ndarray:
    """3x3 homography from coin coordinates to output pixels.

    Args:
        size: output side.
        px_per_unit: output pixels per coin unit (before perspective).
        rot_deg: in-plane rotation, counter-clockwise on screen.
        look_at: coin point that lands at the image centre + ``shift``.
        shift: pixel offset of ``look_at`` from the image centre.
        persp: (a, b) perspective terms: the relative scale change from the centre to the right/bottom edge.
    """
    c, s = np.cos(np.deg2rad(rot_deg)), np.sin(np.deg2rad(rot_deg))
    rot = px_per_unit * np.array([[c, s], [-s, c]])  # y points down, so this turns CCW on screen
    affine = np.eye(3)
    affine[:2, :2] = rot
    affine[:2, 2] = np.array([size / 2, size / 2]) + shift - rot @ look_at
    half = size / 2
    centre = np.array([[1, 0, half], [0, 1, half], [0, 0, 1]], np.float64)
    tilt = np.array([[1, 0, 0], [0, 1, 0], [persp[0] / half, persp[1] / half, 1]], np.float64)
    uncentre = np.array([[1, 0, -half], [0, 1, -half], [0, 0, 1]], np.float64)
    return centre @ tilt @ uncentre @ affine


def project(h: np.ndarray, pts: np.ndarray) -> np.ndarray:
    """Apply homography ``h`` to (N, 2) points."""
    p = h @ np.c_[pts, np.ones(len(pts))].T
    return (p[:2] / p[2]).T
