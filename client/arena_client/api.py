"""Talking to the server's ``/api/v1``: one session, and every failure turned into a one-line ClientError."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import requests

from arena_client import __version__

TIMEOUT = 60.0
LOGIN_HINT = "run `arena-client login` (or set ARENA_TOKEN)"


class ClientError(Exception):
    """A failure to report in one line, with the process's exit code."""

    def __init__(self, message: str, exit_code: int = 1, *, network: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code
        self.network = network


def normalized_url(url: str) -> str:
    """Return a server's base address without a trailing slash or ``/api/v1``; refuse what is not http(s)."""
    cleaned = url.strip().rstrip("/")
    cleaned = cleaned.removesuffix("/api/v1")
    if not cleaned:
        raise ClientError(f"no server address: {LOGIN_HINT}, or set ARENA_URL")
    if not cleaned.startswith(("http://", "https://")):
        raise ClientError(f"'{url}' is not a server address; give one like https://arena.example.org")
    return cleaned


def _in_words(seconds: int) -> str:
    hours, rest = divmod(max(seconds, 0), 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes} min"
    if minutes:
        return f"{minutes} min {secs} s"
    return f"{secs} s"


def error_message(response: requests.Response) -> str:
    """Return the one-line message for a refused request: the server's words plus what to do next."""
    try:
        body = response.json()
    except ValueError:
        body = None
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        kind = response.headers.get("Content-Type", "no content type").split(";")[0]
        return (
            f"{response.url} answered {response.status_code} with {kind}, not Arena's JSON: "
            "is the server address right?"
        )
    message = str(error.get("message") or error.get("code") or "refused")
    status = response.status_code
    if status == 401:
        return f"{message}: {LOGIN_HINT}"
    if error.get("field") and status in (400, 413, 422):
        message = f"{message} (field '{error['field']}')"
    if status == 429:
        retry_at, after = error.get("retry_at"), response.headers.get("Retry-After", "")
        if after.isdigit():
            message += f"; try again in {_in_words(int(after))}"
        if retry_at and str(retry_at) not in message:
            message += f" (at {retry_at})"
    problems = error.get("problems")
    if isinstance(problems, list) and problems:
        message += "; " + "; ".join(str(p.get("message", p)) if isinstance(p, dict) else str(p) for p in problems[:5])
    return f"refused ({status} {error.get('code', '')}): {message}"


class Api:
    """A client of one Arena server, authenticated with a bearer token when it has one."""

    def __init__(self, url: str, token: str = "", timeout: float = TIMEOUT) -> None:
        self.base = normalized_url(url)
        self.token = token
        self.timeout = timeout
        self.session = requests.Session()
        self.session.headers["User-Agent"] = f"arena-client/{__version__}"
        if token:
            self.session.headers["Authorization"] = f"Bearer {token}"

    def url(self, path: str) -> str:
        """Return the absolute address of an API path (or pass an absolute URL through)."""
        return path if path.startswith(("http://", "https://")) else f"{self.base}/api/v1{path}"

    def send(self, method: str, path: str, *, ok: Iterable[int] = (), **kwargs: Any) -> requests.Response:
        """Send a request; a network failure or a status outside 2xx (and ``ok``) raises ClientError."""
        kwargs.setdefault("timeout", self.timeout)
        try:
            response = self.session.request(method, self.url(path), **kwargs)
        except requests.exceptions.SSLError as exc:
            raise ClientError(f"TLS failure talking to {self.base}: {exc.__class__.__name__}") from None
        except requests.exceptions.ConnectionError:
            raise ClientError(
                f"cannot reach {self.base}: is the server address right and the server up?", network=True
            ) from None
        except requests.exceptions.Timeout:
            raise ClientError(f"{self.base} did not answer within {self.timeout:.0f} s") from None
        except requests.exceptions.InvalidURL:
            raise ClientError(f"'{self.base}' is not a valid server address") from None
        if response.status_code >= 400 and response.status_code not in set(ok):
            raise ClientError(error_message(response))
        return response

    def get(self, path: str, **kwargs: Any) -> dict[str, Any]:
        """GET a JSON object."""
        return self.json(self.send("GET", path, **kwargs))

    def post(self, path: str, **kwargs: Any) -> dict[str, Any]:
        """POST and return the JSON object answered."""
        return self.json(self.send("POST", path, **kwargs))

    def delete(self, path: str, **kwargs: Any) -> dict[str, Any]:
        """DELETE and return the JSON object answered."""
        return self.json(self.send("DELETE", path, **kwargs))

    def json(self, response: requests.Response) -> dict[str, Any]:
        """Return a response's JSON object, or say the server is not Arena."""
        try:
            data = response.json()
        except ValueError:
            data = None
        if not isinstance(data, dict):
            raise ClientError(f"{response.url} did not answer with Arena's JSON: is the server address right?")
        return data
