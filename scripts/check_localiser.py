"""How often a localiser finds the date on real photos, judged against pseudo-boxes.

``python scripts/check_localiser.py --localiser L.onnx --boxes outputs/pseudo_boxes/cents-web2.csv [--boxes ...]
[--sheet OUT.png]``

The pseudo-boxes (``scripts/pseudo_boxes.py``) say where the 32-view search read each photo's known date. The top
proposal counts as found, as on renders (``coinnet.train.localiser.located_share``), when its centre is within
half a date height (0.3 of the date's length) of the box's centre and its angle within 10 degrees; ``in view``
loosens that to one date height and 15 degrees, where the reader's view still holds the whole date (the boxes
themselves come from attention maps and are not exact). Only a
localiser that never trained on a folder's boxes gives an honest figure for it. ``--sheet`` writes the top located
crop of the first 64 photos (real photos: look at it, never commit it).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from coinnet.data.real_boxes import HEIGHT_RATIO, load_scaled, read_boxes
from coinnet.infer.locate import MIN_SCORE, Localiser, located_views
from coinnet.render.sheet import grid, save_rgb


def judge(localiser: Localiser, box_files: list[Path], sheet: Path | None) -> None:
    tiles = []
    for path in box_files:
        found, in_view, proposed, n, misses = 0, 0, 0, 0, []
        for box in read_boxes(path):
            image, box = load_scaled(box, 4 * localiser.input_size)  # decoded as the predictor decodes it
            top = localiser.find(image, top=1)
            n += 1
            if not top:
                continue
            proposed += top[0].score >= MIN_SCORE
            centre_err = np.linalg.norm(top[0].centre - [box.cx, box.cy]) / (HEIGHT_RATIO * box.length)
            angle_err = abs((top[0].angle - box.angle + 180.0) % 360.0 - 180.0)
            hit = centre_err <= 0.5 and angle_err <= 10.0
            found += hit
            in_view += centre_err <= 1.0 and angle_err <= 15.0
            if not hit:
                misses.append(f"{Path(box.file).name} (centre {centre_err:.1f} heights, angle {angle_err:.0f} deg)")
            if sheet is not None and len(tiles) < 64:
                views = located_views(image, top, 96)
                tiles.append(views[0].image if views else np.zeros((96, 96, 3), np.uint8))
        share = f"found {found}/{n} = {found / max(n, 1):.1%}, in view {in_view / max(n, 1):.1%}"
        print(f"{path}: {share}; a proposal >= {MIN_SCORE} on {proposed / max(n, 1):.1%}")
        for m in misses[:10]:
            print(f"  missed {m}")
    if sheet is not None and tiles:
        save_rgb(sheet, grid(tiles, 8))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--localiser", type=Path, required=True)
    ap.add_argument("--boxes", type=Path, action="append", required=True, help="pseudo-box CSV (repeatable)")
    ap.add_argument("--sheet", type=Path, default=None)
    args = ap.parse_args(argv)
    judge(Localiser(args.localiser), args.boxes, args.sheet)
    return 0


if __name__ == "__main__":
    sys.exit(main())
