"""Keep credentials out of everything the app shows or saves.

Registry and stream URLs may carry secrets: ``http://user:pass@host/…``,
``rtsp://admin:pass@camera/…`` or ``?token=…`` in the query. The full URL is
needed to connect, so it stays in memory; every message, log line, setting,
cache file and label gets ``redact(text)`` instead, which replaces the secret
parts with ``***`` and leaves the rest readable (scheme, host, path).
"""

from __future__ import annotations

import re

MASK = "***"
# user[:password]@ right after a scheme's "//"
_USERINFO = re.compile(r"(?P<scheme>\b[a-zA-Z][a-zA-Z0-9+.-]*://)(?P<userinfo>[^/@\s?#]+)@")
# query or fragment parameters whose name says they are a secret
_SECRET_NAMES = r"token|access_token|api_key|apikey|key|password|passwd|pwd|secret|auth|signature|sig|credential"
_SECRET_PARAM = re.compile(rf"(?P<lead>[?&#;](?:{_SECRET_NAMES})=)(?P<value>[^&#\s'\"]*)", re.IGNORECASE)


def redact(text: str) -> str:
    """``text`` with URL credentials and secret query values replaced by ``***``.

    Works on whole messages as well as on bare URLs, so an exception's text can
    be passed through unchanged in meaning.
    """
    if not text or ("@" not in text and "=" not in text):
        return text
    text = _USERINFO.sub(lambda m: f"{m['scheme']}{MASK}@", text)
    return _SECRET_PARAM.sub(lambda m: f"{m['lead']}{MASK}" if m["value"] else m[0], text)


def has_secret(text: str) -> bool:
    """True when ``redact`` would change ``text`` (the caller must keep the original in memory only)."""
    return redact(text) != text
