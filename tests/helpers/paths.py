"""Where the repository and the shared real photos are, and the real Hydra config shrunk for tests."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CENTS_WEB = REPO.parent / "shared" / "datasets" / "cents-web"


def compose_train_cfg(tmp_path: Path, *overrides: str):
    """The real ``conf/train.yaml`` with the smoke experiment and run/output paths under ``tmp_path``."""
    from coinnet.train.config import compose_train

    return compose_train(
        ["experiment=smoke", f"paths.run_dir={tmp_path / 'run'}", f"paths.outputs={tmp_path / 'outputs'}", *overrides]
    )
