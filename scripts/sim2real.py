"""The sim-to-real yardstick: train a reader on renders only for M minutes, then read real labelled photos.

Usage::

    python scripts/sim2real.py --data ../shared/datasets/cents-web --minutes 30 --out outputs/sim2real
    python scripts/sim2real.py --data FOLDER --minutes M --out DIR [--seed S] [--override KEY=VALUE ...]

Trains ``experiment=synthetic_only`` (the shipped reader's backbone and input size, rendered cents only, a fixed
seed) into ``DIR/run`` for ``--minutes`` of wall clock (``trainer.max_time``), then reads every photo of ``--data``
(any ``labels.csv`` folder) with the exported ``DIR/run/model.onnx`` and the predictor's ``--search`` (``full``,
the 32-view search, by default: the yardstick's baseline was measured with it, and the localiser's search would
mix its own errors into the renderer's number).
Writes ``DIR/predictions.csv`` and ``DIR/metrics.json`` (as ``coinnet.evaluate``) and prints one summary line.
Every renderer change is judged by this number on real photos. Bad input (no labels.csv, no usable rows,
``--minutes`` <= 0) is one line on stderr and exit status 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from coinnet.evaluate.score import evaluate_predictions, predictions_csv, read_labels
from coinnet.files import atomic_write
from coinnet.infer.views import SEARCH_MODES
from coinnet.label_folder import LabelsError

EXPERIMENT = "synthetic_only"
EXIT_USAGE = 2


def max_time(minutes: float) -> str:
    """``trainer.max_time`` ("DD:HH:MM:SS") for ``minutes`` of wall clock, at least one second."""
    seconds = max(1, round(minutes * 60))
    minutes_, s = divmod(seconds, 60)
    hours, m = divmod(minutes_, 60)
    days, h = divmod(hours, 24)
    return f"{days:02d}:{h:02d}:{m:02d}:{s:02d}"


def train_reader(out: Path, minutes: float, seed: int, overrides: Sequence[str]) -> tuple[Path, dict]:
    """Train ``experiment=synthetic_only`` into ``out/run`` for ``minutes``; (its ONNX file, the fit's result)."""
    from coinnet.train.config import compose_train
    from coinnet.train.recipe import train

    run_dir = (out / "run").resolve()
    fixed = [f"paths.run_dir={run_dir}", f"trainer.max_time={max_time(minutes)}", f"seed={seed}"]
    cfg = compose_train([f"experiment={EXPERIMENT}", *overrides, *fixed])
    result = train(cfg)
    if not result.get("onnx"):
        raise RuntimeError(f"the run in {run_dir} exported no model (no checkpoint was written)")
    return Path(result["onnx"]), result


def _rate(part: dict) -> str:
    return "n/a" if part["accuracy"] is None else f"{part['accuracy']:.1%}"


def _parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, required=True, help="a labels.csv folder of real photos to read")
    ap.add_argument("--minutes", type=float, required=True, help="wall-clock training time (trainer.max_time)")
    ap.add_argument("--out", type=Path, required=True, help="run/, predictions.csv and metrics.json go here")
    ap.add_argument("--seed", type=int, default=42, help="seed of the run (renders, weights, order)")
    ap.add_argument(
        "--search",
        default="full",
        choices=SEARCH_MODES,
        help="the predictor's view search (default full, as the baseline)",
    )
    ap.add_argument(
        "--override", action="append", default=[], help="extra Hydra override for the run, KEY=VALUE (repeatable)"
    )
    return ap


def main(argv: Sequence[str] | None = None) -> int:
    """Train, read, score; prints the summary line and returns the exit status."""
    args = _parser().parse_args(argv)
    try:
        if not args.minutes > 0:
            raise ValueError(f"--minutes must be > 0, got {args.minutes}")
        truths = read_labels(args.data)
        if not any(t.year is not None or t.mint is not None for t in truths):
            raise LabelsError(f"{args.data / 'labels.csv'}: no row with a usable year or mint label")
    except (LabelsError, ValueError) as exc:
        print(f"sim2real: error: {str(exc).splitlines()[0]}", file=sys.stderr)
        return EXIT_USAGE

    model, fit_result = train_reader(args.out, args.minutes, args.seed, args.override)

    from coinnet.infer.predictor import Predictor

    predictor = Predictor(model, search=args.search)  # the model's own threshold
    preds = predictor.predict_paths([t.path for t in truths])
    result = evaluate_predictions(preds, truths, predictor.threshold)
    summary = {
        "data": str(args.data.resolve()),
        "model": str(model),
        "experiment": EXPERIMENT,
        "minutes": args.minutes,
        "seed": args.seed,
        "search": args.search,
        "overrides": list(args.override),
        "threshold": predictor.threshold,
        # The same reader on its own rendered validation set: the gap to the real numbers is the sim-to-real gap.
        "renders_val": {k: v for k, v in fit_result.items() if k.startswith("val/")},
    }
    atomic_write(args.out / "metrics.json", json.dumps(summary | result, indent=1, default=str).encode("utf-8"))
    atomic_write(args.out / "predictions.csv", predictions_csv(preds, truths))
    o, minutes = result["overall"], f"{args.minutes:.1f}" if args.minutes >= 0.1 else f"{args.minutes:g}"
    print(
        f"sim2real: {args.data} n={o['year']['n']} year {_rate(o['year'])} mint {_rate(o['mint'])} "
        f"year+mint {_rate(o['year_mint'])} (renders only, {minutes} min, seed {args.seed}, model {model})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
