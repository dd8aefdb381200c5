"""Screenshots of the desktop app for the docs: single view, batch view, review, training wizard.

Runs the real app under Xvfb (Debian: ``apt-get install -y xvfb``) so fonts and styles render as on a
desktop; without Xvfb it says so and falls back to Qt's offscreen platform. Settings go to a temporary file,
never the user's.

    python scripts/screenshots.py [--model M.onnx] [--images DIR] [--out docs] [--train]

``--train`` also runs a real few-second smoke training (``experiment=smoke``) in the wizard and captures it.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
# Our own rendered photos: screenshots in docs/ must not show third-party photos.
DEFAULT_IMAGES = REPO / "examples"
SIZE = (1280, 800)


def start_xvfb() -> subprocess.Popen | None:
    """Start Xvfb on a free display and point Qt at it; None (and a message) when it is unavailable."""
    binary = shutil.which("Xvfb")
    if binary is None:
        print(
            "Xvfb not found (Debian: apt-get install -y xvfb); falling back to the offscreen platform", file=sys.stderr
        )
        return None
    for display in range(99, 140):
        if Path(f"/tmp/.X11-unix/X{display}").exists() or Path(f"/tmp/.X{display}-lock").exists():
            continue
        proc = subprocess.Popen(
            [binary, f":{display}", "-screen", "0", f"{SIZE[0]}x{SIZE[1]}x24", "-nolisten", "tcp"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(50):
            if Path(f"/tmp/.X11-unix/X{display}").exists():
                os.environ["DISPLAY"] = f":{display}"
                os.environ["QT_QPA_PLATFORM"] = "xcb"
                return proc
            if proc.poll() is not None:
                break
            time.sleep(0.1)
        proc.kill()
    print("Xvfb did not start; falling back to the offscreen platform", file=sys.stderr)
    return None


def wait(app, seconds: float, until=lambda: False) -> None:
    """Let the event loop run for up to ``seconds`` or until ``until()`` is true."""
    end = time.monotonic() + seconds
    while time.monotonic() < end and not until():
        app.processEvents()
        time.sleep(0.02)


def save(widget, path: Path) -> None:
    widget.grab().save(str(path))
    print(f"wrote {path}")


def known_label(labels_csv: Path, review) -> tuple[str, str] | None:
    """The (year, mint) text that ``labels.csv`` holds for the photo selected in the review view."""
    import csv

    if not labels_csv.is_file() or review._current_source_row is None:
        return None
    name = Path(review.model.rows[review._current_source_row].prediction.file).name
    with labels_csv.open(newline="") as fh:
        for row in csv.DictReader(fh):
            if Path(row["file"]).name == name:
                return row["year"], row["mint"]
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", help="ONNX model (default: the shipped coinnet/infer/models/default.onnx)")
    parser.add_argument("--images", type=Path, default=DEFAULT_IMAGES, help="folder of example photos")
    parser.add_argument("--count", type=int, default=24, help="photos in the batch screenshot")
    parser.add_argument(
        "--single",
        default="whole0_2005.jpg",
        help="file in --images for the single view (a whole coin shows the date box)",
    )
    parser.add_argument("--out", type=Path, default=REPO / "docs")
    parser.add_argument("--train", action="store_true", help="run a real smoke training for the wizard shot")
    args = parser.parse_args(argv)
    if not args.images.is_dir():
        sys.exit(f"{args.images}: example image folder not found (pass --images DIR)")
    from coinnet import env

    env.apply_offline_defaults()
    xvfb = None if os.environ.get("QT_QPA_PLATFORM") == "offscreen" else start_xvfb()
    if xvfb is None:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    try:
        return shoot(args)
    finally:
        if xvfb is not None:
            xvfb.terminate()
            xvfb.wait(5)


def shoot(args) -> int:
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from coinnet.gui.app import MainWindow
    from coinnet.gui.qtimage import list_images
    from coinnet.gui.settings import AppSettings

    app = QApplication([sys.argv[0]])
    print(f"Qt platform: {app.platformName()}")
    args.out.mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix="coinnet-shots-"))
    settings = AppSettings(QSettings(str(workdir / "settings.ini"), QSettings.Format.IniFormat))
    window = MainWindow(settings, model_path=args.model)
    if window.predictor is None:
        sys.exit(f"no model: {window.statusBar().currentMessage()} (pass --model M.onnx)")
    window.resize(*SIZE)
    window.show()
    wait(app, 0.5)
    images = list_images(args.images)
    # Prefer a mid-sized photo so the single view shows real detail, not upscaled blur.
    sizes = sorted(images, key=lambda p: p.stat().st_size)
    chosen = args.images / args.single if args.single else sizes[int(len(sizes) * 0.8)]
    window.open_image(chosen if chosen.is_file() else sizes[int(len(sizes) * 0.8)])
    window.single.enhance_panel.set_values({"clahe": 1.5, "sharpen": 0.4})
    wait(app, 0.3)
    window.single.process()
    wait(app, 10, lambda: window.single.last_prediction is not None)
    wait(app, 0.5)  # let the result panel lay out its new text
    save(window, args.out / "screenshot_single.png")

    done = []
    window.batch.batch_finished.connect(done.append)
    window.start_batch(images[: args.count])
    wait(app, 120, lambda: bool(done))
    window.batch.table.scrollToTop()
    wait(app, 0.3)
    save(window, args.out / "screenshot_batch.png")

    window.tabs.setCurrentIndex(2)
    window.review.set_dataset_folder(str(workdir / "my-corrections"))
    window.review.select_first()
    truth = known_label(args.images.parent / "labels.csv", window.review)
    if truth:  # show the form filled in as a collector would, with the photo's real label
        window.review.year_edit.setCurrentText(truth[0])
        window.review.mint_edit.setCurrentText(truth[1])
    wait(app, 0.3)
    save(window, args.out / "screenshot_review.png")

    wizard = window.open_train_wizard()
    if args.images.parent.joinpath("labels.csv").is_file():
        wizard.data_page.add_folder(str(args.images.parent))
    wait(app, 0.3)
    save(wizard, args.out / "screenshot_wizard.png")
    if args.train:
        wizard.data_page.epoch_size.setCurrentText("64")
        wizard.model_page.epochs.setCurrentText("1")
        wizard.model_page.run_dir.setText(str(workdir / "run"))
        wizard.model_page.extra.setText("experiment=smoke threads=1")
        wizard.next()
        wizard.next()
        wait(app, 170, lambda: wizard.job is not None and wizard.job.ended)
        wait(app, 0.5)
        save(wizard, args.out / "screenshot_wizard_run.png")
        wizard.accept()
    window.close()
    shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
