"""The traced Lincoln-cent faces (``traced_data``) rasterised with the same contract as ``fonts.glyph``."""

from __future__ import annotations

from functools import lru_cache

import cv2
import numpy as np

from coinnet.render.traced_data import MODERN, WHEAT

WHEAT_FACE = "LincolnWheat"
MODERN_FACE = "LincolnModern"
FACES = (WHEAT_FACE, MODERN_FACE)
_SHAPES = {WHEAT_FACE: WHEAT, MODERN_FACE: MODERN}
#: Extra gap between traced digits (digit-height units): the real dates are set wider than the fonts'
#: default spacing (measured on the photos: ~0.4 between wheat digits, ~0.3 on memorial/shield dates).
TRACKING = {WHEAT_FACE: 0.28, MODERN_FACE: 0.2}
#: Where the mint letter sits, measured on the photos: [lo, hi] gap from the date's baseline down to the
#: letter's top (digit-height units) and [lo, hi] shift of its centre from the date's centre (fraction of
#: the date's width). Wheat letters tuck under the hanging 9, memorial/shield ones sit lower, near the middle.
MINT_DROP = {WHEAT_FACE: (0.4, 0.8), MODERN_FACE: (0.5, 1.0)}
MINT_SHIFT = {WHEAT_FACE: (-0.25, -0.1), MODERN_FACE: (-0.1, 0.0)}
#: Strokes are swept at this multiple of the target size and then area-averaged down (anti-aliasing).
SUPERSAMPLE = 4
#: Spacing of the pen's stamps along a stroke (digit-height units): far below the thinnest pen radius.
STEP = 0.01


def face_for_year(year: int) -> str:
    """The traced face whose digits a cent of ``year`` carries."""
    return WHEAT_FACE if year <= 1958 else MODERN_FACE


def spline(points: list[tuple[float, float, float]], step: float = STEP) -> np.ndarray:
    """Dense (N, 3) samples of a uniform Catmull-Rom spline through ``(x, y, w)`` points.

    A stroke whose last point equals its first is a closed loop; an open one ends exactly at its end points.
    """
    p = np.asarray(points, np.float64)
    closed = len(p) > 2 and np.allclose(p[0, :2], p[-1, :2])
    if closed:
        ring = p[:-1]
        ctrl = np.vstack([ring[-1:], ring, ring[:2]])
    else:
        ctrl = np.vstack([2 * p[0] - p[1], p, 2 * p[-1] - p[-2]])
    out = []
    for i in range(1, len(ctrl) - 2):
        p0, p1, p2, p3 = ctrl[i - 1], ctrl[i], ctrl[i + 1], ctrl[i + 2]
        n = max(2, int(np.ceil(np.hypot(*(p2[:2] - p1[:2])) / step)))
        t = np.linspace(0, 1, n, endpoint=False)[:, None]
        out.append(
            0.5 * (2 * p1 + (p2 - p0) * t + (2 * p0 - 5 * p1 + 4 * p2 - p3) * t**2 + (3 * p1 - p0 - 3 * p2 + p3) * t**3)
        )
    out.append(ctrl[-2][None])
    samples = np.vstack(out)
    samples[:, 2] = np.maximum(samples[:, 2], 0.02)  # the spline may overshoot a thin width below zero
    return samples


def _strokes(face: str, char: str) -> list | None:
    shapes = _SHAPES[face]
    if char not in shapes and face == WHEAT_FACE:
        shapes = MODERN  # P and W were never punched into a wheat date; borrow the modern letters
    return shapes.get(char)


@lru_cache(maxsize=1024)
def glyph(face: str, char: str, px: int = 64) -> tuple[np.ndarray, int]:
    """Anti-aliased ink mask of one traced character, cropped to its ink.

    Args:
        face: one of :data:`FACES`.
        char: a single character (digits, D, S, P, W; anything else is an empty cell).
        px: height of the short digits (0, 1, 2) in pixels.

    Returns:
        ``(mask, top)``: float32 mask in [0, 1] and the row of its top edge relative to the baseline
        (negative = above the baseline). Treat the mask as read-only: it is shared.
    """
    strokes = _strokes(face, char)
    if not strokes:  # a space: an empty cell as wide as a narrow letter, as fonts.glyph gives
        return np.zeros((1, max(1, px // 3)), np.float32), 0
    pen = np.vstack([spline(s) for s in strokes])
    r = pen[:, 2] / 2
    # Snap the canvas origin to the output pixel grid so the baseline falls on a whole row.
    x0 = np.floor((pen[:, 0] - r).min() * px) / px - 1 / px
    y0 = np.floor((pen[:, 1] - r).min() * px) / px - 1 / px
    w = int(np.ceil(((pen[:, 0] + r).max() - x0) * px)) + 2
    h = int(np.ceil(((pen[:, 1] + r).max() - y0) * px)) + 2
    scale = px * SUPERSAMPLE * 16  # cv2 draws with 4 fractional bits (shift=4)
    canvas = np.zeros((h * SUPERSAMPLE, w * SUPERSAMPLE), np.uint8)
    cx = np.round((pen[:, 0] - x0) * scale).astype(int)
    cy = np.round((pen[:, 1] - y0) * scale).astype(int)
    rad = np.round(r * scale).astype(int)
    for x, y, k in zip(cx.tolist(), cy.tolist(), rad.tolist()):
        cv2.circle(canvas, (x, y), k, 255, -1, cv2.LINE_8, 4)
    mask = cv2.resize(canvas.astype(np.float32) / 255.0, (w, h), interpolation=cv2.INTER_AREA)
    rows, cols = np.nonzero(mask > 0.02)
    mask = np.ascontiguousarray(mask[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1])
    mask.setflags(write=False)
    baseline = int(round((1.0 - y0) * px))
    return mask, int(rows.min()) - baseline
