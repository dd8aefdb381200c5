"""What is around the coin: a holder (ring, prongs, label, scratched plastic), a mat under it, fingers or tweezers
at the frame's edge.

``holder_ring`` draws from the sample's main generator (it came first); the rest draw from its second one
(``core.render``'s ``extra``), so switching them off leaves every other draw, and so the render, as it was.
"""

from __future__ import annotations

import cv2
import numpy as np

SKIN = ((0.85, 0.62, 0.5), (0.65, 0.45, 0.35), (0.45, 0.3, 0.22), (0.9, 0.75, 0.65))
MATS = ((0.12, 0.35, 0.2), (0.1, 0.12, 0.3), (0.2, 0.2, 0.2), (0.85, 0.85, 0.8))


def holder_ring(rng: np.random.Generator, radius_px: np.ndarray, img: np.ndarray, coin_alpha: np.ndarray) -> float:
    """Paint a plastic holder's inner ring just outside the coin (in place); returns the ring's radius.

    Args:
        rng: the sample's generator.
        radius_px: per-pixel distance from the coin centre in coin radii.
        img: float RGB image to modify.
        coin_alpha: coverage of the coin, so the ring stays behind it.
    """
    outer = rng.uniform(1.04, 1.18)
    ring = np.clip((outer - radius_px) * 40, 0, 1) * np.clip((radius_px - 1.0) * 40, 0, 1)
    edge = np.exp(-((radius_px - outer) ** 2) / (2 * 0.012**2))
    tint = np.array(rng.uniform(0.5, 0.95, 3), np.float32)
    ring_alpha = (0.5 * ring + 0.6 * edge) * (1 - coin_alpha)
    img += ring_alpha[..., None] * (tint - img)
    return float(outer)


def prongs(rng: np.random.Generator, radius: np.ndarray, theta: np.ndarray, img: np.ndarray, outer: float) -> None:
    """Paint 3-4 clear plastic prongs that grip the coin's rim, in front of it (in place)."""
    count = int(rng.integers(3, 5))
    start = rng.uniform(0, 2 * np.pi)
    inner = rng.uniform(0.88, 0.96)
    half = rng.uniform(0.05, 0.12)  # half-width, in coin radii
    tint = np.array(rng.uniform(0.6, 1.0, 3), np.float32)
    mask = np.zeros(radius.shape, np.float32)
    for k in range(count):
        a = start + 2 * np.pi * k / count + rng.normal(0, 0.1)
        across = np.abs(np.mod(theta - a + np.pi, 2 * np.pi) - np.pi) * radius  # distance from the prong's axis
        mask = np.maximum(mask, np.clip((half - across) * 30, 0, 1) * np.clip((radius - inner) * 30, 0, 1))
    mask *= np.clip((outer + 0.02 - radius) * 30, 0, 1)
    img += (float(rng.uniform(0.25, 0.6)) * mask)[..., None] * (tint - img)


def label(rng: np.random.Generator, img: np.ndarray) -> None:
    """Paint a grading or dealer label along one edge of the frame, behind the coin (in place)."""
    size = img.shape[0]
    depth = int(size * rng.uniform(0.06, 0.18))
    band = np.zeros((depth, size, 3), np.float32) + np.array(rng.uniform(0.75, 1.0, 3), np.float32)
    ink = float(rng.uniform(0.0, 0.3))
    for row in range(int(rng.integers(1, 4))):  # lines of "text": dashes of random length
        y = int((row + 0.5) * depth / 3.5) + 2
        x = int(rng.uniform(0.02, 0.2) * size)
        while x < size * 0.95:
            w = int(rng.uniform(0.01, 0.08) * size) + 1
            cv2.rectangle(band, (x, y), (x + w, y + max(1, depth // 10)), (ink, ink, ink), -1)
            x += w + int(rng.uniform(0.005, 0.03) * size) + 1
    if rng.random() < 0.5:
        img[:depth] = band
    else:
        img[size - depth :] = band[::-1, ::-1]  # the bottom edge, read from the far side


def plastic_scratches(rng: np.random.Generator, img: np.ndarray) -> None:
    """Faint bright scratches in the holder's plastic, in front of everything (in place)."""
    size = img.shape[0]
    layer = np.zeros((size, size), np.float32)
    for _ in range(int(rng.integers(1, 6))):
        p0, p1 = (tuple(int(v * 16) for v in rng.uniform(0, size, 2)) for _ in range(2))
        cv2.line(layer, p0, p1, 1.0, 1, cv2.LINE_AA, shift=4)
    img += (float(rng.uniform(0.1, 0.35)) * layer)[..., None] * (1 - img)


def mat(rng: np.random.Generator, size: int) -> np.ndarray:
    """A cutting or coin mat with a printed grid, as the backdrop."""
    colour = np.array(MATS[rng.integers(len(MATS))], np.float32) * rng.uniform(0.8, 1.15)
    img = np.zeros((size, size, 3), np.float32) + colour
    step = rng.uniform(0.08, 0.25) * size
    line = (colour * 0.4 + 0.5).tolist()
    for v in np.arange(rng.uniform(0, step), size, step):
        cv2.line(img, (int(v), 0), (int(v), size - 1), line, 1, cv2.LINE_AA)
        cv2.line(img, (0, int(v)), (size - 1, int(v)), line, 1, cv2.LINE_AA)
    return img


def edge_object(rng: np.random.Generator, img: np.ndarray) -> None:
    """A fingertip or tweezer tips coming in from one edge of the frame, in front of the coin (in place)."""
    size = img.shape[0]
    layer = np.zeros((size, size), np.float32)
    reach = rng.uniform(0.08, 0.3) * size  # how far into the frame it comes
    along = rng.uniform(0.2, 0.8) * size
    if rng.random() < 0.5:  # fingertip: a big soft ellipse
        colour = np.array(SKIN[rng.integers(len(SKIN))], np.float32) * rng.uniform(0.7, 1.1)
        axes = (int(rng.uniform(0.12, 0.25) * size * 16), int(reach * 1.6 * 16))
        cv2.ellipse(
            layer, (int(along * 16), int((reach - axes[1] / 16) * 16)), axes, 0, 0, 360, 1.0, -1, cv2.LINE_AA, 4
        )
    else:  # tweezers: two steel tips
        colour = np.full(3, rng.uniform(0.3, 0.8), np.float32)
        gap, width = rng.uniform(0.03, 0.12) * size, rng.uniform(0.02, 0.05) * size
        for side in (-1, 1):
            x = along + side * gap / 2
            tip = np.array([[x - width, 0], [x + width, 0], [x + width / 3, reach], [x - width / 3, reach]])
            cv2.fillPoly(layer, [np.int32(tip * 16)], 1.0, cv2.LINE_AA, 4)
    layer = cv2.GaussianBlur(layer, (0, 0), max(0.5, size / 200))
    shade = np.linspace(1.0, 0.6, size, dtype=np.float32)[:, None, None]  # lit from the open side
    for _ in range(int(rng.integers(4))):  # any edge
        layer = np.rot90(layer)
    img += layer[..., None] * (colour * shade - img)
