import math

import pytest
import torch
import torch.nn.functional as F

from coinnet import labels
from coinnet.model.lit import CoinNetModule, attention_loss, correctness, masked_head_losses

IGN = labels.IGNORE_INDEX


def test_masked_loss_uses_only_labelled_samples():
    torch.manual_seed(0)
    logits = tuple(torch.randn(3, 10, requires_grad=True) for _ in range(4)) + (torch.randn(3, 5, requires_grad=True),)
    target = torch.tensor(
        [
            [1, 9, 5, 5, 2],  # fully labelled
            [IGN, IGN, IGN, IGN, 3],  # year unknown
            [2, 0, 1, 7, IGN],  # mint unknown
        ]
    )
    losses = masked_head_losses(logits, target)
    assert torch.allclose(losses[0], F.cross_entropy(logits[0][[0, 2]], target[[0, 2], 0]))
    assert torch.allclose(losses[4], F.cross_entropy(logits[4][[0, 1]], target[[0, 1], 4]))
    losses.sum().backward()
    assert logits[0].grad[1].abs().sum() == 0  # the unknown year sends no gradient
    assert logits[4].grad[2].abs().sum() == 0  # nor the unknown mint


def test_head_nobody_labels_adds_zero_but_keeps_graph():
    logits = tuple(torch.randn(2, 10, requires_grad=True) for _ in range(4)) + (torch.randn(2, 5, requires_grad=True),)
    target = torch.tensor([[1, 9, 0, 9, IGN], [2, 0, 2, 0, IGN]])
    losses = masked_head_losses(logits, target)
    assert losses[4].item() == 0.0 and losses[4].requires_grad


def test_correctness_scores_partial_labels():
    onehot = lambda idx, n: F.one_hot(torch.tensor(idx), n).float()
    logits = tuple(onehot([1, 1], 10) for _ in range(4)) + (onehot([2, 2], 5),)
    target = torch.tensor([[1, 1, 1, 1, IGN], [1, 1, 1, 0, 2]])
    res = correctness(logits, target)
    hit, scored = res["year_acc"]
    assert hit.tolist() == [True, False] and scored.tolist() == [True, True]
    hit, scored = res["mint_acc"]
    assert scored.tolist() == [False, True] and hit.tolist() == [False, True]
    assert res["year_mint_acc"][1].tolist() == [False, True]


def test_nan_loss_stops_with_a_clear_message():
    module = CoinNetModule(backbone="mobilenetv3_small_050", input_size=32)
    batch = {
        "image": torch.full((2, 3, 32, 32), float("nan")),
        "target": torch.zeros(2, 5, dtype=torch.long),
        "points": torch.zeros(2, 5, 2),
        "point_mask": torch.zeros(2, 5, dtype=torch.bool),
    }
    with pytest.raises(FloatingPointError, match="training loss is nan"):
        module.training_step(batch, 0)


def test_module_reloads_from_plain_hparams():
    module = CoinNetModule(backbone="mobilenetv3_small_050", input_size=48, lr=0.01)
    assert module.hparams.backbone == "mobilenetv3_small_050" and module.model.input_size == 48


def test_attention_loss_is_lowest_when_each_head_looks_at_its_glyph():
    points = torch.tensor([[[0.125, 0.5], [0.875, 0.5]]])  # head 0 left, head 1 right, on a 4x4 map
    mask = torch.tensor([[True, True]])
    on = torch.zeros(1, 2, 4, 4)
    on[0, 0, 2, 0] = on[0, 1, 2, 3] = 1.0
    swapped = on.flip(1)
    soft = lambda a: (a * 8).flatten(2).softmax(-1).view_as(a)
    assert attention_loss(soft(on), points, mask) < attention_loss(soft(swapped), points, mask)
    assert attention_loss(soft(on), points, torch.tensor([[False, False]])).item() == 0.0


def test_reject_loss_is_zero_when_unsure_and_counts_only_no_date_rows():
    from coinnet.model.lit import reject_loss

    unsure = tuple(torch.zeros(2, n) for n in (10, 10, 10, 10, 5))
    sure = tuple(torch.tensor([[8.0] + [0.0] * (n - 1)] * 2) for n in (10, 10, 10, 10, 5))
    negative = torch.tensor([True, False])
    assert reject_loss(unsure, negative).item() == pytest.approx(0.0, abs=1e-6)
    # KL(uniform || softmax) of a head sure of one class: logsumexp - mean of its logits - log(classes).
    expected = torch.stack([torch.logsumexp(h[0], 0) - h[0].mean() - math.log(h.shape[1]) for h in sure]).mean()
    assert reject_loss(sure, negative).item() == pytest.approx(expected.item())
    assert reject_loss(sure, torch.tensor([False, False])).item() == 0.0
