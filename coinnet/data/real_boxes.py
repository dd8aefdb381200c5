"""Real photos labelled with where the date is (pseudo-boxes), for fine-tuning the localiser (no torch).

Nobody drew boxes on the real photos, but the reader knows where it read: the 32-view search
(``Predictor(search="full")``) returns the date's rotated rectangle from the attention maps of its best view.
:func:`pseudo_boxes` keeps that rectangle only where the reading matches the photo's *known* label (year, and
mint when known) at a confidence of at least ``min_confidence``: a box from a wrong reading would teach the
localiser to point at the wrong place. The mint mark's place is not known, so those rows carry ``has_mint = -1``
(:func:`coinnet.model.localiser.localiser_loss` leaves the mint channels untrained there).

:func:`real_sample` turns one row into a localiser training sample, a pure function of (row, seed, index): the
photo squared as :meth:`coinnet.infer.locate.Localiser.find` squares it, then turned by any angle, scaled and
shifted (the date kept inside the frame), with the target row moved along.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from coinnet.files import atomic_write
from coinnet.infer.imageio import load_image_scaled

BOX_FIELDS = ("file", "cx", "cy", "angle", "length", "year", "mint", "confidence")
#: Date height over length in the renders: the height column of a real row (for the localiser's metrics only).
HEIGHT_RATIO = 0.3


@dataclass(frozen=True)
class RealBox:
    """Where the date is on one real photo, in its pixels; ``angle`` in degrees (0 = upright, counter-clockwise)."""

    file: str
    cx: float
    cy: float
    angle: float
    length: float


def pseudo_boxes(predictor, truths: Sequence, min_confidence: float = 0.5) -> tuple[list[dict], int]:
    """Rows of :data:`BOX_FIELDS` for the photos the predictor reads right, and how many photos were tried.

    Args:
        predictor: a :class:`coinnet.infer.predictor.Predictor` (use ``search="full"``: the localiser must not
            label its own training data).
        truths: records with ``path``, ``year`` and ``mint`` (None where not legible); rows without a year are
            skipped.
        min_confidence: readings below it give no box (a right but unsure reading may have looked elsewhere).
    """
    legible = [t for t in truths if t.year is not None]
    preds = predictor.predict_paths([t.path for t in legible])
    rows = []
    for t, p in zip(legible, preds):
        right = p.year == t.year and (t.mint is None or p.mint == t.mint)
        if not right or p.quad is None or p.confidence < min_confidence:
            continue
        quad = np.asarray(p.quad, np.float64)
        centre = quad.mean(axis=0)
        length = float(np.linalg.norm(quad[1] - quad[0]))
        rows.append(
            {
                "file": str(t.path),
                "cx": round(float(centre[0]), 2),
                "cy": round(float(centre[1]), 2),
                "angle": round(float(p.angle), 2),
                "length": round(length, 2),
                "year": p.year,
                "mint": p.mint,
                "confidence": round(p.confidence, 4),
            }
        )
    return rows, len(legible)


def write_boxes(path: str | Path, rows: Sequence[dict]) -> None:
    """Write ``rows`` as CSV (atomically), photo paths relative to the CSV's folder so the two move together."""
    path = Path(path)
    lines = [",".join(BOX_FIELDS)]
    for row in rows:
        rel = os.path.relpath(Path(row["file"]).resolve(), path.resolve().parent)
        lines.append(",".join(str(v) for v in [rel, *(row[f] for f in BOX_FIELDS[1:])]))
    atomic_write(path, "\n".join(lines) + "\n")


