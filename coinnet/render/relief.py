"""Height maps of the cent's design: the cached coin base (rim, bust, legends) and per-sample date strips.

Coin coordinates: the coin's centre is the origin, its radius is 1, x to the right, y down (image
convention). Heights are in "relief units": field 0, lettering ~0.6, bust up to 1, rim ~1.1.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import cv2
import numpy as np

from coinnet.render import fonts

#: The base map covers [-EXTENT, EXTENT]^2 of coin coordinates (a margin outside the rim for the edge).
EXTENT = 1.06
BASE_PX = 768
RIM_INNER = 0.915

# Lincoln's bust facing right, hand-traced from photos (coin coordinates, clockwise from the crown).
_BUST = np.array(
    [
        (0.02, -0.74),
        (0.16, -0.73),
        (0.28, -0.64),
        (0.35, -0.52),
        (0.36, -0.41),
        (0.40, -0.34),
        (0.43, -0.27),
        (0.47, -0.20),
        (0.42, -0.17),
        (0.43, -0.12),
        (0.41, -0.07),
        (0.42, -0.02),
        (0.38, 0.07),
        (0.31, 0.13),
        (0.26, 0.19),
        (0.31, 0.25),
        (0.29, 0.33),
        (0.34, 0.48),
        (0.38, 0.62),
        (0.43, 0.82),
        (0.30, 0.90),
        (0.0, 0.93),
        (-0.30, 0.88),
        (-0.52, 0.76),
        (-0.40, 0.52),
        (-0.27, 0.30),
        (-0.22, 0.10),
        (-0.24, -0.04),
        (-0.33, -0.20),
        (-0.37, -0.38),
        (-0.31, -0.56),
        (-0.17, -0.69),
    ]
)


def _streak_kernel(length: int, angle_deg: float) -> np.ndarray:
    k = np.zeros((length, length), np.float32)
    c = length // 2
    dx, dy = np.cos(np.deg2rad(angle_deg)) * c, np.sin(np.deg2rad(angle_deg)) * c
    cv2.line(k, (int(c - dx), int(c - dy)), (int(c + dx), int(c + dy)), 1.0, 1)
    return k / k.sum()


def coin_to_base() -> np.ndarray:
    """3x3 matrix from coin coordinates to base-map pixels."""
    s = BASE_PX / (2 * EXTENT)
    return np.array([[s, 0, EXTENT * s], [0, s, EXTENT * s], [0, 0, 1]], np.float64)


def _px(points: np.ndarray) -> np.ndarray:
    return (coin_to_base() @ np.c_[points, np.ones(len(points))].T)[:2].T


def _stamp_text(
    canvas: np.ndarray, font: str, text: str, centres: np.ndarray, angles: np.ndarray, height_px: float
) -> None:
    """Draw each character of ``text`` centred at ``centres`` (base px), rotated by ``angles`` (deg, CCW)."""
    for char, (cx, cy), ang in zip(text, centres, angles):
        if char == " ":
            continue
        mask, _ = fonts.glyph(font, char)
        k = height_px / fonts.GLYPH_PX
        m = cv2.getRotationMatrix2D((mask.shape[1] / 2, mask.shape[0] / 2), float(ang), k)
        m[:, 2] += (cx, cy) - np.array([mask.shape[1] / 2, mask.shape[0] / 2])
        stamp = cv2.warpAffine(mask, m, (canvas.shape[1], canvas.shape[0]), flags=cv2.INTER_LINEAR)
        np.maximum(canvas, stamp, out=canvas)


def _letter_profile(ink: np.ndarray, sigma: float) -> np.ndarray:
    """Flat-topped letters with sloped sides, as struck relief looks."""
    soft = cv2.GaussianBlur(ink, (0, 0), sigma)
    return np.clip(soft * 1.8 - 0.4, 0, 1).astype(np.float32)


@lru_cache(maxsize=8)
def base_relief(variant: int) -> tuple[np.ndarray, ...]:
    """Mip pyramid of the coin base as float32 (H, W, 3) = (height, coin alpha, lettering); level 0 is BASE_PX.

    ``variant`` picks the legend font and small shape jitter so the model cannot learn one fixed coin.
    """
    rng = np.random.default_rng(1000 + variant)
    n = BASE_PX
    grid = (np.arange(n, dtype=np.float32) + 0.5) / n * 2 * EXTENT - EXTENT
    xx, yy = np.meshgrid(grid, grid)
    r = np.hypot(xx, yy)
    alpha = np.clip((1.0 - r) * n / (2 * EXTENT) + 0.5, 0, 1).astype(np.float32)

    # Rim: a raised band with a rounded inner slope.
    rim = np.clip((r - RIM_INNER) / 0.03, 0, 1) ** 0.7 * 1.1

    # Bust: a dome whose height grows with distance from its outline, plus some hair/beard texture.
    pts = _px(_BUST * (1 + rng.uniform(-0.02, 0.02)) + rng.uniform(-0.015, 0.015, 2))
    sil = np.zeros((n, n), np.uint8)
    cv2.fillPoly(sil, [np.round(pts * 16).astype(np.int32)], 255, lineType=cv2.LINE_AA, shift=4)
    dist = cv2.distanceTransform((sil > 127).astype(np.uint8), cv2.DIST_L2, 5) / (0.18 * n / (2 * EXTENT))
    bust = np.sqrt(np.clip(dist, 0, 1)) * 0.95
    # Hair and beard: strands = noise smeared along a slowly turning direction; coat: broad folds.
    strands = cv2.resize(rng.normal(0, 1, (96, 96)).astype(np.float32), (n, n), interpolation=cv2.INTER_CUBIC)
    strands = cv2.filter2D(strands, -1, _streak_kernel(n // 40, 70))
    folds = cv2.resize(rng.normal(0, 1, (10, 10)).astype(np.float32), (n, n), interpolation=cv2.INTER_CUBIC)
    hair = np.clip((0.15 - yy) * 4, 0, 1) * (xx < 0.34)
    bust = bust * (1 + 0.2 * strands * hair + 0.15 * folds * (1 - hair))
    # Ear, eye socket and jaw line: a few bumps and grooves so the bust is not a plain blob.
    for cx, cy, rad, amp in [
        (0.02, -0.32, 0.07, 0.35),
        (0.30, -0.36, 0.04, -0.3),
        (0.22, -0.15, 0.08, 0.25),
        (0.15, 0.0, 0.12, 0.2),
        (0.05, 0.45, 0.2, -0.2),
        (0.3, 0.2, 0.05, 0.3),
    ]:
        bust += amp * np.exp(-((xx - cx) ** 2 + (yy - cy) ** 2) / (2 * rad**2)) * (bust > 0)
    bust = cv2.GaussianBlur(bust.astype(np.float32), (0, 0), 1.5) * (sil > 127)

    # Legends: IN GOD WE TRUST around the top, LIBERTY behind the bust.
    font = fonts.available_fonts()[variant % len(fonts.available_fonts())]
    ink = np.zeros((n, n), np.float32)
    motto = "IN GOD WE TRUST"
    span = np.deg2rad(rng.uniform(100, 112))
    theta = -np.pi / 2 + np.linspace(-span / 2, span / 2, len(motto))
    radius = 0.80 + rng.uniform(-0.01, 0.01)
    centres = _px(np.c_[np.cos(theta) * radius, np.sin(theta) * radius])
    px_per_unit = n / (2 * EXTENT)
    _stamp_text(ink, font, motto, centres, -np.rad2deg(theta + np.pi / 2), 0.10 * px_per_unit)
    lib_x = np.linspace(-0.86, -0.45, 7) + rng.uniform(-0.02, 0.02)
    centres = _px(np.c_[lib_x, np.full(7, 0.13 + rng.uniform(-0.02, 0.02))])
    _stamp_text(ink, font, "LIBERTY", centres, np.zeros(7), 0.085 * px_per_unit)
    letters = _letter_profile(ink, 0.004 * px_per_unit) * 0.6

    height = np.maximum(np.maximum(rim, bust), letters).astype(np.float32)
    level = np.dstack([height, alpha, letters / 0.6])
    pyramid = [level]
    while pyramid[-1].shape[0] > 64:
        pyramid.append(cv2.pyrDown(pyramid[-1]))
    for lv in pyramid:
        lv.setflags(write=False)
    return tuple(pyramid)


@dataclass
class Strip:
    """A line of raised characters (the date or the mint mark) in its own pixel frame.

    Attributes:
        height: float32 relief in [0, 1].
        ink_box: (x0, y0, x1, y1) of the ink in strip pixels.
        baseline: (x0, y, x1) of the baseline in strip pixels.
        cap_px: cap height in strip pixels.
        font: the font stem or traced face it was drawn with.
    """

    height: np.ndarray
    ink_box: tuple[float, float, float, float]
    baseline: tuple[float, float, float]
    cap_px: float
    font: str = ""


def text_strip(text: str, font: str, rng: np.random.Generator, spacing: float, distort: float) -> Strip:
    """Lay out ``text`` with per-character distortions (scale, shear, weight, baseline jitter).

    Args:
        text: characters to draw.
        font: font stem or traced face.
        rng: the sample's random generator.
        spacing: gap between characters as a fraction of the cap height.
        distort: 0..1 strength of the per-character distortions.
    """
    cap = fonts.GLYPH_PX
    pad = cap // 2
    cells = []
    for char in text:
        mask, top = fonts.glyph(font, char)
        sx = 1 + distort * rng.uniform(-0.15, 0.12)
        sy = 1 + distort * rng.uniform(-0.06, 0.06)
        shear = distort * rng.uniform(-0.08, 0.08)
        h, w = mask.shape
        ow, oh = int(np.ceil(w * sx + abs(shear) * h * sy)) + 2, int(np.ceil(h * sy)) + 2
        m = np.array([[sx, -shear * sy, 1 + max(0.0, shear) * h * sy], [0, sy, 1]], np.float32)
        cell = cv2.warpAffine(mask, m, (ow, oh), flags=cv2.INTER_LINEAR)
        weight = distort * rng.uniform(-1, 1)
        if abs(weight) > 0.35:  # thicker or thinner strokes: a different die or a worn punch
            k = np.ones((3, 3), np.uint8)
            cell = cv2.dilate(cell, k) if weight > 0 else cv2.erode(cell, k)
        cells.append((cell, top * sy + distort * rng.uniform(-0.03, 0.03) * cap))
    gap = spacing * cap
    width = int(sum(c.shape[1] for c, _ in cells) + gap * (len(cells) - 1) + 2 * pad)
    tops = [t for _, t in cells]
    above = -min(tops)
    below = max(t + c.shape[0] for c, t in cells)
    height = int(np.ceil(above + below)) + 2 * pad
    canvas = np.zeros((height, width), np.float32)
    x = float(pad)
    base_y = pad + above
    for cell, top in cells:
        y = int(round(base_y + top))
        xi = int(round(x))
        h, w = cell.shape
        np.maximum(canvas[y : y + h, xi : xi + w], cell, out=canvas[y : y + h, xi : xi + w])
        x += w + gap
    ys, xs = np.nonzero(canvas > 0.5)
    ink_box = (float(xs.min()), float(ys.min()), float(xs.max() + 1), float(ys.max() + 1))
    relief = _letter_profile(canvas, 0.035 * cap)
    return Strip(relief, ink_box, (ink_box[0], base_y, ink_box[2]), float(cap), font)
