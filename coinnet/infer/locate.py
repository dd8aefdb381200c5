"""Find the date first, then read it: the localiser's ONNX graph and the few reader views it points to (no torch).

The localiser (:mod:`coinnet.model.localiser`) looks at the whole photo, squared and shrunk to its input size,
and returns a dense map; :func:`proposals` turns the map's peaks into date proposals in photo pixels (centre,
baseline angle, length, mint mark). :func:`located_views` cuts the reader's views from them: the top proposal
turned upright at the reader's scale and two tighter crops (:data:`LOOKS`), the same turned half a turn when the
localiser is unsure which way the date runs (:data:`TURN_SURE`), and the second proposal when it is close, or the
plain photo when the date fills it (a close-up). That is 3-5 reader calls per photo instead of the 32 of
``search=full``.

The reader's file names its localiser in the ``localiser`` metadata key (a file in the same folder); the
localiser's own metadata (``coinnet_format`` = :data:`LOCALISER_FORMAT`) holds its input size and stride.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from coinnet.infer.imageio import square_resize
from coinnet.infer.session import open_session
from coinnet.infer.views import View, candidate_views, warp_view

LOCALISER_FORMAT = "coinnet-localiser-1"
#: The date spans this share of a reader view, as in the renderer's close-ups (``closeup_date_frac`` 0.4-0.7).
DATE_SHARE = 0.55
#: Date height over length, measured on renders (the box drawn for a proposal).
HEIGHT_RATIO = 0.3
#: A peak under this probability is no date: the predictor falls back to the full view search.
MIN_SCORE = 0.1
#: Second proposals read only when at least this share of the top one's probability.
SECOND_SHARE = 0.5
#: The (zoom, turn in degrees) of the reader's views of the top proposal: upright, then two tighter crops (the
#: 0.65 one added 1.6 points of year+mint on cents-web and 2.5 on cents-web2 out of fold, chosen among 8 sets).
LOOKS = ((1.0, 0.0), (0.8, 0.0), (0.65, 0.0))
#: The half-turned view is read only when the predicted (sin, cos) is shorter than this: a localiser unsure which
#: way the date runs hedges between opposite angles. On real photos it is never that unsure (1st percentile 0.89
#: on cents-web and cents-web2), and out of fold the half-turned view never read a date the others missed.
TURN_SURE = 0.8


@dataclass
class Proposal:
    """One place the date may be, in photo pixels; ``angle`` in degrees (0 = upright, counter-clockwise)."""

    score: float
    centre: np.ndarray
    angle: float
    length: float
    mint: np.ndarray | None
    turn_sure: float = 1.0  # length of the predicted (sin, cos): near 1 when the direction is clear

    def quad(self) -> np.ndarray:
        """(4, 2) corners of the date: top-left, top-right, bottom-right, bottom-left of the upright date."""
        a = np.deg2rad(self.angle)
        u = np.array([np.cos(a), -np.sin(a)])  # along the baseline (image y points down)
        n = np.array([np.sin(a), np.cos(a)])  # towards the bottom of the digits
        half_l, half_h = self.length / 2, HEIGHT_RATIO * self.length / 2
        return np.array(
            [self.centre + sx * half_l * u + sy * half_h * n for sx, sy in ((-1, -1), (1, -1), (1, 1), (-1, 1))]
        )


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def proposals(out: np.ndarray, input_size: int, top: int = 2) -> list[Proposal]:
    """The ``top`` strongest local peaks of one (9, H, W) localiser map, in input pixels, best first."""
    heat = _sigmoid(out[0].astype(np.float32))
    peaks = (heat >= cv2.dilate(heat, np.ones((3, 3), np.uint8))) & (heat > 0.01)
    ys, xs = np.nonzero(peaks)
    order = np.argsort(-heat[ys, xs])[:top]
    cell = input_size / heat.shape[0]
    found = []
    for y, x in zip(ys[order], xs[order]):
        v = out[:, y, x].astype(np.float64)
        centre = (np.array([x + v[1], y + v[2]]) + 0.5) * cell
        length = float(np.exp(np.clip(v[5], -6.0, 1.0))) * input_size
        mint = centre + np.array([v[6], v[7]]) * length if _sigmoid(v[8]) > 0.5 else None
        angle = float(np.degrees(np.arctan2(v[3], v[4])))
        found.append(Proposal(float(heat[y, x]), centre, angle, length, mint, float(np.hypot(v[3], v[4]))))
    return found


class Localiser:
    """The localiser graph in onnxruntime; :meth:`find` gives a photo's proposals in its own pixels.

    Raises:
        FileNotFoundError, ValueError: one line naming the file, as for the reader.
    """

    def __init__(self, path: str | Path, threads: int = 1) -> None:
        path = Path(path)
        if not path.is_file():
            raise FileNotFoundError(f"{path}: localiser file not found")
        self.session = open_session(path, threads)  # it runs inside the decode threads, one photo each
        props = self.session.get_modelmeta().custom_metadata_map
        if props.get("coinnet_format") != LOCALISER_FORMAT:
            raise ValueError(f"{path}: not a coinnet localiser (coinnet_format {props.get('coinnet_format')!r})")
        try:
            self.input_size = int(props["input_size"])
        except (KeyError, ValueError):
            raise ValueError(f"{path}: bad localiser metadata (input_size {props.get('input_size')!r})") from None
        if not 32 <= self.input_size <= 1024:
            raise ValueError(f"{path}: bad localiser metadata (input_size {self.input_size} not in [32, 1024])")
        self.path = path

    def find(self, image: np.ndarray, top: int = 2) -> list[Proposal]:
        """Proposals for one RGB uint8 photo, in its pixels, best first."""
        h, w = image.shape[:2]
        square = square_resize(image, self.input_size)
        batch = (square.astype(np.float32) * np.float32(1 / 255)).transpose(2, 0, 1)[None]
        out = self.session.run(None, {self.session.get_inputs()[0].name: np.ascontiguousarray(batch)})[0][0]
        scale = max(h, w) / self.input_size
        offset = np.array([(self.input_size - round(w / scale)) // 2, (self.input_size - round(h / scale)) // 2])
        found = proposals(out, self.input_size, top)
        for p in found:
            p.centre = (p.centre - offset) * scale
            p.length *= scale
            if p.mint is not None:
                p.mint = (p.mint - offset) * scale
        return found


def localiser_for(model_path: Path, metadata: dict, given: str | Path | None, search: str | None) -> Localiser | None:
    """The localiser a predictor uses for ``search`` (None or ``locate``): ``given``, else the file the reader's
    ``localiser`` metadata names, looked up in the reader's own folder (a name only: never a path elsewhere).

    Raises:
        ValueError: ``search`` is ``locate`` and there is no localiser (one line).
    """
    if search not in (None, "locate"):
        return None
    name = given or metadata.get("localiser")
    if not name:
        if search == "locate":
            raise ValueError(f"{model_path}: search=locate needs a localiser (the model names none)")
        return None
    return Localiser(Path(given).expanduser() if given else model_path.parent / Path(str(name)).name)


def _crops(image: np.ndarray, p: Proposal, size: int, looks: tuple[tuple[float, float], ...]) -> list[View]:
    """The reader's views of proposal ``p``, one per (zoom, turn) in ``looks``: upright (plus ``turn`` degrees), the
    date :data:`DATE_SHARE` of the view wide over ``zoom``, all sampled from one copy of the photo at most 1.5x
    the tightest view's resolution (sharp, and no aliasing from a 12 MP frame)."""
    centre = p.centre if p.mint is None else p.centre + 0.4 * (p.mint - p.centre)  # the date + mint group
    side = p.length / DATE_SHARE
    f = min(1.0, 1.5 * size / max(side * min(z for z, _ in looks), 1.0))
    # cv2's fx/fy scaling, not views.shrink (which sizes by rounded pixels): the shipped localiser's figures were
    # measured with it, and the two interpolate a little differently (confidences move in the third decimal).
    small = image if f >= 1.0 else cv2.resize(image, None, fx=f, fy=f, interpolation=cv2.INTER_AREA)
    quad = p.quad()
    views = []
    for zoom, turn in looks:
        view = warp_view(small, size, centre * f, side * zoom * f, -p.angle + turn, "located", f)
        view.quad = np.roll(quad, 2, axis=0) if turn == 180.0 else quad  # turned: it reads the other way
        views.append(view)
    return views


def located_views(image: np.ndarray, found: list[Proposal], size: int) -> list[View]:
    """The reader's views for a photo's proposals (empty when none is a date: search the whole photo instead)."""
    if not found or found[0].score < MIN_SCORE:
        return []
    best = found[0]
    looks = LOOKS + (((1.0, 180.0),) if best.turn_sure < TURN_SURE else ())
    views = _crops(image, best, size, looks)
    if len(found) > 1 and found[1].score >= SECOND_SHARE * best.score:
        views += _crops(image, found[1], size, ((1.0, 0.0),))
    elif best.length > 0.35 * max(image.shape[:2]):  # a close-up: the plain photo is a view the reader knows
        views += candidate_views(image, size, "none")
    return views
