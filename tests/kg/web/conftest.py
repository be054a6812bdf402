"""Helpers of the web tests: one HTTP fetch that returns error answers instead of raising them."""
from __future__ import annotations

import urllib.error
import urllib.request

TIMEOUT = 10  # seconds, for every HTTP request


def fetch(request: urllib.request.Request | str) -> tuple[int, dict[str, str], bytes]:
    """(status, headers, body) of one request, 4xx and 5xx included."""
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()
