"""Export a trained :class:`coinnet.model.net.CoinNet` to one self-describing ONNX file (needs torch + onnx).

The file has a dynamic batch axis, an input ``image`` (N, 3, S, S) float in [0, 1] (normalisation is
inside the graph) and outputs ``digit0..digit3``, ``mint`` (logits) and ``attention`` (N, 5, h, w: where each
head read, which :mod:`coinnet.infer.localise` turns into the date's box). Its ``metadata_props`` carry everything the
torch-free :class:`coinnet.infer.predictor.Predictor` needs: the label schema, input size, versions, backbone,
MLflow run id, temperature, default threshold, how a photo's views are combined (``view_vote``) and export date.

CLI::

    python -m coinnet.model.export --ckpt outputs/.../best.ckpt --out model.onnx [--run-id ID]
        [--threshold T] [--temperature T] [--model-version NAME] [--view-vote sum|max] [--parity-images DIR]
        # defaults: 0.5, 1.0, the checkpoint's name, sum if it was trained with no-date examples else max;
        # parity is checked on the given photos (else seeded noise)

Exit codes: 0 exported, 1 parity check failed (nothing written), 2 usage error (bad arguments, missing or unreadable checkpoint).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import warnings
from collections.abc import Sequence
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import torch

from coinnet import labels
from coinnet.files import atomic_path, find_images
from coinnet.infer.imageio import ImageError, load_image, square_resize
from coinnet.infer.onnx_meta import ATTENTION_NAME, INPUT_NAME, MODEL_FORMAT
from coinnet.model.checkpoints import load_checkpoint
from coinnet.model.net import CoinNet

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


def parity_inputs(size: int, count: int = 8, images: Sequence[str | Path] | None = None) -> np.ndarray:
    """Inputs for the torch/onnxruntime comparison: the given photos (files or folders), topped up with seeded noise."""
    paths: list[Path] = []
    for item in images or []:
        paths += find_images(item) if Path(item).is_dir() else [Path(item)]
    squares = []
    for path in paths:
        if len(squares) == count:
            break
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


def _set_props(proto: onnx.ModelProto, props: dict[str, str]) -> None:
    del proto.metadata_props[:]
    for key, value in props.items():
        proto.metadata_props.add(key=key, value=value)


def write_metadata(model: str | Path, values: dict[str, str]) -> None:
    """Set ``metadata_props`` keys of an existing ONNX file in place, atomically (the graph is untouched): how a
    temperature, threshold or confidence rule fitted after training is stored (scripts/calibrate_oof.py,
    scripts/fit_confidence.py)."""
    proto = onnx.load(str(model))
    _set_props(proto, {p.key: p.value for p in proto.metadata_props} | values)
    with atomic_path(model, suffix=".onnx.tmp") as tmp:
        onnx.save(proto, str(tmp))


def export_onnx(
    model: CoinNet,
    path: str | Path,
    *,
    metadata: dict | None = None,
    check: bool = True,
    parity_images: Sequence[str | Path] | None = None,
) -> dict:
    """Write ``model`` to ``path`` as ONNX (atomically) and check it.

    Args:
        model: the network (put in eval mode here; its mode is restored afterwards).
        path: output ``.onnx`` file.
        metadata: extra or overriding ``metadata_props`` (e.g. ``mlflow_run_id``, ``temperature``).
        check: run ``onnx.checker`` and compare onnxruntime with torch on :func:`parity_inputs`.
        parity_images: photos (files or folders) for that comparison; seeded noise where there are none.

    Returns:
        Report: ``path``, ``bytes``, ``metadata``, ``max_abs_diff`` (None without check), ``parity_ok``.

    Raises:
        RuntimeError: if onnxruntime and torch disagree by more than ``PARITY_TOLERANCE``.
    """
    path = Path(path)
    was_training = model.training
    model.eval()
    meta = build_metadata(model, metadata)
    try:
        with atomic_path(path, suffix=".onnx.tmp") as tmp:
            _torch_export(model, tmp)
            proto = onnx.load(str(tmp))
            _set_props(proto, meta)
            proto.producer_name = "coinnet"
            if check:
                onnx.checker.check_model(proto, full_check=True)
            onnx.save(proto, str(tmp))
            report = {"path": str(path), "bytes": tmp.stat().st_size, "metadata": meta, "max_abs_diff": None,
                      "parity_ok": None}  # fmt: skip
            if check:
                report["max_abs_diff"] = _max_abs_diff(
                    model, tmp, parity_inputs(model.input_size, images=parity_images)
                )
                report["parity_ok"] = report["max_abs_diff"] <= PARITY_TOLERANCE
                if not report["parity_ok"]:
                    raise RuntimeError(f"{path}: onnxruntime differs from torch by {report['max_abs_diff']:.3g}")
        return report
    finally:
        model.train(was_training)


def _max_abs_diff(model: CoinNet, onnx_path: Path, batch: np.ndarray) -> float:
    with torch.no_grad():
        expected = [t.numpy() for t in model(torch.from_numpy(batch), with_attention=True)]
    session = ort.InferenceSession(str(onnx_path), providers=["CPUExecutionProvider"])
    got = session.run(list(OUTPUT_NAMES), {INPUT_NAME: batch})
    return float(max(np.abs(e - g).max() for e, g in zip(expected, got)))


def export_checkpoint(
    ckpt_path: str | Path,
    out_path: str | Path,
    *,
    run_id: str | None = None,
    extra_metadata: dict | None = None,
    parity_images: Sequence[str | Path] | None = None,
) -> dict:
    """Load a Lightning checkpoint of ``coinnet.model.lit.CoinNetModule`` and export its model.

    Raises:
        FileNotFoundError: the checkpoint does not exist.
        ValueError: one line, if it cannot be loaded as a coinnet checkpoint.
    """
    from coinnet.model.lit import CoinNetModule  # heavy (lightning); only needed here

    ckpt = Path(ckpt_path).expanduser()
    if not ckpt.is_file():
        raise FileNotFoundError(f"{ckpt}: checkpoint not found")
    load_checkpoint(ckpt, "ckpt")  # weights only: a hostile pickle is refused in one line before anything runs
    try:
        # The checkpoint holds every weight: don't read the ImageNet start again (nor need its package).
        module = CoinNetModule.load_from_checkpoint(
            str(ckpt), map_location="cpu", weights_only=True, pretrained=False, weights_path=None
        )
    except Exception as exc:  # torch/lightning raise many types for corrupt or foreign files
        raise ValueError(
            f"{ckpt}: cannot load as a coinnet checkpoint ({type(exc).__name__}: {exc})".splitlines()[0]
        ) from None
    # A model taught to be unsure on no-date views is read by a vote of its views (coinnet.infer.pair_decoder).
    vote = "sum" if module.hparams.get("negative_weight", 0.0) > 0 else "max"
    meta = {"model_version": ckpt.stem, "view_vote": vote, **(extra_metadata or {})}
    if run_id:
        meta["mlflow_run_id"] = run_id
    return export_onnx(module.model, out_path, metadata=meta, parity_images=parity_images)


class _OneLineParser(argparse.ArgumentParser):
    def error(self, message: str):  # one line on stderr, exit code 2, like every coinnet CLI error
        self.exit(2, f"{self.prog}: error: {message}\n")


def _positive(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be a positive number, got {text}")
    return value


def _parser() -> argparse.ArgumentParser:
    ap = _OneLineParser(prog="python -m coinnet.model.export", description="Export a coinnet checkpoint to ONNX.")
    ap.add_argument("--ckpt", required=True, type=Path, help="Lightning checkpoint (best.ckpt / last.ckpt)")
    ap.add_argument("--out", required=True, type=Path, help="output .onnx file (written atomically)")
    ap.add_argument("--run-id", help="MLflow run id to record in the metadata")
    ap.add_argument("--threshold", type=_positive, help="default confidence threshold (default 0.5)")
    ap.add_argument("--temperature", type=_positive, help="softmax temperature (default 1.0)")
    ap.add_argument("--model-version", help="model version name (default: the checkpoint's name)")
    ap.add_argument("--view-vote", choices=("sum", "max"), help="how a photo's views are combined")
    ap.add_argument("--parity-images", nargs="+", metavar="PATH", help="photos or folders for the parity check")
    return ap


def main(argv: list[str] | None = None) -> int:
    """CLI entry point; see the module docstring."""
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exc:  # --help (0) or a usage error (2), already printed
        return int(exc.code or 0)
    extra = {key: str(getattr(args, key)) for key in ("threshold", "temperature", "model_version", "view_vote")
             if getattr(args, key) is not None}  # fmt: skip
    try:
        report = export_checkpoint(args.ckpt, args.out, run_id=args.run_id, extra_metadata=extra,
                                   parity_images=args.parity_images)  # fmt: skip
    except (OSError, ValueError) as exc:
        print(f"coinnet.export: error: {exc}", file=sys.stderr)
        return 2
    except RuntimeError as exc:  # parity check failed: the file is not written
        print(f"coinnet.export: error: {exc}", file=sys.stderr)
        return 1
    print(f"exported {report['path']} ({report['bytes'] / 1e6:.1f} MB), "
          f"onnxruntime vs torch max abs diff {report['max_abs_diff']:.2e}")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
