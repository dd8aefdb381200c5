"""``coinnet-gui`` / ``python -m coinnet.gui``: start the desktop app."""

from __future__ import annotations

import argparse
import os
import sys

from coinnet import env


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="coinnet-gui", description="Read Lincoln cent dates from photos.")
    parser.add_argument("--model", help="ONNX model to use (default: the last one used, else the shipped model)")
    parser.add_argument("images", nargs="*", help="an image to open, or several files/folders to read as a batch")
    args = parser.parse_args(argv)
    env.apply_offline_defaults()

    from PySide6.QtWidgets import QApplication

    from coinnet.gui.app import MainWindow
    from coinnet.gui.settings import APPLICATION, ORGANISATION

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setOrganizationName(ORGANISATION)
    app.setApplicationName(APPLICATION)
    window = MainWindow(model_path=args.model)
    window.show()
    if len(args.images) == 1 and os.path.isfile(args.images[0]):
        window.open_image(args.images[0])
    elif args.images:
        window.start_batch(args.images)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
