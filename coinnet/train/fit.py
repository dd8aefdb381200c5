"""One training run: :func:`fit` trains, validates, plots, exports and logs a composed config.

The recipe (:mod:`coinnet.train.recipe`) calls it once per stage; ``python -m coinnet.train`` runs the recipe.
Checkpoints the user names (``init_ckpt``, ``ckpt_path``) are loaded weights-only (:mod:`coinnet.model.checkpoints`).
A run writes to ``paths.run_dir``: ``config.yaml``, ``progress.jsonl``, ``checkpoints/{best,last}.ckpt``,
``plots/``, ``model.onnx``, ``run.json``; and, with ``logger=mlflow``, one MLflow run holding the flattened config,
per-epoch metrics and those files as artifacts.
"""

from __future__ import annotations

import json
from pathlib import Path

from coinnet import env
from coinnet.files import atomic_write

env.apply_offline_defaults()  # before timm/albumentations/mlflow are imported

import lightning.pytorch as pl  # noqa: E402
import torch  # noqa: E402
from hydra.utils import instantiate  # noqa: E402
from lightning.pytorch.callbacks import LearningRateMonitor, ModelCheckpoint  # noqa: E402
from omegaconf import DictConfig, OmegaConf  # noqa: E402

from coinnet.infer.confidence import metadata_from_report  # noqa: E402
from coinnet.model.checkpoints import init_weights, load_checkpoint  # noqa: E402
from coinnet.train import progress as events  # noqa: E402
from coinnet.train.callbacks import ProgressFile  # noqa: E402
from coinnet.train.tracking import log_artifacts, make_logger  # noqa: E402


def _previous_run(ckpt_path: str | None) -> dict:
    """``run.json`` of the run a checkpoint came from, so a resumed run logs into the same MLflow run.

    An unreadable one only costs that link (the resumed run gets a new MLflow run), so it is not an error.
    """
    if not ckpt_path:
        return {}
    info = Path(ckpt_path).expanduser().resolve().parent.parent / "run.json"
    try:
        found = json.loads(info.read_text()) if info.is_file() else {}
    except (OSError, ValueError):
        return {}
    return found if isinstance(found, dict) else {}


def _callbacks(cfg: DictConfig, run_dir: Path, progress: ProgressFile) -> tuple[list[pl.Callback], ModelCheckpoint]:
    ckpt_dir = run_dir / "checkpoints"
    best = ModelCheckpoint(
        dirpath=ckpt_dir,
        filename="best",
        monitor="val/year_acc",
        mode="max",
        save_top_k=1,
        save_last=True,
        enable_version_counter=False,
    )
    # last.ckpt also mid-epoch, so a run killed with `kill -9` loses at most this many steps. Both callbacks write
    # the same last.ckpt: with Lightning's version counter on, the second found the first's and wrote last-v1.ckpt.
    steps = ModelCheckpoint(
        dirpath=ckpt_dir,
        save_top_k=0,
        save_last=True,
        every_n_train_steps=cfg.ckpt_every_n_steps,
        enable_version_counter=False,
    )
    callbacks: list[pl.Callback] = [best, steps, progress]
    if cfg.logger.get("experiment_name"):
        callbacks.append(LearningRateMonitor(logging_interval="epoch"))
    return callbacks, best


def _shipped(path: str) -> Path:
    """``path`` as given, or, when it is relative and not found from here, relative to the source tree / installed
    package (e.g. ``coinnet/infer/models/...``), so a config naming a shipped file works from any working folder."""
    found = Path(path)
    if not found.is_absolute() and not found.exists():
        found = Path(__file__).resolve().parents[2] / found
    return found


def export_metadata(cfg: DictConfig) -> dict[str, str]:
    """The calibration the exported model carries: ``recipe.calibration``'s temperature and threshold, and the rule,
    threshold and precision curve of its ``confidence`` report (scripts/fit_confidence.py), if it names one.

    Raises:
        ConfidenceReportError: that report can't be used (one line).
    """
    calibration = cfg.recipe.get("calibration") or {}
    meta = {k: str(v) for k, v in calibration.items() if k != "confidence"}
    if calibration.get("confidence"):
        meta |= metadata_from_report(_shipped(calibration.confidence))
    return meta


def attach_localiser(cfg: DictConfig, onnx_path: Path) -> list[Path]:
    """Copy ``cfg.localiser`` beside the exported reader as ``localiser.onnx`` and name it in the reader's
    metadata, so the predictor's default ``locate`` search finds it; nothing when it is null or not there."""
    if not cfg.get("localiser"):
        return []
    source = _shipped(cfg.localiser)
    if not source.is_file():
        print(f"warning: localiser {cfg.localiser} not found; the model will use the 32-view search")
        return []
    from coinnet.model.export import write_metadata

    target = onnx_path.parent / "localiser.onnx"
    atomic_write(target, source.read_bytes())
    write_metadata(onnx_path, {"localiser": target.name})
    return [target]


