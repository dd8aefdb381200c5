"""Thin LightningModule around :class:`coinnet.model.net.CoinNet`: losses, metrics, optimiser.

Built from plain values only, so ``CoinNetModule.load_from_checkpoint(path)`` works without Hydra.
Batches are dicts: ``image`` (B, 3, H, W) float in [0, 1], ``target`` (B, 5) long with
``labels.IGNORE_INDEX`` for unknown fields, ``points`` (B, 5, 2) where each head's glyph is and ``point_mask``
(B, 5) which of those are known (renders only). Validation sources are told apart by ``dataloader_idx``.
"""

from __future__ import annotations

import math

import lightning.pytorch as pl
import torch
import torch.nn.functional as F
from torchmetrics import MeanMetric

from coinnet import labels
from coinnet.model.net import CoinNet

IGNORE = labels.IGNORE_INDEX


def masked_head_losses(logits: tuple[torch.Tensor, ...], target: torch.Tensor, smoothing: float = 0.0) -> torch.Tensor:
    """Cross-entropy per head, averaged over the samples that label it; a head nobody labels adds 0.

    Returns:
        Tensor (5,) of per-head losses.
    """
    losses = []
    for i, head in enumerate(logits):
        t = target[:, i]
        known = t != IGNORE
        if known.any():
            losses.append(F.cross_entropy(head[known], t[known], label_smoothing=smoothing))
        else:  # keep the graph connected so DDP sees every parameter used
            losses.append(head.sum() * 0.0)
    return torch.stack(losses)


def attention_loss(attn: torch.Tensor, points: torch.Tensor, mask: torch.Tensor, sigma: float = 0.75) -> torch.Tensor:
    """Cross-entropy between each head's attention map and a Gaussian around where its glyph is.

    Args:
        attn: (B, K, H, W) attention maps, each summing to 1.
        points: (B, K, 2) glyph centres as (x, y) fractions of the image side.
        mask: (B, K) which points are known (renders yes, real photos no).
        sigma: Gaussian width in feature-map cells.
    """
    if not mask.any():
        return attn.sum() * 0.0
    _, _, h, w = attn.shape
    ys = (torch.arange(h, device=attn.device, dtype=attn.dtype) + 0.5) / h
    xs = (torch.arange(w, device=attn.device, dtype=attn.dtype) + 0.5) / w
    dx = (xs.view(1, 1, 1, w) - points[..., 0, None, None]) * w
    dy = (ys.view(1, 1, h, 1) - points[..., 1, None, None]) * h
    target = (-(dx**2 + dy**2) / (2 * sigma**2)).flatten(2).softmax(-1)
    ce = -(target * attn.flatten(2).clamp_min(1e-8).log()).sum(-1)
    return ce[mask].mean()


def reject_loss(logits: tuple[torch.Tensor, ...], negative: torch.Tensor) -> torch.Tensor:
    """Mean KL divergence from the uniform distribution to each head's softmax, on the ``negative`` (no-date) rows.

    Per row and head that is ``logsumexp(z) - mean(z) - log(C)``: zero when the head is fully unsure, large
    when it is confident where there is no date.
    """
    if not negative.any():
        return logits[0].sum() * 0.0
    return torch.stack([(h.logsumexp(1) - h.mean(1) - math.log(h.shape[1]))[negative].mean() for h in logits]).mean()


def correctness(logits: tuple[torch.Tensor, ...], target: torch.Tensor) -> dict[str, tuple[torch.Tensor, torch.Tensor]]:
    """Per-sample correctness and validity masks for each metric (argmax per head).

    Returns:
        name -> (correct bool (B,), scored bool (B,)).
    """
    pred = torch.stack([h.argmax(dim=1) for h in logits], dim=1)
    known = target != IGNORE
    hit = (pred == target) & known
    year_known = known[:, :4].all(dim=1)
    out = {f"digit{i}_acc": (hit[:, i], known[:, i]) for i in range(4)}
    out["year_acc"] = (hit[:, :4].all(dim=1), year_known)
    out["mint_acc"] = (hit[:, 4], known[:, 4])
    out["year_mint_acc"] = (hit.all(dim=1), year_known & known[:, 4])
    return out


