"""Turn labelled real photos into reader-sized date crops: ``python -m coinnet.train.mine --data DIR --out DIR``.

The reader learns from date close-ups, but most real photos show a whole coin on which the date covers a few
per cent of the frame; squashed to the model's input it is unreadable. For each labelled photo this looks at the
predictor's candidate views (:mod:`coinnet.infer.views`) and keeps the one in which the current model gives the
*known* label the highest probability, so even a weak model finds the date when it only has to confirm it.
The crops land in a ``labels.csv`` folder that training takes as real data (``data.real.paths=[OUT]``),
in source order; each row's ``notes`` name its source photo, so k-fold splits keep a photo's crops together.

With ``--negatives N`` (default 1) it also keeps N views far from the date (another part of the coin, or the
date turned well away from upright) as :data:`coinnet.labels.NO_DATE` rows: real examples of what the view
search must not read confidently. No torch.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import numpy as np
from PIL import Image

from coinnet import labels
from coinnet.files import atomic_path
from coinnet.infer.imageio import load_image
from coinnet.infer.pair_decoder import log_softmax
from coinnet.infer.predictor import Predictor
from coinnet.infer.views import View
from coinnet.label_folder import MINED_FROM, read_labels, write_rows

#: A negative view is at least this far from the date view: in turn (degrees) or in centre (view sides).
NEGATIVE_MIN_TURN, NEGATIVE_MIN_SHIFT = 60.0, 0.5


def label_score(logits: dict[str, np.ndarray], year: int | None, mint: str | None) -> np.ndarray:
    """Log-probability per view of the known fields of the label (unknown fields add nothing)."""
    target = labels.encode(year, mint)
    score = np.zeros(len(next(iter(logits.values()))))
    for head, cls in zip(labels.HEAD_NAMES, target):
        if cls != labels.IGNORE_INDEX:
            score += log_softmax(logits[head])[:, cls]
    return score


def _pose(view: View) -> tuple[np.ndarray, float, float]:
    """Centre (photo px), turn (degrees) and side (photo px) of a view."""
    m = view.to_image
    size = view.image.shape[0]
    return (
        m @ np.array([size / 2, size / 2, 1.0]),
        float(np.degrees(np.arctan2(m[1, 0], m[0, 0]))),
        float(np.hypot(*m[:, 0]) * size),
    )


def far_views(views: list[View], best: View) -> list[View]:
    """Views that cannot show the date that ``best`` shows upright (turned or shifted well away from it)."""
    centre, turn, side = _pose(best)
    out = []
    for v in views:
        c, t, _ = _pose(v)
        dturn = abs((t - turn + 180.0) % 360.0 - 180.0)
        if dturn >= NEGATIVE_MIN_TURN or np.linalg.norm(c - centre) >= NEGATIVE_MIN_SHIFT * side:
            out.append(v)
    return out


def check_out(data: Path, out: Path) -> None:
    """Refuse an output folder that is the input folder or inside it: its labels.csv would replace the input's.

    Raises:
        ValueError: one line naming both folders.
    """
    source, target = Path(data).expanduser().resolve(), Path(out).expanduser().resolve()
    if target == source or target.is_relative_to(source):
        raise ValueError(
            f"--out {out} is inside --data {data}: its labels.csv would be replaced; choose another folder"
        )


def _crop_stem(path: str) -> str:
    """A file-name stem safe in a CSV and on any disk: letters, digits, ``.``, ``-``, ``_`` (odd bytes, CR: ``_``)."""
    return re.sub(r"[^\w.-]", "_", Path(path).stem)[:100] or "photo"


def mine(
    data: Path,
    out: Path,
    predictor: Predictor,
    crop_size: int | None = None,
    negatives: int = 1,
    seed: int = 0,
    allow_outside: bool = False,
) -> int:
    """Write ``out/images/*.png`` + ``out/labels.csv``; returns the number of crops written (negatives included).

    Raises:
        ValueError: ``out`` is ``data`` or inside it (:func:`check_out`); LabelsError for a bad labels.csv.
    """
    check_out(data, out)
    size = crop_size or predictor.input_size
    rows = read_labels(data, allow_outside=allow_outside)
    rng = np.random.default_rng(seed)
    (out / "images").mkdir(parents=True, exist_ok=True)
    written = []

    def save(image: np.ndarray, name: str, **fields) -> None:
        crop = image if size == predictor.input_size else np.asarray(Image.fromarray(image).resize((size, size)))
        with atomic_path(out / name) as tmp:
            Image.fromarray(crop).save(tmp, format="PNG")
        written.append({"file": name, **fields})

    for i, row in enumerate(rows):
        try:
            image = load_image(row.path)
        except Exception as exc:  # one bad photo must not stop the rest
            print(f"skipped {row.path}: {exc}".splitlines()[0], file=sys.stderr)
            continue
        views = predictor.views(image)
        logits = predictor.run(predictor.to_batch([v.image for v in views]))
        best = views[int(np.argmax(label_score(logits, row.year, row.mint)))]
        stem, source = _crop_stem(row.path), f"{MINED_FROM}{Path(row.path).resolve()}"
        save(
            best.image,
            f"images/{stem}_{i}.png",
            year=row.year or "",
            mint=row.mint or "",
            view=row.view,
            legible=row.legible,
            notes=source,
        )
        far = far_views(views, best)
        for k in rng.choice(len(far), size=min(negatives, len(far)), replace=False) if far else []:
            save(
                far[k].image,
                f"images/{stem}_{i}_no_date{k}.png",
                year="",
                mint="",
                view=row.view,
                legible=labels.NO_DATE,
                notes=source,
            )
    write_rows(out, written)
    return len(written)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, required=True, help="folder with labels.csv (cents-web format)")
    ap.add_argument("--out", type=Path, required=True, help="new folder for the crops and their labels.csv")
    ap.add_argument("--model", type=Path, help="ONNX model (default: the shipped one)")
    ap.add_argument("--negatives", type=int, default=1, help="no-date views kept per photo (default 1)")
    ap.add_argument("--seed", type=int, default=0, help="seeds the choice of negative views")
    ap.add_argument(
        "--allow-outside", action="store_true", help="read labels.csv rows naming files outside --data (../, /abs)"
    )
    args = ap.parse_args(argv)
    try:
        check_out(args.data, args.out)  # before the model loads: a usage error costs nothing
        predictor = Predictor(args.model, search="full")
        n = mine(
            args.data, args.out, predictor, negatives=args.negatives, seed=args.seed, allow_outside=args.allow_outside
        )
    except (FileNotFoundError, ValueError) as exc:
        print(f"error: {str(exc).splitlines()[0]}", file=sys.stderr)
        return 2
    print(f"wrote {n} crops and {args.out / 'labels.csv'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
