"""All configuration in one place, read from the environment when asked for (never at import time)."""

from __future__ import annotations

import os
import zlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


class SettingsError(ValueError):
    """A configuration value is missing or malformed; the message says which and why."""


@dataclass(frozen=True)
class Settings:
    var_dir: Path  # the database (by default), logs, uploads, demo staff file
    database_url: str
    rasa_url: str
    action_port: int
    internal_host: str  # where Rasa and the action server listen: loopback, unless a cluster needs otherwise
    rasa_token: str | None  # Rasa's HTTP API token (make run makes one per run when unset)
    web_host: str
    web_port: int
    public_url: str
    telegram_token: str | None
    telegram_api_base_url: str | None
    jurisdiction_file: Path
    model_dir: Path
    real_data_dir: Path  # TipDM 2020 C messages used as further training data when the folder exists
    upload_dir: Path
    rasa_timeout: float
    retention_years: int  # closed tickets keep personal data this long (`petition purge`)
    rasa_workers: int = 1  # Rasa processes, on RASA_URL's port and the ports after it
    redis_url: str | None = None  # several Rasa workers' locks and conversations (make run starts one when unset)
    redis_port: int = 6380  # where make run starts that Redis (loopback, data in the var folder)

    @property
    def rasa_urls(self) -> list[str]:
        """Every Rasa worker's URL: RASA_URL, then the same host on the next ports."""
        base, _, port = self.rasa_url.rpartition(":")
        return [f"{base}:{int(port) + i}" for i in range(self.rasa_workers)]

    def rasa_url_for(self, sender_id: str) -> str:
        """The worker that holds this citizen's conversation: always the same one for a sender (a stable hash),
        so its turns never wait for each other's lock in another process."""
        urls = self.rasa_urls
        return urls[zlib.crc32(sender_id.encode("utf-8")) % len(urls)]


def _int(env: dict[str, str], name: str, default: int) -> int:
    raw = env.get(name, str(default))
    try:
        value = int(raw)
    except ValueError as exc:
        raise SettingsError(f"{name} must be an integer, got {raw!r}") from exc
    if not 0 < value < 65536:
        raise SettingsError(f"{name} must be a port number, got {value}")
    return value


def load_settings(env: dict[str, str] | None = None) -> Settings:
    env = dict(os.environ if env is None else env)
    var = Path(env.get("PETITION_VAR_DIR", ROOT / "var"))
    database_url = env.get("DATABASE_URL") or f"sqlite:///{var / 'petition.db'}"
    if "://" not in database_url:
        raise SettingsError(f"DATABASE_URL is not a URL: {database_url!r}")
    web_port = _int(env, "WEB_PORT", 8000)
    jurisdiction = Path(env.get("JURISDICTION_FILE", ROOT / "bot" / "jurisdiction.yml"))
    if not jurisdiction.is_file():
        raise SettingsError(f"JURISDICTION_FILE does not exist: {jurisdiction}")
    try:
        rasa_timeout = float(env.get("RASA_TIMEOUT", "20"))
    except ValueError as exc:
        raise SettingsError("RASA_TIMEOUT must be a number of seconds") from exc
    return Settings(
        var_dir=var,
        database_url=database_url,
        rasa_url=env.get("RASA_URL", "http://127.0.0.1:5005").rstrip("/"),
        action_port=_int(env, "ACTION_PORT", 5055),
        internal_host=env.get("INTERNAL_HOST", "127.0.0.1"),
        rasa_token=env.get("RASA_TOKEN") or None,
        web_host=env.get("WEB_HOST", "127.0.0.1"),
        web_port=web_port,
        public_url=env.get("PUBLIC_URL", f"http://127.0.0.1:{web_port}").rstrip("/"),
        telegram_token=env.get("TELEGRAM_BOT_TOKEN") or None,
        telegram_api_base_url=(env.get("TELEGRAM_API_BASE_URL") or None),
        jurisdiction_file=jurisdiction,
        model_dir=Path(env.get("MODEL_DIR", ROOT / "models")),
        real_data_dir=Path(env.get("REAL_DATA_DIR", ROOT.parent / "shared" / "datasets" / "tipdm2020c")),
        upload_dir=Path(env.get("UPLOAD_DIR", var / "uploads")),
        rasa_timeout=rasa_timeout,
        retention_years=_years(env),
        rasa_workers=_workers(env),
        redis_url=env.get("REDIS_URL") or None,
        redis_port=_int(env, "REDIS_PORT", 6380),
    )


def _workers(env: dict[str, str]) -> int:
    raw = env.get("RASA_WORKERS", "1")
    if not raw.isdigit() or not 1 <= int(raw) <= 16:
        raise SettingsError(f"RASA_WORKERS must be a whole number from 1 to 16, got {raw!r}")
    return int(raw)


def _years(env: dict[str, str]) -> int:
    raw = env.get("RETENTION_YEARS", "3")
    if not raw.isdigit() or int(raw) < 1:
        raise SettingsError(f"RETENTION_YEARS must be a whole number of years (1 or more), got {raw!r}")
    return int(raw)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()