class CoinNetModule(pl.LightningModule):
    """Trains :class:`CoinNet` with masked per-head cross-entropy.

    Args:
        backbone, pretrained, weights_path, dropout, input_size: passed to :class:`CoinNet`.
        lr: peak learning rate of the heads. weight_decay: AdamW weight decay.
        backbone_lr_scale: the backbone's peak learning rate as a share of ``lr`` (below 1 keeps pretrained
            features from being wrecked by the heads' early, large gradients).
        optimizer: ``adamw`` or ``sgd``. scheduler: ``onecycle``, ``cosine`` or ``none``.
        warmup_fraction: share of steps spent warming up (onecycle/cosine).
        label_smoothing: cross-entropy smoothing.
        mint_weight: weight of the mint head's loss relative to one digit head.
        attention_weight: weight of the loss that teaches each head where its glyph is (renders only).
        negative_weight: weight of the loss that makes every head unsure (uniform) on no-date examples.
    """

    METRICS = ("digit0_acc", "digit1_acc", "digit2_acc", "digit3_acc", "year_acc", "mint_acc", "year_mint_acc")

    def __init__(
        self,
        backbone: str = "mobilenetv3_small_100",
        pretrained: bool = False,
        weights_path: str | None = None,
        dropout: float = 0.1,
        input_size: int = 128,
        lr: float = 3e-3,
        weight_decay: float = 0.05,
        optimizer: str = "adamw",
        scheduler: str = "onecycle",
        warmup_fraction: float = 0.1,
        label_smoothing: float = 0.05,
        mint_weight: float = 1.0,
        attention_weight: float = 0.5,
        negative_weight: float = 0.0,
        backbone_lr_scale: float = 1.0,
    ) -> None:
        super().__init__()
        self.save_hyperparameters()
        self.model = CoinNet(backbone, pretrained, weights_path, dropout, input_size)
        self.val_sources: list[str] = ["val"]
        self._val_metrics: dict[str, dict[str, MeanMetric]] = {}
        self.last_val_outputs: list[dict[str, torch.Tensor]] = []

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, ...]:
        return self.model(x)

    def _loss(self, batch: dict) -> tuple[tuple[torch.Tensor, ...], torch.Tensor, torch.Tensor]:
        """(logits, total loss, per-head losses + attention loss as a (6,) tensor)."""
        *logits, attn = self.model(batch["image"], with_attention=True)
        per_head = masked_head_losses(logits, batch["target"], self.hparams.label_smoothing)
        weights = torch.tensor([1.0, 1.0, 1.0, 1.0, self.hparams.mint_weight], device=per_head.device)
        attn_loss = attention_loss(attn, batch["points"], batch["point_mask"])
        loss = (per_head * weights).sum() / weights.sum() + self.hparams.attention_weight * attn_loss
        if self.hparams.negative_weight:
            loss = loss + self.hparams.negative_weight * reject_loss(logits, batch["negative"])
        return tuple(logits), loss, torch.cat([per_head, attn_loss.view(1)])

    def training_step(self, batch: dict, batch_idx: int) -> torch.Tensor:
        logits, loss, per_head = self._loss(batch)
        if not torch.isfinite(loss):
            raise FloatingPointError(
                f"training loss is {loss.item()} at step {self.global_step} (per head {per_head.tolist()}); "
                "lower model.lr, check the data, or resume from the last checkpoint"
            )
        bs = batch["image"].shape[0]
        self.log("train/loss", loss, prog_bar=True, batch_size=bs)
        self.log("train/attention_loss", per_head[-1], batch_size=bs)
        for name, (hit, scored) in correctness(logits, batch["target"]).items():
            if name in ("year_acc", "mint_acc") and scored.any():
                self.log(f"train/{name}", hit[scored].float().mean(), on_step=False, on_epoch=True, batch_size=bs)
        return loss

    def on_validation_epoch_start(self) -> None:
        dm = getattr(self.trainer, "datamodule", None)
        self.val_sources = list(getattr(dm, "val_source_names", None) or ["val"])
        groups = ["all", *self.val_sources] if len(self.val_sources) > 1 else ["all"]
        self._val_metrics = {g: {m: MeanMetric().to(self.device) for m in self.METRICS} for g in groups}
        self._val_loss = MeanMetric().to(self.device)
        self.last_val_outputs = []

    def validation_step(self, batch: dict, batch_idx: int, dataloader_idx: int = 0) -> None:
        logits, loss, _ = self._loss(batch)
        self._val_loss.update(loss, weight=batch["image"].shape[0])
        group = self.val_sources[dataloader_idx] if len(self.val_sources) > 1 else None
        for name, (hit, scored) in correctness(logits, batch["target"]).items():
            for g in ("all", group):
                if g is not None and scored.any():
                    self._val_metrics[g][name].update(hit[scored].float())
        # Kept for the end-of-run plots (confusion matrices, prediction grid); small at val sizes.
        self.last_val_outputs.append(
            {
                "pred": torch.stack([h.argmax(1) for h in logits], 1).cpu(),
                "target": batch["target"].cpu(),
                "image": batch["image"][:8].cpu() if batch_idx == 0 else batch["image"][:0].cpu(),
            }
        )

    def on_validation_epoch_end(self) -> None:
        self.log("val/loss", self._val_loss.compute(), sync_dist=True)
        for group, metrics in self._val_metrics.items():
            prefix = "val" if group == "all" else f"val_{group}"
            for name, metric in metrics.items():
                # A metric with no scored sample (e.g. mint on a year-only set) is skipped, not logged as 0.
                if metric.update_count:
                    self.log(f"{prefix}/{name}", metric.compute(), prog_bar=(prefix, name) == ("val", "year_acc"))

    def configure_optimizers(self):
        hp = self.hparams
        scale = float(hp.get("backbone_lr_scale", 1.0))  # older checkpoints have no such key
        if not 0.0 < scale <= 10.0:
            raise ValueError(f"model.backbone_lr_scale must be in (0, 10], got {scale}")
        buckets: dict[tuple[bool, bool], list] = {}  # (in the backbone, decayed) -> parameters
        for name, p in self.named_parameters():
            decayed = not (p.ndim <= 1 or name.endswith(".bias"))
            buckets.setdefault((name.startswith("model.backbone."), decayed), []).append(p)
        groups = [
            {"params": ps, "weight_decay": hp.weight_decay if decayed else 0.0, "lr": hp.lr * (scale if bb else 1.0)}
            for (bb, decayed), ps in sorted(buckets.items())
        ]
        if hp.optimizer == "adamw":
            opt = torch.optim.AdamW(groups, lr=hp.lr)
        elif hp.optimizer == "sgd":
            opt = torch.optim.SGD(groups, lr=hp.lr, momentum=0.9, nesterov=True)
        else:
            raise ValueError(f"model.optimizer must be 'adamw' or 'sgd', got {hp.optimizer!r}")
        total = max(1, int(self.trainer.estimated_stepping_batches))
        if hp.scheduler == "none" or total < 8:  # a few-step smoke run has nothing to schedule
            return opt
        warm = max(1, int(total * hp.warmup_fraction))
        if hp.scheduler == "onecycle":
            sched = torch.optim.lr_scheduler.OneCycleLR(
                opt, max_lr=[g["lr"] for g in groups], total_steps=total, pct_start=min(0.5, max(2, warm) / total)
            )
        elif hp.scheduler == "cosine":

            def lam(s: int) -> float:
                return (s + 1) / warm if s < warm else 0.5 * (1 + math.cos(math.pi * (s - warm) / max(1, total - warm)))

            sched = torch.optim.lr_scheduler.LambdaLR(opt, lam)
        else:
            raise ValueError(f"model.scheduler must be 'onecycle', 'cosine' or 'none', got {hp.scheduler!r}")
        return {"optimizer": opt, "lr_scheduler": {"scheduler": sched, "interval": "step"}}
