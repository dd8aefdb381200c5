"""The localiser's search against the 32-view search, with the same readers, out of fold on real photos.

``python scripts/compare_search.py --crossval outputs/cv/crossval/crossval.json --localiser L.onnx --out DIR``

``crossval.json`` (written by ``scripts/crossval_real.py``) names each fold's reader and the photos it never
trained on. Each fold's held-out photos are read twice by that reader: ``search=full`` (32 views) and
``search=locate`` (3-4 views where the localiser points). Besides year / mint / year+mint, it reports how often
*some* view reads the known year and mint (what the vote could reach), and for ``locate`` how often the
localiser found a date at all. Writes ``DIR/compare_search.json`` and ``DIR/located_sheet.png`` (the top located
crop of the first photos of fold 0, to look at: real photos, never commit it) and prints a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import cv2
import numpy as np

from coinnet.evaluate.score import answers, evaluate_predictions
from coinnet.files import atomic_write
from coinnet.infer.imageio import load_image
from coinnet.infer.locate import MIN_SCORE
from coinnet.infer.predictor import DRAFT_FACTOR, Predictor
from coinnet.label_folder import read_labels

KEYS = ("year", "mint", "year_mint")


def some_view_right(predictor: Predictor, path: str, truth: tuple[int, str | None]) -> tuple[bool, bool, list]:
    """(some view reads the truth, a localiser proposal was used, the views) for one photo."""
    image = load_image(path, min_side=DRAFT_FACTOR[predictor.search] * predictor.input_size)
    views = predictor.views(image)
    decoded = predictor.decoder.decode(predictor.run(predictor.to_batch([v.image for v in views])), 1.0)
    right = any(y == truth[0] and (truth[1] is None or m == truth[1]) for y, m in decoded.pairs)
    return right, views[0].kind == "located", views


def read_fold(model: str, localiser: Path, photos: list[str], labels: dict, rule: Predictor) -> dict:
    """Both searches on one fold's held-out photos, with the confidence rule and threshold of ``rule``'s model
    (fitted on the 32-view search's signals: does it still hold where the localiser chose the views?)."""
    truths = [(p, labels[p].year, labels[p].mint, labels[p].view) for p in photos]
    out = {}
    for search in ("full", "locate"):
        predictor = Predictor(model, search=search, localiser=localiser if search == "locate" else None)
        predictor.confidence_rule, predictor.steady, predictor.threshold = rule.confidence_rule, True, rule.threshold
        start = time.perf_counter()
        preds = predictor.predict_paths(photos)
        seconds = time.perf_counter() - start
        result = evaluate_predictions(preds, truths)
        row = {k: result["overall"][k]["accuracy"] for k in KEYS} | {"n": len(photos), "img_s": len(photos) / seconds}
        confidence, correct = answers(preds, truths)
        sure = confidence >= predictor.threshold
        row["coverage"], row["precision"] = float(sure.mean()), float(correct[sure].mean()) if sure.any() else None
        legible = [t for t in truths if t[1] is not None]
        checks = [some_view_right(predictor, t[0], (t[1], t[2])) for t in legible]
        row["some_view_right"] = float(np.mean([c[0] for c in checks]))
        if search == "locate":
            row["date_found"] = float(np.mean([c[1] for c in checks]))
            row["sheet"] = [(t[0], c[2][0].image) for t, c in zip(legible, checks) if c[1]][:48]
        out[search] = row
    return out


def contact_sheet(tiles: list[tuple[str, np.ndarray]], path: Path) -> None:
    """The top located crop of each photo, 8 across (to check by eye that the date was found)."""
    if not tiles:
        return
    size = tiles[0][1].shape[0]
    rows = [
        np.hstack(
            [t[1] for t in tiles[i : i + 8]] + [np.zeros((size, size, 3), np.uint8)] * (8 - len(tiles[i : i + 8]))
        )
        for i in range(0, len(tiles), 8)
    ]
    cv2.imwrite(str(path), cv2.cvtColor(np.vstack(rows), cv2.COLOR_RGB2BGR))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--crossval", type=Path, required=True, help="crossval.json of scripts/crossval_real.py")
    ap.add_argument("--localiser", type=Path, required=True, help="localiser ONNX (trained on renders only)")
    ap.add_argument("--data", type=Path, default=Path("../shared/datasets/cents-web"), help="labels.csv folder")
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args(argv)
    labels = {str(Path(r.path).resolve()): r for r in read_labels(args.data)}
    folds = json.loads(args.crossval.read_text())
    args.out.mkdir(parents=True, exist_ok=True)
    results, rule = [], Predictor(search="full")  # the shipped model's rule and threshold
    for fold in folds:
        photos = [str(Path(p).resolve()) for p in fold["photos"] if str(Path(p).resolve()) in labels]
        res = read_fold(fold["model"], args.localiser, photos, labels, rule)
        if not results:
            contact_sheet(res["locate"]["sheet"], args.out / "located_sheet.png")
        for row in res.values():
            row.pop("sheet", None)
        results.append({"fold": fold["fold"], **res})
        print(json.dumps(results[-1]), flush=True)
    atomic_write(args.out / "compare_search.json", json.dumps(results, indent=1))
    cols = (*KEYS, "some_view_right", "date_found", "coverage", "precision", "img_s")
    print(f"\n| search | {' | '.join(cols)} |\n|---|" + "---|" * len(cols))
    for search in ("full", "locate"):
        cells = []
        for c in cols:
            vals = np.array([r[search][c] for r in results if r[search].get(c) is not None], float)
            cells.append(
                ""
                if not len(vals)
                else f"{vals.mean():.1f}"
                if c == "img_s"
                else f"{vals.mean():.1%} ± {vals.std():.1%}"
            )
        print(f"| {search} | {' | '.join(cells)} |")
    print(f"(localiser proposals under {MIN_SCORE} fall back to the full search; coverage and precision at the shipped")
    print(f" rule's threshold {rule.threshold:.4f}; img/s on this machine while measuring, decode included)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
