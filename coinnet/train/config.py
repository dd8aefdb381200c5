"""Where the Hydra config tree lives, and composing it outside ``@hydra.main`` (tests, recipe stages, embedding)."""

from __future__ import annotations

from pathlib import Path

from omegaconf import DictConfig


def _conf_dir() -> Path:
    """``conf/`` of a source checkout, else the copy installed as package data (``coinnet/conf``)."""
    package = Path(__file__).resolve().parents[1]
    for candidate in (package.parent / "conf", package / "conf"):
        if (candidate / "train.yaml").is_file():
            return candidate
    raise FileNotFoundError(f"no Hydra config tree (train.yaml) beside or inside {package}")


CONF_DIR = _conf_dir()


def compose_config(name: str, overrides: list[str]) -> DictConfig:
    """``conf/<name>.yaml`` with ``overrides``, inside a running Hydra app or outside one."""
    from hydra import compose, initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra

    if GlobalHydra.instance().is_initialized():
        return compose(config_name=name, overrides=overrides)
    with initialize_config_dir(config_dir=str(CONF_DIR), version_base="1.3"):
        return compose(config_name=name, overrides=overrides)


def compose_train(overrides: list[str]) -> DictConfig:
    """``conf/train.yaml`` with ``overrides`` (the reader's training)."""
    return compose_config("train", overrides)
