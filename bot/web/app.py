"""The web application: citizen web chat, department / operator / supervisor pages and their JSON API.

`uvicorn bot.web.app:create_app --factory` builds it from the environment's settings. At start it creates the tables
and departments (init_db), registers the push transports, and every `push_interval` seconds retries pushes that
could not be delivered yet (None turns that off, as the tests do).
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
from collections.abc import Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import quote, urlsplit

from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from sqlalchemy import text
from starlette.exceptions import HTTPException as StarletteHTTPException
from swagger_ui_bundle import swagger_ui_path

from bot import auth as auth_service
from bot import intake, notify, vocabulary
from bot.db import engine_for, init_db, sessionmaker_for
from bot.jurisdiction import load_jurisdiction
from bot.logs import setup_logging
from bot.settings import Settings, get_settings
from bot.tickets import TicketError
from bot.vocabulary import ROLE_HOME
from bot.web.deps import COOKIE, LoginRequired, WrongRole
from bot.web.pages import render
from bot.web.routes import auth, department, open311, operator, supervisor
from classifier import pii

log = logging.getLogger(__name__)
HERE = Path(__file__).resolve().parent
PUSH_INTERVAL_SECONDS = 60.0

CSP = (
    "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


def install_pii_filter() -> None:
    """Phone and ID numbers are masked in every log line. Under plain uvicorn the root logger has no handler yet, so
    one is set up first (bot.logs), else our lines would go out unmasked. uvicorn's access log keeps its own filter:
    PiiMaskingFilter drops record.args, which its formatter needs."""
    setup_logging()
    for name in ("", "uvicorn"):
        pii.install_pii_filter(logging.getLogger(name))


class AccessLogFilter(logging.Filter):
    """uvicorn's access log without the web chat's browser ids (they are what lets a browser read its pushes),
    without phone or ID numbers, and without the successful status polls every open chat page makes."""

    SENDER = re.compile(r"(sender_id=web(?::|%3A))[A-Za-z0-9_-]+", re.IGNORECASE)

    def _clean(self, text: str) -> str:
        return pii.mask_pii(self.SENDER.sub(r"\1***", text))

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args if isinstance(record.args, tuple) else ()
        path = next((a for a in args if isinstance(a, str) and a.startswith("/")), "")
        if path.startswith("/api/chat/updates") and 200 in args:
            return False
        if args:  # the formatter unpacks the arguments: keep them a tuple
            record.args = tuple(self._clean(a) if isinstance(a, str) else a for a in args)
        if isinstance(record.msg, str):
            record.msg = self._clean(record.msg)
        return True


def install_access_log_filter() -> None:
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, AccessLogFilter) for f in access.filters):
        access.addFilter(AccessLogFilter())


async def _push_loop(app: FastAPI, interval: float) -> None:
    while True:
        await asyncio.sleep(interval)
        try:
            await asyncio.to_thread(notify.deliver_pending, app.state.engine)
        except Exception:  # never let the loop die; the next round retries
            log.exception("retrying pushes failed")


def _lifespan(push_interval: float | None):
    @asynccontextmanager
    async def lifespan(app: FastAPI):
        install_pii_filter()
        init_db(app.state.engine, app.state.jurisdiction)
        notify.configure_from_settings()
        if os.environ.get("WARM_MODELS") == "1":  # make run: the operator's first suggestion does not wait either
            seconds = await asyncio.to_thread(intake.warm_up)
            log.info("models loaded in %.1f s", seconds)
        task = asyncio.create_task(_push_loop(app, push_interval)) if push_interval else None
        try:
            yield
        finally:
            if task is not None:
                task.cancel()
                try:
                    await task
                except asyncio.CancelledError:
                    pass

    return lifespan


def _is_api(request: Request) -> bool:
    return request.url.path.startswith(("/api/", "/open311/")) or request.url.path == "/healthz"


VALIDATION_MESSAGES = {
    "missing": "缺少必填项 {field}",
    "json_invalid": "请求内容不是有效的 JSON",
    "json_type": "请求内容应为 JSON",
    "model_attributes_type": "请求内容应为 JSON 对象",
    "dict_type": "请求内容应为 JSON 对象",
    "int_parsing": "{field} 应为整数",
    "int_type": "{field} 应为整数",
    "int_from_float": "{field} 应为整数",
    "string_type": "{field} 应为文字",
    "string_too_long": "{field} 过长（最多 {max_length} 个字符）",
    "string_too_short": "{field} 不能为空",
    "string_pattern_mismatch": "{field} 格式不正确",
    "greater_than_equal": "{field} 不能小于 {ge}",
    "less_than_equal": "{field} 不能大于 {le}",
    "bool_parsing": "{field} 应为是或否",
    "list_type": "{field} 应为列表",
}


def describe_validation_error(err: dict) -> str:
    """One Chinese sentence per problem. The submitted value is never echoed back."""
    loc = [str(x) for x in err.get("loc", ()) if x not in ("body", "query", "path", "form", "header", "cookie")]
    field = ".".join(loc) or "请求内容"
    template = VALIDATION_MESSAGES.get(err.get("type", ""), "{field} 格式不正确")
    try:
        return template.format(field=field, **(err.get("ctx") or {}))
    except (KeyError, IndexError):
        return f"{field} 格式不正确"


def _error_page(request: Request, status: int, title: str, message: str, user=None) -> HTMLResponse:
    return render(
        request,
        "error.html",
        None,
        user,
        status_code=status,
        title=title,
        message=message,
        home=ROLE_HOME.get(user.role, "/") if user else "/",
    )


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [describe_validation_error(e) for e in exc.errors()]
        return JSONResponse(
            {"detail": "请求格式不正确：" + "；".join(dict.fromkeys(errors)), "errors": errors}, status_code=422
        )

    @app.exception_handler(TicketError)
    async def ticket_error(request: Request, exc: TicketError) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=409)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        detail = exc.detail
        if exc.status_code == 404 and detail == "Not Found":
            detail = "页面或接口不存在"
        elif exc.status_code == 405:
            detail = "不支持该请求方法"
        if _is_api(request) or not isinstance(detail, str):
            return JSONResponse({"detail": detail}, status_code=exc.status_code, headers=exc.headers)
        return _error_page(request, exc.status_code, "出错了", detail)

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, exc: LoginRequired) -> RedirectResponse:
        return RedirectResponse(f"/login?next={quote(exc.next_path)}", status_code=303)

    @app.exception_handler(WrongRole)
    async def wrong_role(request: Request, exc: WrongRole) -> HTMLResponse:
        return _error_page(request, 403, "没有权限", "您的账号不能访问这个页面。", exc.user)


def unexpected_error(request: Request, exc: Exception) -> Response:
    # logged once, here, without the request body (complaints carry personal data); the answer says nothing inside
    log.error("unhandled %s on %s %s", type(exc).__name__, request.method, request.url.path, exc_info=exc)
    message = "系统出现故障，请稍后再试。"
    if _is_api(request):
        return JSONResponse({"detail": message}, status_code=500)
    return _error_page(request, 500, "系统故障", message)


UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def cross_site_with_cookie(request: Request) -> bool:
    """CSRF: a state-changing request authenticated by the staff cookie (not by a Bearer token, which a page on
    another site cannot send) must come from one of our own pages: its Origin, or else its Referer, names this host.
    The browser sends the cookie to any page of the same host on another port (SameSite=Lax does not stop that)."""
    if request.method not in UNSAFE_METHODS or COOKIE not in request.cookies:
        return False
    if request.headers.get("authorization", "").lower().startswith("bearer "):
        return False
    source = request.headers.get("origin") or request.headers.get("referer")
    if not source or source == "null":
        return True
    parsed = urlsplit(source)
    return f"{parsed.scheme}://{parsed.netloc}" != f"{request.url.scheme}://{request.url.netloc}"


def create_app(
    settings: Settings | None = None,
    *,
    channels: Sequence[APIRouter] = (),
    push_interval: float | None = PUSH_INTERVAL_SECONDS,
) -> FastAPI:
    """The staff pages and API, with the citizen channels given (handlers.webchat mounts the web chat)."""
    settings = settings or get_settings()
    app = FastAPI(
        title="信访受理助手",
        lifespan=_lifespan(push_interval),
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    app.state.settings = settings
    app.state.engine = engine_for(settings.database_url)
    app.state.sessionmaker = sessionmaker_for(app.state.engine)
    app.state.jurisdiction = load_jurisdiction(settings.jurisdiction_file)
    templates = Jinja2Templates(directory=HERE / "templates")
    static = HERE / "static"
    templates.env.globals["asset_version"] = str(int(max(p.stat().st_mtime for p in static.iterdir())))
    templates.env.globals["county"] = app.state.jurisdiction.county
    app.state.templates = templates
    app.state.login_throttle = auth_service.LoginThrottle()
    install_access_log_filter()
    install_pii_filter()

    @app.middleware("http")
    async def security_headers(request: Request, call_next):
        if cross_site_with_cookie(request):
            return JSONResponse({"detail": "跨站请求被拒绝：请在本系统的页面上操作。"}, status_code=403)
        try:
            response = await call_next(request)
        except Exception as exc:
            response = unexpected_error(request, exc)
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        if request.url.path.startswith("/api/"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    _install_error_handlers(app)

    @app.get("/static/vocabulary.js", include_in_schema=False)
    def vocabulary_js() -> Response:  # before the static mount, which would answer 404
        return Response(vocabulary.as_javascript(), media_type="text/javascript; charset=utf-8")

    app.mount("/static", StaticFiles(directory=static), name="static")
    # the JSON API's documentation: Swagger UI from the swagger-ui-bundle package (offline), on /api/openapi.json
    app.mount("/api/docs/assets", StaticFiles(directory=swagger_ui_path), name="api-docs-assets")

    @app.get("/api/docs", include_in_schema=False)
    def api_docs(request: Request) -> Response:
        page = templates.TemplateResponse(request, "api-docs.html", {})
        # Swagger UI styles its elements inline; scripts stay our own origin only
        page.headers["Content-Security-Policy"] = (
            "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'"
        )
        return page

    for module in (auth, department, operator, supervisor, open311):
        app.include_router(module.router)
    for router in channels:
        app.include_router(router)

    @app.get("/healthz")
    def healthz() -> JSONResponse:
        try:
            with app.state.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except Exception as exc:
            log.warning("health check: database unavailable: %s", type(exc).__name__)
            return JSONResponse({"ok": False, "database": "unavailable"}, status_code=503)
        return JSONResponse({"ok": True, "database": app.state.engine.dialect.name})

    return app
