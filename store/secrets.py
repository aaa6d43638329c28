"""Credentials kept out of every message, log line and exception text: `mask(text)`.

A PostgreSQL target can carry a password three ways, and any of them can end up in a
message (an echoed `--db`, an error naming the database, psycopg's own error text):

- the user info of a URL: ``postgresql://owner:SECRET@host/db``;
- a ``password=`` parameter: ``postgresql://owner@host/db?password=SECRET`` or a libpq
  key=value string ``host=db user=owner password=SECRET`` (quoted values too), and the
  ``PGPASSWORD=`` / ``sslpassword=`` spellings of it.

Masking works on the text, not on a parsed URL, so a URL too malformed to parse (an unclosed
``[`` of an IPv6 host) is masked all the same. It errs on the side of hiding: everything up to
the last ``@`` of a URL's user info goes.
"""

from __future__ import annotations

import re

HIDDEN = "***"

# scheme://user:password@ — the password runs to the last @ before a space (an unencoded @ in
# a password is taken as libpq takes it: the host follows the last one).
_USERINFO = re.compile(r"(?P<head>\b[A-Za-z][A-Za-z0-9+.-]*://[^\s:/@?#]*:)(?P<secret>\S*)(?=@)")
# password=value: a value ends at &, whitespace or a quote; libpq's quoted form 'a \' b' whole.
_PARAM = re.compile(
    r"(?P<head>\b\w*password\s*=\s*)(?P<secret>'(?:[^'\\]|\\.)*'?|\"(?:[^\"\\]|\\.)*\"?|[^\s&'\"]+)",
    re.IGNORECASE,
)


def mask(text: str) -> str:
    """``text`` with every password it holds replaced by ``***``."""
    if "://" in text:
        text = _USERINFO.sub(lambda m: m["head"] + HIDDEN, text)
    return _PARAM.sub(lambda m: m["head"] + HIDDEN, text)


__all__ = ["HIDDEN", "mask"]
