"""The app's own JSON files (caches, records), read as the untrusted input they are, and written whole.

Anything on disk may be damaged or planted: random bytes, a file cut short, nesting deep
enough to exhaust the recursion limit, a number too long to convert, valid JSON of the
wrong shape, a folder or a FIFO where a file should be. Every such file goes through
``read_json``: read with a size cap (without blocking on a FIFO), parsed with every parser
failure caught, its shape checked by the caller's predicate, and when any of that fails,
moved aside as ``NAME.bad-<time>`` with one warning naming it, so the command goes on as
if the file were missing and the next write starts afresh. ``write_json`` writes through a
temporary file and a rename, so a reader never sees half a file (and never sets aside a
good one being written).
"""

from __future__ import annotations

import json
import logging
import os
import re
import stat
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from model_picker import atomic

__all__ = ["SMALL", "read_bytes", "read_json", "set_aside", "write_json", "write_text"]

SMALL = 4 * 1024 * 1024  # records, memos and owners: a few KB when written by the app
KEEP_BAD = 3  # set-aside copies kept per file, newest first
log = logging.getLogger("model_picker")
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_warned: set[str] = set()
_lock = threading.Lock()


def read_json(path: Path, valid: Callable[[Any], bool], limit: int = SMALL) -> Any | None:
    """The JSON value in ``path`` when ``valid`` accepts it; None when the file is missing or unusable.

    An unusable file (too large, not UTF-8, not JSON, nested too deeply, refused by ``valid``, not a
    regular file) is set aside with a warning; a file that cannot be opened at all is warned about once.
    """
    read = _read(path, limit)
    if read is None:
        return None
    value, reason = _parse(read[0], valid)
    if reason:
        set_aside(path, reason, read[1])
        return None
    return value


def read_bytes(path: Path, limit: int) -> bytes | None:
    """The bytes of ``path`` (None when it is missing); not a regular file, or over ``limit``: set aside, None."""
    read = _read(path, limit)
    return read[0] if read is not None else None


def _read(path: Path, limit: int) -> tuple[bytes, os.stat_result] | None:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)  # a FIFO planted here must not block the read
    except FileNotFoundError:
        return None
    except OSError as exc:
        _warn_once(path, f"{path} cannot be read ({exc.strerror or exc}); going on without it")
        return None
    try:
        was = os.fstat(fd)
        if stat.S_ISREG(was.st_mode):
            with os.fdopen(fd, "rb", closefd=False) as handle:
                raw = handle.read(limit + 1)
    except OSError as exc:
        _warn_once(path, f"{path} cannot be read ({exc.strerror or exc}); going on without it")
        return None
    finally:
        os.close(fd)
    if not stat.S_ISREG(was.st_mode):
        set_aside(path, "is a folder, not a file" if stat.S_ISDIR(was.st_mode) else "is not a regular file", was)
        return None
    if len(raw) > limit:
        set_aside(path, f"is larger than {limit:,} bytes", was)
        return None
    return raw, was


def _parse(raw: bytes, valid: Callable[[Any], bool]) -> tuple[Any, str]:
    """(value, "") or (None, why not)."""
    try:
        text = raw.decode("utf-8")
        value = json.loads(text)
        if _SURROGATE_ESCAPE.search(text):  # only an escape can make a lone surrogate (it cannot be printed)
            json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeDecodeError:
        return None, "is not UTF-8 text"
    except UnicodeEncodeError:
        return None, "holds text with a lone surrogate"
    except RecursionError:
        return None, "is nested too deeply"
    except ValueError as exc:  # JSONDecodeError, or an integer too long to convert
        return None, f"is not valid JSON ({getattr(exc, 'msg', None) or exc})"
    try:
        ok = valid(value)
    except (RecursionError, ValueError, TypeError, AttributeError, KeyError, IndexError):
        ok = False
    return (value, "") if ok else (None, "does not have the form the app writes")


def set_aside(path: Path, reason: str, was: os.stat_result | None = None) -> Path | None:
    """Move ``path`` to ``NAME.bad-<time>`` beside it, with one warning; the copy's path, or None.

    With ``was`` (the file as read), a file another process has written in its place since is left alone.
    """
    try:
        now = os.stat(path)
    except OSError:
        now = None
    if was is not None and now is not None and (now.st_dev, now.st_ino) != (was.st_dev, was.st_ino):
        return None
    bad = path.with_name(f"{path.name}.bad-{time.strftime('%Y%m%d-%H%M%S')}")
    for n in range(2, 100):
        if not os.path.lexists(bad):
            break
        bad = bad.with_name(f"{bad.name.rsplit('~', 1)[0]}~{n}")
    try:
        os.replace(path, bad)
    except FileNotFoundError:  # another process set it aside first
        _warn_once(path, f"{path} {reason}; ignored")
        return None
    except OSError as exc:
        _warn_once(path, f"{path} {reason}; ignored (cannot move it aside: {exc.strerror or exc})")
        return None
    _prune(path)
    log.warning("%s %s; moved aside as %s, and rebuilt when needed", path, reason, bad.name)
    return bad


def _prune(path: Path) -> None:
    try:
        copies = sorted(path.parent.glob(f"{_glob_escape(path.name)}.bad-*"), key=lambda p: p.name, reverse=True)
        for old in copies[KEEP_BAD:]:
            if old.is_dir() and not old.is_symlink():
                continue  # a folder set aside is left for the user to look at
            old.unlink(missing_ok=True)
    except OSError:
        pass


def _glob_escape(name: str) -> str:
    return "".join(f"[{c}]" if c in "*?[]" else c for c in name)


def _warn_once(path: Path, message: str) -> None:
    """A problem that would repeat at every read (the file stays where it is) is told once per process."""
    with _lock:
        if str(path) in _warned:
            return
        _warned.add(str(path))
    log.warning("%s", message)


def write_json(path: Path, value: Any, **dumps: Any) -> None:
    """Write ``value`` as JSON, whole or not at all (``write_text``); ValueError or TypeError if it is not JSON."""
    write_text(path, json.dumps(value, **dumps))


def write_text(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8) whole or not at all (``model_picker.atomic``); raises OSError.

    The folder is created when missing. A reader sees the old file or the new one, never a part.
    """
    atomic.write_text(path, text)
