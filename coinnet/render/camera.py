"""What the camera adds: background, glare, blur, vignetting, colour cast, noise and JPEG (holders: ``scene``)."""

from __future__ import annotations

import cv2
import numpy as np

BACKGROUNDS = (
    (0.95, 0.95, 0.95),
    (0.6, 0.6, 0.62),
    (0.02, 0.02, 0.02),
    (0.25, 0.35, 0.55),
    (0.85, 0.9, 0.97),
    (0.12, 0.12, 0.14),
)


def smooth_noise(rng: np.random.Generator, size: int, cells: int, channels: int = 1) -> np.ndarray:
    """Low-frequency noise in about [-1, 1]: a tiny random grid upsampled (cheap and smooth)."""
    grid = rng.normal(0, 1, (cells, cells, channels)).astype(np.float32)
    out = cv2.resize(grid, (size, size), interpolation=cv2.INTER_CUBIC)
    return out if channels > 1 else out.reshape(size, size)


def background(rng: np.random.Generator, size: int, closeup: bool) -> np.ndarray:
    """A plain backdrop with a soft gradient; close-ups get a dark or neutral surround."""
    if closeup:
        base = np.array(BACKGROUNDS[rng.choice([1, 2, 5])], np.float32)
    else:
        base = np.array(BACKGROUNDS[rng.integers(len(BACKGROUNDS))], np.float32)
    base = np.clip(base * rng.uniform(0.8, 1.1, 3), 0, 1)
    grad = 1 + 0.15 * smooth_noise(rng, size, 3)
    return (grad[..., None] * base).astype(np.float32)


def glare(rng: np.random.Generator, img: np.ndarray) -> None:
    """Add a soft bright reflection (holder plastic or lamp) in place."""
    size = img.shape[0]
    cx, cy = rng.uniform(0.1, 0.9, 2) * size
    ax, ay = rng.uniform(0.03, 0.2, 2) * size
    yy, xx = np.ogrid[:size, :size]
    blob = np.exp(-(((xx - cx) / ax) ** 2 + ((yy - cy) / ay) ** 2)).astype(np.float32)
    img += rng.uniform(0.1, 0.6) * blob[..., None]


def motion_kernel(rng: np.random.Generator, length: float) -> np.ndarray:
    """Normalised line kernel for a short linear motion blur."""
    k = max(3, int(np.ceil(length)) | 1)
    kernel = np.zeros((k, k), np.float32)
    ang = rng.uniform(0, np.pi)
    c = k // 2
    dx, dy = np.cos(ang) * c, np.sin(ang) * c
    cv2.line(kernel, (int(round(c - dx)), int(round(c - dy))), (int(round(c + dx)), int(round(c + dy))), 1.0, 1)
    return kernel / kernel.sum()


def vignette(rng: np.random.Generator, size: int, strength: float) -> np.ndarray:
    """Multiplicative darkening towards the corners, centred a little off the middle."""
    cx, cy = rng.uniform(0.35, 0.65, 2) * size
    yy, xx = np.ogrid[:size, :size]
    r2 = ((xx.astype(np.float32) - cx) ** 2 + (yy.astype(np.float32) - cy) ** 2) / np.float32(0.5 * size * size)
    return (1 - np.float32(strength) * np.minimum(r2, 1.5)).astype(np.float32)


def jpeg(img_u8: np.ndarray, quality: int) -> np.ndarray:
    """Round-trip an RGB uint8 image through JPEG at ``quality``."""
    # OpenCV assumes BGR; flip so luma weights and chroma subsampling hit the right channels.
    ok, buf = cv2.imencode(".jpg", np.ascontiguousarray(img_u8[..., ::-1]), [cv2.IMWRITE_JPEG_QUALITY, int(quality)])
    return np.ascontiguousarray(cv2.imdecode(buf, cv2.IMREAD_COLOR)[..., ::-1]) if ok else img_u8
