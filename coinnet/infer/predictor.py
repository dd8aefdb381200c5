"""Read year and mint from coin photos with an exported ONNX model (onnxruntime + numpy + OpenCV, no torch).

The pipeline is preprocess -> run -> decode:

- preprocess: :func:`coinnet.infer.imageio.load_image` -> optional :func:`coinnet.infer.enhance.enhance` -> candidate
  views (:mod:`coinnet.infer.views`: the photo turned in 8 steps, and crops of the date spot around a whole coin)
  -> float32 in [0, 1], NCHW (normalisation is inside the graph);
- run: one onnxruntime session, five logit outputs ``digit0..digit3``, ``mint`` (and ``attention``, where the heads read);
- decode: per view, the posterior over *valid* (year, mint) pairs of the model's schema (a 2017 cent never comes
  out without its P); the pair with the most posterior summed over a photo's views wins (``view_vote=max``: the
  surest view's); the model's fitted rule over the reading's signals gives the confidence
  (:mod:`coinnet.infer.confidence`); the localiser's proposal or the heads' attention gives the date's box.

Example::

    p = Predictor()                       # coinnet/infer/models/default.onnx
    for pred in p.predict_paths(["a.jpg", "b.png"]):
        print(pred.file, pred.year, pred.mint, f"{pred.confidence:.2f}", pred.status)
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import numpy as np

from coinnet.catalog import notes_for
from coinnet.infer.confidence import NO_RULE, add_steady, choose_threshold, explain, nearby_steady
from coinnet.infer.enhance import Enhancement, enhance
from coinnet.infer.imageio import ImageError, load_image_scaled
from coinnet.infer.localise import bounds, date_corners_in_photo, quad_and_angle
from coinnet.infer.locate import localiser_for, located_views
from coinnet.infer.onnx_meta import ATTENTION_NAME, INPUT_NAME, parse_metadata
from coinnet.infer.pair_decoder import DecodedBatch, PairDecoder, log_softmax
from coinnet.infer.prefetch import load_ahead
from coinnet.infer.results import Prediction
from coinnet.infer.session import open_session
from coinnet.infer.views import SEARCH_MODES, View, box_in_image, candidate_views, jitters, scale_views

DEFAULT_THREADS = 2
#: JPEGs are decoded at reduced scale down to this multiple of the input size (see ``load_image``); the ring
#: search crops a third of the coin, so it needs the photo at several times the input size.
DRAFT_FACTOR = {"none": 2, "rotate": 2, "ring": 8, "full": 8, "locate": 4}
#: Views per model call: bounds memory when every photo brings 32 views.
MAX_VIEWS_PER_RUN = 256


def default_model_path() -> Path:
    """Where the shipped model lives: ``coinnet/infer/models/default.onnx`` (may not exist yet)."""
    return Path(__file__).resolve().parent / "models" / "default.onnx"


class Predictor:
    """Reads year and mint from coin photos with an exported coinnet ONNX model.

    Args:
        model_path: ONNX file; None uses :func:`default_model_path`.
        threshold: minimum pair probability for status ``"ok"``; None uses the model's metadata.
        threads: onnxruntime intra-op threads; None uses 2.
        enhancement: adjustments applied to every image before resizing; None = none.
        decode_workers: threads decoding files in :meth:`predict_paths`; None uses 2 (1 on a 1-CPU machine).
        search: which views of each photo the model reads: ``locate`` (3-5 views where the localiser finds the
            date, :mod:`coinnet.infer.locate`; the default when the model names a localiser), or
            (:mod:`coinnet.infer.views`) ``none`` (the plain square), ``rotate`` (close-ups at any angle), ``ring``
            (the date spot on a whole coin, any rotation) or ``full`` (both, 32 views; the default otherwise).
        localiser: the localiser's ONNX file for ``locate`` (default: the one the model's metadata names).
        precision: instead of ``threshold``, the precision to reach: the lowest threshold that reached it on the
            model's stored precision curve (measured on photo sources held out of the fit).
        steady: also read jitters of each photo's best view (the ``steady`` signal) when the rule does not need it.

    Raises:
        FileNotFoundError: the model file does not exist.
        ValueError: one line naming the file and why it can't be used (corrupt, foreign, wrong shapes),
            or a threshold/threads value out of range.
    """

    def __init__(
        self,
        model_path: str | Path | None = None,
        threshold: float | None = None,
        threads: int | None = None,
        enhancement: Enhancement | None = None,
        decode_workers: int | None = None,
        search: str | None = None,
        precision: float | None = None,
        steady: bool = False,
        localiser: str | Path | None = None,
    ) -> None:
        if search is not None and search not in SEARCH_MODES:
            raise ValueError(f"search must be one of {', '.join(SEARCH_MODES)}, got {search!r}")
        path = Path(model_path).expanduser() if model_path is not None else default_model_path()
        if not path.is_file():
            hint = " (the shipped model is not installed; pass --model)" if model_path is None else ""
            raise FileNotFoundError(f"{path}: model file not found{hint}")
        threads = DEFAULT_THREADS if threads is None else int(threads)
        if threads < 1:
            raise ValueError(f"threads must be >= 1, got {threads}")
        self.model_path = path
        self.session = open_session(path, threads)
        self.metadata = parse_metadata(path, self.session.get_modelmeta().custom_metadata_map)
        self.input_size: int = self.metadata["input_size"]
        try:
            self.decoder = PairDecoder(self.metadata["schema"])
        except (KeyError, ValueError, TypeError) as exc:
            raise ValueError(f"{path}: bad label schema in metadata ({exc})".splitlines()[0]) from None
        self._check_signature(path)
        self.temperature: float = self.metadata["temperature"]
        self.vote_rule: str = self.metadata["view_vote"]
        #: Fitted rule turning a reading's signals into its confidence (None: the view's pair probability).
        self.confidence_rule = self.metadata["confidence_rule"]
        self.steady = "steady" in (self.confidence_rule or NO_RULE).signals or bool(steady)
        self.threshold = choose_threshold(self.metadata, threshold, precision, path)
        if not 0.0 <= self.threshold <= 1.0:
            raise ValueError(f"threshold must be in [0, 1], got {self.threshold}")
        self.enhancement = enhancement if enhancement is not None and not enhancement.is_identity else None
        self.decode_workers = max(1, int(decode_workers if decode_workers is not None else min(2, os.cpu_count() or 1)))
        self.localiser = localiser_for(path, self.metadata, localiser, search)
        self.search = search or ("locate" if self.localiser is not None else "full")

    def _check_signature(self, path: Path) -> None:
        inputs = self.session.get_inputs()
        if (
            len(inputs) != 1
            or inputs[0].name != INPUT_NAME
            or list(inputs[0].shape[1:]) != [3, self.input_size, self.input_size]
        ):
            got = [(i.name, i.shape) for i in inputs]
            raise ValueError(
                f"{path}: expected one input 'image' of shape [N, 3, {self.input_size}, {self.input_size}], got {got}"
            )
        outputs = {o.name: o.shape for o in self.session.get_outputs()}
        for head, classes in self.decoder.head_classes.items():
            if head not in outputs or outputs[head][-1] != classes:
                raise ValueError(f"{path}: expected output {head!r} with {classes} classes, got {outputs.get(head)}")
        self._head_names = list(self.decoder.head_classes)
        self._output_names = self._head_names + ([ATTENTION_NAME] if ATTENTION_NAME in outputs else [])

    # -- preprocess ---------------------------------------------------------------------------------
    def views(self, image: np.ndarray, search: str | None = None) -> list[View]:
        """One RGB uint8 photo -> the square model inputs to read (enhanced if configured).

        ``search`` overrides the predictor's own view-search mode for this call.
        """
        if self.enhancement is not None:
            image = enhance(image, self.enhancement)
        mode = search or self.search
        if mode == "locate":  # a handful of views where the localiser points; none found: the whole search
            found = self.localiser.find(image)
            return located_views(image, found, self.input_size) or candidate_views(image, self.input_size, "full")
        return candidate_views(image, self.input_size, mode)

    def preprocess(self, image: np.ndarray) -> np.ndarray:
        """One RGB uint8 image -> the plain square model input (no view search), enhanced if configured."""
        return self.views(image, "none")[0].image

    @staticmethod
    def to_batch(squares: Sequence[np.ndarray]) -> np.ndarray:
        """Square uint8 HWC images -> float32 NCHW in [0, 1]."""
        batch = np.stack(squares).astype(np.float32) * np.float32(1.0 / 255.0)
        return np.ascontiguousarray(batch.transpose(0, 3, 1, 2))

    # -- run ----------------------------------------------------------------------------------------
    def run(self, batch: np.ndarray) -> dict[str, np.ndarray]:
        """Raw logits per head (and the ``attention`` maps, when the model has them) for a float32 NCHW batch."""
        parts = [
            self.session.run(self._output_names, {INPUT_NAME: batch[i : i + MAX_VIEWS_PER_RUN]})
            for i in range(0, len(batch), MAX_VIEWS_PER_RUN)
        ]
        return {name: np.concatenate([p[k] for p in parts]) for k, name in enumerate(self._output_names)}

    def _best_views(self, views: Sequence[list[View]]) -> tuple[DecodedBatch, dict[str, np.ndarray], np.ndarray]:
        """Every view's outputs; per photo, the reading its views vote for and the flat row of the view surest of it."""
        outputs = self.run(self.to_batch([v.image for vs in views for v in vs]))
        decoded, rows = self.decoder.vote(outputs, [len(vs) for vs in views], self.temperature, self.vote_rule)
        return decoded, outputs, rows

    def head_logits(self, images: Sequence[np.ndarray], batch_size: int = 64) -> dict[str, np.ndarray]:
        """Raw logits (before temperature) per head, (N, C) each, for RGB uint8 images (for calibration)."""
        parts: list[dict[str, np.ndarray]] = []
        for start in range(0, len(images), batch_size):
            _, outputs, rows = self._best_views([self.views(img) for img in images[start : start + batch_size]])
            parts.append({h: v[rows] for h, v in outputs.items()})
        if not parts:
            return {h: np.zeros((0, c), np.float32) for h, c in self.decoder.head_classes.items()}
        return {h: np.concatenate([p[h] for p in parts]) for h in self._head_names}

    def head_probs(self, images: Sequence[np.ndarray], batch_size: int = 64) -> dict[str, np.ndarray]:
        """Softmax probabilities per head after temperature, (N, C) each (for evaluation)."""
        logits = self.head_logits(images, batch_size)
        return {h: np.exp(log_softmax(v / self.temperature)) for h, v in logits.items()}

    # -- decode -------------------------------------------------------------------------------------
    def _read(self, views: Sequence[list[View]], names: Sequence[str]) -> list[Prediction]:
        decoded, all_outputs, rows = self._best_views(views)
        flat = [v for vs in views for v in vs]
        if self.steady:  # a located photo's other zooms show the same place; other photos: 3 jitters (3 more runs)
            near = [len(vs) > 1 and vs[0].kind == "located" for vs in views]
            posterior, counts = self.decoder.decode(all_outputs, self.temperature).posterior, [len(vs) for vs in views]
            for i, value in nearby_steady(posterior, counts, rows, decoded.chosen, near).items():
                decoded.doubts[i].signals["steady"] = value
            if rest := [i for i, n in enumerate(near) if not n]:
                jittered = self.run(self.to_batch([j for i in rest for j in jitters(flat[rows[i]].image)]))
                jittered = self.decoder.decode(jittered, self.temperature).posterior
                add_steady([decoded.doubts[i] for i in rest], decoded.chosen[rest], jittered)
        outputs, best = {h: v[rows] for h, v in all_outputs.items()}, [flat[i] for i in rows]
        preds = self._decode(decoded, names)
        for i, (pred, view) in enumerate(zip(preds, best)):
            corners = view.quad  # where the localiser put the date; else where the reader's heads looked
            if corners is None and ATTENTION_NAME in outputs:
                corners = date_corners_in_photo(outputs[ATTENTION_NAME][i], view)
            if corners is not None:
                pred.quad, pred.angle = quad_and_angle(corners)
                pred.box = bounds(corners)
            elif view.kind == "ring":  # an older model: a ring view at least says roughly where the date is
                pred.box = box_in_image(view)
        return preds

    def _decode(self, result: DecodedBatch, names: Sequence[str]) -> list[Prediction]:
        preds = []
        confidence = result.confidence
        if self.confidence_rule is not None and result.doubts:
            confidence = self.confidence_rule.apply([d.signals for d in result.doubts])
        for i, name in enumerate(names):
            year, mint = result.pairs[i]
            conf = float(confidence[i])
            doubt = result.doubts[i] if result.doubts else None
            preds.append(
                Prediction(
                    file=name,
                    year=year,
                    mint=mint,
                    confidence=conf,
                    year_confidence=float(result.year_confidence[i]),
                    mint_confidence=float(result.mint_confidence[i]),
                    status="ok" if conf >= self.threshold else "unknown",
                    # An unsure reading never claims a key date ("possible 1909-S (unsure)" instead).
                    notes=notes_for(year, mint, sure=conf >= self.threshold),
                    **(explain(doubt, len(self._head_names)) if doubt is not None else {}),
                )
            )
        return preds

    # -- public entry points --------------------------------------------------------------------------
    def predict_images(
        self, images: Sequence[np.ndarray], names: Sequence[str] | None = None, batch_size: int = 32
    ) -> list[Prediction]:
        """Predictions for RGB uint8 (H, W, 3) arrays; ``names`` fill ``Prediction.file`` (default ``image<i>``)."""
        names = list(names) if names is not None else [f"image{i}" for i in range(len(images))]
        if len(names) != len(images):
            raise ValueError(f"got {len(images)} images but {len(names)} names")
        preds: list[Prediction] = []
        for start in range(0, len(images), batch_size):
            preds += self._read(
                [self.views(img) for img in images[start : start + batch_size]], names[start : start + batch_size]
            )
        return preds

    def _load_views(self, path: str) -> list[View] | str:
        """The views to read of one file, or a one-line reason it can't be read (never raises)."""
        try:
            image, (sx, sy) = load_image_scaled(path, min_side=DRAFT_FACTOR[self.search] * self.input_size)
            return scale_views(self.views(image), sx, sy)  # boxes in the file's pixels, not the reduced decode's
        except ImageError as exc:
            return str(exc).removeprefix(f"{path}: ")
        except Exception as exc:  # e.g. MemoryError on a huge image: one row, not a crashed batch
            return f"{type(exc).__name__}: {exc}".splitlines()[0] if str(exc) else type(exc).__name__

    def _predict_loaded(self, names: list[str], loaded: list[list[View] | str]) -> list[Prediction]:
        """Predictions for one batch of :meth:`_load_views` results, error rows kept in place."""
        good = [(name, vs) for name, vs in zip(names, loaded) if not isinstance(vs, str)]
        read = iter(self._read([vs for _, vs in good], [n for n, _ in good]) if good else [])
        return [Prediction(file=n, error=vs) if isinstance(vs, str) else next(read) for n, vs in zip(names, loaded)]

    def predict_paths(
        self,
        paths: Iterable[str | Path],
        batch_size: int = 32,
        progress: Callable[[int, int], None] | None = None,
    ) -> list[Prediction]:
        """One prediction per path, same order; a bad file gives ``status="error"`` with a one-line reason.

        Decoding runs one batch ahead of the model (:func:`coinnet.infer.prefetch.load_ahead`). A
        KeyboardInterrupt (Ctrl-C) ends it at once: queued files are dropped and running decodes are not waited for.

        Args:
            paths: image files.
            batch_size: images per model call.
            progress: called as ``progress(done, total)`` after each batch.
        """
        paths = [str(p) for p in paths]
        batch_size = max(1, int(batch_size))
        chunks = [paths[i : i + batch_size] for i in range(0, len(paths), batch_size)]
        preds: list[Prediction] = []
        for chunk, loaded in load_ahead(self._load_views, chunks, self.decode_workers):
            preds += self._predict_loaded(chunk, loaded)
            if progress is not None:
                progress(len(preds), len(paths))
        return preds
