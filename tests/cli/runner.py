"""The command line as a real process whose output goes to files, not pipes.

PySDK's postprocessor workers may outlive the command and keep its pipes open, so
``capture_output`` can wait long after the command has exited; files do not.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile


def cli(*args: str, env: dict[str, str] | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    """``model-picker ARGS``: returncode, stdout and stderr (text)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        done = subprocess.run([sys.executable, "-m", "model_picker", *args], stdout=out, stderr=err, timeout=timeout,
                              stdin=subprocess.DEVNULL, env=env or dict(os.environ))
        out.seek(0)
        err.seek(0)
        done.stdout, done.stderr = out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace")
    return done
