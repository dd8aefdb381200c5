"""Benchmark the predictor: end-to-end and model-only images/s, ONNX vs torch eager, CLI cold start.

Usage:
    python scripts/bench_predict.py [--images 1000] [--threads 2] [--batch-size 32] [--repeats 5]
        [--backbones mobilenetv3_small_100,tf_efficientnet_lite0]

Exports an untrained model per backbone at 128 px (speed does not depend on the weights; the first backbone is
also timed end to end and for cold start), writes
``--images`` JPEGs of realistic sizes (rendered coins when ``coinnet.render`` is importable, else noise) to
a temp folder, and prints one table. Ratios are measured in the same run; on a shared machine read medians.
Targets: end-to-end >= 100 img/s (``--search none``), ONNX >= 2x torch eager, cold start <= 1.5 s; with the
shipped model and its localiser (the default ``locate`` search, 3-4 reader views a photo), >= 300 img/s on the
JPEGs and >= 50 img/s on ``--frames`` 12 MP frames; the 32-view ``full`` search is timed beside it.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

from coinnet import env  # noqa: E402

env.apply_offline_defaults()

SIZE = 128
BACKBONES = "mobilenetv3_small_100,tf_efficientnet_lite0"


def make_images(folder: Path, count: int, seed: int = 0) -> list[Path]:
    """``count`` JPEGs 200-1300 px wide (the range of real web photos), from a few rendered coins."""
    rng = np.random.default_rng(seed)
    try:
        from coinnet.render import RenderConfig, render

        sources = [render(RenderConfig(size=384), seed=seed, index=i).image for i in range(16)]
    except ImportError:
        sources = [rng.integers(0, 256, (384, 384, 3), dtype=np.uint8) for _ in range(16)]
    paths = []
    for i in range(count):
        width = int(rng.integers(200, 1301))
        height = int(width * rng.uniform(0.75, 1.0))
        img = Image.fromarray(sources[i % len(sources)]).resize((width, height), Image.BILINEAR)
        path = folder / f"coin_{i:05d}.jpg"
        img.save(path, quality=int(rng.integers(80, 96)))
        paths.append(path)
    return paths


def make_frames(folder: Path, count: int, seed: int = 1) -> list[Path]:
    """``count`` 4000x3000 JPEGs (phone / microscope camera frames) of rendered coins filling 60-90 % of the height."""
    from coinnet.render import RenderConfig, render

    rng = np.random.default_rng(seed)
    paths = []
    for i in range(count):
        coin = Image.fromarray(render(RenderConfig(size=1024, closeup_prob=0.0), seed=seed, index=i).image)
        side = int(3000 * rng.uniform(0.6, 0.9))
        frame = Image.new("RGB", (4000, 3000), tuple(int(v) for v in rng.integers(0, 256, 3)))
        frame.paste(coin.resize((side, side), Image.BILINEAR), (int(rng.integers(0, 4000 - side)), (3000 - side) // 2))
        path = folder / f"frame_{i:03d}.jpg"
        frame.save(path, quality=90)
        paths.append(path)
    return paths


def median_time(fn, repeats: int) -> float:
    fn()  # warm-up: first calls allocate and pick kernels
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=1000)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--frames", type=int, default=40, help="12 MP (4000x3000) JPEGs for the locate search")
    parser.add_argument("--backbones", default=BACKBONES, help="comma-separated timm names (model-only rows each)")
    args = parser.parse_args()
    backbones = [b for b in args.backbones.split(",") if b]

    import torch

    from coinnet.infer.predictor import Predictor, default_model_path
    from coinnet.model.export import export_onnx
    from coinnet.model.net import CoinNet

    torch.set_num_threads(args.threads)
    rows: list[tuple[str, str, str]] = []
    with tempfile.TemporaryDirectory(prefix="coinnet-bench-") as tmp:
        tmp_path = Path(tmp)
        models = {}
        for backbone in backbones:
            models[backbone] = (CoinNet(backbone=backbone, input_size=SIZE).eval(), tmp_path / f"{backbone}.onnx")
            export_onnx(*models[backbone])
        model, model_path = models[backbones[0]]
        start = time.perf_counter()
        (tmp_path / "images").mkdir()
        paths = make_images(tmp_path / "images", args.images)
        print(f"wrote {len(paths)} JPEGs in {time.perf_counter() - start:.1f} s", file=sys.stderr)
        mean_px = np.mean([Image.open(p).size for p in paths[:200]], axis=0)

        # End to end per view-search mode: "none" reads the photo as is, "full" (the default) reads 32 views.
        def end_to_end(predictor: Predictor, files: list[Path] = paths) -> str:
            predictor.predict_paths(files[: args.batch_size], batch_size=args.batch_size)  # warm-up
            start = time.perf_counter()
            preds = predictor.predict_paths(files, batch_size=args.batch_size)
            assert all(p.status != "error" for p in preds)
            return f"{len(files) / (time.perf_counter() - start):.0f} img/s"

        jpegs = f"{len(paths)} JPEGs ~{mean_px[0]:.0f}x{mean_px[1]:.0f}"
        for search, target in (("none", ">= 100 img/s"), ("full", "")):
            predictor = Predictor(model_path, threads=args.threads, search=search)
            rows.append((f"end-to-end, {backbones[0]}, search={search}, {jpegs}", end_to_end(predictor), target))
        # The shipped model reads 3 jitters of each photo's best view for its confidence rule's `steady` signal.
        shipped = Predictor(default_model_path(), threads=args.threads)
        if shipped.localiser is not None:
            rows.append((f"end-to-end, shipped model, search=locate, {jpegs}", end_to_end(shipped), ">= 300 img/s"))
            (tmp_path / "frames").mkdir()
            frames = make_frames(tmp_path / "frames", args.frames)
            name = f"end-to-end, shipped model, search=locate, {len(frames)} 12 MP JPEGs"
            rows.append((name, end_to_end(shipped, frames), ">= 50 img/s"))
        shipped = Predictor(default_model_path(), threads=args.threads, search="full")
        rows.append((f"end-to-end, shipped model, search=full, {jpegs}", end_to_end(shipped), ""))
        shipped.confidence_rule, shipped.steady = None, False  # what the jitters cost: the softmax confidence alone
        rows.append(("  the same without its confidence rule (no jitters read)", end_to_end(shipped), ""))
        batch = np.random.default_rng(0).random((args.batch_size, 3, SIZE, SIZE), dtype=np.float32)
        tensor = torch.from_numpy(batch)
        for backbone, (net, onnx_path) in models.items():
            predictor = Predictor(onnx_path, threads=args.threads, search="none")
            t_onnx = median_time(lambda p=predictor: p.run(batch), args.repeats)

            def eager(net=net) -> None:
                with torch.inference_mode():
                    net(tensor)

            t_torch = median_time(eager, args.repeats)
            name = f"model only, {backbone}, batch {args.batch_size}"
            rows.append((f"{name}, ONNX Runtime", f"{args.batch_size / t_onnx:.0f} img/s", ""))
            rows.append((f"{name}, torch eager", f"{args.batch_size / t_torch:.0f} img/s", ""))
            rows.append((f"ONNX speed-up over torch eager, {backbone}", f"{t_torch / t_onnx:.1f}x", ">= 2x"))

        cold = []
        for _ in range(3):
            start = time.perf_counter()
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "coinnet.predict",
                    "--input",
                    str(paths[0]),
                    "--model",
                    str(model_path),
                ],  # default search
                check=True,
                capture_output=True,
            )
            cold.append(time.perf_counter() - start)
        rows.append(
            (
                "cold start: python -m coinnet.predict, one image (median of 3)",
                f"{statistics.median(cold):.2f} s",
                "<= 1.5 s",
            )
        )

    print(f"\n{SIZE} px, {args.threads} threads, {os.cpu_count()} CPUs visible, load avg {os.getloadavg()[0]:.1f}")
    width = max(len(r[0]) for r in rows)
    print(f"{'measure'.ljust(width)}  {'result':>12}  target")
    for name, value, target in rows:
        print(f"{name.ljust(width)}  {value:>12}  {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
