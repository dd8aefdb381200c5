"""Measure the shipped ONNX predictor on a labelled folder of real photos: metrics.json + report.html.

Usage::

    python -m coinnet.evaluate --data ../shared/datasets/cents-web [--model M.onnx] [--out DIR]
        [--threshold T] [--fit-temperature] [--mlflow-run RUN_ID --tracking-uri URI] [--limit N]

The folder holds ``labels.csv`` (``file,year,mint,view,legible,notes``; ``file`` relative to the folder or
absolute; an empty year or mint is unknown and not scored for that field). Runs through
:class:`coinnet.infer.predictor.Predictor`, so it measures exactly what users get. No torch is imported.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import numpy as np

from coinnet import labels
from coinnet.evaluate.report import write_report
from coinnet.evaluate.score import Truth, evaluate_predictions, predictions_csv, read_labels
from coinnet.files import atomic_write
from coinnet.infer.views import SEARCH_MODES
from coinnet.label_folder import LabelsError


def fit_temperature_report(predictor, truths: Sequence[Truth], batch_size: int = 32) -> dict:
    """Collect raw head logits of the labelled, readable photos and fit a temperature on them."""
    from coinnet.evaluate.calibrate import calibration_report
    from coinnet.infer.imageio import ImageError, load_image

    chunks, targets = [], {h: [] for h in labels.HEAD_NAMES}
    usable = [t for t in truths if t.year is not None or t.mint is not None]
    for start in range(0, len(usable), batch_size):
        images, batch = [], []
        for t in usable[start : start + batch_size]:
            try:
                images.append(load_image(t.path))
            except ImageError:
                continue  # already reported as an error row by the prediction pass
            batch.append(t)
        if not images:
            continue
        chunks.append(predictor.head_logits(images))
        for t in batch:
            for head, idx in zip(labels.HEAD_NAMES, labels.encode(t.year, t.mint)):
                targets[head].append(idx)
    if not chunks:
        raise ValueError("no labelled, readable photo to fit a temperature on")
    logits = {h: np.concatenate([c[h] for c in chunks]) for h in labels.HEAD_NAMES}
    return calibration_report(logits, {h: np.array(v) for h, v in targets.items()}, predictor.temperature)


def mlflow_metrics(result: dict) -> dict[str, float]:
    """Flat ``real/...`` metrics for MLflow (rates with nothing scored are left out)."""
    overall = result["overall"]
    rates = {"year_acc": overall["year"], "mint_acc": overall["mint"], "year_mint_acc": overall["year_mint"]}
    rates |= {f"digit{i}_acc": d for i, d in enumerate(overall["digits"])}
    out = {f"real/{k}": v["accuracy"] for k, v in rates.items()}
    out |= {f"real/{k}_n": v["n"] for k, v in rates.items()}
    point = result["coverage"]["at_threshold"]
    out |= {"real/ece": result["calibration"]["ece"], "real/coverage": point["coverage"],
            "real/precision": point["precision"], "real/aurc": result["coverage"]["aurc"]}  # fmt: skip
    if result.get("temperature"):
        out["real/temperature"] = result["temperature"]["temperature"]
    return {k: float(v) for k, v in out.items() if v is not None}


def log_to_mlflow(result: dict, out_dir: Path, run_id: str, tracking_uri: str | None) -> None:
    """Add the metrics and the report folder (under ``real_eval/``) to an existing MLflow run."""
    import mlflow  # only here: the evaluation itself does not need it
    from mlflow.entities import Metric

    client = mlflow.MlflowClient(tracking_uri=tracking_uri)
    now = int(datetime.now().timestamp() * 1000)
    client.log_batch(run_id, metrics=[Metric(k, v, now, 0) for k, v in mlflow_metrics(result).items()])
    client.log_artifacts(run_id, str(out_dir), artifact_path="real_eval")


def _parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="python -m coinnet.evaluate", description=__doc__.split("\n")[0])
    ap.add_argument("--data", required=True, help="folder holding labels.csv")
    ap.add_argument("--model", help="ONNX model (default: the shipped coinnet/infer/models/default.onnx)")
    ap.add_argument("--out", help="output folder (default: outputs/eval/<timestamp>)")
    ap.add_argument("--threshold", type=float, help="confidence threshold (default: the model's own)")
    ap.add_argument("--fit-temperature", action="store_true", help="fit and print a softmax temperature")
    ap.add_argument("--mlflow-run", help="MLflow run id to log metrics and the report into")
    ap.add_argument("--tracking-uri", help="MLflow tracking URI (default: MLFLOW_TRACKING_URI / mlflow's own)")
    ap.add_argument("--limit", type=int, help="only the first N rows of labels.csv")
    ap.add_argument(
        "--allow-outside", action="store_true", help="score labels.csv rows naming files outside --data (../, /abs)"
    )
    ap.add_argument(
        "--search",
        choices=SEARCH_MODES,
        help="views the predictor reads (default: the model's; see coinnet.predict --help)",
    )
    ap.add_argument("--batch-size", type=int, default=32)
    return ap


def run(args: argparse.Namespace) -> Path:
    """Evaluate, write the outputs, optionally log them; returns the output folder."""
    from tqdm import tqdm

    from coinnet.infer.predictor import Predictor

    truths = read_labels(args.data, args.limit, allow_outside=args.allow_outside)
    if not truths:
        raise LabelsError(f"{Path(args.data) / 'labels.csv'}: no rows")
    predictor = Predictor(model_path=args.model, threshold=args.threshold, search=args.search)
    threshold = predictor.threshold  # --threshold if given, else the model's metadata default
    with tqdm(total=len(truths), desc="predicting", unit="photo") as bar:
        preds = predictor.predict_paths([t.path for t in truths], batch_size=args.batch_size,
                                        progress=lambda done, total: bar.update(done - bar.n))  # fmt: skip
    result = evaluate_predictions(preds, truths, threshold)
    if args.fit_temperature:
        result["temperature"] = fit_temperature_report(predictor, truths, args.batch_size)
    result = {"data": str(Path(args.data).resolve()), "model": str(args.model or "default"),
              "model_metadata": {k: v for k, v in predictor.metadata.items() if k != "schema"}, "threshold": threshold,
              "created": datetime.now().isoformat(timespec="seconds"), **result}  # fmt: skip
    out_dir = Path(args.out or Path("outputs") / "eval" / datetime.now().strftime("%Y%m%d-%H%M%S"))
    atomic_write(out_dir / "metrics.json", json.dumps(result, indent=1, default=str).encode("utf-8"))
    atomic_write(out_dir / "predictions.csv", predictions_csv(preds, truths))
    write_report(result, out_dir)
    if args.mlflow_run:
        log_to_mlflow(result, out_dir, args.mlflow_run, args.tracking_uri)
    return out_dir


def _fmt(rate: dict) -> str:
    return "n/a (0 scored)" if rate["accuracy"] is None else f"{rate['accuracy']:.1%} ({rate['correct']}/{rate['n']})"


def main(argv: Sequence[str] | None = None) -> int:
    """CLI entry point; prints the headline numbers and where the report is."""
    args = _parser().parse_args(argv)
    try:
        out_dir = run(args)
    except (LabelsError, FileNotFoundError, ValueError) as exc:
        print(f"error: {str(exc).splitlines()[0]}", file=sys.stderr)
        return 2
    result = json.loads((out_dir / "metrics.json").read_text())
    o, point = result["overall"], result["coverage"]["at_threshold"]
    print(f"year {_fmt(o['year'])} · mint {_fmt(o['mint'])} · year+mint {_fmt(o['year_mint'])}")
    ece = result["calibration"]["ece"]
    ece_text = "n/a" if ece is None else f"{ece:.3f}"
    precision = "n/a" if point["precision"] is None else f"{point['precision']:.1%}"
    coverage = "n/a" if point["coverage"] is None else f"{point['coverage']:.1%}"
    aurc = "n/a" if result["coverage"]["aurc"] is None else f"{result['coverage']['aurc']:.3f}"
    print(f"ECE {ece_text} (n={result['calibration']['n']}) · AURC {aurc} · at threshold {point['threshold']:.3f}: "
          f"coverage {coverage}, precision {precision}")  # fmt: skip
    if "temperature" in result:
        t = result["temperature"]
        held = "n/a" if t["ece_after_heldout"] is None else f"{t['ece_after_heldout']:.3f}"
        print(f"temperature T={t['temperature']:.3f}: ECE {t['ece_before']:.3f} -> {t['ece_after']:.3f} "
              f"(in-sample), {held} (two-fold held-out); NLL {t['nll_before']:.3f} -> {t['nll_after']:.3f}")  # fmt: skip
    print(f"report: {out_dir / 'report.html'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
