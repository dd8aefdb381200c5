"""Image decoding, folder scanning and the one resize that training and inference share (no torch).

``square_resize`` is the contract between the data pipeline and the predictor: any change here changes
what every exported model expects, so both sides call this function and nothing else.

``load_image`` turns every way a file can be unusable (empty, truncated, not an image, a decompression
bomb, a directory, a FIFO or device, no permission, a symlink loop, corrupt JPEG data) into one
:class:`ImageError` whose message is a single line ``<file>: <reason>``, so batch tools can record it in a row
and go on. Anything but a regular file (a FIFO named ``x.jpg``, ``/dev/zero``, a socket) is refused before it is
opened, so no reader ever blocks on it.
"""

from __future__ import annotations

import errno
import os
import re
import stat
import warnings
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from coinnet.files import not_regular

#: Suffixes the CLI and the app pick up from folders (compared lower-case).

#: Largest image we decode. 100 MP covers any phone or microscope camera; a file declaring more is far
#: more likely a decompression bomb (a few KB that inflate to GBs) than a coin photo.
MAX_PIXELS = 100_000_000
# Pillow itself refuses > 2x this at open (DecompressionBombError); we refuse > 1x in load_image.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS


class ImageError(ValueError):
    """An image that cannot be used; the message is one line: ``<file>: <reason>``."""


def _reason(exc: BaseException) -> str:
    """A short human reason for why decoding failed."""
    if isinstance(exc, (Image.DecompressionBombError, Image.DecompressionBombWarning)):
        # Ours says "WxH", Pillow's "Image size (N pixels) exceeds ..."; keep just the size.
        declared = re.search(r"\d+x\d+|(?<=\()\d+(?= pixels\))", str(exc))
        size = f"{declared.group(0)} pixels" if declared else "too many pixels"
        return f"image too large: {size}, limit {MAX_PIXELS} (possible decompression bomb)"
    if isinstance(exc, IsADirectoryError):
        return "is a directory, not an image file"
    if isinstance(exc, PermissionError):
        return "permission denied"
    if isinstance(exc, FileNotFoundError):
        return "file not found (or a broken symlink)"
    if isinstance(exc, OSError) and exc.errno == errno.ELOOP:
        return "symlink loop"
    if isinstance(exc, UnidentifiedImageError):
        return "not an image (unrecognised format)"
    if isinstance(exc, (OSError, SyntaxError, ValueError)) and "truncated" in str(exc).lower():
        return "truncated or corrupt image data"
    return f"cannot decode image ({type(exc).__name__}: {exc})"


def _check_regular(path: Path) -> None:
    """Refuse a FIFO, a device, a socket or a directory before opening it (opening a FIFO blocks forever)."""
    kind = not_regular(path)
    if kind == "a directory":
        raise ImageError(f"{path}: is a directory, not an image file")
    if kind is not None:
        raise ImageError(f"{path}: {kind}, not a regular file")


def _open_regular(path: Path):
    """The file opened for reading, or ImageError; never blocks, even if it became a FIFO since the check."""
    _check_regular(path)
    # O_NONBLOCK: should a FIFO have replaced the file since the stat, the open returns at once and fstat says so.
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    fh = os.fdopen(fd, "rb")
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        fh.close()
        raise ImageError(f"{path}: not a regular file")
    if info.st_size == 0:
        fh.close()
        raise ImageError(f"{path}: empty file (0 bytes)")
    return fh


def _to_8bit(im: Image.Image) -> Image.Image:
    """16-bit and 32-bit greyscale scaled to 8 bit (``convert("RGB")`` would clip them: a 16-bit PNG went white)."""
    if not (im.mode.startswith("I;16") or im.mode in ("I", "F")):
        return im
    data = np.asarray(im)
    peak = float(data.max()) if data.size else 0.0
    if im.mode == "F" and peak <= 1.0:  # float images in [0, 1]
        grey = np.clip(data * 255.0 + 0.5, 0, 255)
    elif peak > 255 or im.mode.startswith("I;16"):  # 16-bit range: keep the high byte, as image tools do
        grey = np.clip(data, 0, 65535).astype(np.uint32) >> 8
    else:  # 32-bit storage of 8-bit values
        grey = np.clip(data, 0, 255)
    return Image.fromarray(grey.astype(np.uint8), "L")


