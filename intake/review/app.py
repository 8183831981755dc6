"""The intake officers' review app (issue 9): assembled from the views,
served by `intake serve` (uvicorn). Server-rendered pages, a few lines of
CSS, one small script; every asset served by the app itself (police
networks have no CDN)."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from intake.review.config import ReviewConfig
from intake.review.rendering import Renditions
from intake.review.security import SecurityHeaders
from intake.review.views import admin, auth, documents, entities, queue, reprocessing, search, source_boxes
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
    for module in (auth, queue, documents, entities, admin, reprocessing, search, source_boxes):
        routes += module.ROUTES
    app = Starlette(routes=routes, middleware=[Middleware(SecurityHeaders, hsts=config.tls)], lifespan=lifespan,
                    max_body_size=1024 * 1024)
    app.state.review = review
    return app
