"""Contact sheets: rendered tiles with their labels and boxes, and rendered-vs-real comparisons."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from coinnet.files import atomic_path
from coinnet.infer.imageio import ImageError, load_image, square_resize
from coinnet.label_folder import read_labels
from coinnet.render.config import RenderConfig
from coinnet.render.core import RenderedCoin, render

DATE_COLOUR = (0, 255, 0)
MINT_COLOUR = (255, 0, 255)
TEXT_COLOUR = (255, 255, 0)


def _caption(tile: np.ndarray, text: str) -> None:
    """Write ``text`` at the tile's top-left with a dark outline so it reads on any background."""
    scale = max(0.35, tile.shape[0] / 300)
    for colour, thick in (((0, 0, 0), 3), (TEXT_COLOUR, 1)):
        cv2.putText(
            tile, text, (3, int(14 * scale / 0.45)), cv2.FONT_HERSHEY_SIMPLEX, scale, colour, thick, cv2.LINE_AA
        )


def annotate(sample: RenderedCoin, zoom: int = 1) -> np.ndarray:
    """The sample's image (upscaled by ``zoom``) with date/mint boxes, baseline angle and label."""
    tile = (
        cv2.resize(sample.image, None, fx=zoom, fy=zoom, interpolation=cv2.INTER_NEAREST)
        if zoom > 1
        else sample.image.copy()
    )
    for box, colour in ((sample.date_box, DATE_COLOUR), (sample.mint_box, MINT_COLOUR)):
        if box is not None:
            x0, y0, x1, y1 = (int(round(v * zoom)) for v in box)
            cv2.rectangle(tile, (x0, y0), (x1 - 1, y1 - 1), colour, 1)
    mint = "" if sample.mint == "none" else sample.mint
    _caption(tile, f"{sample.year}{mint} {sample.angle:+.0f}")
    return tile


def grid(tiles: list[np.ndarray], cols: int) -> np.ndarray:
    """Tile equally sized RGB images into rows of ``cols`` (blank cells at the end)."""
    rows = -(-len(tiles) // cols)
    h, w = tiles[0].shape[:2]
    out = np.zeros((rows * h, cols * w, 3), np.uint8)
    for i, t in enumerate(tiles):
        r, c = divmod(i, cols)
        out[r * h : (r + 1) * h, c * w : (c + 1) * w] = t
    return out


def save_rgb(path: str | Path, rgb: np.ndarray) -> None:
    """Write an RGB image atomically (temp file in the same folder, then ``os.replace``)."""
    with atomic_path(path, suffix=Path(path).suffix or ".png") as tmp:
        if not cv2.imwrite(str(tmp), np.ascontiguousarray(rgb[..., ::-1])):
            raise OSError(f"{path}: could not encode image")


def render_sheet(cfg: RenderConfig, n: int, seed: int, zoom: int = 1) -> np.ndarray:
    """A contact sheet of ``n`` annotated samples."""
    tiles = [annotate(render(cfg, seed, i), zoom) for i in range(n)]
    return grid(tiles, max(1, int(np.ceil(np.sqrt(n)))))


def compare_sheet(cfg: RenderConfig, real_dir: str | Path, n: int, seed: int) -> np.ndarray:
    """Rows of (rendered | real) pairs; real photos come from ``real_dir/labels.csv`` (file,year,mint,...).

    The labels are read by :func:`coinnet.label_folder.read_labels`: rows naming a file outside the folder or a
    label never struck are skipped with a warning. The real photos are resized with the shared ``square_resize``
    so both sides look as the model sees them.

    Raises:
        LabelsError: ``real_dir/labels.csv`` is missing or unusable (one line naming the file and row).
        ValueError: none of the listed images could be read.
    """
    real_dir = Path(real_dir)
    rows = read_labels(real_dir)
    rng = np.random.default_rng(seed)
    picks = rng.permutation(len(rows))[:n]
    tiles = []
    for i, k in enumerate(picks):
        row = rows[k]
        try:
            real = square_resize(load_image(row.path), cfg.size)
        except ImageError:
            continue
        real = real.copy()
        year = "?" if row.year is None else str(row.year)
        mint = "" if row.mint in (None, "none") else row.mint
        _caption(real, f"{year}{mint} real")
        tiles += [annotate(render(cfg, seed, i)), real]
    if not tiles:
        raise ValueError(f"{real_dir / 'labels.csv'}: no readable images listed")
    return grid(tiles, 8)