def _grey_filled(im: Image.Image) -> bool:
    """Whether a decoded JPEG ends in libjpeg's fill for missing data: its last row exactly mid-grey.

    libjpeg does not fail on corrupt or missing scan data: it warns (Pillow drops the warning) and leaves the rest
    of the picture's blocks at zero, i.e. uniform grey 128 in every channel. A photo whose whole last row is exactly
    that grey is far more likely such a file than a real picture.
    """
    row = np.asarray(im.crop((0, im.height - 1, im.width, im.height)))
    return bool(row.size) and bool((row == 128).all())


def load_image(path: str | Path, min_side: int | None = None) -> np.ndarray:
    """Decode an image file to RGB uint8 (H, W, 3), honouring EXIF orientation (:func:`load_image_scaled`)."""
    return load_image_scaled(path, min_side)[0]


def load_image_scaled(path: str | Path, min_side: int | None = None) -> tuple[np.ndarray, tuple[float, float]]:
    """Decode an image file to RGB uint8 (H, W, 3), honouring EXIF orientation, and say at what scale.

    Returns:
        The image and ``(sx, sy)``: full-resolution pixels per decoded pixel along x and y (1.0 unless
        ``min_side`` let a JPEG decode at reduced scale). Boxes found on the image times these are in the
        file's own pixels, which is what a user measures.

    Args:
        path: image file.
        min_side: if given, a JPEG may be decoded at 1/2, 1/4 or 1/8 scale (libjpeg's DCT scaling, about
            twice as fast on photos) as long as both sides stay >= ``min_side``; other formats are unaffected.
            With ``min_side`` >= 2x the model input, :func:`square_resize` of the result differs from a full
            decode by under 1 grey level on average (measured 0.65/255 on cents-web at 128 px).

    Raises:
        ImageError: one line naming the file and the reason.
    """
    path = Path(path)
    try:
        with _open_regular(path) as fh, warnings.catch_warnings():
            # Between MAX_PIXELS and 2x Pillow only warns; make that an error too.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(fh) as im:
                if im.width * im.height > MAX_PIXELS:
                    raise Image.DecompressionBombError(f"{im.width}x{im.height}")
                full = im.size
                if min_side:
                    im.draft("RGB", (min_side, min_side))  # no-op for non-JPEG formats
                im.load()
                if im.format == "JPEG" and _grey_filled(im):
                    raise ImageError(f"{path}: corrupt JPEG data (the decoder filled missing data with grey)")
                scale = (full[0] / im.size[0], full[1] / im.size[1])
                turned = _to_8bit(ImageOps.exif_transpose(im))
                if turned.size != im.size:  # a quarter turn swaps the axes
                    scale = scale[::-1]
                return np.asarray(turned.convert("RGB")), scale
    except ImageError:
        raise
    except Exception as exc:  # Pillow raises many types; callers want one, with a clear line
        raise ImageError(f"{path}: {_reason(exc)}".splitlines()[0]) from exc


def square_resize(image: np.ndarray, size: int) -> np.ndarray:
    """Scale the long side to ``size`` (keeping aspect) and centre the result on a black square.

    Padding rather than squashing keeps digit shapes; black matches the renderer's background. Resizing before
    padding keeps a 12 MP frame cheap (no full-size canvas is ever built).
    """
    h, w = image.shape[:2]
    scale = size / max(h, w)
    nh, nw = max(1, round(h * scale)), max(1, round(w * scale))
    interp = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
    resized = cv2.resize(np.ascontiguousarray(image[..., :3]), (nw, nh), interpolation=interp)
    canvas = np.zeros((size, size, 3), dtype=np.uint8)
    top, left = (size - nh) // 2, (size - nw) // 2
    canvas[top : top + nh, left : left + nw] = resized
    return canvas
