"""The traced Lincoln-cent faces: glyph shapes (ink, holes, proportions) and their use in the renderer."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from coinnet.render import RenderConfig, fonts, render, traced

HOLES = {"0": 1, "4": 1, "6": 1, "9": 1, "D": 1, "P": 1, "8": 2}
CHARS = {traced.WHEAT_FACE: "0123456789DS", traced.MODERN_FACE: "0123456789DSPW"}
CASES = [(face, char) for face, chars in CHARS.items() for char in chars]


def _holes(mask: np.ndarray) -> int:
    """Background regions the ink encloses (4-connected, so a diagonal pinch does not leak)."""
    background = np.pad((mask < 0.5).astype(np.uint8), 1, constant_values=1)
    count, _ = cv2.connectedComponents(background, connectivity=4)
    return count - 2  # minus the label of the ink itself and the outer background


@pytest.mark.parametrize(("face", "char"), CASES)
def test_traced_glyph_has_ink_and_the_right_number_of_holes(face, char):
    mask, top = traced.glyph(face, char, 64)
    assert mask.dtype == np.float32 and not mask.flags.writeable
    assert mask.max() > 0.99 and (mask > 0.5).mean() > 0.1
    assert _holes(mask) == HOLES.get(char, 0)
    h, w = mask.shape
    assert 50 <= h <= 100  # short digits ~64 px; old-style figures rise or hang by up to ~0.4 of that
    assert (0.1 if char == "1" else 0.55) <= w / 64 <= (0.35 if char == "1" else 1.25)
    assert -95 <= top <= -55  # every glyph starts near the top of the short digits or above it


@pytest.mark.parametrize("face", traced.FACES)
def test_short_digits_sit_on_the_baseline_and_nine_hangs_below(face):
    for char in "012":
        mask, top = traced.glyph(face, char, 64)
        assert abs(top + mask.shape[0]) <= 2
    nine, top = traced.glyph(face, "9", 64)
    assert top + nine.shape[0] > 15
    six, top = traced.glyph(face, "6", 64)
    assert top < -75


def test_fonts_glyph_dispatches_to_traced_faces():
    assert fonts.glyph(traced.MODERN_FACE, "7", 48)[0] is traced.glyph(traced.MODERN_FACE, "7", 48)[0]
    assert traced.MODERN_FACE not in fonts.available_fonts()  # not offered for legends or cfg.fonts
    assert traced.face_for_year(1958) == traced.WHEAT_FACE and traced.face_for_year(1959) == traced.MODERN_FACE


def test_traced_renders_are_deterministic_and_follow_the_era():
    cfg = RenderConfig(size=64, traced_prob=1.0, year_min=1950, year_max=1965)
    for index in range(6):
        a, b = render(cfg, 4, index), render(cfg, 4, index)
        assert np.array_equal(a.image, b.image) and a.meta == b.meta
        assert a.meta["font"] == (traced.WHEAT_FACE if a.year <= 1958 else traced.MODERN_FACE)


def test_traced_prob_zero_draws_only_vendored_fonts():
    cfg = RenderConfig(size=48, traced_prob=0.0, clean=True)
    used = {render(cfg, 0, i).meta["font"] for i in range(12)}
    assert used and used <= set(fonts.available_fonts())


def test_explicit_fonts_still_mix_in_traced_faces():
    cfg = RenderConfig(size=48, fonts=["DejaVuSerif"], traced_prob=0.5, clean=True)
    used = {render(cfg, 1, i).meta["font"] for i in range(16)}
    assert "DejaVuSerif" in used and used & set(traced.FACES)