def fit(cfg: DictConfig, callbacks: list[pl.Callback] | None = None, progress: ProgressFile | None = None) -> dict:
    """Fit, validate the best checkpoint, plot, export to ONNX and log it all.

    Args:
        cfg: the composed ``conf/train.yaml``; its ``recipe`` stages must already have run.
        callbacks: extra Lightning callbacks (embedding, tests).
        progress: where the progress events go (default ``<run_dir>/progress.jsonl``).

    Returns:
        Validation metrics of the best checkpoint (``val/year_acc`` ...), plus ``onnx`` and ``best_ckpt`` paths.
    """
    run_dir = Path(cfg.paths.run_dir).resolve()
    run_dir.mkdir(parents=True, exist_ok=True)
    progress = progress or ProgressFile(run_dir / "progress.jsonl")
    if cfg.get("threads"):
        torch.set_num_threads(int(cfg.threads))
    pl.seed_everything(cfg.seed, workers=True)
    atomic_write(run_dir / "config.yaml", OmegaConf.to_yaml(cfg, resolve=True))
    export_metadata(cfg)  # a bad recipe.calibration is refused now, not after the training

    datamodule = instantiate(cfg.data, _convert_="all")
    model = instantiate(cfg.model)
    if cfg.get("init_ckpt"):  # fine-tune: start from another run's weights (a fresh run, unlike ckpt_path)
        init_weights(model, cfg.init_ckpt)  # weights only: a checkpoint is a pickle, and pickles can run code
    if cfg.get("ckpt_path"):
        load_checkpoint(cfg.ckpt_path, "ckpt_path")  # one line for a corrupt or hostile file, not a traceback
    previous = _previous_run(cfg.get("ckpt_path"))
    logger = make_logger(cfg, run_dir, run_id=previous.get("mlflow_run_id"))
    own, best_cb = _callbacks(cfg, run_dir, progress)
    callbacks = own + list(callbacks or [])
    trainer = pl.Trainer(
        **OmegaConf.to_container(cfg.trainer, resolve=True),
        logger=logger or False,
        callbacks=callbacks,
        default_root_dir=str(run_dir),
    )
    run_id = getattr(logger, "run_id", None)
    if trainer.is_global_zero:
        atomic_write(run_dir / "run.json", json.dumps({"mlflow_run_id": run_id, "run_dir": str(run_dir)}))
        if logger is not None and previous.get("mlflow_run_id"):
            # MLflow params are immutable: a resumed run keeps its params and records the resume as tags.
            logger.experiment.set_tag(run_id, "resumed_from", str(cfg.ckpt_path))
            logger.experiment.set_tag(run_id, "resumed_run_dir", str(run_dir))
        elif logger is not None:
            logger.log_hyperparams(OmegaConf.to_container(cfg, resolve=True))
    try:
        trainer.fit(model, datamodule=datamodule, ckpt_path=cfg.get("ckpt_path"), weights_only=True)
        best_path = best_cb.best_model_path or best_cb.last_model_path or None
        if cfg.trainer.get("fast_dev_run"):
            best_path = None  # fast_dev_run writes no checkpoint; validate the weights in memory
        final = trainer.validate(model, datamodule=datamodule, ckpt_path=best_path, verbose=False, weights_only=True)
    except Exception as exc:
        progress.write(trainer, events.ERROR, message=f"{type(exc).__name__}: {exc}".splitlines()[0])
        raise
    metrics = {k: float(v) for k, v in (final[0] if final else {}).items()}
    result = {**metrics, "best_ckpt": best_path, "onnx": None, "run_dir": str(run_dir), "mlflow_run_id": run_id}
    if trainer.is_global_zero:
        result["onnx"] = _finish(cfg, run_dir, model, best_path, run_id, logger)
        progress.write(trainer, events.DONE, onnx=result["onnx"], best_ckpt=best_path, metrics=metrics)
    return result


def _finish(cfg: DictConfig, run_dir: Path, model, best_path: str | None, run_id: str | None, logger) -> str | None:
    """Rank-0 epilogue: plots, ONNX export, artifacts; returns the ONNX path (or None)."""
    from coinnet.train.plots import plot_confusions, plot_prediction_grid

    outs = model.last_val_outputs
    files = [run_dir / "config.yaml"]
    if outs:
        pred = torch.cat([o["pred"] for o in outs]).numpy()
        target = torch.cat([o["target"] for o in outs]).numpy()
        files += plot_confusions(pred, target, run_dir / "plots")
        # Each loader's first batch kept a few images; their predictions are the first rows of that batch.
        shown = [(o["image"], o["pred"][: len(o["image"])], o["target"][: len(o["image"])]) for o in outs]
        images, grid_pred, grid_target = (torch.cat(part).numpy() for part in zip(*shown))
        files.append(plot_prediction_grid(images, grid_pred, grid_target, run_dir / "plots" / "val_predictions.png"))
    onnx_path = None
    if cfg.get("export") and best_path:
        from coinnet.model.export import export_checkpoint

        onnx_path = str(run_dir / "model.onnx")
        report = export_checkpoint(
            best_path,
            onnx_path,
            run_id=run_id,
            extra_metadata=export_metadata(cfg),
            parity_images=cfg.get("export_parity_images"),
        )
        print(
            f"exported {onnx_path} (onnxruntime vs torch max abs diff {report.get('max_abs_diff', float('nan')):.2e})"
        )
        files.append(Path(onnx_path))
        files += attach_localiser(cfg, Path(onnx_path))
    if logger is not None:
        log_artifacts(logger, files, best_path)
    return onnx_path
