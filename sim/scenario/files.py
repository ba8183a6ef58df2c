"""Reading scenario and sweep-spec files safely: regular text files of a bounded size.

A scenario file is a regular UTF-8 text file of at most :data:`MAX_FILE_BYTES`.
Anything else (a directory, a device such as ``/dev/zero``, a pipe, a binary
file, a file too large) is refused in one line, before or while reading at most
that many bytes, and the refusal never echoes the file's content.
"""

from __future__ import annotations

import os
import stat

from sim.scenario.errors import Problem, ScenarioError

MAX_FILE_BYTES = 1 << 20
"""A scenario or sweep-spec file may hold at most 1 MiB (the base scenario holds 48 KB)."""
MAX_FILE_TEXT = "1 MiB"


def read_text(path: str, what: str = "scenario") -> str:
    """Return the text of the file at ``path``, refusing what cannot be a ``what`` file.

    Parameters
    ----------
    path
        The file, as the user named it (problems name it so).
    what
        What the file should be, for messages: ``scenario`` or ``sweep spec``.

    Raises
    ------
    ScenarioError
        One problem: not found, not a regular file, too large, not UTF-8 text, or
        unreadable.
    """
    try:
        info = os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        raise _refuse(path, "file not found") from None
    except OSError as exc:
        raise _refuse(path, f"cannot read the file: {exc.strerror}") from None
    if stat.S_ISDIR(info.st_mode):
        raise _refuse(path, f"is a directory, not a {what} file")
    if not stat.S_ISREG(info.st_mode):
        raise _refuse(path, f"is not a regular file (a device, a pipe or a socket), not a {what} file")
    too_big = _refuse(path, f"is larger than {MAX_FILE_TEXT}, the most a {what} file may hold")
    if info.st_size > MAX_FILE_BYTES:
        raise too_big
    try:
        with open(path, "rb") as f:
            data = f.read(MAX_FILE_BYTES + 1)  # never more, whatever the size said
    except OSError as exc:
        raise _refuse(path, f"cannot read the file: {exc.strerror}") from None
    if len(data) > MAX_FILE_BYTES:
        raise too_big
    if b"\0" in data:
        raise _refuse(path, f"is not a text file, not a {what} file")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise _refuse(path, f"is not UTF-8 text, not a {what} file") from None


def _refuse(path: str, message: str) -> ScenarioError:
    return ScenarioError([Problem(path, None, "", message)])
