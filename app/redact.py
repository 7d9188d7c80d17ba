"""Keep credentials out of everything the app shows or saves.

Registry and stream URLs may carry secrets: ``http://user:pass@host/…``,
``rtsp://admin:pass@camera/…`` or ``?token=…`` in the query. The full URL is
needed to connect, so it stays in memory; every message, log line, setting,
cache file and label gets ``redact(text)`` instead, which replaces the secret
parts with ``***`` and leaves the rest readable (scheme, host, path).

URLs the app derives and hands around (a zoo URL resolved against a registry URL
that carries ``user:pass@``) travel in their redacted form: ``conceal`` keeps
the real one in an in-memory map keyed by the redacted text, and only the code
that opens the connection calls ``reveal``. Whatever prints, saves or reports a
spec then has nothing secret to leak.
"""

from __future__ import annotations

import re

MASK = "***"
# user[:password]@ right after a scheme's "//": up to the last "@" of the authority, so a password
# holding a raw "@" is masked whole
_USERINFO = re.compile(r"(?P<scheme>\b[a-zA-Z][a-zA-Z0-9+.-]*://)(?P<userinfo>[^/\s?#\"<>]+)@")
# user:password@host without a scheme (a host:port built from a URL's netloc)
_BARE_USERINFO = re.compile(r"(?<![\w/:@.%+~*-])[\w.%+~-]+:[^\s/?#\"<>]*@(?=[\w\[])")
# query or fragment parameters whose name says they are a secret
_SECRET_NAMES = r"token|access_token|api_key|apikey|key|password|passwd|pwd|secret|auth|signature|sig|credential"
_SECRET_PARAM = re.compile(rf"(?P<lead>[?&#;](?:{_SECRET_NAMES})=)(?P<value>[^&#\s'\"]*)", re.IGNORECASE)

_REAL: dict[str, str] = {}  # redacted URL -> the real one, for this process only


def redact(text: str) -> str:
    """``text`` with URL credentials and secret query values replaced by ``***``.

    Works on whole messages as well as on bare URLs, so an exception's text can
    be passed through unchanged in meaning.
    """
    if not text or ("@" not in text and "=" not in text):
        return text
    text = _USERINFO.sub(lambda m: f"{m['scheme']}{MASK}@", text)
    text = _BARE_USERINFO.sub(f"{MASK}@", text)
    return _SECRET_PARAM.sub(lambda m: f"{m['lead']}{MASK}" if m["value"] else m[0], text)


def has_secret(text: str) -> bool:
    """True when ``redact`` would change ``text`` (the caller must keep the original in memory only)."""
    return redact(text) != text


def conceal(url: str) -> str:
    """``url`` redacted; when that hides a secret, the real URL is kept in memory for ``reveal``.

    Two URLs that differ only in their secrets share one redacted form: the last one concealed wins.
    """
    shown = redact(url)
    if shown != url:
        _REAL[shown] = url
    return shown


def reveal(url: str) -> str:
    """The real URL behind a concealed one (``url`` itself when it hides nothing): only to connect with."""
    return _REAL.get(url, url)
