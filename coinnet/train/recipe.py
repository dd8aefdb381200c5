"""The recipe: :func:`train` runs the stages a config asks for (``recipe:``), then its own fit.

``experiment=default_model`` fine-tunes a synthetic-only reader on rendered close-ups plus crops mined from
real photos. With ``recipe.pretrain`` and ``recipe.mine`` set, :func:`train` first

1. trains that reader (the base config plus the ``recipe.pretrain`` overrides) into ``<run_dir>/pretrain``, unless
   ``init_ckpt`` names one already, and fine-tunes from its best checkpoint;
2. mines the labelled photos of each folder in ``recipe.mine.data`` with it (:mod:`coinnet.train.mine`: each photo's date
   view, plus ``recipe.mine.negatives`` no-date views) into ``<run_dir>/mined/<k>``, added to ``data.real.paths``;
3. with ``recipe.mine.rounds`` > 1, fine-tunes on those crops (``<run_dir>/round1``, the run's own config), mines the
   photos again with that better reader (``<run_dir>/mined_round2``) and so on: a reader that has seen real
   photos finds the date in many that the synthetic one missed, so later rounds train on better crops.

Each stage's output is kept, so running the same command again (after a crash) does not redo finished stages,
and an unfinished pretrain resumes from its ``last.ckpt``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from omegaconf import DictConfig, OmegaConf, open_dict

from coinnet.model.checkpoints import check_user_checkpoints
from coinnet.train import progress as events
from coinnet.train.callbacks import ProgressFile
from coinnet.train.config import compose_train
from coinnet.train.fit import fit


def train(cfg: DictConfig, callbacks: list | None = None) -> dict:
    """Run ``cfg``'s recipe stages, then fit it (:func:`coinnet.train.fit.fit`); returns the fit's result.

    Args:
        cfg: the composed ``conf/train.yaml``.
        callbacks: extra Lightning callbacks for the final fit (embedding, tests).
    """
    check_user_checkpoints(cfg)  # a bad init_ckpt/ckpt_path is one line now, not a traceback after a stage
    run_dir = Path(cfg.paths.run_dir).resolve()
    progress = ProgressFile(run_dir / "progress.jsonl")
    # The stages fill init_ckpt and the real paths; the wizard shows each stage by name.
    run_stages(cfg, run_dir, lambda stage: progress.write(None, events.STAGE, stage=stage))
    return fit(cfg, callbacks, progress=progress)


def run_stages(cfg: DictConfig, run_dir: Path, announce: Callable[[str], None] = print) -> None:
    """Run the stages ``cfg`` asks for and point ``cfg`` (edited in place) at their outputs.

    ``announce`` hears each stage's name as it starts (the training wizard shows it).
    """
    recipe = cfg.recipe
    init_onnx = None
    if recipe.get("pretrain") is not None and not cfg.get("init_ckpt"):
        announce("pretrain")
        best, init_onnx = pretrain(list(recipe.pretrain), cfg, run_dir / "pretrain")
        with open_dict(cfg):
            cfg.init_ckpt = str(best)
    if recipe.get("mine"):
        if not cfg.get("init_ckpt"):
            raise ValueError("recipe.mine needs a reader to find the dates with: set init_ckpt or recipe.pretrain")
        base_paths = list(cfg.data.real.paths or [])
        announce("mine")
        crops = mine_crops(cfg, run_dir / "mined", init_onnx)
        for n in range(2, int(recipe.mine.get("rounds", 1)) + 1):
            announce(f"round {n - 1}")
            reader = fine_tune_round(cfg, base_paths + crops, run_dir / f"round{n - 1}")
            announce(f"mine, round {n}")
            crops = mine_crops(cfg, run_dir / f"mined_round{n}", reader)
        with open_dict(cfg):
            cfg.data.real.paths = [*base_paths, *map(str, crops)]


def pretrain(overrides: list[str], cfg: DictConfig, out: Path) -> tuple[Path, Path]:
    """Train the base config with ``overrides`` into ``out`` (or reuse a finished one); (best.ckpt, model.onnx)."""
    best, onnx = out / "checkpoints" / "best.ckpt", out / "model.onnx"
    if best.is_file() and onnx.is_file():
        print(f"pretrain: reusing {best}")
        return best, onnx
    last = out / "checkpoints" / "last.ckpt"
    fixed = [f"paths.run_dir={out}", f"paths.outputs={cfg.paths.outputs}", f"seed={cfg.seed}"]
    if cfg.logger.get("experiment_name"):
        fixed += [
            f"logger.experiment_name={cfg.logger.experiment_name}",
            f"logger.run_name={cfg.logger.get('run_name') or 'run'}-pretrain",
        ]
    else:
        fixed.append("logger=none")
    if last.is_file():
        fixed.append(f"ckpt_path={last}")
    stage_cfg = compose_train(overrides + fixed)
    print(f"pretrain: training the synthetic reader into {out}")
    result = fit(stage_cfg)
    return Path(result["best_ckpt"]), Path(result["onnx"])


def fine_tune_round(cfg: DictConfig, real_paths: list, out: Path) -> Path:
    """The run's own fine-tune on ``real_paths`` into ``out`` (or a finished one there); its ONNX reader."""
    onnx = out / "model.onnx"
    if onnx.is_file():
        print(f"mine: reusing the reader in {out}")
        return onnx
    stage = cfg.copy()
    with open_dict(stage):
        stage.recipe.mine, stage.recipe.pretrain, stage.paths.run_dir = None, None, str(out)
        stage.data.real.paths = [str(p) for p in real_paths]
        if stage.logger.get("experiment_name"):
            stage.logger.run_name = f"{cfg.logger.get('run_name') or 'run'}-{out.name}"
    print(f"mine: fine-tuning a better reader into {out}")
    return Path(fit(stage)["onnx"])


def mine_crops(cfg: DictConfig, out: Path, reader: Path | None) -> list[Path]:
    """Reader crops of each ``cfg.recipe.mine.data`` folder, found by the ONNX ``reader`` (None: ``init_ckpt``, exported)."""
    from coinnet.infer.predictor import Predictor
    from coinnet.train.mine import mine

    spec = OmegaConf.to_container(cfg.recipe.mine, resolve=True)
    folders = [spec["data"]] if isinstance(spec["data"], str) else list(spec["data"])
    done = [out / str(k) for k in range(len(folders))]
    todo = [(src, dst) for src, dst in zip(folders, done) if not (dst / "labels.csv").is_file()]
    if not todo:
        print(f"mine: reusing {out}")
        return done
    if reader is None:
        from coinnet.model.export import export_checkpoint

        reader = out / "init.onnx"
        export_checkpoint(cfg.init_ckpt, reader)
    predictor = Predictor(reader, search="full")
    for src, dst in todo:
        outside = bool(spec.get("allow_outside", False))
        n = mine(Path(src), dst, predictor, negatives=int(spec.get("negatives", 1)), allow_outside=outside)
        print(f"mine: {n} crops from {src} in {dst}")
    return done
