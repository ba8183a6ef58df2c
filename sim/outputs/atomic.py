"""Writing files atomically: a file appears whole or not at all.

Every result file goes through here: a temporary file beside the destination,
flushed to disk (``fsync``), then renamed to the destination's name, so a
reader (or a run stopped half-way) never sees part of a file.
"""

from __future__ import annotations

import errno
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def temporary_name(target: Path) -> Path:
    """A hidden temporary path beside ``target``, unique to this process and call."""
    return target.with_name(f".{target.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")


@contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; on success, fsync it and rename it
    to ``target`` (a reader sees the whole file or none)."""
    # Named, not made: the writer creates it, with the user's umask (mkstemp's is 0600).
    tmp = temporary_name(target)
    try:
        yield tmp
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_text_atomic(path: str | os.PathLike[str], text: str, replace: bool = True) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same directory.

    The temporary file is flushed to disk (``fsync``) before it takes the
    destination's name, and is created with the user's umask like any file.

    Parameters
    ----------
    path
        The destination; its directory must exist.
    text
        The content, written as UTF-8.
    replace
        Replace an existing file (once the new content is fully written). Without
        it, an existing file is never touched: :class:`FileExistsError`.

    Raises
    ------
    OSError
        Naming ``path`` (never the temporary file): it is a folder, it exists
        (without ``replace``), or its folder cannot be written.
    """
    target = Path(path)
    if target.is_dir():
        raise IsADirectoryError(errno.EISDIR, "is a folder, not a file", str(target))
    tmp = temporary_name(target)
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except OSError as exc:  # name the file the user asked for, not the temporary one
        raise OSError(exc.errno, exc.strerror, str(target)) from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        if replace:
            os.replace(tmp, target)
        else:
            _link_new(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def _link_new(tmp: Path, target: Path) -> None:
    """Give ``tmp`` the name ``target`` only if nothing has that name (atomically)."""
    try:
        os.link(tmp, target)
    except FileExistsError:
        raise FileExistsError(errno.EEXIST, "already exists", str(target)) from None
    except OSError:  # a file system without hard links: check, then rename
        if os.path.lexists(target):
            raise FileExistsError(errno.EEXIST, "already exists", str(target)) from None
        os.rename(tmp, target)