def read_boxes(path: str | Path) -> list[RealBox]:
    """The rows of a :func:`write_boxes` CSV, photo paths resolved against its folder.

    Raises:
        ValueError: one line naming the file and the row that can't be read.
    """
    path = Path(path)
    try:
        with path.open(newline="", encoding="utf-8") as f:
            reader = csv.DictReader(f)
            out = []
            for line, row in enumerate(reader, start=2):
                try:
                    values = [float(row[k]) for k in ("cx", "cy", "angle", "length")]
                except (KeyError, TypeError, ValueError):
                    raise ValueError(f"{path}:{line}: needs numbers in cx, cy, angle and length") from None
                if values[3] <= 0:
                    raise ValueError(f"{path}:{line}: length must be positive")
                out.append(RealBox(str((path.parent / row["file"]).resolve()), *values))
    except OSError as exc:
        raise ValueError(f"{path}: can't read pseudo-boxes ({exc.strerror or exc})") from None
    return out


def load_scaled(box: RealBox, size: int) -> tuple[np.ndarray, RealBox]:
    """The photo decoded at reduced scale where that keeps both sides >= 2 ``size``, and its box in those pixels."""
    image, (sx, sy) = load_image_scaled(box.file, min_side=2 * size)
    return image, RealBox(box.file, box.cx / sx, box.cy / sy, box.angle, box.length / sx)


def real_sample(image: np.ndarray, box: RealBox, size: int, seed: int, index: int):
    """(image uint8 (size, size, 3), target float32 row of ``localiser_data.TARGET_COLUMNS``) for one photo.

    Args:
        image: the photo, RGB uint8; ``box`` in its pixels (:func:`load_scaled`).
        size: the localiser's input side.
        seed, index: draw the turn (any angle), zoom (0.6-1.1 of the squared photo), shift and border colour.
    """
    h, w = image.shape[:2]
    rng = np.random.default_rng([int(seed) & 0xFFFFFFFF, int(index) & 0xFFFFFFFF, 0x8EA1])
    fit = size / max(h, w)  # squared as the localiser's find() does: long side to size, centred on black
    nh, nw = max(1, round(h * fit)), max(1, round(w * fit))
    top, left = (size - nh) // 2, (size - nw) // 2
    squared = np.zeros((size, size, 3), np.uint8)
    squared[top : top + nh, left : left + nw] = cv2.resize(image, (nw, nh), interpolation=cv2.INTER_AREA)
    centre = np.array([box.cx * nw / w + left, box.cy * nh / h + top])
    turn, zoom = rng.uniform(-180.0, 180.0), rng.uniform(0.6, 1.1)
    m = cv2.getRotationMatrix2D((size / 2, size / 2), turn, zoom)
    moved = m @ [*centre, 1.0]
    margin = 0.1 * size
    low, high = margin - moved, size - margin - moved  # shifts that keep the date's centre inside the frame
    m[:, 2] += rng.uniform(np.minimum(low, high), np.maximum(low, high))
    fill = tuple(int(v) for v in rng.integers(0, 256, 3)) if rng.random() < 0.5 else (0, 0, 0)
    out = cv2.warpAffine(squared, m, (size, size), flags=cv2.INTER_LINEAR, borderValue=fill)
    c = m @ [*centre, 1.0]
    length = box.length * fit * zoom / size
    angle = np.deg2rad(box.angle + turn)  # cv2 turns counter-clockwise for a positive angle, as the date's angle
    row = [1.0, c[0] / size, c[1] / size, float(np.arctan2(np.sin(angle), np.cos(angle))), length]
    return out, np.asarray([*row, 0.0, 0.0, -1.0, HEIGHT_RATIO * length], np.float32)


def real_set(boxes: Sequence[RealBox], size: int, seed: int, copies: int) -> tuple[np.ndarray, np.ndarray]:
    """``copies`` differently turned samples of each photo: (N, size, size, 3) uint8, (N, 9) float32."""
    images, targets = [], []
    for k, box in enumerate(boxes):
        photo, scaled = load_scaled(box, size)
        for c in range(copies):
            image, target = real_sample(photo, scaled, size, seed, k * copies + c)
            images.append(image)
            targets.append(target)
    if not images:
        return np.zeros((0, size, size, 3), np.uint8), np.zeros((0, 9), np.float32)
    return np.stack(images), np.stack(targets)
