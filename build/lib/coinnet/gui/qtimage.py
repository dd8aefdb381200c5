"""Conversions between numpy RGB arrays and Qt images, plus the image-file rules the app shares."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image, ImageOps
from PySide6.QtGui import QImage

from coinnet.files import IMAGE_SUFFIXES, find_images

IMAGE_FILTER = "Images (" + " ".join(f"*{s}" for s in IMAGE_SUFFIXES) + ");;All files (*)"
#: Longest side of the copy that the live enhancement preview works on (full-size work happens on Process).
PREVIEW_SIDE = 1024


def list_images(folder: str | Path) -> list[Path]:
    """Image files under ``folder`` (recursively, hidden names skipped), sorted: the CLI's scan."""
    return find_images(folder, recursive=True, skip_hidden=True)


def to_qimage(image: np.ndarray) -> QImage:
    """A deep-copied ``QImage`` (RGB888) from an RGB uint8 (H, W, 3) array."""
    rgb = np.ascontiguousarray(image[..., :3], dtype=np.uint8)
    h, w = rgb.shape[:2]
    return QImage(rgb.data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()


def from_qimage(qimage: QImage) -> np.ndarray:
    """An RGB uint8 (H, W, 3) array from any ``QImage`` (e.g. one pasted from the clipboard)."""
    rgb = qimage.convertToFormat(QImage.Format.Format_RGB888)
    h, w, stride = rgb.height(), rgb.width(), rgb.bytesPerLine()
    buf = np.frombuffer(rgb.constBits(), dtype=np.uint8, count=stride * h).reshape(h, stride)
    return buf[:, : 3 * w].reshape(h, w, 3).copy()


def shrink(image: np.ndarray, max_side: int = PREVIEW_SIDE) -> tuple[np.ndarray, float]:
    """A copy no longer than ``max_side`` on its long side and the factor that maps it back to full size."""
    import cv2

    h, w = image.shape[:2]
    factor = max(h, w) / max_side
    if factor <= 1:
        return image, 1.0
    small = cv2.resize(image, (round(w / factor), round(h / factor)), interpolation=cv2.INTER_AREA)
    return small, w / small.shape[1]


def load_thumbnail(path: str | Path, size: int = 64) -> QImage | None:
    """A small ``QImage`` of the file for result tables, or None when it cannot be decoded.

    Uses Pillow's JPEG draft mode so a batch of large photos does not decode every pixel twice.
    """
    try:
        with Image.open(path) as im:
            im.draft("RGB", (size * 2, size * 2))
            im = ImageOps.exif_transpose(im).convert("RGB")
            im.thumbnail((size, size))
            return to_qimage(np.asarray(im))
    except Exception:  # a broken file already gets its error in the row; no thumbnail is enough here
        return None
