"""The main window's menus, their keyboard shortcuts and the shortcut overview (Help ▸ Keyboard shortcuts)."""

from __future__ import annotations

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu, QMessageBox

Key = QKeySequence.StandardKey


def _add(window: QMainWindow, menu: QMenu, text: str, slot, shortcuts=(), tip: str = "") -> QAction:
    action = QAction(text, window)
    action.setShortcuts([QKeySequence(s) for s in shortcuts])
    action.setStatusTip(tip)
    action.triggered.connect(lambda *_: slot())
    menu.addAction(action)
    return action


def build_menus(w) -> None:
    """File, View, Tools and Help menus for :class:`coinnet.gui.app.MainWindow` ``w``."""
    menus = w.menuBar()
    file = menus.addMenu("&File")
    _add(w, file, "&Open image…", w.open_image_dialog, [Key.Open], "Open one photo")
    _add(w, file, "Open &folder…", w.open_folder_dialog, ["Ctrl+Shift+O"], "Read every image in a folder")
    _add(w, file, "Open fi&les…", w.open_files_dialog, ["Ctrl+Shift+L"], "Read several photos")
    _add(w, file, "&Paste image", w.paste, [Key.Paste], "Paste an image or copied files")
    file.addSeparator()
    _add(w, file, "Open &model…", w.open_model_dialog, ["Ctrl+M"], "Choose the ONNX model, see its metadata")
    _add(w, file, "&Export results…", w.export_results, ["Ctrl+E"], "Save results as CSV or JSON")
    file.addSeparator()
    _add(w, file, "&Quit", w.close, [Key.Quit])

    view = menus.addMenu("&View")
    image = w.single.view
    _add(w, view, "Zoom &in", image.zoom_in, [Key.ZoomIn, "Ctrl+="])
    _add(w, view, "Zoom &out", image.zoom_out, [Key.ZoomOut])
    _add(w, view, "&Fit to window", image.fit, ["Ctrl+0"])
    _add(w, view, "&Actual size", image.actual_size, ["Ctrl+1"])
    view.addSeparator()
    for i, name in enumerate(("&Single image", "&Batch", "&Review && correct")):
        _add(w, view, name, lambda i=i: w.tabs.setCurrentIndex(i), [f"Alt+{i + 1}"])

    tools = menus.addMenu("&Tools")
    w.process_action = _add(w, tools, "&Process image", w.process, ["Ctrl+R", "F5"], "Read the open image")
    _add(w, tools, "&Cancel batch", w.batch.cancel, ["Esc"])
    _add(w, tools, "Reset &enhancement", w.single.enhance_panel.reset, ["Ctrl+Shift+R"])
    tools.addSeparator()
    _add(w, tools, "&Train model…", w.open_train_wizard, ["Ctrl+T"], "Train a model in the background")
    _add(w, tools, "Open ML&flow UI", w.mlflow.open, [], "Browse training runs in the browser")

    help_menu = menus.addMenu("&Help")
    _add(w, help_menu, "&Keyboard shortcuts", lambda: show_shortcuts(w), [Key.HelpContents])
    first = w.toolbar.actions()[0] if w.toolbar.actions() else None
    w.toolbar.insertAction(first, w.process_action)
    w.toolbar.insertSeparator(first)


def shortcut_lines(w: QMainWindow) -> list[str]:
    """``"Action: keys"`` for every menu action that has a shortcut, in menu order."""
    lines = []
    for menu_action in w.menuBar().actions():
        for action in menu_action.menu().actions():
            if action.shortcuts():
                keys = ", ".join(s.toString(QKeySequence.SequenceFormat.NativeText) for s in action.shortcuts())
                text = action.text().replace("&&", "\0").replace("&", "").replace("\0", "&")
                lines.append(f"{text}: {keys}")
    return lines


def show_shortcuts(w: QMainWindow) -> None:
    QMessageBox.information(w, "Keyboard shortcuts", "\n".join(shortcut_lines(w)))
