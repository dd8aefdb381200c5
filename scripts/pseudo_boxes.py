"""Pseudo-boxes for the localiser: where the reader read each real photo's *known* date.

``python scripts/pseudo_boxes.py --data ../shared/datasets/cents-web [--data ...] --out outputs/pseudo_boxes
[--model coinnet/infer/models/default.onnx] [--min-confidence 0.5]``

Each labelled folder's photos are read with the 32-view search (never the localiser, which these boxes will train);
a reading that matches the label gives the date's rotated rectangle (:func:`coinnet.data.real_boxes.pseudo_boxes`).
Writes ``OUT/<folder name>.csv`` per folder (``data.real_boxes`` of ``conf/localiser.yaml`` takes them) and
``OUT/pseudo_sheet.png``: the first 64 boxes cut out upright, to look at before training on them (real photos:
never commit it).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from coinnet.data.real_boxes import pseudo_boxes, read_boxes, write_boxes
from coinnet.infer.imageio import load_image
from coinnet.infer.predictor import Predictor
from coinnet.infer.views import warp_view
from coinnet.label_folder import read_labels
from coinnet.render.sheet import grid, save_rgb


def upright_crop(path: str, cx: float, cy: float, angle: float, length: float, size: int = 96) -> np.ndarray:
    """The box's date turned upright, twice its length wide (what the localiser is taught to find)."""
    image = load_image(path)
    return warp_view(image, size, np.array([cx, cy]), 2.0 * length, -angle, "check", 1.0).image


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, action="append", required=True, help="labels.csv folder (repeatable)")
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--model", type=Path, default=None, help="reader ONNX (default: the shipped one)")
    ap.add_argument("--min-confidence", type=float, default=0.5)
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    predictor = Predictor(args.model, search="full")
    tiles = []
    for folder in args.data:
        rows, tried = pseudo_boxes(predictor, read_labels(folder), args.min_confidence)
        csv_path = args.out / f"{folder.resolve().name}.csv"
        write_boxes(csv_path, rows)
        print(
            f"{folder}: {len(rows)} boxes from {tried} legible photos ({len(rows) / max(tried, 1):.1%}) -> {csv_path}"
        )
        tiles += [upright_crop(b.file, b.cx, b.cy, b.angle, b.length) for b in read_boxes(csv_path)[: 64 - len(tiles)]]
    if tiles:
        save_rgb(args.out / "pseudo_sheet.png", grid(tiles, 8))
    return 0


if __name__ == "__main__":
    sys.exit(main())
