"""Reading where the localiser points: the crop geometry, the file checks, and the search mode in the predictor."""

import numpy as np
import pytest

from coinnet.infer.locate import LOOKS, Localiser, Proposal, located_views
from coinnet.infer.predictor import Predictor
from coinnet.infer.views import candidate_views
from coinnet.render import RenderConfig, render
from tests.helpers.infer import tiny_onnx


def _truth(sample) -> Proposal:
    quad = np.asarray(sample.meta["date_quad"])
    mint = None if sample.mint_box is None else np.array(sample.mint_box).reshape(2, 2).mean(0)
    return Proposal(1.0, quad.mean(0), sample.angle, float(np.linalg.norm(quad[1] - quad[0])), mint)


@pytest.mark.parametrize("index", range(4))
def test_the_top_view_turns_the_date_upright_and_centres_it(index):
    sample = render(RenderConfig(size=384, closeup_prob=0.0, rotation_deg=180.0, clean=True), seed=3, index=index)
    views = located_views(sample.image, [_truth(sample)], 128)
    assert [v.kind for v in views[:2]] == ["located"] * 2
    top = views[0]
    # The date's corners, mapped into the view: upright (level top edge, reading left to right) and centred.
    to_view = np.linalg.inv(np.vstack([top.to_image, [0, 0, 1]]))
    quad = np.c_[np.asarray(sample.meta["date_quad"]), np.ones(4)] @ to_view.T
    assert quad[1, 0] > quad[0, 0] and abs(quad[1, 1] - quad[0, 1]) < 2.0
    assert quad[2, 1] > quad[1, 1]  # the digits' feet are below their tops: not upside down
    width = quad[1, 0] - quad[0, 0]
    assert width == pytest.approx(0.55 * 128, rel=0.05)
    # Centred on the date + mint group: the mint letter may sit left of the date's middle (wheat cents).
    assert abs(quad[:, 0].mean() - 64) < 0.15 * 128 and abs(quad[:, 1].mean() - 64) < 0.35 * 128
    assert np.allclose(views[1].quad, top.quad)  # the second: the same place, tighter


def test_the_half_turned_view_is_read_only_when_the_direction_is_unsure():
    sample = render(RenderConfig(size=384, closeup_prob=0.0, clean=True), seed=3, index=0)
    sure, unsure = _truth(sample), _truth(sample)
    unsure.turn_sure = 0.5
    plain = len(LOOKS)
    assert len(located_views(sample.image, [sure], 128)) == plain
    views = located_views(sample.image, [unsure], 128)
    assert len(views) == plain + 1
    assert np.allclose(views[plain].quad, np.roll(views[0].quad, 2, axis=0))  # turned: its quad reads the other way
    turned = np.linalg.inv(np.vstack([views[plain].to_image, [0, 0, 1]])) @ np.vstack([views[0].to_image, [0, 0, 1]])
    assert np.allclose(turned[:2, :2], -np.eye(2), atol=1e-6)  # the same square, half a turn round


def test_the_shipped_reader_reads_the_views_the_true_place_gives():
    """The geometry meets the reader's expectations: a located view of a clean render reads its date."""
    predictor = Predictor(search="full")
    right = 0
    for index in range(6):
        sample = render(RenderConfig(size=512, closeup_prob=0.0, rotation_deg=180.0, clean=True), seed=4, index=index)
        view = located_views(sample.image, [_truth(sample)], predictor.input_size)[0]
        pred = predictor._read([[view]], ["x"])[0]
        right += (pred.year, pred.mint) == (sample.year, sample.mint)
    assert right >= 5


def test_no_proposal_means_no_located_views():
    image = np.zeros((200, 300, 3), np.uint8)
    assert located_views(image, [], 128) == []
    assert located_views(image, [Proposal(0.01, np.zeros(2), 0.0, 50.0, None)], 128) == []


def test_files_that_are_not_localisers_are_refused(tmp_path, tmp_path_factory):
    with pytest.raises(FileNotFoundError, match="localiser file not found"):
        Localiser(tmp_path / "missing.onnx")
    reader = tiny_onnx(tmp_path_factory)
    with pytest.raises(ValueError, match="not a coinnet localiser") as err:
        Localiser(reader)
    assert str(reader) in str(err.value) and "\n" not in str(err.value)
    with pytest.raises(ValueError, match="needs a localiser"):
        Predictor(reader, search="locate")
    assert Predictor(reader).search == "full"  # a reader naming no localiser keeps the 32-view search


def test_locate_mode_falls_back_to_the_full_search_without_a_date(tmp_path_factory, monkeypatch):
    predictor = Predictor(search="full")
    if predictor.metadata.get("localiser") is None:
        pytest.skip("the shipped reader names no localiser")
    located = Predictor()
    monkeypatch.setattr(located.localiser, "find", lambda image, top=2: [])
    image = np.full((300, 300, 3), 90, np.uint8)
    assert len(located.views(image)) == len(candidate_views(image, located.input_size, "full"))


def test_a_located_photo_gets_its_steady_signal_from_its_other_zooms_not_from_jitters(monkeypatch):
    import coinnet.infer.predictor as predictor_module

    located = Predictor()
    if located.localiser is None or not located.steady:
        pytest.skip("the shipped reader names no localiser or its rule does not use steady")
    sample = render(RenderConfig(size=384, closeup_prob=0.0, rotation_deg=180.0), seed=5, index=0)

    def no_jitters(image):
        raise AssertionError("jitters read for a located photo")

    monkeypatch.setattr(predictor_module, "jitters", no_jitters)
    pred = located.predict_images([sample.image])[0]
    assert 0.0 <= pred.signals["steady"] <= 1.0
    with pytest.raises(AssertionError, match="jitters read"):  # the other searches still read jitters
        Predictor(search="full").predict_images([sample.image])
