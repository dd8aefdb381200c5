"""Lightning callbacks that are ours: the progress file other processes (the desktop wizard) tail."""

from __future__ import annotations

from pathlib import Path

import lightning.pytorch as pl

from coinnet.train import progress as events


def _scalar_metrics(metrics: dict) -> dict[str, float]:
    return {k: round(float(v), 6) for k, v in metrics.items() if getattr(v, "numel", lambda: 1)() == 1}


class ProgressFile(pl.Callback):
    """Writes the fit's :mod:`coinnet.train.progress` events: start, step (every ``every`` steps), epoch.

    ``done``/``error`` and recipe stages are written by the code around the fit through :meth:`write`.
    Only rank 0 writes.
    """

    def __init__(self, path: str | Path, every: int = 10) -> None:
        self.log, self.every = events.ProgressLog(path), every

    def write(self, trainer: pl.Trainer | None, event: str, **fields) -> None:
        if trainer is None or trainer.is_global_zero:
            self.log.write(event, **fields)

    def on_train_start(self, trainer, pl_module) -> None:
        self.write(
            trainer,
            events.START,
            max_epochs=trainer.max_epochs,
            steps_per_epoch=trainer.num_training_batches,
            total_steps=int(trainer.estimated_stepping_batches),
        )

    def on_train_batch_end(self, trainer, pl_module, outputs, batch, batch_idx) -> None:
        if trainer.global_step % self.every == 0:
            loss = outputs["loss"].item() if isinstance(outputs, dict) else float(outputs)
            self.write(
                trainer,
                events.STEP,
                epoch=trainer.current_epoch,
                step=trainer.global_step,
                total_steps=int(trainer.estimated_stepping_batches),
                loss=round(loss, 5),
            )

    def on_train_epoch_end(self, trainer, pl_module) -> None:
        # Runs after the epoch's validation (callbacks see on_validation_epoch_end before the module logs).
        metrics = _scalar_metrics(trainer.callback_metrics)
        self.write(trainer, events.EPOCH, epoch=trainer.current_epoch, metrics=metrics)
