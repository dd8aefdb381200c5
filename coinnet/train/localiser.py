"""Train the date localiser on renders and export it to ONNX: ``python -m coinnet.train.localiser [key=value ...]``.

Configured by ``conf/localiser.yaml``. A run renders its training and validation sets up front
(:func:`coinnet.data.localiser_data.render_set`), fits :class:`LitLocaliser` with Lightning, logs to MLflow like
the reader's runs, keeps ``checkpoints/{best,last}.ckpt`` (resume with ``ckpt_path=...``), and exports the best
checkpoint to ``<run_dir>/localiser.onnx`` with its metadata (:data:`coinnet.infer.locate.LOCALISER_FORMAT`).
"""

from __future__ import annotations

import json
from pathlib import Path

from coinnet import env

env.apply_offline_defaults()  # before timm/mlflow are imported

import hydra  # noqa: E402
import lightning.pytorch as pl  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402
from lightning.pytorch.callbacks import ModelCheckpoint  # noqa: E402
from omegaconf import DictConfig, OmegaConf  # noqa: E402
from torch.utils.data import DataLoader  # noqa: E402

from coinnet.data.localiser_data import LocaliserSet, render_set  # noqa: E402
from coinnet.data.real_boxes import read_boxes, real_set  # noqa: E402
from coinnet.files import atomic_write  # noqa: E402
from coinnet.infer.locate import LOCALISER_FORMAT, proposals  # noqa: E402
from coinnet.model.checkpoints import init_weights  # noqa: E402
from coinnet.model.localiser import LocaliserNet, localiser_loss  # noqa: E402
from coinnet.render import RenderConfig  # noqa: E402
from coinnet.train.config import CONF_DIR  # noqa: E402
from coinnet.train.tracking import make_logger  # noqa: E402


def located_share(out: np.ndarray, targets: np.ndarray, input_size: int) -> dict[str, float]:
    """How often the top proposal is right: centre within half a date height and angle within 10 degrees
    (``found``), on samples with a date; and how often a no-date view has no proposal over 0.5 (``rejected``)."""
    hits, rejected, dated, blank = 0, 0, 0, 0
    for o, t in zip(out, targets):
        top = proposals(o, input_size, top=1)
        if t[0] < 0.5:
            blank += 1
            rejected += int(not top or top[0].score < 0.5)
            continue
        dated += 1
        if not top:
            continue
        centre_err = np.linalg.norm(top[0].centre - t[1:3] * input_size) / (t[8] * input_size)
        angle_err = abs((top[0].angle - np.degrees(t[3]) + 180.0) % 360.0 - 180.0)
        hits += int(centre_err <= 0.5 and angle_err <= 10.0)
    return {"found": hits / max(dated, 1), "rejected": rejected / max(blank, 1)}


class LitLocaliser(pl.LightningModule):
    """A thin Lightning wrapper: builds :class:`LocaliserNet` from plain values (no Hydra needed to load it)."""

    def __init__(
        self,
        backbone: str = "tf_efficientnet_lite0",
        pretrained: bool = True,
        weights_path: str | None = None,
        input_size: int = 160,
        lr: float = 0.002,
        backbone_lr_scale: float = 0.5,
    ) -> None:
        super().__init__()
        self.save_hyperparameters()
        self.net = LocaliserNet(backbone, pretrained, weights_path, input_size)
        self._val: list[tuple[np.ndarray, np.ndarray]] = []

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)

    def training_step(self, batch, batch_idx):
        x, t = batch
        parts = localiser_loss(self.net(x), t)
        self.log_dict({f"train/{k}": v for k, v in parts.items()}, prog_bar=False, on_step=True, on_epoch=True)
        return parts["loss"]

    def validation_step(self, batch, batch_idx):
        x, t = batch
        out = self.net(x)
        self.log("val/loss", localiser_loss(out, t)["loss"], on_epoch=True)
        self._val.append((out.float().cpu().numpy(), t.cpu().numpy()))

    def on_validation_epoch_end(self) -> None:
        if self._val:
            out, t = (np.concatenate(part) for part in zip(*self._val))
            shares = located_share(out, t, self.hparams.input_size)
            self.log_dict({f"val/{k}": v for k, v in shares.items()})
        self._val.clear()

    def configure_optimizers(self):
        head = [p for n, p in self.named_parameters() if not n.startswith("net.backbone.")]
        groups = [
            {"params": self.net.backbone.parameters(), "lr": self.hparams.lr * self.hparams.backbone_lr_scale},
            {"params": head, "lr": self.hparams.lr},
        ]
        opt = torch.optim.AdamW(groups, weight_decay=1e-4)
        steps = self.trainer.estimated_stepping_batches
        sched = torch.optim.lr_scheduler.OneCycleLR(
            opt, max_lr=[g["lr"] for g in groups], total_steps=max(1, int(steps)), pct_start=0.1
        )
        return [opt], [{"scheduler": sched, "interval": "step"}]


