"""The intake officers' review app: assembled from the views,
served by `intake serve` (uvicorn). Server-rendered pages, a few lines of
CSS, one small script; every asset served by the app itself (police
networks have no CDN)."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from html import escape
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp

from intake.review.config import ReviewConfig
from intake.review.rendering import Renditions
from intake.review.security import SecurityHeaders
from intake.review.views import (
    admin,
    analysis,
    auth,
    documents,
    entities,
    queue,
    reprocessing,
    search,
    source_boxes,
    teach,
    triage,
)
from intake.review.web import ALL_ROLES, Ctx, page, redirect
from intake.review.work import Workbench
from intake.store.db import Store

HERE = Path(__file__).parent


@dataclass
class ReviewApp:
    """What every page reaches through ``request.app.state.review``."""

    config: ReviewConfig
    settings: object
    store: Store
    templates: Environment
    renditions: Renditions
    work: Workbench

    @property
    def cookie_name(self) -> str:
        # The __Host- prefix makes the browser refuse it over plain HTTP or
        # from a sub-domain; it needs Secure, so only with TLS.
        return "__Host-intake" if self.config.secure_cookies else "intake_session"


def _templates() -> Environment:
    env = Environment(loader=FileSystemLoader(str(HERE / "templates")),
                      autoescape=select_autoescape(default=True, default_for_string=True),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["when"] = lambda dt: dt.strftime("%d/%m/%Y %H:%M") if dt else "–"
    env.filters["day"] = lambda dt: dt.strftime("%d/%m/%Y") if dt else "–"
    env.filters["reject_key"] = lambda d, key: {k: v for k, v in d.items() if k != key}
    return env


class _ReviewStarlette(Starlette):
    """Starlette answers an unexpected fault (500) and an oversized body
    (413) from layers it keeps outside every user middleware; the security
    headers are wrapped around the whole stack here so those answers carry
    them too."""

    def __init__(self, *args, hsts: bool, **kwargs):
        self._hsts = hsts
        super().__init__(*args, **kwargs)

    def build_middleware_stack(self) -> ASGIApp:
        return SecurityHeaders(super().build_middleware_stack(), hsts=self._hsts)


# What an error page says, by status; any other error gets the last entry.
ERROR_PAGES = {
    404: ("Not found", "There is no such page. Check the address, or start again from the start page."),
    405: ("Not allowed here", "This address does not take that kind of request; nothing was changed."),
    500: ("Something went wrong", "intake could not finish this request because of a fault on the server, "
          "which has been logged. If you were saving a change, go back and check whether it was kept before "
          "trying again. If it happens again, tell your administrator when it happened."),
    None: ("Request not accepted", "The request could not be handled; nothing was changed."),
}
# Used only if the error page itself cannot be rendered: plain, and still
# nothing about the fault.
_BARE_PAGE = ('<!doctype html><html lang="en-GB"><head><meta charset="utf-8"><title>{title} · intake review</title>'
              '<link rel="stylesheet" href="/static/app.css"></head><body><main><section class="narrow">'
              '<h1>{title}</h1><p>{message}</p><p><a href="/">Go to the start page</a></p></section></main>'
              '</body></html>')


def _error_page(request: Request, status: int, headers: dict | None = None) -> Response:
    """The app's own error page, signed-out style: it reads nothing from
    the store (which may be what failed) and shows nothing of the request
    or the fault."""
    title, message = ERROR_PAGES.get(status) or ERROR_PAGES[None]
    try:
        html = request.app.state.review.templates.get_template("error.html").render(
            request=request, user=None, csrf=None, flash=[], title=title, message=message, status=status)
    except Exception:  # noqa: BLE001 - whatever broke the page, the answer must still be a page
        html = _BARE_PAGE.format(title=escape(title), message=escape(message))
    return HTMLResponse(html, status_code=status, headers=headers)


async def http_error(request: Request, exc: HTTPException) -> Response:
    if exc.status_code in (204, 304):
        return Response(status_code=exc.status_code, headers=exc.headers)
    return _error_page(request, exc.status_code, exc.headers)


async def server_error(request: Request, exc: Exception) -> Response:
    # Starlette re-raises after sending this, so the server logs the fault
    # (cut down to type and frames by intake.logs); the page says nothing of it.
    return _error_page(request, 500)


@page(*ALL_ROLES)
def home(ctx: Ctx):
    return redirect("/entities" if ctx.user.role == "analyst" else "/queue")


async def healthz(request: Request):
    return PlainTextResponse("ok")


def create_app(settings, store: Store, config: ReviewConfig, *, background: bool = True) -> Starlette:
    review = ReviewApp(config, settings, store, _templates(), Renditions(settings, config.cache_mb),
                       Workbench(store, settings, background=background))

    @contextlib.asynccontextmanager
    async def lifespan(app):
        yield
        review.work.close()

    routes = [Route("/", home, methods=["GET"]), Route("/healthz", healthz, methods=["GET"]),
              Mount("/static", app=StaticFiles(directory=str(HERE / "static")), name="static")]
    for module in (auth, queue, documents, entities, admin, reprocessing, triage, analysis, search, source_boxes,
                   teach):
        routes += module.ROUTES
    app = _ReviewStarlette(routes=routes, hsts=config.tls, lifespan=lifespan, max_body_size=1024 * 1024,
                           exception_handlers={HTTPException: http_error, Exception: server_error})
    app.state.review = review
    return app
