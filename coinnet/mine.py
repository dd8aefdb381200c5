"""Turn labelled real photos into reader-sized date crops: ``python -m coinnet.mine --data DIR --out DIR``.

The reader learns from date close-ups, but most real photos show a whole coin on which the date covers a few
per cent of the frame; squashed to the model's input it is unreadable. For each labelled photo this looks at the
predictor's candidate views (:mod:`coinnet.views`) and keeps the one in which the current model gives the
*known* label the highest probability, so even a weak model finds the date when it only has to confirm it.
The crops land in a ``labels.csv`` folder that training takes as real data (``data.real.paths=[OUT]``),
one row per source row and in the same order, so k-fold splits of the two folders agree. No torch.
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image

from coinnet import labels
from coinnet.records import read_labels
from coinnet.imageio import load_image
from coinnet.pair_decoder import log_softmax
from coinnet.predictor import Predictor

FIELDS = ("file", "year", "mint", "view", "legible", "notes")
#: ``notes`` of a mined row start with this, then the source photo's path.
MINED_FROM = "mined from "


def label_score(logits: dict[str, np.ndarray], year: int | None, mint: str | None) -> np.ndarray:
    """Log-probability per view of the known fields of the label (unknown fields add nothing)."""
    target = labels.encode(year, mint)
    score = np.zeros(len(next(iter(logits.values()))))
    for head, cls in zip(labels.HEAD_NAMES, target):
        if cls != labels.IGNORE_INDEX:
            score += log_softmax(logits[head])[:, cls]
    return score


def mine(data: Path, out: Path, predictor: Predictor, crop_size: int | None = None) -> int:
    """Write ``out/images/*.png`` + ``out/labels.csv``; returns the number of crops written."""
    size = crop_size or predictor.input_size
    rows = read_labels(data)
    (out / "images").mkdir(parents=True, exist_ok=True)
    written = []
    for i, row in enumerate(rows):
        try:
            image = load_image(row.path)
        except Exception as exc:  # one bad photo must not stop the rest
            print(f"skipped {row.path}: {exc}".splitlines()[0], file=sys.stderr)
            continue
        views = predictor.views(image)
        logits = predictor.run(predictor.to_batch([v.image for v in views]))
        best = views[int(np.argmax(label_score(logits, row.year, row.mint)))]
        crop = best.image if size == predictor.input_size else np.asarray(Image.fromarray(best.image).resize((size, size)))
        name = f"images/{Path(row.path).stem}_{i}.png"
        Image.fromarray(crop).save(out / name)
        written.append({"file": name, "year": row.year or "", "mint": row.mint or "", "view": row.view,
                        "legible": row.legible, "notes": f"{MINED_FROM}{Path(row.path).resolve()}"})
    fd, tmp = tempfile.mkstemp(dir=out, suffix=".csv.tmp")
    with os.fdopen(fd, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=FIELDS)
        writer.writeheader()
        writer.writerows(written)
    os.replace(tmp, out / "labels.csv")
    return len(written)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, required=True, help="folder with labels.csv (cents-web format)")
    ap.add_argument("--out", type=Path, required=True, help="new folder for the crops and their labels.csv")
    ap.add_argument("--model", type=Path, help="ONNX model (default: the shipped one)")
    args = ap.parse_args(argv)
    try:
        n = mine(args.data, args.out, Predictor(args.model, search="full"))
    except (FileNotFoundError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {n} crops and {args.out / 'labels.csv'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
