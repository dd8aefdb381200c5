"""Loading Lightning checkpoints the user names (``init_ckpt=``, ``ckpt_path=``): weights only, one-line errors.

A checkpoint is a pickle, and unpickling runs whatever code the file asks for. Every checkpoint is therefore
loaded with ``torch.load(..., weights_only=True)``: tensors, containers and plain values only. A file that
asks for anything else (a malicious ``__reduce__``, an arbitrary class) is refused before any of it runs; a real
``best.ckpt``/``last.ckpt`` loads fine that way.
"""

from __future__ import annotations

import pickle
import re
from pathlib import Path

import torch

#: Torch's advice lines around the one that says what was wrong (which it leaves for last).
_TORCH_ADVICE = ("Weights only load failed", "Please file an issue", "Check the documentation", "(1)", "(2)")


class CheckpointError(ValueError):
    """A checkpoint that cannot be used; the message is one line naming the file and the reason."""


def _reason(exc: Exception) -> str:
    """The informative part of torch's long, multi-line error (e.g. ``Unsupported global: GLOBAL posix.system``)."""
    lines = [re.sub(r"\x1b\[[0-9;]*m", "", line).strip() for line in str(exc).splitlines()]
    useful = [line.split("WeightsUnpickler error:")[-1].strip() for line in lines]
    useful = [line for line in useful if line and not line.startswith(_TORCH_ADVICE)]
    text = useful[0].split(". ")[0] if useful else ""
    if "GLOBAL" in text:
        return f"refused: not plain weights, loading it would run code or build objects; {text}"
    if isinstance(exc, (pickle.UnpicklingError, EOFError)):
        return f"not a checkpoint, or a truncated one ({text or type(exc).__name__})"
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def load_checkpoint(path: str | Path, key: str = "checkpoint") -> dict:
    """The checkpoint at ``path``, loaded weights-only onto the CPU.

    Args:
        path: the file.
        key: the config key that named it (``init_ckpt``, ``ckpt_path``), for the message.

    Raises:
        CheckpointError: missing, not a regular file, corrupt, not plain weights, or not a Lightning checkpoint.
    """
    path = Path(path).expanduser()
    if not path.is_file():
        raise CheckpointError(f"{key}={path}: checkpoint file not found")
    try:
        ckpt = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # torch raises many types for corrupt, truncated or hostile files
        raise CheckpointError(f"{key}={path}: cannot load ({_reason(exc)})"[:600]) from None
    if not isinstance(ckpt, dict) or not isinstance(ckpt.get("state_dict"), dict):
        raise CheckpointError(f"{key}={path}: not a Lightning checkpoint (no state_dict)")
    return ckpt


def init_weights(model: torch.nn.Module, path: str | Path) -> None:
    """Load ``init_ckpt``'s weights into ``model`` (a fresh run starting from another run's weights).

    Raises:
        CheckpointError: see :func:`load_checkpoint`, or the weights do not fit the model (another backbone).
    """
    state = load_checkpoint(path, "init_ckpt")["state_dict"]
    try:
        model.load_state_dict(state)
    except (RuntimeError, KeyError, TypeError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise CheckpointError(f"init_ckpt={path}: its weights do not fit this model ({first})"[:600]) from None


def check_user_checkpoints(cfg) -> None:
    """Refuse a bad ``init_ckpt``/``ckpt_path`` of ``cfg`` before any stage or fit starts (one line)."""
    for key in ("init_ckpt", "ckpt_path"):
        if cfg.get(key):
            load_checkpoint(cfg.get(key), key)
