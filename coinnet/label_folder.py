"""``labels.csv`` folders (the format of ``cents-web``): the one reader and writer for training, evaluation,
mining and the desktop app's review (no torch).

Columns: ``file,year,mint[,view,legible,notes]``; ``file`` relative to the folder. An empty ``year`` or ``mint``
means "not legible" (None here), never a class.

Reading refuses what cannot be trusted, each with one line naming the file and row: a malformed file is a
:class:`LabelsError`; a row whose label was never struck (1908, 2099, 1965-D, 2017 without P) or whose file lies
outside the folder (``../``, an absolute path, a symlink out) is skipped with a warning, unless
``allow_outside`` is passed for the latter (a labels.csv from elsewhere must not make us read any file it names).

Writing keeps what is there: under an exclusive lock (``labels.csv.lock`` beside it) the file is read again, the
new rows are merged in by their normalised ``file`` (``./images/x`` is ``images/x``), columns coinnet does not
know are kept, and a UTF-8 BOM stays; the file is replaced atomically and keeps its permissions.
"""

from __future__ import annotations

import codecs
import csv
import io
import logging
import os
import posixpath
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from coinnet import labels
from coinnet.files import atomic_write, not_regular, printable

try:  # POSIX; elsewhere saving works unlocked (one app at a time)
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger(__name__)

REQUIRED_COLUMNS = ("file", "year", "mint")
#: The columns coinnet writes, in order.
COLUMNS = ("file", "year", "mint", "view", "legible", "notes")
#: ``notes`` of a crop made by ``coinnet.train.mine`` start with this, then the source photo's path.
MINED_FROM = "mined from "
LOCK_NAME = "labels.csv.lock"


class LabelsError(ValueError):
    """A labels.csv that cannot be used; the message is one line naming the file (and line) and the reason."""


@dataclass(frozen=True)
class LabelRecord:
    """One labelled photo."""

    path: str
    year: int | None
    mint: str | None
    view: str = ""
    legible: str = ""
    notes: str = ""

    @property
    def no_date(self) -> bool:
        """The image shows no readable date (:data:`coinnet.labels.NO_DATE`): a reject example for training."""
        return self.legible == labels.NO_DATE

    @property
    def source(self) -> str:
        """The original photo: a mined crop's source (from ``notes``), else the file itself; k-fold groups."""
        return self.notes[len(MINED_FROM) :] if self.notes.startswith(MINED_FROM) else self.path


@dataclass
class LabelTable:
    """A labels.csv as it is on disk: its columns in order (extra ones included), its rows, and its BOM."""

    columns: list[str] = field(default_factory=lambda: list(COLUMNS))
    rows: list[dict[str, str]] = field(default_factory=list)
    bom: bool = False


def normalise_file(name: str) -> str:
    """The canonical ``file`` value: stripped, POSIX, without ``./`` or doubled slashes (``./a//b`` -> ``a/b``)."""
    text = (name or "").strip()
    return posixpath.normpath(text) if text else ""


def read_table(folder: str | Path) -> LabelTable:
    """``folder/labels.csv`` with every column and row as text (an empty table when there is none yet).

    Raises:
        LabelsError: not a regular file, not UTF-8, a malformed or oversized field, a required column missing.
    """
    csv_path = Path(folder) / "labels.csv"
    if not os.path.lexists(csv_path):
        return LabelTable()
    try:
        kind = not_regular(csv_path)
        raw = csv_path.read_bytes() if kind is None else b""
    except OSError as exc:
        raise LabelsError(f"{csv_path}: cannot read ({exc.strerror or exc})") from None
    if kind is not None:
        raise LabelsError(f"{csv_path}: {kind}, not a regular file")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise LabelsError(f"{csv_path}: not UTF-8 text (byte {exc.start}: {exc.reason})") from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        rows = [{k: v or "" for k, v in row.items() if k is not None} for row in reader]
    except csv.Error as exc:  # e.g. a field over csv.field_size_limit() (128 KiB), a NUL byte
        raise LabelsError(f"{csv_path}:{reader.line_num + 1}: {exc}") from None  # the line it was reading
    columns = list(reader.fieldnames or [])
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        raise LabelsError(f"{csv_path}: missing column(s) {', '.join(missing)}")
    return LabelTable(columns, rows, raw.startswith(codecs.BOM_UTF8))


def _check_label(row: dict[str, str]) -> tuple[int | None, str | None, str | None]:
    """(year, mint, why the row is skipped or None); ValueError for a malformed field."""
    year, mint = labels.parse_year(row["year"]), labels.parse_mint(row["mint"])
    if year is not None and not labels.YEAR_MIN <= year <= labels.YEAR_MAX:
        return year, mint, f"year {row['year'].strip()} is outside {labels.YEAR_MIN}-{labels.YEAR_MAX}"
    if year is not None and mint is not None and not labels.is_valid(year, mint):
        mark = "no mint mark" if mint == "none" else f"mint mark {mint}"
        return year, mint, f"no {year} cent was struck with {mark}"
    return year, mint, None


