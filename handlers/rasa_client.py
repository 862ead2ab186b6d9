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
