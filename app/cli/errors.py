"""What every command may raise and the exit codes: 2 for bad input, 1 for a failed run, 130 for Ctrl+C.

Apart from main.py so that the commands need not import the module that
imports them (main dispatches to the commands, never the other way round).
"""

from __future__ import annotations

from model_picker.redact import redact

EXIT_FAILED, EXIT_BAD_INPUT, EXIT_INTERRUPTED = 1, 2, 130


class CliError(Exception):
    """An expected failure: printed as one line (credentials redacted), exit code attached."""

    def __init__(self, message: str, code: int = EXIT_BAD_INPUT) -> None:
        super().__init__(redact(message))
        self.code = code
