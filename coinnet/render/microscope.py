"""What a microscope or macro lens shows that a phone photo does not: die polish lines and contact marks in the
field, cartwheel lustre, and a shallow or focus-stacked depth of field.

Each function takes the sample's second generator (``core.render``'s ``extra``), so switching these effects off
leaves every other draw, and so the render, as it was.
"""

from __future__ import annotations

import cv2
import numpy as np

from coinnet.render.camera import smooth_noise


def _line_layer(
    rng: np.random.Generator, size: int, count: int, angle: float, spread: float, span: float
) -> np.ndarray:
    """A 0..1 layer of ``count`` anti-aliased thin lines near ``angle`` (radians), each ``span`` of the frame long."""
    layer = np.zeros((size, size), np.float32)
    for _ in range(count):
        x0, y0 = rng.uniform(0, size, 2)
        a = angle + rng.normal(0, spread)
        half = size * span * rng.uniform(0.3, 1.0) / 2
        dx, dy = np.cos(a) * half, np.sin(a) * half
        # Fixed-point endpoints keep sub-pixel positions, as in surface.scratch.
        p0, p1 = (int((x0 - dx) * 16), int((y0 - dy) * 16)), (int((x0 + dx) * 16), int((y0 + dy) * 16))
        cv2.line(layer, p0, p1, float(rng.uniform(0.4, 1.0)), 1, cv2.LINE_AA, shift=4)
    return layer


def polish_lines(height: np.ndarray, rng: np.random.Generator) -> None:
    """Raise fine parallel die polish lines (incuse on the polished die, so raised on the coin) in place."""
    size = height.shape[0]
    layer = _line_layer(rng, size, int(rng.integers(15, 60)), rng.uniform(0, np.pi), 0.05, 1.5)
    height += float(rng.uniform(0.01, 0.05)) * layer


def contact_marks(height: np.ndarray, rng: np.random.Generator, px_per_unit: float) -> None:
    """Dent the relief with small nicks from other coins in a bag (in place), a few coin-radius hundredths wide."""
    size = height.shape[0]
    layer = np.zeros((size, size), np.float32)
    for _ in range(int(rng.integers(2, 9))):
        centre = tuple(int(v) for v in rng.uniform(0, size * 16, 2))
        axes = tuple(int(max(v, 0.6) * 16) for v in rng.uniform(0.004, 0.015, 2) * px_per_unit)
        cv2.ellipse(layer, centre, axes, rng.uniform(0, 180), 0, 360, 1.0, -1, cv2.LINE_AA, shift=4)
    height -= float(rng.uniform(0.03, 0.1)) * cv2.GaussianBlur(layer, (0, 0), 1.0)


def cartwheel(coin: np.ndarray, rng: np.random.Generator, theta: np.ndarray) -> np.ndarray:
    """Cartwheel lustre: bright and dark spokes that turn round a business strike's centre.

    Args:
        coin: the shaded coin, float RGB.
        rng: the sample's second generator.
        theta: each pixel's angle round the coin centre, in the coin's own frame (radians).
    """
    spokes = int(rng.integers(2, 5))
    wave = np.cos(2 * spokes * theta + rng.uniform(0, 2 * np.pi)).astype(np.float32)
    return coin * (1 + float(rng.uniform(0.05, 0.2)) * wave)[..., None]


def depth_of_field(img: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Blur part of the frame, as a macro lens focused on a tilted coin or a focus stack's seams do.

    Two-thirds of the time a sharp band crosses the frame (a focal plane not parallel to the coin); otherwise
    blotches of the frame come from a less sharp exposure, as focus-stacking software leaves them.
    """
    size = img.shape[0]
    blurred = cv2.GaussianBlur(img, (0, 0), float(rng.uniform(0.8, 2.5)) * size / 128)
    if rng.random() < 2 / 3:
        a = rng.uniform(0, np.pi)
        yy, xx = np.mgrid[:size, :size].astype(np.float32) / size - 0.5
        dist = np.abs(xx * np.cos(a) + yy * np.sin(a) - rng.uniform(-0.25, 0.25))
        mask = np.clip(dist / rng.uniform(0.25, 0.6), 0, 1)
    else:
        mask = np.clip(smooth_noise(rng, size, int(rng.integers(3, 7))) * 1.5 - 0.3, 0, 1)
    return img + mask[..., None] * (blurred - img)
