"""Files the project reads and writes: image names, folder scans, and the one atomic writer (no torch).

Every file coinnet writes (results, labels.csv, reports, contact sheets, ONNX models) goes through
:func:`atomic_path`: a temporary file beside the target, renamed over it only once it is complete, so an
existing file is either left as it was or fully replaced, never half-written, even on Ctrl-C or a crash.
"""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

#: Image formats coinnet reads (CLI, GUI, training folders, mining).
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp")


def is_image_name(path: str | Path) -> bool:
    """Whether the name has one of :data:`IMAGE_SUFFIXES` (case-insensitive)."""
    return Path(path).suffix.lower() in IMAGE_SUFFIXES


def find_images(folder: str | Path, recursive: bool = False, skip_hidden: bool = False) -> list[Path]:
    """Image-named entries of a folder, sorted; with ``recursive``, of its sub-folders too.

    With ``skip_hidden``, names starting with a dot (``.thumbnails/``, ``._x.jpg``) are left out (the GUI's
    drag-and-drop of a folder).

    Entries are matched by name only, so a directory called ``x.jpg`` or a dangling symlink is listed and
    then reported by the decoder: users see every file they expected, with a reason. Symlinked folders are
    not followed, so a symlink loop cannot make the walk run forever.
    """
    found: list[Path] = []
    for root, dirs, names in os.walk(Path(folder), followlinks=False):
        if skip_hidden:
            names, dirs[:] = [n for n in names if not n.startswith(".")], [d for d in dirs if not d.startswith(".")]
        found += [Path(root) / name for name in names + dirs if is_image_name(name)]
        if not recursive:
            break
        dirs[:] = [d for d in dirs if not is_image_name(d)]
    return sorted(found)


#: What ``os.stat`` calls a file that is not a regular one, for the one-line refusal.
_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def not_regular(path: str | Path) -> str | None:
    """Why ``path`` (symlinks followed) is not a regular file, e.g. ``"a named pipe (FIFO)"``; None if it is one.

    Checked with ``os.stat`` before anything opens the file: opening a FIFO blocks until a writer comes, so a
    pipe named ``x.jpg`` would hang a worker thread that no Ctrl-C can free, and ``/dev/zero`` never ends.

    Raises:
        OSError: ``os.stat`` failed (missing file, broken symlink, permission, symlink loop).
    """
    mode = os.stat(path).st_mode
    if stat.S_ISREG(mode):
        return None
    return next((kind for test, kind in _KINDS if test(mode)), "not a regular file")


def printable(text: str) -> str:
    """``text`` with undecodable file-name bytes (``os.fsdecode``'s surrogate escapes) shown as ``\\xNN``.

    A name that is not UTF-8 on disk must still give valid UTF-8 in a results file or labels.csv.
    """
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


@lru_cache(maxsize=1)
def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _final_mode(path: Path) -> int:
    """An existing file keeps its permissions; a new one gets the usual ``0o666 & ~umask`` (mkstemp makes 0600)."""
    try:
        return path.stat().st_mode & 0o7777
    except OSError:
        return 0o666 & ~_umask()


@contextmanager
def atomic_path(path: str | Path, suffix: str | None = None) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; when the block ends without error it replaces ``path``.

    Args:
        path: the file to write (its folder is created).
        suffix: the temporary file's suffix (default ``path``'s own, so encoders that go by it still work).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=suffix or path.suffix or ".tmp")
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        os.chmod(tmp, _final_mode(path))
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def atomic_write(path: str | Path, data: bytes | str, errors: str = "strict") -> Path:
    """Write ``data`` (text is UTF-8 with ``errors``, newlines as given) to ``path`` atomically."""
    with atomic_path(path) as tmp:
        if isinstance(data, str):
            with tmp.open("w", encoding="utf-8", errors=errors, newline="") as fh:
                fh.write(data)
        else:
            tmp.write_bytes(data)
    return Path(path)


def atomic_copy(source: str | Path, target: str | Path) -> Path:
    """Copy ``source`` to ``target`` atomically."""
    with atomic_path(target) as tmp:
        shutil.copyfile(source, tmp)
    return Path(target)
