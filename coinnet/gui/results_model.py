"""The table of predictions shared by the batch and review views, and its sort/filter proxy."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtGui import QBrush, QColor, QImage, QPixmap

from coinnet.catalog import notes_for
from coinnet.gui.doubt import review_key, weakest_prob, why_sentence, why_short, why_tooltip

COLUMNS = ("Image", "File", "Year", "Mint", "Confidence", "Status", "Why unsure", "Notes")
COL_THUMB, COL_FILE, COL_YEAR, COL_MINT, COL_CONF, COL_STATUS, COL_WHY, COL_NOTES = range(len(COLUMNS))
#: Raw value for sorting (numbers sort as numbers, not as text).
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
STATUS_COLOURS = {"unknown": QColor(255, 236, 179), "error": QColor(255, 205, 210)}
CORRECTED_COLOUR = QColor(200, 230, 201)


@dataclass
class ResultRow:
    """One processed file: the model's prediction, its thumbnail and, once reviewed, the saved label."""

    prediction: object  # coinnet.infer.predictor.Prediction
    thumbnail: QPixmap | None = None
    corrected: tuple[int | None, str | None] | None = None


def label_text(year: int | None, mint: str | None) -> str:
    """``1955 D``, ``1955`` (no mint mark), ``? D`` ... as a collector would read it."""
    year_text = "?" if year is None else str(year)
    if mint is None:
        return f"{year_text} ?"
    return year_text if mint == "none" else f"{year_text} {mint}"


def reading_summary(pred) -> str:
    """Rich text for one reading: label, confidence and status, why it may be wrong, the collector's notes."""
    if pred.status == "error":
        return f"error: {pred.error}"
    why = why_sentence(pred)
    return (
        f"{label_text(pred.year, pred.mint)} — {100 * pred.confidence:.0f}% ({pred.status})"
        + (f"<br><b>{why}</b>" if why else "")
        + (f"<br><i>{pred.notes}</i>" if pred.notes else "")
    )


def with_threshold(pred, threshold: float):
    """``pred`` with ok/unknown re-derived for ``threshold`` (errors stay errors); the same object if unchanged."""
    if pred.status == "error":
        return pred
    status = "unknown" if pred.confidence < threshold else "ok"
    if status == pred.status:
        return pred
    # An unsure reading must not claim a key date (catalog.notes_for), a sure one may.
    return replace(pred, status=status, notes=notes_for(pred.year, pred.mint, sure=status == "ok"))


