"""MLflow set-up: a local sqlite store beside the runs (mlflow 3.17 refuses its file store)."""

from __future__ import annotations

from pathlib import Path

from lightning.pytorch.loggers import MLFlowLogger
from omegaconf import DictConfig


def store_uris(outputs: str | Path) -> tuple[str, str]:
    """(tracking URI, artifact location) for the store under ``outputs``; four slashes = absolute path."""
    root = Path(outputs).expanduser().resolve()
    root.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{root / 'mlflow.db'}", (root / "mlartifacts").as_uri()


def make_logger(cfg: DictConfig, run_dir: Path, run_id: str | None = None) -> MLFlowLogger | None:
    """The run's MLflow logger, or None with ``logger=none``; ``run_id`` continues an earlier run (resume)."""
    name = cfg.logger.get("experiment_name")
    if not name:
        return None
    tracking_uri, artifacts = store_uris(cfg.paths.outputs)
    if cfg.logger.get("tracking_uri"):
        tracking_uri = cfg.logger.tracking_uri
    ensure_experiment(tracking_uri, name, artifacts)
    return MLFlowLogger(
        experiment_name=name,
        tracking_uri=tracking_uri,
        artifact_location=artifacts,
        run_name=cfg.logger.get("run_name") or run_dir.name,
        run_id=run_id,
        tags={"run_dir": str(run_dir)},
    )


#: MLflow 3's UI shows an experiment without this tag as a GenAI one (traces, judges); ours trains models.
EXPERIMENT_KIND = {"mlflow.experimentKind": "custom_model_development"}


def ensure_experiment(tracking_uri: str, name: str, artifact_location: str) -> str:
    """Create the experiment (artifacts beside the store, model-training kind) unless it exists; its id."""
    from mlflow.tracking import MlflowClient

    client = MlflowClient(tracking_uri)
    found = client.get_experiment_by_name(name)
    if found is not None:
        return found.experiment_id
    return client.create_experiment(name, artifact_location=artifact_location, tags=EXPERIMENT_KIND)


def log_artifacts(logger: MLFlowLogger, files: list[Path], best_ckpt: str | None) -> None:
    """Upload plots, config and model files; the best checkpoint goes under ``checkpoints/``."""
    client, run_id = logger.experiment, logger.run_id
    for path in files:
        sub = "plots" if path.parent.name == "plots" else None
        client.log_artifact(run_id, str(path), sub)
    if best_ckpt:
        client.log_artifact(run_id, best_ckpt, "checkpoints")
