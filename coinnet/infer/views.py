"""Candidate views of a photo for the reader: where the date might be, and which way up (no torch).

The reader is trained on date close-ups that are nearly upright. A user's photo may be a close-up at any
rotation, or a whole coin on which the date covers a few per cent of the frame. Rather than a second model,
we let the reader look at a few views and keep the reading it is most sure of:

- ``rotate``: the whole photo, turned in ``rotations`` steps (close-ups at any angle);
- ``ring``: on a whole coin (found as a circle, else assumed to fill the frame), crops where the date sits
  for each of ``ring_steps`` coin rotations (on a Lincoln cent the date is at about four o'clock, right of
  the bust, with the mint mark under it), each turned upright and scaled like a training close-up, at
  ``ring_scales`` (a second, tighter crop: the date's place and size vary with the era, the die and how
  well the circle was found).

Every view carries the affine map from its pixels back to the photo, so a box found in a view can be drawn
on the photo.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from coinnet.infer.imageio import square_resize

#: Centre of the date + mint group on an upright coin of radius 1 (x right, y down), and the crop side that
#: makes the date span about 55 % of the view, as in the renderer's close-ups.
DATE_CENTRE = np.array([0.62, 0.45])
CROP_SIDE = 0.64
MODES = ("none", "rotate", "ring", "full")
#: What a Predictor can search: the modes above, and ``locate`` (views where the localiser points, coinnet.infer.locate).
SEARCH_MODES = ("locate", *MODES)
#: Ring crops: 12 coin rotations (the reader copes with dates up to ~25 degrees off upright) at two crop sizes.
RING_STEPS = 12
RING_SCALES = (1.0, 0.8)


@dataclass
class View:
    """A square model input and ``to_image``, the 2x3 affine from view pixels to photo pixels.

    ``quad``: where a localiser put the date in the photo (:mod:`coinnet.infer.locate`), corners as in
    :meth:`coinnet.infer.locate.Proposal.quad`; None for the views of the plain searches.
    """

    image: np.ndarray
    to_image: np.ndarray
    kind: str
    quad: np.ndarray | None = None


def find_coin(image: np.ndarray) -> tuple[float, float, float]:
    """(cx, cy, r) of the most prominent circle of coin size; the inscribed circle when none is found."""
    h, w = image.shape[:2]
    scale = 256.0 / max(h, w)
    gray = cv2.cvtColor(
        cv2.resize(image, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=cv2.INTER_AREA),
        cv2.COLOR_RGB2GRAY,
    )
    gray = cv2.GaussianBlur(gray, (5, 5), 1.5)
    short = min(gray.shape)
    circles = cv2.HoughCircles(
        gray,
        cv2.HOUGH_GRADIENT,
        dp=1.5,
        minDist=short,
        param1=120,
        param2=40,
        minRadius=int(0.3 * short),
        maxRadius=int(0.55 * max(gray.shape)),
    )
    if circles is None:
        return w / 2, h / 2, 0.48 * min(h, w)
    x, y, r = circles[0][0]
    return float(x / scale), float(y / scale), float(r / scale)


def _shrink(image: np.ndarray, factor: float) -> np.ndarray:
    """The image scaled by ``factor`` (<= 1) with area averaging: one resize instead of one blur per view."""
    if factor >= 1.0:
        return image
    h, w = image.shape[:2]
    return cv2.resize(image, (max(1, round(w * factor)), max(1, round(h * factor))), interpolation=cv2.INTER_AREA)


def warp_view(
    image: np.ndarray, size: int, centre: np.ndarray, side: float, angle_deg: float, kind: str, factor: float
) -> View:
    """The square of ``side`` px centred on ``centre`` (coordinates of ``image``), turned by ``angle_deg``.

    ``image`` is the photo shrunk by ``factor``; ``to_image`` maps back to the photo's own pixels.
    """
    a = np.deg2rad(angle_deg)
    rot = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]]) * (side / size)
    to_small = np.hstack([rot, (centre - rot @ np.array([size / 2, size / 2])).reshape(2, 1)])
    view = cv2.warpAffine(
        image,
        to_small,
        (size, size),
        flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=(0, 0, 0),
    )
    return View(view, to_small / factor, kind)


def candidate_views(
    image: np.ndarray,
    size: int,
    mode: str = "full",
    rotations: int = 8,
    ring_steps: int = RING_STEPS,
    ring_scales: tuple[float, ...] = RING_SCALES,
) -> list[View]:
    """Views of ``image`` (RGB uint8) for the reader; ``mode`` is one of :data:`MODES`.

    ``none`` gives the plain padded square (what the model saw in training for real photos).
    """
    if mode not in MODES:
        raise ValueError(f"search mode must be one of {', '.join(MODES)}, got {mode!r}")
    h, w = image.shape[:2]
    side = float(max(h, w))
    centre = np.array([w / 2, h / 2])
    if mode == "none":
        scale = side / size
        return [
            View(
                square_resize(image, size),
                np.array([[scale, 0, centre[0] - side / 2], [0, scale, centre[1] - side / 2]]),
                "plain",
            )
        ]
    views = []
    if mode in ("rotate", "full"):
        # Views are sampled from a copy at most ~1.5x their resolution: sharp, and no aliasing from a 12 MP frame.
        f = min(1.0, 1.5 * size / side)
        small = _shrink(image, f)
        views += [
            warp_view(small, size, centre * f, side * f, 360.0 * k / rotations, "rotate", f) for k in range(rotations)
        ]
    if mode in ("ring", "full"):
        cx, cy, r = find_coin(image)
        f = min(1.0, 1.5 * size / (CROP_SIDE * min(ring_scales) * r))
        small = _shrink(image, f)
        for scale in ring_scales:
            for k in range(ring_steps):
                phi = 360.0 * k / ring_steps
                a = np.deg2rad(phi)
                rot = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
                spot = np.array([cx, cy]) + r * rot @ DATE_CENTRE
                views.append(warp_view(small, size, spot * f, CROP_SIDE * scale * r * f, phi, "ring", f))
    return views


def scale_views(views: list[View], sx: float, sy: float) -> list[View]:
    """The views mapped onto the photo at ``sx``, ``sy`` times the resolution they were cut from (a JPEG decoded
    at reduced scale: boxes must come out in the file's own pixels)."""
    if (sx, sy) == (1.0, 1.0):
        return views
    s = np.diag([sx, sy])
    for v in views:
        v.to_image = s @ v.to_image
        if v.quad is not None:
            v.quad = v.quad * [sx, sy]
    return views


def box_in_image(
    view: View, frac: tuple[float, float, float, float] = (0.2, 0.3, 0.8, 0.62)
) -> tuple[float, float, float, float]:
    """Axis-aligned photo box of a region of the view given as fractions (default: where a read date sits)."""
    size = view.image.shape[0]
    x0, y0, x1, y1 = (f * size for f in frac)
    corners = np.array([[x0, y0, 1], [x1, y0, 1], [x1, y1, 1], [x0, y1, 1]]) @ view.to_image.T
    return (
        float(corners[:, 0].min()),
        float(corners[:, 1].min()),
        float(corners[:, 0].max()),
        float(corners[:, 1].max()),
    )


#: Small changes of a view that should not change its reading: (zoom, degrees) about the view's centre.
JITTERS = ((1.12, 0.0), (1.0, 8.0), (1.0, -8.0))


def jitters(square: np.ndarray) -> list[np.ndarray]:
    """The view ``square`` (S x S RGB) slightly zoomed in and turned either way (:data:`JITTERS`): a reading that
    changes under them is not one to trust (the ``steady`` signal of :mod:`coinnet.infer.confidence`)."""
    size = square.shape[0]
    out = []
    for zoom, degrees in JITTERS:
        m = cv2.getRotationMatrix2D((size / 2, size / 2), degrees, zoom)
        out.append(cv2.warpAffine(square, m, (size, size), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE))
    return out
