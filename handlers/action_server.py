"""The product's rasa-sdk action server, closed to everyone but Rasa.

    python -m handlers.action_server        (started by `make run`; ACTION_SECRET must be set)

rasa-sdk's own app (`rasa_sdk.endpoint.create_app`) serves our actions (handlers/actions/). Two things are added:
it listens on INTERNAL_HOST (loopback unless a cluster says otherwise), and every call but /health must carry the
shared secret that Rasa sends as its action endpoint's `token` (endpoints.yml, written by the launcher). Without
them, anyone who reaches the port could run `action_analyse_complaint` for any sender.
"""

from __future__ import annotations

import hmac
import logging
import os
import sys

from rasa_sdk.endpoint import create_app
from rasa_sdk.executor import ActionExecutor
from sanic import Request, Sanic, response

from bot import intake
from bot.logs import setup_logging
from bot.settings import get_settings

log = logging.getLogger(__name__)
OPEN_PATHS = {"/health"}  # the launcher's health check


def build_app(secret: str) -> Sanic:
    executor = ActionExecutor()
    executor.register_package("handlers.actions")
    app = create_app(executor, cors_origins=None)  # no browser ever calls it: no CORS

    @app.on_request
    async def only_rasa(request: Request) -> response.HTTPResponse | None:  # None: the request goes on
        if request.path in OPEN_PATHS:
            return None
        if not hmac.compare_digest(request.args.get("token", ""), secret):
            return response.json({"error": "forbidden"}, status=403)
        return None

    return app


def main() -> None:
    setup_logging()
    secret = os.environ.get("ACTION_SECRET", "")
    if len(secret) < 16:
        sys.exit("动作服务器需要 ACTION_SECRET（至少16个字符，由 make run 生成）：只有 Rasa 可以调用它。")
    settings = get_settings()
    log.info("models loaded in %.1f s", intake.warm_up())  # before listening: the first citizen does not wait
    build_app(secret).run(host=settings.internal_host, port=settings.action_port, single_process=True, access_log=False)


if __name__ == "__main__":
    main()
