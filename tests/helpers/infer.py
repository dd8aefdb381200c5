"""Shared helpers for the inference tests: one tiny exported model per session and bad-input files."""

from __future__ import annotations

import os
import struct
import zlib
from pathlib import Path

import numpy as np
from PIL import Image

_MODEL_CACHE: dict[str, Path] = {}


def tiny_onnx(tmp_path_factory) -> Path:
    """Path to an untrained ``mobilenetv3_small_050`` 64 px export, built once per test session.

    Several test modules need it; a module-level cache (rather than one session fixture per module)
    makes sure the ~1 s export runs only once.
    """
    if "path" not in _MODEL_CACHE:
        import torch

        from coinnet.model.export import export_onnx
        from coinnet.model.net import CoinNet

        torch.manual_seed(0)
        path = tmp_path_factory.mktemp("tiny_model") / "tiny.onnx"
        report = export_onnx(
            CoinNet(backbone="mobilenetv3_small_050", input_size=64), path, metadata={"mlflow_run_id": "run123"}
        )
        _MODEL_CACHE["path"] = path
        _MODEL_CACHE["report"] = report  # type: ignore[assignment]
    return _MODEL_CACHE["path"]


def export_report() -> dict:
    """The report of the cached export (call :func:`tiny_onnx` first)."""
    return _MODEL_CACHE["report"]  # type: ignore[return-value]


def coin_like(seed: int, h: int = 90, w: int = 120) -> np.ndarray:
    """A random RGB uint8 picture (a bright disc on a dark field plus noise); content is irrelevant here."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[:h, :w]
    disc = ((yy - h / 2) ** 2 + (xx - w / 2) ** 2 < (min(h, w) / 2.5) ** 2)[..., None]
    img = disc * np.array([184, 115, 51]) + rng.normal(0, 20, (h, w, 3))
    return np.clip(img, 0, 255).astype(np.uint8)


def png_bomb(path: Path, side: int = 100_000) -> Path:
    """A tiny PNG whose header declares ``side`` x ``side`` pixels (a decompression bomb's signature)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0)
    body = zlib.compress(b"\x00" * 1024)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b""))
    return path


def grey_filled_jpeg(path: Path, source: np.ndarray) -> Path:
    """A JPEG whose scan data stops a third of the way in, then a proper end marker: libjpeg decodes it without
    an error and fills the rest with uniform grey (what corrupt data looks like to the decoder)."""
    Image.fromarray(source).save(path, quality=90)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 3] + b"\xff\xd9")
    return path


def grey16_png(path: Path, h: int = 90, w: int = 120) -> Path:
    """A 16-bit greyscale PNG holding a horizontal ramp over the whole 0..65535 range."""
    ramp = np.tile(np.linspace(0, 65535, w).astype(np.uint16), (h, 1))
    Image.fromarray(ramp).save(path)
    return path


def bad_input_folder(folder: Path) -> dict[str, str]:
    """Fill ``folder`` with good and bad images; returns file name -> expected status or error keyword.

    Good: one file per supported format (upper-case suffixes too), a unicode name and a 16-bit greyscale PNG.
    Bad: zero bytes, truncated JPEG, a JPEG whose data is cut short (decodes grey), text named .jpg, a
    decompression bomb, a directory named ``x.jpg``, a symlink loop, a FIFO named ``pipe.jpg`` (opening it would
    block forever) and a symlink to ``/dev/zero``.
    """
    folder.mkdir(parents=True, exist_ok=True)
    expected: dict[str, str] = {}
    for i, name in enumerate(
        ["good.png", "good.JPG", "good.jpeg", "good.bmp", "good.TIF", "good.webp", "pièce 硬币.png"]
    ):
        Image.fromarray(coin_like(i)).save(folder / name)
        expected[name] = "ok"
    (folder / "empty.jpg").write_bytes(b"")
    expected["empty.jpg"] = "empty"
    full = folder / "good.JPG"
    (folder / "truncated.jpg").write_bytes(full.read_bytes()[: full.stat().st_size // 2])
    expected["truncated.jpg"] = "truncated"
    (folder / "notes.jpg").write_text("this is not an image\n")
    expected["notes.jpg"] = "not an image"
    png_bomb(folder / "bomb.png")
    expected["bomb.png"] = "too large"
    (folder / "x.jpg").mkdir()
    expected["x.jpg"] = "directory"
    (folder / "loop.jpg").symlink_to("loop.jpg")
    expected["loop.jpg"] = "symlink loop"
    grey16_png(folder / "grey16.png")
    expected["grey16.png"] = "ok"
    grey_filled_jpeg(folder / "cut.jpg", coin_like(3))
    expected["cut.jpg"] = "corrupt jpeg"
    os.mkfifo(folder / "pipe.jpg")
    expected["pipe.jpg"] = "fifo"
    (folder / "zero.jpg").symlink_to("/dev/zero")
    expected["zero.jpg"] = "character device"
    (folder / "readme.txt").write_text("not picked up: not an image suffix")
    return expected
