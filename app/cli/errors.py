"""What every command may raise, the exit codes (2 for bad input, 1 for a failed run, 130 for Ctrl+C), and how to leave.

Apart from main.py so that the commands need not import the module that
imports them (main dispatches to the commands, never the other way round).
"""

from __future__ import annotations

import os
import sys

from model_picker.redact import redact
from model_picker.zoo.runtime.pproc import end_workers

EXIT_FAILED, EXIT_BAD_INPUT, EXIT_INTERRUPTED = 1, 2, 130


class CliError(Exception):
    """An expected failure: printed as one line (credentials redacted), exit code attached."""

    def __init__(self, message: str, code: int = EXIT_BAD_INPUT) -> None:
        super().__init__(redact(message))
        self.code = code


def end_children() -> None:
    """End the postprocessor workers PySDK started for this process: a worker of a model that was not
    released outlives the command and holds its stdout and stderr (a caller reading them would wait)."""
    end_workers(os.getpid())


def exit_now(code: int) -> None:
    """Leave at once, without releasing models (a model with a frame stuck in it can abort PySDK when
    released): output flushed, postprocessor workers ended."""
    sys.stdout.flush()
    sys.stderr.flush()
    end_children()
    os._exit(code)
