"""Optional photo clean-up before reading a coin (numpy/OpenCV only, no torch).

Microscope shots of worn cents are often dim, low-contrast or slightly rotated; these knobs let a collector
fix that in the app or with ``--enhance`` on the CLI. ``Enhancement()`` is the identity, so the default path
feeds the model exactly what training saw.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields

import cv2
import numpy as np

# field -> (low, high) inclusive; rotate is free (taken modulo 360).
_RANGES = {
    "brightness": (-1.0, 1.0),
    "contrast": (0.2, 3.0),
    "clahe": (0.0, 8.0),
    "sharpen": (0.0, 3.0),
    "denoise": (0.0, 1.0),
}
#: Above this many pixels non-local-means denoising takes seconds; the bilateral filter is used instead.
_NLM_MAX_PIXELS = 1_500_000


@dataclass(frozen=True)
class Enhancement:
    """Photo adjustments, applied in the order rotate, denoise, brightness/contrast, CLAHE, sharpen.

    Attributes:
        brightness: offset added to every channel, as a fraction of 255, in [-1, 1].
        contrast: gain around mid-grey (128), in [0.2, 3].
        clahe: CLAHE clip limit on the L channel of LAB, in [0, 8]; 0 = off.
        sharpen: unsharp-mask amount, in [0, 3].
        denoise: denoising strength, in [0, 1].
        rotate: counter-clockwise rotation in degrees; the canvas grows so no corner is cut.

    Raises:
        ValueError: naming the field, when a value is not a finite number in its range.
    """

    brightness: float = 0.0
    contrast: float = 1.0
    clahe: float = 0.0
    sharpen: float = 0.0
    denoise: float = 0.0
    rotate: float = 0.0

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not np.isfinite(value):
                raise ValueError(f"enhancement {f.name} must be a finite number, got {value!r}")
            low, high = _RANGES.get(f.name, (-np.inf, np.inf))
            if not low <= value <= high:
                raise ValueError(f"enhancement {f.name} must be in [{low}, {high}], got {value}")

    @property
    def is_identity(self) -> bool:
        """Whether applying this changes nothing."""
        return self == Enhancement()

    @classmethod
    def parse(cls, text: str) -> Enhancement:
        """Build from ``"clahe=2,sharpen=1"`` (the CLI's ``--enhance``); empty text gives the identity.

        Raises:
            ValueError: one line naming the bad item.
        """
        known = {f.name for f in fields(cls)}
        values: dict[str, float] = {}
        for item in filter(None, (part.strip() for part in text.split(","))):
            name, sep, raw = item.partition("=")
            name = name.strip()
            if not sep or name not in known:
                raise ValueError(
                    f"bad enhancement {item!r}: expected NAME=VALUE with NAME in {', '.join(sorted(known))}"
                )
            try:
                values[name] = float(raw)
            except ValueError:
                raise ValueError(f"enhancement {name} must be a number, got {raw.strip()!r}") from None
        return cls(**values)

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


def _rotate(img: np.ndarray, degrees: float) -> np.ndarray:
    quarter, rest = divmod(degrees % 360.0, 90.0)
    if rest == 0.0:  # exact, lossless for right angles
        return np.ascontiguousarray(np.rot90(img, int(quarter)))
    h, w = img.shape[:2]
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), degrees, 1.0)
    cos, sin = abs(matrix[0, 0]), abs(matrix[0, 1])
    new_w, new_h = int(round(h * sin + w * cos)), int(round(h * cos + w * sin))
    matrix[0, 2] += new_w / 2 - w / 2
    matrix[1, 2] += new_h / 2 - h / 2
    # Black border, like square_resize's padding and the renderer's background.
    return cv2.warpAffine(img, matrix, (new_w, new_h), flags=cv2.INTER_LINEAR, borderValue=(0, 0, 0))


def _denoise(img: np.ndarray, strength: float) -> np.ndarray:
    if img.shape[0] * img.shape[1] <= _NLM_MAX_PIXELS:
        h = 3.0 + 12.0 * strength
        return cv2.fastNlMeansDenoisingColored(img, None, h, h, 7, 21)
    sigma = 10.0 + 90.0 * strength
    return cv2.bilateralFilter(img, d=9, sigmaColor=sigma, sigmaSpace=sigma / 10 + 3)


def _clahe(img: np.ndarray, clip: float) -> np.ndarray:
    lab = cv2.cvtColor(img, cv2.COLOR_RGB2LAB)
    tiles = cv2.createCLAHE(clipLimit=clip, tileGridSize=(8, 8))
    lab[..., 0] = tiles.apply(np.ascontiguousarray(lab[..., 0]))
    return cv2.cvtColor(lab, cv2.COLOR_LAB2RGB)


def _sharpen(img: np.ndarray, amount: float) -> np.ndarray:
    # Blur radius scales with the image so the effect looks alike on thumbnails and 12 MP photos.
    sigma = max(1.0, max(img.shape[:2]) / 400)
    blurred = cv2.GaussianBlur(img, (0, 0), sigma)
    return cv2.addWeighted(img, 1.0 + amount, blurred, -amount, 0)


def enhance(image: np.ndarray, e: Enhancement | None = None) -> np.ndarray:
    """Apply ``e`` to an RGB uint8 (H, W, 3) image; returns a new array and leaves ``image`` untouched.

    Raises:
        ValueError: if ``image`` is not an RGB uint8 array.
    """
    if not isinstance(image, np.ndarray) or image.dtype != np.uint8 or image.ndim != 3 or image.shape[2] != 3:
        shape = getattr(image, "shape", None)
        raise ValueError(f"enhance expects an RGB uint8 (H, W, 3) array, got {type(image).__name__} {shape}")
    e = e or Enhancement()
    out = image.copy()
    if e.rotate % 360.0:
        out = _rotate(out, e.rotate)
    if e.denoise > 0:
        out = _denoise(out, e.denoise)
    if e.brightness != 0.0 or e.contrast != 1.0:
        # (x - 128) * contrast + 128 + brightness * 255, clipped; a 256-entry table is exact and fast.
        levels = (np.arange(256, dtype=np.float32) - 128.0) * e.contrast + 128.0 + 255.0 * e.brightness
        out = cv2.LUT(out, np.clip(np.rint(levels), 0, 255).astype(np.uint8))
    if e.clahe > 0:
        out = _clahe(out, e.clahe)
    if e.sharpen > 0:
        out = _sharpen(out, e.sharpen)
    return out
