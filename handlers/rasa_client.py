"""Talks to the Rasa server through its REST channel (POST /webhooks/rest/webhook)."""

from __future__ import annotations

import httpx

from bot import http


class RasaUnavailable(RuntimeError):
    """Rasa did not answer (down, starting, or an error inside it)."""


def send(rasa_url: str, sender_id: str, text: str, metadata: dict | None = None, timeout: float = 20.0) -> list[dict]:
    payload = {"sender": sender_id, "message": text, "metadata": metadata or {}}
    try:
        answer = http.post_json(f"{rasa_url}/webhooks/rest/webhook", payload, timeout=timeout)
    except (httpx.HTTPError, ValueError) as exc:
        raise RasaUnavailable(str(exc)) from exc
    if not isinstance(answer, list):
        raise RasaUnavailable(f"unexpected answer from Rasa: {type(answer).__name__}")
    return answer


def actions_alive(health_url: str, timeout: float = 2.0) -> bool:
    """Whether the action server answers its health check: Rasa answers even when its actions cannot run (it
    then says nothing), so an empty answer is checked against this."""
    try:
        return httpx.get(health_url, timeout=timeout).status_code == 200
    except httpx.HTTPError:
        return False
