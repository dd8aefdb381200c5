"""Life after striking: scratches in the relief, dirt, spots, corrosion and zinc-era plating damage."""

from __future__ import annotations

import cv2
import numpy as np

from coinnet.render.camera import smooth_noise

SPOT_COLOURS = ((0.12, 0.08, 0.06), (0.15, 0.25, 0.18), (0.35, 0.35, 0.36), (0.05, 0.05, 0.05), (0.5, 0.3, 0.2))


def scratch(height: np.ndarray, rng: np.random.Generator, count: int) -> None:
    """Cut ``count`` thin scratches (short lines and long hairlines) into the height map in place."""
    size = height.shape[0]
    for _ in range(count):
        x0, y0 = rng.uniform(0, size, 2)
        length = size * rng.uniform(0.03, 0.6) ** 1.5
        ang = rng.uniform(0, np.pi)
        x1, y1 = x0 + np.cos(ang) * length, y0 + np.sin(ang) * length
        depth = float(rng.uniform(0.03, 0.25))
        # Fixed-point endpoints keep sub-pixel positions, so scratches are anti-aliased at any size.
        p0, p1 = (int(x0 * 16), int(y0 * 16)), (int(x1 * 16), int(y1 * 16))
        cv2.line(height, p0, p1, -depth, 1, cv2.LINE_AA, shift=4)


def soil(rgb: np.ndarray, rng: np.random.Generator, strength: float, zinc_era: bool) -> np.ndarray:
    """Blotchy toning/dirt, a few spots and (on zinc cents) plating bubbles, scaled by ``strength``."""
    size = rgb.shape[0]
    if strength <= 0:
        return rgb
    blotch = smooth_noise(rng, size, int(rng.integers(3, 9)))
    rgb = rgb * (1 - strength * 0.25 * np.clip(blotch, 0, 2))[..., None]
    n_spots = int(rng.poisson(strength * (6 if zinc_era else 2)))
    if n_spots:
        mask = np.zeros((size, size), np.float32)
        for _ in range(n_spots):
            centre = tuple(int(v) for v in rng.uniform(0, size * 16, 2))
            axes = tuple(int(v) for v in rng.uniform(0.005, 0.04, 2) * size * 16 + 8)
            cv2.ellipse(mask, centre, axes, rng.uniform(0, 180), 0, 360, 1.0, -1, cv2.LINE_AA, shift=4)
        mask = cv2.GaussianBlur(mask, (0, 0), max(0.5, size / 256))
        colour = np.array(SPOT_COLOURS[rng.integers(len(SPOT_COLOURS))], np.float32)
        rgb = rgb + (mask * rng.uniform(0.4, 0.9))[..., None] * (colour - rgb)
    if rng.random() < strength * 0.3:  # fine grit: dark specks all over
        specks = (rng.random((size, size)) < rng.uniform(0.002, 0.02)).astype(np.float32)
        rgb = rgb * (1 - 0.35 * specks)[..., None]
    return rgb
