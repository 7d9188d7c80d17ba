"""PySDK's exceptions, turned into one sentence that says what to do.

PySDK's messages carry C++ file names and line numbers and, offline, a page of
urllib3 text; the user needs the cause. The original is kept as ``detail`` for
the log panel.
"""

from __future__ import annotations

import re

from model_picker.errors import InferenceError
from model_picker.zoo.runtime.n2x import cache_error_message

__all__ = ["InferenceError", "explain"]


_RULES: list[tuple[str, str]] = [
    (r"Unable to access server ([\w.\-]+)|NameResolution|Failed to resolve|Temporary failure in name resolution",
     "cannot reach {0}: this machine has no route to it (offline, or a firewall). Use the bundled zoo, "
     "@local, or an AI server on your network"),
    (r"Connection refused|ConnectionRefused|Failed to establish a new connection",
     "the inference host refused the connection: is the AI server running, and is the port right?"),
    (r"Failed to perform model '[^']+' inference: \[CRITICAL\]Operation failed|Connection reset|Broken pipe",
     "lost the connection to {0} (the AI server stopped or the network dropped); the run was stopped"),
    (r"timed out|Timeout", "the inference host did not answer in time (network down or host overloaded)"),
    (r"Model '([^']+)' is not found in model zoo", "model '{0}' is not in that zoo (check the zoo URL)"),
    (r"Device type (\S+) is not supported by model",
     "this model cannot run on {0}; pick a model for the host's hardware"),
    (r"is TOO OLD|is NEWER than", "the model's ConfigVersion is not supported by this PySDK (1 to 14)"),
    (r"Postprocessor type '([^']+)' is not known", "the model asks for postprocessor '{0}', which PySDK does not have"),
    (r"Wrong input size", "the model file does not match the input size in its JSON (InputH/InputW/InputC)"),
    (r"Cannot read model|Loading model failed", "the model file cannot be loaded (missing or corrupt)"),
    (r"incorrect local model zoo URL '([^']+)'", "the zoo folder {0} does not exist"),
    (r"incorrect cloud model zoo URL '([^']+)'",
     "{0} is not a cloud zoo (org/zoo or https://…); for a folder on this machine choose the @local host"),
    (r"No devices? (?:of type )?(\S+)? ?(?:is |are )?available|no .*devices",
     "the device this model needs is not on the host"),
]


def _first_line(text: str) -> str:
    line = text.strip().splitlines()[0] if text.strip() else text
    return re.sub(r"\s*\[?\w+\.(?:h|cpp):\s*\d+.*$", "", line).strip()


def explain(exc: BaseException, host: str = "") -> InferenceError:
    """An InferenceError with the cause in words; unknown errors keep their first line."""
    if isinstance(exc, InferenceError):
        return exc
    detail = f"{type(exc).__name__}: {exc}"
    text = str(exc)
    n2x_cache = cache_error_message(text, host)  # before the rules: it also says "Loading model failed"
    if n2x_cache:
        return InferenceError(n2x_cache, detail)
    for pattern, template in _RULES:
        match = re.search(pattern, text)
        if match:
            groups = [g for g in match.groups() if g] if match.groups() else []
            filler = groups[0] if groups else (host or "the server")
            return InferenceError(template.format(filler), detail)
    return InferenceError(_first_line(text) or type(exc).__name__, detail)
