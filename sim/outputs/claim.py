"""Claiming a results folder before simulating, and publishing it whole.

A command that writes a results folder claims it first, before any work:

1. leftovers of dead runs beside it are cleaned up (a hidden ``.NAME.PID.TAG.partial``
   folder, a lock file, a ``.NAME.PID.old`` folder of an interrupted replacement);
2. the name is locked (``.NAME.lock``, see :mod:`sim.outputs.locks`): a second
   run for the same name finds it locked at once and takes another name (default
   folders) or stops with a clear message (a folder the user named);
3. an existing folder is refused, or with ``force`` replaced only if it is a
   results folder of this program (its ``manifest.json`` says so);
4. a hidden ``.NAME.PID.TAG.partial`` folder is made to write into (with the
   user's umask, like any folder).

:meth:`Claim.publish` flushes every file to disk and renames the partial folder
into place, so the folder appears whole or not at all; leaving the ``with``
block in any other way removes the partial folder and the lock.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from types import TracebackType

from sim.outputs.locks import FileLock, LockHeld, read_owner

PROGRAM = "liaohe-sim"
"""Written as ``program`` in every results folder's ``manifest.json``: the mark
that lets ``--force`` tell a folder of ours from anything else."""
_OUR_KEYS = ("scenario", "scenario_sha256", "seed", "reps")
"""Keys of the manifests written before the mark existed."""
_PARTIAL = re.compile(r"^\.(?P<name>.+)\.\d+\.[0-9a-f]{8}\.partial$")
_OLD = re.compile(r"^\.(?P<name>.+)\.\d+\.[0-9a-f]{8}\.old$")
_LOCK = re.compile(r"^\.(?P<name>.+)\.lock$")
_EARLIER = (re.compile(r"^\.(?P<name>.+)\.[a-z0-9_]{8}\.partial$"), re.compile(r"^\.(?P<name>.+)\.old-\d+$"))
"""The partial and replaced folders of versions before locks (``mkdtemp`` names)."""

Note = Callable[[str], None]


class FolderRefused(Exception):
    """The destination cannot be claimed; the message says why and what to do."""


class Claim:
    """A claimed destination: write into :attr:`tmp`, then :meth:`publish`."""

    def __init__(self, dest: Path, tmp: Path, lock: FileLock, replace: bool) -> None:
        self.dest, self.tmp, self.lock, self.replace = dest, tmp, lock, replace

    def publish(self) -> Path:
        """Flush the partial folder to disk and rename it into place; release the name."""
        fsync_tree(self.tmp)
        with _signals_held():  # Ctrl-C waits for the renames: never a replaced folder half-swapped
            self._rename()
        _fsync_dir(self.dest.parent)
        self.lock.release(remove=True)
        return self.dest

    def _rename(self) -> None:
        if self.replace and os.path.lexists(self.dest):
            old = self.dest.with_name(f".{self.dest.name}.{os.getpid()}.{secrets.token_hex(4)}.old")
            os.rename(self.dest, old)
            os.rename(self.tmp, self.dest)
            shutil.rmtree(old, ignore_errors=True)
        elif os.path.lexists(self.dest):  # made by something that does not take our locks
            raise FolderRefused(f"{self.dest} appeared while this run was writing it; nothing was written")
        else:
            os.rename(self.tmp, self.dest)

    def abandon(self) -> None:
        """Remove the partial folder and release the name."""
        shutil.rmtree(self.tmp, ignore_errors=True)
        self.lock.release(remove=True)

    def __enter__(self) -> Claim:
        return self

    def __exit__(self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None) -> None:
        if self.lock.held:
            self.abandon()


def claim_folder(out: Path | None, default: Path, force: bool = False, note: Note | None = None) -> Claim:
    """Claim the folder a command will write.

    Parameters
    ----------
    out
        The folder the user named (``--out``), or ``None`` for ``default``.
    default
        The default folder; when it exists or is being written, ``NAME-2``,
        ``NAME-3``… is taken instead (and ``note`` says so).
    force
        Replace ``out`` if it exists and is a results folder of this program.
    note
        Called with a line for the user (a new name, leftovers removed).

    Raises
    ------
    FolderRefused
        ``out`` exists (without ``force``), is not ours to replace, is being
        written by another run, or is the working folder or one above it.
    OSError
        The parent folder cannot be created or written.
    """
    say = note or (lambda _line: None)
    if out is not None:
        dest = Path(os.path.abspath(out))
        _refuse_working_folder(out, dest)
        return _claim(dest, out, force, say)
    base = Path(os.path.abspath(default))
    for k in range(1, 10_000):
        dest = base if k == 1 else base.with_name(f"{base.name}-{k}")
        try:
            claim = _claim(dest, dest, False, say, quiet_taken=True)
        except FolderRefused:
            continue
        if k > 1:
            say(f"note: {default} is taken (it exists, or another run is writing it); "
                f"writing to {default.with_name(dest.name)} instead")
        return claim
    raise FolderRefused(f"no free folder name beside {default}")


def _claim(dest: Path, shown: Path, force: bool, say: Note, quiet_taken: bool = False) -> Claim:
    _make_parent(dest, shown)
    clean_leftovers(dest.parent, say)
    lock = FileLock(dest.with_name(f".{dest.name}.lock"))
    try:
        lock.acquire()
    except LockHeld as held:
        who = f" (process {held.owner})" if held.owner else ""
        raise FolderRefused(f"{shown} is being written by another run{who}: choose another --out, "
                            "or wait for it to finish") from None
    try:
        if os.path.lexists(dest):
            if quiet_taken:
                raise FolderRefused(f"{shown} exists")
            if not force:
                raise FolderRefused(f"{shown} already exists: choose another --out, or pass --force to replace it")
            _check_ours(dest, shown)
        tmp = dest.with_name(f".{dest.name}.{os.getpid()}.{secrets.token_hex(4)}.partial")
        os.mkdir(tmp)  # the umask applies, as to any folder the user makes
    except BaseException:
        lock.release(remove=True)
        raise
    return Claim(dest, tmp, lock, replace=force)


def _make_parent(dest: Path, shown: Path) -> None:
    for folder in (dest.parent, *dest.parent.parents):
        if os.path.lexists(folder):
            if not folder.is_dir():
                raise FolderRefused(f"cannot write {shown}: {folder} is a file, not a folder")
            break
    dest.parent.mkdir(parents=True, exist_ok=True)  # OSError (no permission) is told as such


def _refuse_working_folder(out: Path, dest: Path) -> None:
    here = Path(os.path.abspath(os.getcwd()))
    if dest == here or dest in here.parents:
        raise FolderRefused(f"--out {out} is the working folder or holds it: name a new folder for the results")


def _check_ours(dest: Path, shown: Path) -> None:
    """Refuse to replace anything but a results folder written by this program."""
    if not dest.is_dir() or dest.is_symlink():
        raise FolderRefused(f"{shown} is not a folder: refusing to replace it; choose another --out")
    if not is_results_folder(dest):
        raise FolderRefused(f"{shown} is not a results folder of this program (no manifest.json of ours): "
                            "refusing to replace it; choose another --out")


def is_results_folder(folder: Path) -> bool:
    """Whether ``folder`` holds a ``manifest.json`` written by this program."""
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if not isinstance(manifest, dict):
        return False
    return manifest.get("program") == PROGRAM or all(k in manifest for k in _OUR_KEYS)


def clean_leftovers(parent: Path, note: Note | None = None) -> list[str]:
    """Remove what dead runs left in ``parent``; return the names removed.

    A leftover belongs to the name it was written for; it is removed only when
    that name's lock can be taken, that is when no live process is writing it.
    A ``.old`` folder of an interrupted replacement is put back when the new
    folder never arrived (nothing is lost), and removed otherwise.
    """
    groups: dict[str, list[str]] = {}
    try:
        entries = [e for e in os.listdir(parent) if e.startswith(".")]
    except OSError:
        return []
    for entry in entries:
        for pattern in (_PARTIAL, _OLD, *_EARLIER, _LOCK):
            m = pattern.match(entry)
            if m is not None:
                groups.setdefault(m.group("name"), []).append(entry)
                break
    removed: list[str] = []
    for name, found in groups.items():
        lock_file = parent / f".{name}.lock"
        if found == [lock_file.name] and read_owner(lock_file) is None:
            continue  # a lone file of that name that is not one of our locks: not ours to remove
        lock = FileLock(lock_file)
        try:
            lock.acquire()
        except (LockHeld, OSError):
            continue  # a live run is writing this name
        try:
            removed += _clean_name(parent, name, [e for e in found if e != f".{name}.lock"])
        finally:
            lock.release(remove=True)
    if removed and note is not None:
        note(f"note: removed what interrupted runs left in {parent}: {', '.join(sorted(removed))}")
    return removed


def _clean_name(parent: Path, name: str, found: list[str]) -> list[str]:
    removed = []
    for entry in sorted(found):
        path = parent / entry
        replaced = _OLD.match(entry) or _EARLIER[1].match(entry)
        if replaced and not os.path.lexists(parent / name):  # the replacement never arrived
            os.rename(path, parent / name)  # put the old folder back: nothing is lost
            continue
        shutil.rmtree(path, ignore_errors=True)
        if not os.path.lexists(path):
            removed.append(entry)
    return removed


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """Hold SIGINT and SIGTERM back (delivered when the block ends), in the main thread."""
    if not hasattr(signal, "pthread_sigmask") or threading.current_thread() is not threading.main_thread():
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def fsync_tree(folder: Path) -> None:
    """Flush every file under ``folder``, and the folders themselves, to disk."""
    for root, _dirs, files in os.walk(folder):
        for name in files:
            fd = os.open(os.path.join(root, name), os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        _fsync_dir(Path(root))


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms that cannot open folders
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)
