"""Export a trained :class:`coinnet.model.CoinNet` to one self-describing ONNX file (needs torch + onnx).

The file has a dynamic batch axis, an input ``image`` (N, 3, S, S) float in [0, 1] (normalisation is
inside the graph) and outputs ``digit0..digit3``, ``mint`` (logits) and ``attention`` (N, 5, h, w: where each
head read, which :mod:`coinnet.localise` turns into the date's box). Its ``metadata_props`` carry everything the
torch-free :class:`coinnet.predictor.Predictor` needs: the label schema, input size, versions, backbone,
MLflow run id, temperature, default threshold, how a photo's views are combined (``view_vote``) and export date.

CLI (key=value, like Hydra overrides)::

    python -m coinnet.export ckpt=outputs/.../last.ckpt out=coinnet/models/default.onnx [run_id=ID]
        [threshold=T] [temperature=T] [model_version=NAME] [view_vote=sum|max]
        # defaults: 0.5, 1.0, the checkpoint's name, sum if it was trained with no-date examples else max

Exit codes: 0 exported, 1 parity check failed (nothing written), 2 usage error (bad arguments, missing or unreadable checkpoint).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import tempfile
import warnings
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import torch

from coinnet import labels
from coinnet.model import CoinNet
from coinnet.onnx_meta import ATTENTION_NAME, INPUT_NAME, MODEL_FORMAT

OPSET = 17
DEFAULT_THRESHOLD = 0.5
PARITY_TOLERANCE = 1e-4


def coinnet_version() -> str:
    try:
        return version("coinnet")
    except PackageNotFoundError:
        return "unknown"


def build_metadata(model: CoinNet, extra: dict | None = None) -> dict[str, str]:
    """The ``metadata_props`` for ``model``; ``extra`` adds or overrides keys (values stored as strings)."""
    meta = {
        "coinnet_format": MODEL_FORMAT,
        "schema": json.dumps(labels.schema_dict(), separators=(",", ":")),
        "input_size": str(model.input_size),
        "coinnet_version": coinnet_version(),
        "model_version": "0",
        "backbone": model.backbone_name,
        "mlflow_run_id": "",
        "temperature": "1.0",
        "threshold": str(DEFAULT_THRESHOLD),
        "view_vote": "max",
        "export_date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
    }
    for key, value in (extra or {}).items():
        meta[str(key)] = value if isinstance(value, str) else json.dumps(value)
    return meta


def parity_inputs(size: int, count: int = 8) -> np.ndarray:
    """Inputs for the torch/onnxruntime comparison: real photos when the shared set is present, else noise."""
    from coinnet.imageio import ImageError, find_images, load_image, square_resize

    folder = Path(__file__).resolve().parents[1].parent / "shared" / "datasets" / "cents-web" / "images"
    squares = []
    if folder.is_dir():
        for path in find_images(folder)[:count]:
            try:
                squares.append(square_resize(load_image(path), size))
            except ImageError:
                continue
    if len(squares) < count:
        rng = np.random.default_rng(0)
        squares += list(rng.integers(0, 256, (count - len(squares), size, size, 3), dtype=np.uint8))
    return np.stack(squares).astype(np.float32).transpose(0, 3, 1, 2) / 255.0


class _WithAttention(torch.nn.Module):
    """The graph that is exported: the five heads' logits, then their attention maps."""

    def __init__(self, model: CoinNet) -> None:
        super().__init__()
        self.model = model

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, ...]:
        return self.model(x, with_attention=True)


OUTPUT_NAMES = (*labels.HEAD_NAMES, ATTENTION_NAME)


def _torch_export(model: CoinNet, path: Path) -> None:
    # The TorchScript-based exporter takes ~0.3 s and writes one file; the dynamo one took ~8 s here.
    dummy = torch.zeros(2, 3, model.input_size, model.input_size)
    heads = list(OUTPUT_NAMES)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # its deprecation notice is not actionable for users
        torch.onnx.export(
            _WithAttention(model).eval(),  # eval: the exporter restores the wrapper's mode on all children
            (dummy,),
            str(path),
            dynamo=False,
            input_names=[INPUT_NAME],
            output_names=heads,
            dynamic_axes={INPUT_NAME: {0: "batch"}, **{h: {0: "batch"} for h in heads}},
            opset_version=OPSET,
            do_constant_folding=True,
        )


