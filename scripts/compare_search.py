"""The localiser's search against the 32-view search, with the same readers, out of fold on real photos.

``python scripts/compare_search.py --crossval outputs/cv/crossval/crossval.json --localiser L.onnx --out DIR
[--data FOLDER ...] [--searches full,locate]``

``crossval.json`` (written by ``scripts/crossval_real.py``) names each fold's reader and the photos it never
trained on. Each fold's held-out photos are read twice by that reader: ``search=full`` (32 views) and
``search=locate`` (3-4 views where the localiser points). Besides year / mint / year+mint, it reports how often
*some* view reads the known year and mint (what the vote could reach), and for ``locate`` how often the
localiser proposed a date at all (``proposed``) and how often one of the views cut where it pointed reads the known
year and mint (``date_read``: the date found, judged by the label). With several ``--data`` folders every figure is
also given per folder (photo source). Writes ``DIR/compare_search.json`` and ``DIR/located_sheet.png`` (the top located
crop of the first photos of fold 0, to look at: real photos, never commit it) and prints a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

from coinnet.evaluate.score import answers, evaluate_predictions
from coinnet.files import atomic_write
from coinnet.infer.imageio import load_image
from coinnet.infer.locate import MIN_SCORE
from coinnet.infer.predictor import DRAFT_FACTOR, Predictor
from coinnet.label_folder import read_labels
from coinnet.render.sheet import grid, save_rgb

KEYS = ("year", "mint", "year_mint")


def some_view_right(predictor: Predictor, path: str, truth: tuple[int, str | None]) -> tuple[bool, bool, list]:
    """(some view reads the truth, a localiser proposal was used, the views) for one photo."""
    image = load_image(path, min_side=DRAFT_FACTOR[predictor.search] * predictor.input_size)
    views = predictor.views(image)
    decoded = predictor.decoder.decode(predictor.run(predictor.to_batch([v.image for v in views])), 1.0)
    right = any(y == truth[0] and (truth[1] is None or m == truth[1]) for y, m in decoded.pairs)
    return right, views[0].kind == "located", views


def score(preds: list, truths: list, checks: list, threshold: float) -> dict:
    """The figures of one search on some photos (``checks``: :func:`some_view_right` of the legible ones)."""
    result = evaluate_predictions(preds, truths)
    row = {k: result["overall"][k]["accuracy"] for k in KEYS} | {"n": len(truths)}
    confidence, correct = answers(preds, truths)
    sure = confidence >= threshold
    row["coverage"], row["precision"] = float(sure.mean()), float(correct[sure].mean()) if sure.any() else None
    row["some_view_right"] = float(np.mean([c[0] for c in checks]))
    row["proposed"] = float(np.mean([c[1] for c in checks]))
    row["date_read"] = float(np.mean([c[0] and c[1] for c in checks]))
    return row


def read_fold(model: str, localiser: Path, photos: list[str], labels: dict, rule: Predictor, searches) -> dict:
    """The searches on one fold's held-out photos, with the confidence rule and threshold of ``rule``'s model;
    figures overall and per photo source (``labels[path]`` is (record, source))."""
    truths = [(p, labels[p][0].year, labels[p][0].mint, labels[p][0].view) for p in photos]
    sources = [labels[p][1] for p in photos]
    out = {}
    for search in searches:
        predictor = Predictor(model, search=search, localiser=localiser if search == "locate" else None)
        predictor.confidence_rule, predictor.steady, predictor.threshold = rule.confidence_rule, True, rule.threshold
        start = time.perf_counter()
        preds = predictor.predict_paths(photos)
        seconds = time.perf_counter() - start
        legible = [i for i, t in enumerate(truths) if t[1] is not None]
        checks = {i: some_view_right(predictor, truths[i][0], truths[i][1:3]) for i in legible}
        groups = {"all": range(len(photos))} | {
            s: [i for i in range(len(photos)) if sources[i] == s] for s in set(sources)
        }
        row = {}
        for name, idx in groups.items():
            row[name] = score(
                [preds[i] for i in idx], [truths[i] for i in idx], [checks[i] for i in idx if i in checks],
                predictor.threshold,
            )  # fmt: skip
        row["all"]["img_s"] = len(photos) / seconds
        if search == "locate":
            row["sheet"] = [(truths[i][0], checks[i][2][0].image) for i in legible if checks[i][1]][:48]
        out[search] = row
    return out


def contact_sheet(tiles: list[tuple[str, np.ndarray]], path: Path) -> None:
    """The top located crop of each photo, 8 across (to check by eye that the date was found)."""
    if tiles:
        save_rgb(path, grid([t[1] for t in tiles], 8))


def table(results: list[dict], searches, group: str) -> str:
    """Markdown rows (mean ± std over folds) of one photo group."""
    cols = (*KEYS, "some_view_right", "proposed", "date_read", "coverage", "precision", "img_s")
    lines = [f"| search ({group}) | {' | '.join(cols)} |", "|---|" + "---|" * len(cols)]
    for search in searches:
        cells = []
        for c in cols:
            rows = [r[search].get(group, {}) for r in results]
            vals = np.array([row[c] for row in rows if row.get(c) is not None], float)
            cells.append(
                ""
                if not len(vals)
                else f"{vals.mean():.1f}"
                if c == "img_s"
                else f"{vals.mean():.1%} ± {vals.std():.1%}"
            )
        lines.append(f"| {search} | {' | '.join(cells)} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--crossval", type=Path, required=True, help="crossval.json of scripts/crossval_real.py")
    ap.add_argument("--localiser", type=Path, required=True, help="localiser ONNX")
    ap.add_argument("--data", type=Path, action="append", help="labels.csv folder (repeatable; default cents-web)")
    ap.add_argument("--searches", default="full,locate", help="comma-separated: full, locate")
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args(argv)
    searches = [s for s in args.searches.split(",") if s]
    labels = {
        str(Path(r.path).resolve()): (r, folder.resolve().name)
        for folder in args.data or [Path("../shared/datasets/cents-web")]
        for r in read_labels(folder)
    }
    folds = json.loads(args.crossval.read_text())
    args.out.mkdir(parents=True, exist_ok=True)
    results, rule = [], Predictor(search="full")  # the shipped model's rule and threshold
    for fold in folds:
        photos = [str(Path(p).resolve()) for p in fold["photos"] if str(Path(p).resolve()) in labels]
        res = read_fold(fold["model"], args.localiser, photos, labels, rule, searches)
        if not results and "locate" in res:
            contact_sheet(res["locate"]["sheet"], args.out / "located_sheet.png")
        for row in res.values():
            row.pop("sheet", None)
        results.append({"fold": fold["fold"], **res})
        print(json.dumps({"fold": fold["fold"], **{s: r["all"] for s, r in res.items()}}), flush=True)
    atomic_write(args.out / "compare_search.json", json.dumps(results, indent=1))
    groups = ["all", *sorted({g for r in results for s in searches for g in r[s] if g != "all"})]
    print("\n\n".join(table(results, searches, g) for g in groups))
    print(f"(proposals under {MIN_SCORE} fall back to the full search; coverage and precision at the shipped rule's")
    print(f" threshold {rule.threshold:.4f}; img/s on this machine while measuring, decode included)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