class ResultsModel(QAbstractTableModel):
    """Rows of :class:`ResultRow`; a file processed again replaces its row."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.rows: list[ResultRow] = []

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802 (Qt API)
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        pred, col = row.prediction, index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, col)
        if role == SORT_ROLE:
            return self._sort_value(row, col)
        if role == Qt.ItemDataRole.DecorationRole and col == COL_THUMB:
            return row.thumbnail
        if role == Qt.ItemDataRole.ToolTipRole:
            return (why_tooltip(pred) if col == COL_WHY and pred.status != "error" else "") or pred.error or pred.file
        if role == Qt.ItemDataRole.BackgroundRole:
            colour = CORRECTED_COLOUR if row.corrected else STATUS_COLOURS.get(pred.status)
            return QBrush(colour) if colour else None
        if role == Qt.ItemDataRole.ForegroundRole and (row.corrected or pred.status in STATUS_COLOURS):
            return QBrush(QColor(20, 20, 20))  # the pastel backgrounds need dark text in dark themes too
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (COL_YEAR, COL_MINT, COL_CONF):
            return int(Qt.AlignmentFlag.AlignCenter)
        return None

    @staticmethod
    def _display(row: ResultRow, col: int):
        pred = row.prediction
        if col == COL_FILE:
            return Path(pred.file).name
        if col == COL_YEAR:
            return "" if pred.year is None else str(pred.year)
        if col == COL_MINT:
            return pred.mint or ""
        if col == COL_CONF:
            return "" if pred.status == "error" else f"{100 * pred.confidence:.0f}%"
        if col == COL_STATUS:
            return f"corrected: {label_text(*row.corrected)}" if row.corrected else pred.status
        if col == COL_WHY:
            return why_short(pred)
        if col == COL_NOTES:
            return pred.error if pred.status == "error" else pred.notes
        return None

    @staticmethod
    def _sort_value(row: ResultRow, col: int):
        pred = row.prediction
        if col == COL_YEAR:
            return -1 if pred.year is None else pred.year
        if col == COL_CONF or col == COL_THUMB:
            return -1.0 if pred.status == "error" else float(pred.confidence)
        if col == COL_WHY:  # the least sure head first; rows without one (errors too) last
            return weakest_prob(pred) if pred.status != "error" else 3.0
        return str(ResultsModel._display(row, col) or "").lower()

    def clear(self) -> None:
        self.beginResetModel()
        self.rows = []
        self.endResetModel()

    def add(self, prediction, thumbnail: QImage | QPixmap | None = None) -> int:
        """Add a row, or replace the row of the same file; returns its row number."""
        if isinstance(thumbnail, QImage):
            thumbnail = QPixmap.fromImage(thumbnail)  # pixmaps only in the GUI thread, hence here
        for i, row in enumerate(self.rows):
            if row.prediction.file == prediction.file:
                self.rows[i] = ResultRow(prediction, thumbnail or row.thumbnail)
                self.dataChanged.emit(self.index(i, 0), self.index(i, len(COLUMNS) - 1))
                return i
        self.beginInsertRows(QModelIndex(), len(self.rows), len(self.rows))
        self.rows.append(ResultRow(prediction, thumbnail))
        self.endInsertRows()
        return len(self.rows) - 1

    def add_many(self, pairs: list[tuple[object, QImage | None]]) -> None:
        for prediction, thumbnail in pairs:
            self.add(prediction, thumbnail)

    def predictions(self) -> list:
        return [row.prediction for row in self.rows]

    def mark_corrected(self, row: int, year: int | None, mint: str | None) -> None:
        self.rows[row].corrected = (year, mint)
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))

    def apply_threshold(self, threshold: float) -> None:
        """Re-derive ok/unknown for every row after the user moves the threshold (errors stay errors)."""
        for row in self.rows:
            row.prediction = with_threshold(row.prediction, threshold)
        if self.rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self.rows) - 1, len(COLUMNS) - 1))


class ResultsFilter(QSortFilterProxyModel):
    """Sorts by raw values and keeps the rows that match a status and a piece of text."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setSortRole(SORT_ROLE)
        self._text = ""
        self._status = ""
        self._hide_corrected = False
        self._hide_errors = False

    def _refilter(self, **changes) -> None:
        # Qt >= 6.10 replaced invalidateFilter() with begin/endFilterChange (the old call now warns).
        modern = hasattr(self, "endFilterChange")
        if modern:
            self.beginFilterChange()
        for name, value in changes.items():
            setattr(self, name, value)
        self.endFilterChange() if modern else self.invalidateFilter()

    def set_text(self, text: str) -> None:
        self._refilter(_text=text.strip().lower())

    def set_status(self, status: str) -> None:
        """Keep only rows with this status ("" = all; "corrected" = reviewed rows)."""
        self._refilter(_status=status)

    def set_hide_errors(self, hide: bool) -> None:
        self._refilter(_hide_errors=hide)

    def set_hide_corrected(self, hide: bool) -> None:
        self._refilter(_hide_corrected=hide)

    def lessThan(self, source_left: QModelIndex, source_right: QModelIndex) -> bool:  # noqa: N802
        # Equal confidences: the reading with the weaker head is the likelier mistake, so it sorts first.
        if source_left.column() == COL_CONF and source_right.column() == COL_CONF:
            rows = self.sourceModel().rows
            left, right = rows[source_left.row()].prediction, rows[source_right.row()].prediction
            return review_key(left) < review_key(right)
        return super().lessThan(source_left, source_right)

    def filterAcceptsRow(self, source_row: int, source_parent: QModelIndex) -> bool:  # noqa: N802
        row: ResultRow = self.sourceModel().rows[source_row]
        pred = row.prediction
        if (self._hide_corrected and row.corrected) or (self._hide_errors and pred.status == "error"):
            return False
        if self._status == "corrected":
            if not row.corrected:
                return False
        elif self._status and pred.status != self._status:
            return False
        if not self._text:
            return True
        haystack = " ".join(
            str(v)
            for v in (Path(pred.file).name, pred.year, pred.mint, pred.status, pred.notes, pred.error, why_short(pred))
            if v
        ).lower()
        return self._text in haystack