def export_localiser(model: LitLocaliser, path: Path, extra: dict[str, str] | None = None) -> float:
    """Write ``path`` (ONNX + metadata) and return onnxruntime's max abs difference from torch on seeded noise."""
    import onnxruntime as ort

    from coinnet.files import atomic_path
    from coinnet.model.export import OPSET, coinnet_version, write_metadata

    net = model.net.eval().cpu()
    size = net.input_size
    x = torch.rand(2, 3, size, size, generator=torch.Generator().manual_seed(0))
    with atomic_path(path, suffix=".onnx.tmp") as tmp:
        torch.onnx.export(
            net, (x,), str(tmp), dynamo=False, input_names=["image"], output_names=["map"],
            dynamic_axes={"image": {0: "batch"}, "map": {0: "batch"}}, opset_version=OPSET,
        )  # fmt: skip
        meta = {
            "coinnet_format": LOCALISER_FORMAT,
            "input_size": str(size),
            "backbone": net.backbone_name,
            "coinnet_version": coinnet_version(),
            "channels": "date,dx,dy,sin,cos,log_length,mint_dx,mint_dy,mint",
        } | (extra or {})
        write_metadata(tmp, meta)
        session = ort.InferenceSession(str(tmp), providers=["CPUExecutionProvider"])
        got = session.run(None, {"image": x.numpy()})[0]
    with torch.no_grad():
        return float(np.abs(got - net(x).numpy()).max())


def train(cfg: DictConfig) -> dict:
    """Render, fit, validate and export one localiser; returns the validation metrics and the ONNX path."""
    run_dir = Path(cfg.paths.run_dir).resolve()
    run_dir.mkdir(parents=True, exist_ok=True)
    if cfg.get("threads"):
        torch.set_num_threads(int(cfg.threads))
    pl.seed_everything(cfg.seed, workers=True)
    atomic_write(run_dir / "config.yaml", OmegaConf.to_yaml(cfg, resolve=True))
    render_cfg = RenderConfig(**OmegaConf.to_container(cfg.data.render, resolve=True), size=cfg.model.input_size)
    sets = {}
    for split, seed, count in (("train", cfg.seed, cfg.data.train_size), ("val", cfg.seed + 10_000, cfg.data.val_size)):
        images, targets = render_set(
            render_cfg, seed, count, cfg.data.zoom_prob, cfg.data.negative_prob, cfg.data.workers
        )
        if split == "train" and cfg.data.get("real_boxes"):  # real photos where the reader read the known date
            real = [
                real_set(read_boxes(p), cfg.model.input_size, seed, cfg.data.real_copies) for p in cfg.data.real_boxes
            ]
            images, targets = (
                np.concatenate([part, *(r[k] for r in real)]) for k, part in enumerate((images, targets))
            )
        sets[split] = LocaliserSet(images, targets, jitter=split == "train")
    model = LitLocaliser(**OmegaConf.to_container(cfg.model, resolve=True))
    if cfg.get("init_ckpt"):  # weights only: a checkpoint is a pickle, and pickles can run code
        init_weights(model, cfg.init_ckpt)
    best = ModelCheckpoint(
        dirpath=run_dir / "checkpoints", filename="best", monitor="val/found", mode="max", save_last=True,
        enable_version_counter=False,
    )  # fmt: skip
    logger = make_logger(cfg, run_dir)
    trainer = pl.Trainer(
        **OmegaConf.to_container(cfg.trainer, resolve=True), logger=logger or False, callbacks=[best],
        default_root_dir=str(run_dir),
    )  # fmt: skip
    loader = DataLoader(sets["train"], batch_size=cfg.data.batch_size, shuffle=True, num_workers=0, drop_last=True)
    val_loader = DataLoader(sets["val"], batch_size=cfg.data.batch_size, num_workers=0)
    trainer.fit(model, loader, val_loader, ckpt_path=cfg.get("ckpt_path"), weights_only=True)
    best_path = None if cfg.trainer.get("fast_dev_run") else (best.best_model_path or best.last_model_path or None)
    if best_path:
        model = LitLocaliser.load_from_checkpoint(best_path, map_location="cpu", weights_only=True, pretrained=False)
    final = trainer.validate(model, val_loader, verbose=False)
    metrics = {k: float(v) for k, v in (final[0] if final else {}).items()}
    onnx_path = run_dir / "localiser.onnx"
    # Provenance: which real photos' pseudo-boxes it trained on (none: renders only).
    real = ",".join(Path(b).name for b in cfg.data.get("real_boxes") or []) or "none"
    diff = export_localiser(model, onnx_path, {"real_boxes": real})
    result = {**metrics, "onnx": str(onnx_path), "max_abs_diff": diff, "best_ckpt": best_path}
    result["train_samples"] = len(sets["train"])  # renders plus the real photos' turned copies
    atomic_write(run_dir / "metrics.json", json.dumps(result, indent=1))
    if logger is not None:
        logger.experiment.log_artifact(logger.run_id, str(onnx_path))
        logger.experiment.log_artifact(logger.run_id, str(run_dir / "metrics.json"))
    print(f"localiser: found {metrics.get('val/found', float('nan')):.3f} on rendered validation; {onnx_path}")
    return result


@hydra.main(version_base="1.3", config_path=str(CONF_DIR), config_name="localiser")
def main(cfg: DictConfig) -> None:
    train(cfg)


if __name__ == "__main__":
    main()
