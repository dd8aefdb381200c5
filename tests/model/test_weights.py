"""Pretrained backbones from registry packages: every tensor mapped, nothing partial, no hub."""

from __future__ import annotations

import numpy as np
import pytest
import timm
import torch

from coinnet.model.net import CoinNet
from coinnet.model.weights import (
    WeightsError,
    load_backbone_weights,
    packaged_weights_file,
    read_state_dict,
    to_timm_names,
)
from coinnet.render import RenderConfig, render
from coinnet.train.recipe import train
from tests.helpers.paths import compose_train_cfg

LITE0 = "tf_efficientnet_lite0"


@pytest.fixture(scope="module")
def lite0_state():
    return read_state_dict(packaged_weights_file(LITE0))


def _features(name: str = LITE0):
    return timm.create_model(name, pretrained=False, features_only=True, out_indices=(-2, -1))


def test_the_package_file_maps_onto_every_tensor_of_timm_lite0(lite0_state):
    full = timm.create_model(LITE0, pretrained=False)
    renamed = to_timm_names(lite0_state, LITE0)
    assert len(lite0_state) == len(full.state_dict()) == len(renamed) == 296
    assert all(renamed[k].shape == v.shape for k, v in full.state_dict().items())
    backbone = _features()
    assert load_backbone_weights(backbone, LITE0, packaged_weights_file(LITE0)) == len(backbone.state_dict()) == 288
    stem = lite0_state["_conv_stem.weight"]
    assert torch.equal(backbone.state_dict()["conv_stem.weight"], stem)


def test_imagenet_weights_change_what_the_network_sees(lite0_state):
    """The ImageNet classifier is sure of a class on a rendered cent; the same net at random init is not."""
    cfg = RenderConfig(size=224, closeup_prob=0.0, clean=True, holder_prob=0.0, traced_prob=0.0)  # the coin measured
    image = render(cfg, seed=3, index=1).image
    x = torch.from_numpy(np.ascontiguousarray(image)).permute(2, 0, 1)[None].float() / 255.0
    x = (x - torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1)) / torch.tensor([0.229, 0.224, 0.225]).view(
        1, 3, 1, 1
    )
    torch.manual_seed(0)
    net = timm.create_model(LITE0, pretrained=False).eval()
    with torch.no_grad():
        random_top = net(x).softmax(-1).max().item()
        net.load_state_dict(to_timm_names(lite0_state, LITE0))
        trained_top = net(x).softmax(-1).max().item()
    assert trained_top > 0.3 and trained_top > 3 * random_top, (random_top, trained_top)


def test_coinnet_pretrained_loads_the_package_and_differs_from_scratch():
    torch.manual_seed(0)
    scratch = CoinNet(LITE0, pretrained=False, input_size=64)
    torch.manual_seed(0)
    pretrained = CoinNet(LITE0, pretrained=True, input_size=64)
    a, b = scratch.backbone.state_dict(), pretrained.backbone.state_dict()
    assert set(a) == set(b) and not torch.equal(a["conv_stem.weight"], b["conv_stem.weight"])


def _one_line(exc: pytest.ExceptionInfo) -> str:
    message = str(exc.value)
    assert "\n" not in message
    return message


def test_a_misnamed_or_misshaped_file_is_refused_in_one_line(tmp_path, lite0_state):
    own = _features().state_dict()
    misnamed = dict(own)
    misnamed["conv_stem.weigth"] = misnamed.pop("conv_stem.weight")
    torch.save(misnamed, tmp_path / "misnamed.pth")
    with pytest.raises(WeightsError) as exc:
        load_backbone_weights(_features(), LITE0, tmp_path / "misnamed.pth")
    assert "1 of 288 backbone tensors missing" in _one_line(exc) and "conv_stem.weight" in _one_line(exc)

    misshaped = dict(own, **{"bn1.weight": torch.ones(7)})
    torch.save(misshaped, tmp_path / "misshaped.pth")
    with pytest.raises(WeightsError) as exc:
        load_backbone_weights(_features(), LITE0, tmp_path / "misshaped.pth")
    assert "1 mis-shaped" in _one_line(exc)

    foreign = dict(lite0_state, **{"_bn0.weight": torch.ones(3)})  # original naming, one tensor of another shape
    torch.save(foreign, tmp_path / "foreign.pth")
    with pytest.raises(WeightsError) as exc:
        load_backbone_weights(_features(), LITE0, tmp_path / "foreign.pth")
    assert "_bn0.weight (3,) does not fit" in _one_line(exc)

    (tmp_path / "garbage.pth").write_bytes(b"not a checkpoint")
    with pytest.raises(WeightsError) as exc:
        read_state_dict(tmp_path / "garbage.pth")
    assert "not a weights file" in _one_line(exc)


def test_pretrained_without_a_packaged_file_says_what_to_do():
    with pytest.raises(WeightsError) as exc:
        packaged_weights_file("resnet18")
    assert "model.weights_path" in _one_line(exc)


@pytest.mark.slow
def test_lite0_smoke_training_exports_a_model(tmp_path):
    cfg = compose_train_cfg(tmp_path, "model=lite0", "model.input_size=64", "data.epoch_size=16", "data.batch_size=8")
    result = train(cfg)
    assert result["onnx"] and 0.0 <= result["val/year_acc"] <= 1.0
    assert "tf_efficientnet_lite0" in (tmp_path / "run" / "config.yaml").read_text()
