"""Output files written whole or not at all: a temporary file in the same folder, renamed when complete.

Recordings, exports and reports are files a user opens later, hands to a customer
or feeds to another tool. A disk that fills up half way, or a folder that cannot be
written, must not leave a truncated MP4 or a PDF that looks complete: the bytes go
to a hidden ``.<stem>-XXXX.partial<suffix>`` beside the target, are synced, and
replace the target in one rename. Any failure removes the temporary file and
becomes one ``OutputError`` naming the target and the cause.
"""

from __future__ import annotations

import errno
import os
import secrets
import shutil
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import IO, Any

from model_picker.errors import OutputError

__all__ = ["AtomicFile", "OutputError", "PendingFile", "atomic_path", "output_error", "write_bytes", "write_text"]


def output_error(path: Path, exc: BaseException) -> OutputError:
    """One line for a failed output: a full disk says so, with the space left."""
    if isinstance(exc, OutputError):
        return exc
    code = getattr(exc, "errno", None)
    if code in (errno.ENOSPC, errno.EDQUOT):
        try:
            free = f"{shutil.disk_usage(path.parent).free / 1e6:.1f} MB free"
        except OSError:
            free = "no space left"
        return OutputError(f"cannot write {path}: the disk is full ({free}); nothing was kept")
    reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    return OutputError(f"cannot write {path}: {reason}; nothing was kept")


def _temporary(path: Path) -> Path:
    """A new empty file beside ``path`` (its folder made first), with the same suffix (some writers read it).

    Made with the umask's permissions, as the file itself would be (``mkstemp`` would make it private).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    for _ in range(100):
        temp = path.with_name(f".{path.stem}-{secrets.token_hex(4)}.partial{path.suffix}")
        try:
            os.close(os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
        except FileExistsError:
            continue
        return temp
    raise FileExistsError(errno.EEXIST, "no free temporary name", str(path.parent))


def _commit(temp: Path, path: Path) -> None:
    """Make the bytes durable, then put them in place in one step."""
    fd = os.open(temp, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(temp, path)


class PendingFile:
    """A temporary file beside ``path`` for a writer that needs a file name (PyAV); ``commit()`` puts it in place.

    ``discard()`` drops it; after either, both are no-ops, so a writer may be closed twice.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.temp: Path | None = None
        try:
            self.temp = _temporary(self.path)
        except OSError as exc:
            raise output_error(self.path, exc) from None

    def _close(self) -> None:
        """Close what writes into ``temp`` (subclasses)."""

    def commit(self) -> None:
        """Sync and rename into place (OutputError, with the file dropped, if that fails)."""
        if self.temp is None:
            return
        try:
            self._close()
            _commit(self.temp, self.path)
        except OSError as exc:
            self.discard()
            raise output_error(self.path, exc) from None
        self.temp = None

    def discard(self) -> None:
        """Drop what was written; the target is left as it was."""
        temp, self.temp = self.temp, None
        with suppress(OSError):
            self._close()
        if temp is not None:
            with suppress(OSError):
                temp.unlink()

    def __enter__(self) -> PendingFile:
        return self

    def __exit__(self, kind: Any, *rest: Any) -> None:
        self.commit() if kind is None else self.discard()


class AtomicFile(PendingFile):
    """A text file written bit by bit (exports, events): ``write`` turns a failure into an ``OutputError``
    and drops the file at once."""

    def __init__(self, path: str | Path, newline: str | None = None) -> None:
        super().__init__(path)
        self._file: IO[str] | None = None
        try:
            self._file = open(self.temp, "w", newline=newline, encoding="utf-8")  # type: ignore[arg-type]  # noqa: SIM115
        except OSError as exc:
            self.discard()
            raise output_error(self.path, exc) from None

    def write(self, text: str) -> int:
        if self._file is None:
            raise OutputError(f"cannot write {self.path}: it is closed")
        try:
            return self._file.write(text)
        except OSError as exc:
            self.discard()
            raise output_error(self.path, exc) from None

    def _close(self) -> None:
        file, self._file = self._file, None
        if file is not None:
            file.close()


@contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """A temporary path for a writer that needs a file name; it becomes ``path`` when the block completes.

    Whatever the block raises removes the temporary file; an ``OSError`` becomes an ``OutputError``.
    """
    pending = PendingFile(path)
    assert pending.temp is not None
    try:
        yield pending.temp
    except OSError as exc:
        pending.discard()
        raise output_error(pending.path, exc) from None
    except BaseException:
        pending.discard()
        raise
    pending.commit()


def write_bytes(path: str | Path, data: bytes) -> Path:
    """``path`` holds ``data`` whole, or is left as it was (OutputError)."""
    with atomic_path(path) as temp:
        temp.write_bytes(data)
    return Path(path)


def write_text(path: str | Path, text: str) -> Path:
    """``path`` holds ``text`` (UTF-8) whole, or is left as it was (OutputError)."""
    return write_bytes(path, text.encode("utf-8"))
