"""Keep Python exceptions out of Qt's C++.

Qt calls our overrides of its virtuals (``data``, ``filterAcceptsRow``,
``paintEvent``, ``dropEvent``, ``QThread.run`` …) from C++. An exception that
escapes one of them can abort or corrupt the process (an IndexError in
``filterAcceptsRow`` during ``endResetModel`` is a segfault). ``qt_virtual``
wraps such an override: a failure becomes one line in the Log, the full
traceback goes to the Python logger, and Qt gets a harmless default answer.

Every Qt virtual overridden in app/ui carries this decorator;
tests/ui/shell/test_guard.py walks the classes to keep it so.
"""

from __future__ import annotations

import functools
import logging
import traceback
from collections.abc import Callable
from typing import Any, TypeVar

from model_picker.redact import redact

F = TypeVar("F", bound=Callable[..., Any])

GUARDED = "__qt_guarded__"
_log = logging.getLogger("model_picker")  # the Log panel's logger: one line for the user
_trace = logging.getLogger("qt_virtuals")  # outside "model_picker": the traceback stays out of the Log
_reported: set[tuple[str, str]] = set()


def _report(name: str, exc: BaseException) -> None:
    """Say it once per (function, exception type): a paintEvent that fails fails 60 times a second."""
    key = (name, type(exc).__name__)
    if key in _reported:
        return
    _reported.add(key)
    try:
        _log.error("internal error in %s: %s: %s (the window goes on; details in the terminal)",
                   name, type(exc).__name__, redact(str(exc)))
        _trace.error("%s", redact("".join(traceback.format_exception(exc))))
    except Exception:  # reporting must never be the thing that escapes
        pass


def qt_virtual(default: Any = None) -> Callable[[F], F]:
    """Decorate an override Qt calls from C++; on an exception return ``default`` instead.

    ``default`` is what Qt can live with: ``None`` for events and ``data``,
    ``True`` for ``filterAcceptsRow`` (show the row rather than hide it), ``0``
    for counts, ``False`` for ``lessThan``.
    """

    def wrap(function: F) -> F:
        name = function.__qualname__

        @functools.wraps(function)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            try:
                return function(*args, **kwargs)
            except Exception as exc:  # the whole point: nothing reaches C++
                _report(name, exc)
                return default

        setattr(guarded, GUARDED, True)
        return guarded  # type: ignore[return-value]

    return wrap
