"""Real metal under rendered relief: the colour and fine texture of a patch of a real coin photo.

``RenderConfig.surface_dir`` names a folder of photos (any, e.g. ``../shared/datasets/cents-web2/images``; never
committed). For a share of samples, a patch from the middle of one of them, magnified so that its lettering is
larger than the frame, lends the coin its colour variations (toning, spots, tarnish) and its fine grain. The
relief, date and labels stay the renderer's own. The choice is drawn from the sample's second generator and the
folder's sorted listing, so a sample stays a pure function of (seed, index) for a given folder.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np

SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff"}
PHOTO_SIDE = 384  # photos are kept this small in memory: a patch is magnified anyway


@lru_cache(maxsize=8)
def listing(folder: str) -> tuple[Path, ...]:
    """The folder's photos, sorted (so a sample's draw names the same file on every machine).

    Raises:
        ValueError: one line when the folder is missing or holds no photo.
    """
    path = Path(folder)
    if not path.is_dir():
        raise ValueError(f"RenderConfig.surface_dir: {folder}: not a folder")
    files = tuple(sorted(p for p in path.iterdir() if p.suffix.lower() in SUFFIXES))
    if not files:
        raise ValueError(f"RenderConfig.surface_dir: {folder}: no photos ({', '.join(sorted(SUFFIXES))})")
    return files


@lru_cache(maxsize=128)
def _photo(path: Path) -> np.ndarray | None:
    """The photo as float RGB, its long side ``PHOTO_SIDE``; None when it does not decode (then it is skipped)."""
    img = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if img is None:
        return None
    scale = PHOTO_SIDE / max(img.shape[:2])
    img = cv2.resize(img, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    return np.ascontiguousarray(img[..., ::-1], dtype=np.float32) / 255


def apply(coin: np.ndarray, rng: np.random.Generator, folder: str) -> np.ndarray:
    """``coin`` (float RGB) with the colour and grain of a random real patch laid over it."""
    files = listing(folder)
    photo = _photo(files[int(rng.integers(len(files)))])
    if photo is None:
        return coin
    size = coin.shape[0]
    h, w = photo.shape[:2]
    side = int(min(h, w) * rng.uniform(0.08, 0.25))
    y, x = (int(rng.uniform(0.3, 0.7) * n - side / 2) for n in (h, w))  # the middle: more coin than backdrop
    patch = cv2.resize(photo[max(y, 0) : y + side, max(x, 0) : x + side], (size, size), interpolation=cv2.INTER_LINEAR)
    low = cv2.GaussianBlur(patch, (0, 0), size / 8)
    # Colour: the patch's slow variations, relative to its own mean, so a dark photo does not darken the coin.
    ratio = low / np.maximum(low.mean((0, 1)), 1e-3)
    colour = 1 + float(rng.uniform(0.2, 0.8)) * (np.clip(ratio, 0.3, 2.0) - 1)
    # Grain: the patch's fine detail, normalised, at a strength the relief still dominates.
    lum = patch.mean(2)
    grain = lum - cv2.GaussianBlur(lum, (0, 0), max(1.0, size / 32))
    grain /= max(float(grain.std()), 1e-3)
    return coin * colour * (1 + float(rng.uniform(0.03, 0.12)) * np.clip(grain, -3, 3))[..., None]
