"""The app's own error types, at the bottom of the layers so every layer can raise them.

``str()`` of each is one line for the user (what and where); ``detail`` keeps the
original text for the log. The registry's located errors (``RegistryError``) live
with the registry; this module holds what the zoo, inference and both front ends share.
"""

from __future__ import annotations

from model_picker.redact import redact


class InferenceError(Exception):
    """A failure to fetch, connect, load or run a model: ``str()`` is for the user, ``detail`` for the log.

    Both are redacted: PySDK's and urllib3's texts may quote a URL with its credentials.
    """

    def __init__(self, message: str, detail: str = "") -> None:
        super().__init__(redact(message))
        self.detail = redact(detail or message)


class OutputError(OSError):
    """A file the user asked for (recording, export, report) that could not be written whole.

    An ``OSError``, so callers that already catch those keep working; ``str()`` is
    one line naming the file and the cause, and nothing partial was left behind.
    """
