"""Training throughput of the default config on this machine: images/s and time per epoch.

Measures three things in one run, so their ratio is meaningful on a shared machine:
  loader   - the DataModule alone (rendering in workers), images/s
  step     - forward+backward+optimiser on in-memory tensors, images/s
  fit      - the real Trainer.fit (both together), images/s and the implied time per epoch
Usage: python scripts/bench_train.py [--steps 40] [overrides ...]   (overrides as for coinnet.train)
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

from coinnet import env  # noqa: E402

env.apply_offline_defaults()

import lightning.pytorch as pl  # noqa: E402
import torch  # noqa: E402
from hydra.utils import instantiate  # noqa: E402
from omegaconf import OmegaConf  # noqa: E402

from coinnet.train.config import compose_train  # noqa: E402

REPO = Path(__file__).resolve().parent.parent


class _BatchTimer(pl.Callback):
    def __init__(self, warmup: int) -> None:
        self.warmup, self.stamps = warmup, []

    def on_train_batch_start(self, trainer, pl_module, batch, batch_idx) -> None:
        if batch_idx >= self.warmup:
            self.stamps.append(time.perf_counter())


def _cfg(overrides: list[str], tmp: str):
    return compose_train([f"paths.run_dir={tmp}/run", f"paths.outputs={tmp}/out", "logger=none", *overrides])


def bench_loader(dm, steps: int) -> float:
    it = iter(dm.train_dataloader())
    next(it)  # workers start
    t0 = time.perf_counter()
    n = sum(len(next(it)["image"]) for _ in range(steps))
    return n / (time.perf_counter() - t0)


def bench_step(model, batch_size: int, size: int, steps: int) -> float:
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3)
    x, y = torch.rand(batch_size, 3, size, size), torch.randint(0, 5, (batch_size, 5))
    times = []
    for i in range(steps + 3):
        t0 = time.perf_counter()
        loss = sum(torch.nn.functional.cross_entropy(h, y[:, j]) for j, h in enumerate(model(x)))
        opt.zero_grad()
        loss.backward()
        opt.step()
        if i >= 3:
            times.append(time.perf_counter() - t0)
    return batch_size / statistics.median(times)


def bench_fit(cfg, steps: int) -> float:
    timer = _BatchTimer(warmup=5)
    trainer = pl.Trainer(
        **{
            **OmegaConf.to_container(cfg.trainer),
            "max_epochs": 1,
            "limit_train_batches": steps + 5,
            "limit_val_batches": 0,
            "enable_progress_bar": False,
        },
        logger=False,
        enable_checkpointing=False,
        callbacks=[timer],
    )
    trainer.fit(instantiate(cfg.model), datamodule=instantiate(cfg.data, _convert_="all"))
    gaps = [b - a for a, b in zip(timer.stamps, timer.stamps[1:])]
    return cfg.data.batch_size / statistics.median(gaps)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--steps", type=int, default=40)
    args, overrides = ap.parse_known_args()
    with tempfile.TemporaryDirectory() as tmp:
        cfg = _cfg(overrides, tmp)
        pl.seed_everything(0, workers=True)
        dm = instantiate(cfg.data, _convert_="all")
        dm.setup("fit")
        rows = [(f"loader (render + collate, {cfg.data.num_workers} workers)", bench_loader(dm, args.steps))]
        rows.append(
            (
                "step (fwd+bwd+AdamW, tensors in memory)",
                bench_step(instantiate(cfg.model), cfg.data.batch_size, cfg.model.input_size, args.steps),
            )
        )
        fit = bench_fit(cfg, args.steps)
        rows.append(("fit (Trainer.fit, both together)", fit))
    print(
        f"\ncoinnet bench_train - {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"torch {torch.__version__}, {torch.get_num_threads()} threads"
    )
    print(
        f"config: backbone={cfg.model.backbone} input={cfg.model.input_size}px batch={cfg.data.batch_size} "
        f"workers={cfg.data.num_workers} epoch_size={cfg.data.epoch_size}\n"
    )
    print(f"| {'what':<42} | {'images/s':>9} |\n|{'-' * 44}|{'-' * 11}|")
    for name, value in rows:
        print(f"| {name:<42} | {value:>9.1f} |")
    epoch_s = cfg.data.epoch_size / fit
    print(
        f"\ntime per epoch ({cfg.data.epoch_size} samples) at fit speed: {epoch_s:.0f} s; "
        f"default max_epochs={cfg.trainer.max_epochs} -> {epoch_s * cfg.trainer.max_epochs / 60:.1f} min"
    )


if __name__ == "__main__":
    sys.exit(main())
