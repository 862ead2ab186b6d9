"""All outgoing HTTP of the application goes through here, so tests replace one place."""

from __future__ import annotations

import httpx

_client: httpx.Client | None = None


def client() -> httpx.Client:
    global _client
    if _client is None:
        _client = httpx.Client(timeout=httpx.Timeout(30.0, connect=5.0))
    return _client


def post_json(url: str, payload: dict, timeout: float | None = None) -> dict | list:
    response = client().post(url, json=payload, timeout=timeout)
    response.raise_for_status()
    return response.json()
