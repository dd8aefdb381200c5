"""Typed access to the app's persistent settings (``QSettings``, organisation "coinnet")."""

from __future__ import annotations

from PySide6.QtCore import QSettings

ORGANISATION = "coinnet"
APPLICATION = "coinnet-gui"


class AppSettings:
    """Thin wrapper that hides ``QSettings``' string-typed values behind typed getters.

    Args:
        store: the ``QSettings`` to use; tests inject one backed by a temporary file.
    """

    def __init__(self, store: QSettings | None = None) -> None:
        self.store = store if store is not None else QSettings(ORGANISATION, APPLICATION)

    def text(self, key: str, default: str = "") -> str:
        """A string value (``default`` when unset)."""
        value = self.store.value(key, default)
        return default if value is None else str(value)

    def number(self, key: str, default: float | None = None) -> float | None:
        """A float value; ``default`` when unset or not a number (e.g. a hand-edited file)."""
        value = self.store.value(key, None)
        try:
            return default if value in (None, "") else float(value)
        except (TypeError, ValueError):
            return default

    def text_list(self, key: str) -> list[str]:
        """A list of strings (empty when unset)."""
        value = self.store.value(key, [])
        if isinstance(value, str):  # QSettings returns a bare string for a one-element list in INI files
            value = [value] if value else []
        return [str(v) for v in (value or [])]

    def set(self, key: str, value) -> None:
        self.store.setValue(key, value)

    def remove(self, key: str) -> None:
        self.store.remove(key)

    def sync(self) -> None:
        self.store.sync()
