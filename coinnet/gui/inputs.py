"""How images get into the main window besides its dialogs: paste, and drag-and-drop of files, folders or pixels."""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtGui import QGuiApplication

from coinnet.files import atomic_path, is_image_name
from coinnet.gui.qtimage import from_qimage


class ImageInputs:
    """Mixed into the main window, which provides ``tabs``, ``single``, ``open_image``, ``start_batch``,
    ``show_message`` and ``_paste_dir`` (a temporary folder that pasted pixels are saved to)."""

    def paste(self) -> bool:
        """Paste an image, or image files/folders copied in a file manager."""
        mime = QGuiApplication.clipboard().mimeData()
        if mime is not None and mime.hasUrls():
            return self._open_urls(mime.urls())
        return self._open_qimage(QGuiApplication.clipboard().image())

    def _open_qimage(self, image) -> bool:
        if image is None or image.isNull():
            self.show_message("The clipboard holds no image.")
            return False
        # A real file keeps pasted images usable by export and review like any other.
        self._pastes += 1  # two pastes within a second must not share a file (results are keyed by file)
        path = Path(self._paste_dir.name) / time.strftime(f"pasted-%Y%m%d-%H%M%S-{self._pastes}.png")
        with atomic_path(path) as tmp:
            image.save(str(tmp), "PNG")
        self.tabs.setCurrentWidget(self.single)
        self.single.set_image(from_qimage(image), path)
        return True

    def _open_urls(self, urls) -> bool:
        local = [Path(u.toLocalFile()) for u in urls if u.isLocalFile()]
        if len(local) == 1 and local[0].is_file():
            return self.open_image(local[0])
        items = [p for p in local if p.is_dir() or is_image_name(p)]
        if not items:
            self.show_message("Nothing to open: drop image files or folders.")
            return False
        return self.start_batch(items)

    def dragEnterEvent(self, event) -> None:  # noqa: N802 (Qt override)
        if event.mimeData().hasUrls() or event.mimeData().hasImage():
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: N802
        mime = event.mimeData()
        if mime.hasUrls():
            self._open_urls(mime.urls())
        elif mime.hasImage():
            self._open_qimage(mime.imageData())
        event.acceptProposedAction()
