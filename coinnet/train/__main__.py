"""``python -m coinnet.train [group=option ...] [key=value ...]``: the recipe on the Hydra config tree."""

from __future__ import annotations

import sys
from pathlib import Path

import hydra
from lightning.pytorch.utilities import rank_zero_only
from omegaconf import DictConfig

from coinnet.infer.confidence import ConfidenceReportError
from coinnet.label_folder import LabelsError
from coinnet.model.checkpoints import CheckpointError
from coinnet.train.config import CONF_DIR
from coinnet.train.recipe import train

#: Exit code of a run refused before training: a bad checkpoint or labels folder (one line on stderr).
EXIT_USAGE = 2


@hydra.main(version_base="1.3", config_path=str(CONF_DIR), config_name="train")
def _hydra_main(cfg: DictConfig) -> float:
    try:
        result = train(cfg)
    except (
        CheckpointError,
        LabelsError,
        ConfidenceReportError,
    ) as exc:  # the user's input, not a bug: one line, no traceback
        print(f"coinnet-train: error: {str(exc).splitlines()[0]}", file=sys.stderr)
        sys.exit(EXIT_USAGE)  # SystemExit passes through Hydra, which would print a traceback for an Exception
    _print_summary(cfg, result)
    return result.get("val/year_acc", 0.0)  # lets Hydra sweepers optimise it


@rank_zero_only
def _print_summary(cfg: DictConfig, result: dict) -> None:
    print("\n== coinnet training finished ==")
    for key in ("val/year_acc", "val/mint_acc", "val/year_mint_acc"):
        if key in result:
            print(f"  {key:<20} {result[key]:.4f}")
    print(f"  run folder           {result['run_dir']}")
    print(f"  best checkpoint      {result['best_ckpt']}")
    print(f"  ONNX model           {result['onnx']}")
    if result.get("mlflow_run_id"):
        store = Path(cfg.paths.outputs).resolve() / "mlflow.db"
        print(f"  MLflow run           {result['mlflow_run_id']}")
        print(
            f"  open the UI:         make mlflow-ui   (or: mlflow ui --backend-store-uri sqlite:///{store} "
            "--host 127.0.0.1 --port 5000 --workers 1)"
        )


def main() -> None:
    """Console-script entry (``coinnet-train``)."""
    _hydra_main()


if __name__ == "__main__":
    main()
