"""Where the date is, from the reader's attention maps (numpy only, no torch).

Each digit head pools the feature map with its own attention map, trained on renders to peak on its glyph
(:func:`coinnet.model.lit.attention_loss`). The four digit peaks therefore mark the date's baseline: digit ``k``
sits at ``(k + 0.5) / 4`` of the date's length. The date box is the rectangle along that line, as long as
the date and :data:`HEIGHT_RATIO` of that tall, mapped from the view back to the photo.
"""

from __future__ import annotations

import numpy as np

from coinnet.infer.views import View

#: Date box height over date length: glyph height plus the slack of the rendered boxes (measured on renders).
HEIGHT_RATIO = 0.4


def peak_centres(attention: np.ndarray, view_size: int) -> np.ndarray:
    """(K, 2) x, y in view pixels of each map's peak: the attention-weighted mean over the 3x3 cells around it.

    Args:
        attention: (K, H, W) maps, each summing to 1.
        view_size: side of the view in pixels (the maps cover it evenly).
    """
    k, h, w = attention.shape
    ys, xs = np.mgrid[0:h, 0:w]
    cell = view_size / h, view_size / w
    out = np.zeros((k, 2))
    for i, a in enumerate(np.asarray(attention, dtype=np.float64)):
        iy, ix = np.unravel_index(int(a.argmax()), a.shape)
        near = a * ((np.abs(ys - iy) <= 1) & (np.abs(xs - ix) <= 1))
        near /= near.sum()
        out[i] = ((near * xs).sum() + 0.5) * cell[1], ((near * ys).sum() + 0.5) * cell[0]
    return out


def date_corners(digit_centres: np.ndarray, height_ratio: float = HEIGHT_RATIO) -> np.ndarray:
    """(4, 2) corners of the date rectangle (view pixels) through the first and last digit centres."""
    first, last = digit_centres[0], digit_centres[-1]
    n = len(digit_centres)
    along = last - first
    length = np.linalg.norm(along) * n / max(1, n - 1)  # centres span (n - 1) / n of the date
    u = along / max(np.linalg.norm(along), 1e-9)
    normal = np.array([-u[1], u[0]])
    mid = digit_centres.mean(axis=0)
    return np.array(
        [
            mid + sx * length / 2 * u + sy * height_ratio * length / 2 * normal
            for sx, sy in ((-1, -1), (1, -1), (1, 1), (-1, 1))
        ]
    )


def date_corners_in_photo(attention: np.ndarray, view: View, digits: int = 4) -> np.ndarray:
    """(4, 2) corners of the date rectangle in photo pixels, from one view's attention maps.

    Args:
        attention: (heads, H, W) maps of the view; the first ``digits`` are the digit heads.
        view: the view the maps belong to (its ``to_image`` maps view pixels to photo pixels).
        digits: how many of the maps are digit heads.

    Returns:
        Top-left, top-right, bottom-right, bottom-left of the upright date, x and y in photo pixels.
    """
    corners = date_corners(peak_centres(attention[:digits], view.image.shape[0]))
    return np.c_[corners, np.ones(len(corners))] @ view.to_image.T


def bounds(corners: np.ndarray) -> tuple[float, float, float, float]:
    """Axis-aligned box (x0, y0, x1, y1) around (N, 2) points."""
    return (
        float(corners[:, 0].min()),
        float(corners[:, 1].min()),
        float(corners[:, 0].max()),
        float(corners[:, 1].max()),
    )


def date_box(attention: np.ndarray, view: View, digits: int = 4) -> tuple[float, float, float, float]:
    """Axis-aligned box (x0, y0, x1, y1) of the date in photo pixels: the bounds of :func:`date_corners_in_photo`."""
    return bounds(date_corners_in_photo(attention, view, digits))


def quad_and_angle(corners_in_photo: np.ndarray) -> tuple[tuple[tuple[float, float], ...], float]:
    """The date's rotated rectangle as plain floats and its baseline angle.

    Args:
        corners_in_photo: (4, 2) top-left, top-right, bottom-right, bottom-left of the upright date, photo pixels.

    Returns:
        ``(quad, angle)``: the corners as a tuple of (x, y), for :attr:`coinnet.infer.results.Prediction.quad`;
        the degrees of the top-left -> top-right edge, 0 = upright and counter-clockwise positive (as
        :attr:`coinnet.render.RenderedCoin.angle`), in [-180, 180].
    """
    corners = np.asarray(corners_in_photo, dtype=np.float64).reshape(4, 2)
    dx, dy = corners[1] - corners[0]
    # Image y points down, so a date turned counter-clockwise on screen has its right end higher: dy < 0.
    # + 0.0: a level baseline (dy == 0) gives atan2(-0.0, dx) == -0.0, shown as "-0.0" otherwise.
    angle = float(np.degrees(np.arctan2(-dy, dx))) + 0.0
    return tuple((float(x), float(y)) for x, y in corners), angle


def iou(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    """Intersection over union of two (x0, y0, x1, y1) boxes."""
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0