def export_onnx(model: CoinNet, path: str | Path, *, metadata: dict | None = None, check: bool = True) -> dict:
    """Write ``model`` to ``path`` as ONNX (atomically) and check it.

    Args:
        model: the network (put in eval mode here; its mode is restored afterwards).
        path: output ``.onnx`` file.
        metadata: extra or overriding ``metadata_props`` (e.g. ``mlflow_run_id``, ``temperature``).
        check: run ``onnx.checker`` and compare onnxruntime with torch on :func:`parity_inputs`.

    Returns:
        Report: ``path``, ``bytes``, ``metadata``, ``max_abs_diff`` (None without check), ``parity_ok``.

    Raises:
        RuntimeError: if onnxruntime and torch disagree by more than ``PARITY_TOLERANCE``.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    was_training = model.training
    model.eval()
    meta = build_metadata(model, metadata)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".onnx.tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        _torch_export(model, tmp)
        proto = onnx.load(str(tmp))
        del proto.metadata_props[:]
        for key, value in meta.items():
            proto.metadata_props.add(key=key, value=value)
        proto.producer_name = "coinnet"
        if check:
            onnx.checker.check_model(proto, full_check=True)
        onnx.save(proto, str(tmp))
        report = {"path": str(path), "bytes": tmp.stat().st_size, "metadata": meta, "max_abs_diff": None, "parity_ok": None}
        if check:
            report["max_abs_diff"] = _max_abs_diff(model, tmp)
            report["parity_ok"] = report["max_abs_diff"] <= PARITY_TOLERANCE
            if not report["parity_ok"]:
                raise RuntimeError(f"{path}: onnxruntime differs from torch by {report['max_abs_diff']:.3g}")
        os.chmod(tmp, 0o644)  # mkstemp makes it owner-only; a model is meant to be shipped
        os.replace(tmp, path)
        return report
    finally:
        tmp.unlink(missing_ok=True)
        model.train(was_training)


def _max_abs_diff(model: CoinNet, onnx_path: Path) -> float:
    batch = parity_inputs(model.input_size)
    with torch.no_grad():
        expected = [t.numpy() for t in model(torch.from_numpy(batch), with_attention=True)]
    session = ort.InferenceSession(str(onnx_path), providers=["CPUExecutionProvider"])
    got = session.run(list(OUTPUT_NAMES), {INPUT_NAME: batch})
    return float(max(np.abs(e - g).max() for e, g in zip(expected, got)))


def export_checkpoint(ckpt_path: str | Path, out_path: str | Path, *, run_id: str | None = None, extra_metadata: dict | None = None) -> dict:
    """Load a Lightning checkpoint of ``coinnet.lit.CoinNetModule`` and export its model.

    Raises:
        FileNotFoundError: the checkpoint does not exist.
        ValueError: one line, if it cannot be loaded as a coinnet checkpoint.
    """
    from coinnet.lit import CoinNetModule  # heavy (lightning); only needed here

    ckpt = Path(ckpt_path).expanduser()
    if not ckpt.is_file():
        raise FileNotFoundError(f"{ckpt}: checkpoint not found")
    try:
        module = CoinNetModule.load_from_checkpoint(str(ckpt), map_location="cpu")
    except Exception as exc:  # torch/lightning raise many types for corrupt or foreign files
        raise ValueError(f"{ckpt}: cannot load as a coinnet checkpoint ({type(exc).__name__}: {exc})".splitlines()[0]) from None
    # A model taught to be unsure on no-date views is read by a vote of its views (coinnet.pair_decoder).
    vote = "sum" if module.hparams.get("negative_weight", 0.0) > 0 else "max"
    meta = {"model_version": ckpt.stem, "view_vote": vote, **(extra_metadata or {})}
    if run_id:
        meta["mlflow_run_id"] = run_id
    return export_onnx(module.model, out_path, metadata=meta)


def _parse_overrides(argv: list[str]) -> dict[str, str]:
    allowed = {"ckpt", "out", "run_id", "threshold", "temperature", "model_version", "view_vote"}
    args = {}
    for item in argv:
        key, sep, value = item.partition("=")
        if not sep or key not in allowed or not value:
            raise ValueError(f"bad argument {item!r}: expected key=value with key in {', '.join(sorted(allowed))}")
        args[key] = value
    missing = {"ckpt", "out"} - set(args)
    if missing:
        raise ValueError(f"missing {', '.join(sorted(missing))}=...")
    return args


def main(argv: list[str] | None = None) -> int:
    """``python -m coinnet.export ckpt=PATH out=PATH [run_id=ID] [threshold=T] [temperature=T] [model_version=V]``."""
    argv = sys.argv[1:] if argv is None else argv
    if any(a in ("-h", "--help") for a in argv):
        print(__doc__.strip())
        return 0
    try:
        args = _parse_overrides(argv)
        extra = {k: args[k] for k in ("threshold", "temperature", "model_version", "view_vote") if k in args}
        for key in ("threshold", "temperature"):
            if key in extra and not float(extra[key]) > 0:
                raise ValueError(f"{key} must be a positive number, got {extra[key]}")
        report = export_checkpoint(args["ckpt"], args["out"], run_id=args.get("run_id"), extra_metadata=extra)
    except (OSError, ValueError) as exc:
        print(f"coinnet.export: error: {exc}", file=sys.stderr)
        return 2
    except RuntimeError as exc:  # parity check failed: the file is not written
        print(f"coinnet.export: error: {exc}", file=sys.stderr)
        return 1
    print(f"exported {report['path']} ({report['bytes'] / 1e6:.1f} MB), onnxruntime vs torch max abs diff {report['max_abs_diff']:.2e}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