def _outside(path: Path, root: Path) -> bool:
    try:
        return not path.resolve().is_relative_to(root)
    except (OSError, RuntimeError):  # a symlink loop: the decoder reports it like any unreadable file
        return False


def read_labels(folder: str | Path, limit: int | None = None, allow_outside: bool = False) -> list[LabelRecord]:
    """The usable rows of ``folder/labels.csv`` (the first ``limit``), paths resolved against the folder.

    Rows with a label never struck, or (without ``allow_outside``) a file outside the folder, are skipped with a
    warning naming the file and line.

    Raises:
        LabelsError: one line naming the file (and line): missing, unreadable, malformed.
    """
    folder = Path(folder).expanduser()
    csv_path = folder / "labels.csv"
    if not os.path.lexists(csv_path):
        raise LabelsError(f"{csv_path}: not found (a real-data folder must hold labels.csv)")
    table, root = read_table(folder), folder.resolve()
    records, skipped = [], 0
    for line, row in enumerate(table.rows, start=2):
        if limit is not None and len(records) >= limit:
            break
        try:
            year, mint, why = _check_label(row)
        except ValueError as exc:
            raise LabelsError(f"{csv_path}:{line}: {exc}") from None
        file = normalise_file(row["file"])
        if not file or file == ".":
            raise LabelsError(f"{csv_path}:{line}: empty file name")
        path = folder / file
        if why is None and not allow_outside and _outside(path, root):
            why = f"{file!r} is outside the folder (--allow-outside or data.real.allow_outside=true reads it)"
        if why is not None:
            log.warning("%s:%d: %s; row skipped", csv_path, line, why)
            skipped += 1
            continue
        extra = {k: (row.get(k) or "").strip() for k in ("view", "legible", "notes")}
        records.append(LabelRecord(str(path), year, mint, **extra))
    if skipped:
        log.warning("%s: skipped %d of %d rows (reasons above)", csv_path, skipped, len(table.rows))
    return records


def read_rows(folder: str | Path) -> list[dict[str, str]]:
    """The raw rows of ``folder/labels.csv`` (every column, :data:`COLUMNS` always present; [] when none yet).

    Raises:
        LabelsError: see :func:`read_table`.
    """
    return [{**dict.fromkeys(COLUMNS, ""), **row} for row in read_table(folder).rows]


@contextmanager
def locked(folder: str | Path) -> Iterator[None]:
    """Hold the folder's exclusive ``labels.csv.lock`` (``flock``): one read-merge-write at a time, any process."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    fd = os.open(folder / LOCK_NAME, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o666)
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock; the lock file stays (deleting it would race other savers)


def _write_table(folder: Path, table: LabelTable) -> Path:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=table.columns, restval="", extrasaction="ignore")
    writer.writeheader()
    # Non-UTF-8 bytes in a name (os.fsdecode's escapes) are written as \xNN: the file stays valid UTF-8.
    writer.writerows({k: printable(str(v)) for k, v in row.items()} for row in table.rows)
    return atomic_write(folder / "labels.csv", ("\ufeff" if table.bom else "") + buffer.getvalue())


def _with_columns(table: LabelTable) -> LabelTable:
    """The table with any of :data:`COLUMNS` it lacks appended (its own order and extra columns kept)."""
    table.columns += [c for c in COLUMNS if c not in table.columns]
    return table


def merge_rows(folder: str | Path, rows: Iterable[dict]) -> Path:
    """Add or update ``rows`` in ``folder/labels.csv``, keyed by their normalised ``file``; returns its path.

    Under :func:`locked`, the file is read again right before writing, so rows saved meanwhile by another
    process (or window) are kept. A row for a file already there replaces the fields it gives (extra columns
    stay); every other row for that same file (``./x`` beside ``x``) is dropped, as the new label supersedes it.

    Raises:
        LabelsError: the existing labels.csv cannot be read (it is then left as it is).
    """
    folder = Path(folder)
    with locked(folder):
        table = _with_columns(read_table(folder))
        for new in rows:
            key = normalise_file(str(new["file"]))
            new = {k: "" if v is None else str(v) for k, v in new.items()} | {"file": key}
            same = [i for i, row in enumerate(table.rows) if normalise_file(row.get("file", "")) == key]
            if same:
                table.rows[same[0]] = {**table.rows[same[0]], **new}
                table.rows = [row for i, row in enumerate(table.rows) if i not in same[1:]]
            else:
                table.rows.append(new)
        for row in table.rows:
            row["file"] = normalise_file(row.get("file", ""))
        return _write_table(folder, table)


def write_rows(folder: str | Path, rows: Iterable[dict]) -> Path:
    """Replace ``folder/labels.csv`` with ``rows`` (:data:`COLUMNS`), atomically and under the lock; its path."""
    folder = Path(folder)
    with locked(folder):
        table = LabelTable(rows=[{**r, "file": normalise_file(str(r["file"]))} for r in rows])
        return _write_table(folder, table)
