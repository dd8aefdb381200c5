"""Read year and mint mark from a photo or a folder of photos: ``python -m coinnet.predict`` / ``coinnet-predict``.

Examples:
    coinnet-predict --input coin.jpg
    coinnet-predict --input photos/ --recursive --output results.csv
    coinnet-predict --input photos/ --output results.json --enhance clahe=2,sharpen=1 --threshold 0.7

Formats: PNG, JPG/JPEG, BMP, TIF/TIFF, WEBP (any case). Every input file gets one row with the columns
file, year, mint, confidence, year_confidence, mint_confidence, status (ok / unknown / error), error, notes,
weakest (the least sure head), runner_up (the next most voted reading), box_x0, box_y0, box_x1, box_y1 (the date's
box in photo pixels) and angle (its baseline in degrees, counter-clockwise; both empty where unknown);
a file that can't be read gets status "error" and a one-line reason, and the rest are still read.
Without --output a table is printed; the summary goes to stderr.

Exit codes:
    0  every file was read (including "unknown": confidence below the threshold)
    1  some files failed (status "error")
    2  usage error: bad arguments, missing input, unusable model, no images found, an --output that cannot be
       written or would replace an input (checked before any photo is read)
    130  interrupted (Ctrl-C): the batch stops at once and no results are written
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path

from coinnet.files import find_images
from coinnet.infer.enhance import Enhancement
from coinnet.infer.predictor import Predictor
from coinnet.infer.prefetch import DECODE_THREAD_PREFIX
from coinnet.infer.results import Prediction, write_results
from coinnet.infer.views import SEARCH_MODES

EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
#: Below this many files a progress bar is more noise than help.
PROGRESS_MIN_FILES = 64


class UsageError(Exception):
    """A problem with the arguments, the input or the model: message for the user, exit code 2."""


def format_table(predictions: Sequence[Prediction], root: Path | None = None) -> str:
    """A fixed-width table for the terminal; file names relative to ``root`` when given."""

    def name(p: Prediction) -> str:
        try:
            return str(Path(p.file).relative_to(root)) if root else p.file
        except ValueError:
            return p.file

    header = ("file", "year", "mint", "conf", "status", "notes / error")
    rows = [
        (
            name(p),
            "" if p.year is None else str(p.year),
            p.mint or "",
            "" if p.status == "error" else f"{p.confidence:.2f}",
            p.status,
            p.error or "; ".join(filter(None, [p.notes, _why_unsure(p)])),
        )
        for p in predictions
    ]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(5)]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(r[:5], widths)) + "  " + r[5] for r in [header, *rows]]
    return "\n".join(line.rstrip() for line in lines)


def _why_unsure(p: Prediction) -> str:
    """For an ``unknown`` reading: the weakest head and the runner-up, so the user sees what to check."""
    if p.status != "unknown" or not p.weakest:
        return ""
    return f"weakest {p.weakest}" + (f", next {p.runner_up}" if p.runner_up else "")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="coinnet-predict",
        description="Read the year and mint mark of Lincoln cents from photos.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=__doc__[__doc__.index("Exit codes:") :].replace("Exit codes:", "exit codes:"),
    )
    parser.add_argument("--input", required=True, type=Path, help="an image file or a folder of images")
    parser.add_argument("--output", type=Path, help="results file, .csv or .json (default: print a table)")
    parser.add_argument(
        "--model", type=Path, help="ONNX model (default: the shipped coinnet/infer/models/default.onnx)"
    )
    parser.add_argument("--recursive", action="store_true", help="also read images in sub-folders")
    parser.add_argument("--batch-size", type=int, default=32, help="images per model call (default 32)")
    choose = parser.add_mutually_exclusive_group()
    choose.add_argument("--threshold", type=float, help="min confidence for status ok, 0..1 (default: the model's)")
    choose.add_argument(
        "--precision",
        type=float,
        help="instead of --threshold: the precision to reach, e.g. 0.95 (the lowest threshold that reached it on "
        "photo sources held out of the model's fit; more coverage, more mistakes)",
    )
    parser.add_argument("--threads", type=int, help="CPU threads for the model (default 2)")
    parser.add_argument(
        "--search",
        choices=SEARCH_MODES,
        default=None,
        help="views of each photo the model reads: locate (3-5 views where the localiser finds the date; the default "
        "when the model names a localiser), none (as is), rotate (close-ups at any angle), ring (the date spot of a "
        "whole coin), full (rotate + ring, 32 views; the default otherwise)",
    )
    parser.add_argument(
        "--enhance",
        default="",
        metavar="K=V,...",
        help="photo fixes: brightness, contrast, clahe, sharpen, denoise, rotate (e.g. clahe=2,sharpen=1)",
    )
    return parser


def _collect_inputs(source: Path, recursive: bool) -> list[Path]:
    if source.is_dir():
        paths = find_images(source, recursive=recursive)
        if not paths:
            where = "or its sub-folders " if recursive else ""
            raise UsageError(f"{source}: no images found in the folder {where}(png, jpg, jpeg, bmp, tif, tiff, webp)")
        return paths
    if source.exists() or source.is_symlink():
        return [source]  # a file given by name is tried whatever its suffix; a broken one gets an error row
    raise UsageError(f"{source}: input not found")


def _check_output(output: Path, inputs: Sequence[Path]) -> None:
    """Refuse, before any work, an output that would replace one of the inputs or cannot be written.

    The folder is probed with a temporary file (removed at once) in the nearest folder that exists, so a
    read-only or missing destination costs the user nothing, and no folder is created for a run that fails.
    """
    target = os.path.realpath(output)
    if any(os.path.realpath(p) == target for p in inputs):
        raise UsageError(f"{output}: --output is one of the input files; choose another name")
    folder = output.absolute().parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if not folder.is_dir():
        raise UsageError(f"{output}: cannot write results ({folder} is not a folder)")
    try:
        with tempfile.TemporaryFile(dir=folder, prefix=".coinnet-probe-"):
            pass
    except OSError as exc:
        raise UsageError(f"{output}: cannot write results in {folder} ({exc.strerror or exc})") from None


def _exit_now_if_stuck(code: int) -> None:
    """After Ctrl-C, leave at once if a decode thread is still busy (stuck in a slow read, say).

    The interpreter joins every worker thread on exit, so one that never returns would keep the process alive
    after the user asked it to stop; one second is ample for a thread that is merely finishing a decode.
    """
    decoders = [t for t in threading.enumerate() if t.name.startswith(DECODE_THREAD_PREFIX)]
    deadline = time.monotonic() + 1.0
    for thread in decoders:
        thread.join(max(0.0, deadline - time.monotonic()))
    if any(t.is_alive() for t in decoders):
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def _check_args(args: argparse.Namespace) -> Enhancement:
    if args.batch_size < 1:
        raise UsageError(f"--batch-size must be >= 1, got {args.batch_size}")
    if args.threads is not None and args.threads < 1:
        raise UsageError(f"--threads must be >= 1, got {args.threads}")
    if args.threshold is not None and not 0.0 <= args.threshold <= 1.0:
        raise UsageError(f"--threshold must be in [0, 1], got {args.threshold}")
    if args.precision is not None and not 0.0 < args.precision <= 1.0:
        raise UsageError(f"--precision must be in (0, 1], got {args.precision}")
    if args.output is not None:
        if args.output.suffix.lower() not in (".csv", ".json"):
            raise UsageError(f"{args.output}: --output must end in .csv or .json")
        if args.output.is_dir():
            raise UsageError(f"{args.output}: --output is a folder, expected a file")
    try:
        return Enhancement.parse(args.enhance)
    except ValueError as exc:
        raise UsageError(f"--enhance: {exc}") from None


def run(args: argparse.Namespace) -> int:
    """Predict for the parsed arguments; returns the exit code (raises :class:`UsageError` for code 2)."""
    enhancement = _check_args(args)
    paths = _collect_inputs(args.input, args.recursive)
    if args.output is not None:
        _check_output(args.output, paths)
    try:
        predictor = Predictor(
            args.model,
            threshold=args.threshold,
            threads=args.threads,
            enhancement=enhancement,
            search=args.search,
            precision=args.precision,
        )
    except (OSError, ValueError) as exc:
        raise UsageError(str(exc)) from None

    start = time.perf_counter()
    bar = None
    if len(paths) >= PROGRESS_MIN_FILES:
        from tqdm import tqdm  # only long runs pay for the import

        bar = tqdm(total=len(paths), unit="img", file=sys.stderr, dynamic_ncols=True)
    try:
        progress = (lambda done, total: bar.update(done - bar.n)) if bar else None
        predictions = predictor.predict_paths(paths, batch_size=args.batch_size, progress=progress)
    finally:
        if bar:
            bar.close()
    elapsed = time.perf_counter() - start

    if args.output is not None:
        try:
            write_results(predictions, args.output)
        except OSError as exc:
            raise UsageError(f"{args.output}: cannot write results ({exc.strerror or exc})") from None
    else:
        print(format_table(predictions, args.input if args.input.is_dir() else None))

    counts = {s: sum(p.status == s for p in predictions) for s in ("ok", "unknown", "error")}
    rate = len(predictions) / elapsed if elapsed > 0 else float("inf")
    where = f"; results in {args.output}" if args.output is not None else ""
    print(
        f"{len(predictions)} files: {counts['ok']} ok, {counts['unknown']} unknown, {counts['error']} error "
        f"in {elapsed:.1f} s ({rate:.0f} img/s){where}",
        file=sys.stderr,
    )
    return EXIT_SOME_FAILED if counts["error"] else EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """Console entry point; returns the exit code (see the module docstring)."""
    for stream in (sys.stdout, sys.stderr):  # odd file names must not crash printing on any locale
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    parser = _parser()
    args = parser.parse_args(argv)  # exits with 2 on bad arguments
    try:
        return run(args)
    except UsageError as exc:
        print(f"coinnet-predict: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("coinnet-predict: interrupted; no results written", file=sys.stderr)
        _exit_now_if_stuck(EXIT_INTERRUPTED)
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
