"""The one error type of the registry package: what is wrong and where, in one line.

Kept apart from the loader so the YAML reader, the loader and the URL fetcher can
all raise it without importing each other. Every text goes through
``model_picker.redact.redact``: a registry URL may carry ``user:pass@`` or
``?token=``, and an error line is shown and logged.
"""

from __future__ import annotations

import unicodedata

from model_picker.redact import redact


def one_line(text: str) -> str:
    """``text`` with control characters written as escapes: a key may hold a newline, the message may not."""
    if text.isprintable():
        return text
    return "".join(repr(c)[1:-1] if unicodedata.category(c) in ("Cc", "Zl", "Zp") else c for c in text)


class RegistryError(Exception):
    """A registry that cannot be used, with where and what in one sentence."""

    def __init__(self, source: str, message: str, line: int | None = None,
                 column: int | None = None, field: str = "") -> None:
        self.source, self.line, self.column, self.field = redact(source), line, column, field
        self.reason = redact(message)
        where = one_line(self.source)
        if line is not None:
            where += f":{line}" + (f":{column}" if column is not None else "")
        shown_field = one_line(field) + ": " if field else ""
        super().__init__(f"{where}: {shown_field}{one_line(self.reason)}")
