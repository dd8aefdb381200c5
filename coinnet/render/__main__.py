"""CLI: ``python -m coinnet.render --n 64 --out sheet.png [--seed S] [--size PX] [--view whole|closeup|mixed]``.

``--compare DIR`` (a folder with ``labels.csv``) writes rendered | real pairs side by side instead; an unusable
labels.csv is a one-line error (exit 2).
"""

from __future__ import annotations

import argparse
import sys

from coinnet.label_folder import LabelsError
from coinnet.render.config import RenderConfig
from coinnet.render.sheet import compare_sheet, render_sheet, save_rgb

CLOSEUP_PROB = {"whole": 0.0, "closeup": 1.0}


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, render the sheet, write it atomically; returns the exit code."""
    parser = argparse.ArgumentParser(prog="python -m coinnet.render", description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=64, help="number of rendered samples")
    parser.add_argument("--out", required=True, help="output PNG path")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--size", type=int, default=128, help="side of each rendered image in pixels")
    parser.add_argument("--view", choices=("whole", "closeup", "mixed"), default="mixed")
    parser.add_argument("--zoom", type=int, default=1, help="integer upscaling of rendered tiles for viewing")
    parser.add_argument("--compare", metavar="DIR", help="folder with labels.csv: write rendered | real pairs")
    args = parser.parse_args(argv)
    if args.n < 1:
        parser.error("--n must be >= 1")
    try:
        cfg_kwargs = {"size": args.size}
        if args.view in CLOSEUP_PROB:
            cfg_kwargs["closeup_prob"] = CLOSEUP_PROB[args.view]
        cfg = RenderConfig(**cfg_kwargs)
        if args.compare:
            sheet = compare_sheet(cfg, args.compare, args.n, args.seed)
        else:
            sheet = render_sheet(cfg, args.n, args.seed, args.zoom)
        save_rgb(args.out, sheet)
    except (LabelsError, ValueError, OSError) as exc:  # the user's input, not a bug: one line, no traceback
        print(f"error: {str(exc).splitlines()[0]}", file=sys.stderr)
        return 2
    print(f"wrote {args.out} ({sheet.shape[1]}x{sheet.shape[0]})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
