"""Getting a grant token from n8n's task broker: the one HTTP call of the protocol."""

from __future__ import annotations

import httpx

__all__ = ["BrokerUnavailable", "request_grant"]

AUTH_TIMEOUT = 10.0  # seconds


class BrokerUnavailable(Exception):
    """The broker could not be reached or refused the runner; the runner retries."""


async def request_grant(broker_uri: str, auth_token: str) -> str:
    """`POST /runners/auth {"token"}` → a grant good for one websocket connection."""
    url = f"{broker_uri.rstrip('/')}/runners/auth"
    try:
        async with httpx.AsyncClient(timeout=AUTH_TIMEOUT) as http:
            response = await http.post(url, json={"token": auth_token})
    except httpx.HTTPError as err:
        raise BrokerUnavailable(f"POST {url}: {err!r}") from err
    if response.status_code != 200:
        raise BrokerUnavailable(f"POST {url} answered {response.status_code} (is "
                                "N8N_RUNNERS_AUTH_TOKEN the broker's token?)")
    try:
        return str(response.json()["data"]["token"])
    except (ValueError, KeyError, TypeError) as err:
        raise BrokerUnavailable(f"POST {url}: unexpected answer {response.text[:200]!r}"
                                ) from err
