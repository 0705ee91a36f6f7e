"""The FastAPI application factory (``uvicorn --factory persona_api.main:create_app``)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import structlog
from arq.connections import ArqRedis
from asgi_correlation_id import CorrelationIdMiddleware
from fastapi import FastAPI
from redis.asyncio import ConnectionPool
from starlette.concurrency import run_in_threadpool

from persona_api import health
from persona_api.analysis.router import router as analysis_router
from persona_api.auth.router import router as auth_router
from persona_api.content.router import router as content_router
from persona_api.errors import install_error_handlers
from persona_api.jobs.router import router as jobs_router
from persona_api.middleware import BodySizeLimitMiddleware, RequestLoggingMiddleware
from persona_api.personas.router import router as personas_router
from persona_api.users.router import router as users_router
from personagen_shared.db import make_engine, make_sessionmaker
from personagen_shared.jobs_contract import deserialize_job, serialize_job
from personagen_shared.logging import configure_logging
from personagen_shared.settings import Settings, get_settings
from personagen_shared.stylometry import warm_up

log = structlog.get_logger(__name__)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Make the engine, session factory and arq pool; close them at shutdown."""
    settings: Settings = app.state.settings
    # Load the pronunciation dictionary now (about 1 s) rather than in the first analysis.
    await run_in_threadpool(warm_up)
    engine = make_engine(settings)
    app.state.engine = engine
    app.state.sessionmaker = make_sessionmaker(engine)
    # Connects lazily (unlike arq.create_pool, which pings): the API starts while Redis is
    # down, /readyz says so, and enqueue failures leave jobs for the worker's sweep.
    app.state.arq = ArqRedis(
        connection_pool=ConnectionPool.from_url(
            settings.redis_url, socket_connect_timeout=2, socket_timeout=5
        ),
        default_queue_name=settings.arq_queue_name,
        job_serializer=serialize_job,
        job_deserializer=deserialize_job,
    )
    log.info("api.started", environment=settings.environment.value)
    try:
        yield
    finally:
        await app.state.arq.aclose(close_connection_pool=True)
        await engine.dispose()
        log.info("api.stopped")


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the API. ``settings`` defaults to the environment (:func:`get_settings`)."""
    settings = settings or get_settings()
    configure_logging(settings.log_level, json=settings.log_json)
    app = FastAPI(
        title="PersonaGen API",
        version="0.1.0",
        summary="Writing personas, writing-sample analysis and generation in a persona's voice.",
        description=(
            "Every `/v1` route except registration and token needs a bearer token "
            "(use **Authorize** with your username and password). Errors are RFC 9457 "
            "`application/problem+json`."
        ),
        lifespan=lifespan,
    )
    app.state.settings = settings
    install_error_handlers(app)
    app.add_middleware(RequestLoggingMiddleware)
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=settings.max_request_body_bytes)
    # Outermost: the request id exists before anything logs, and is echoed on every response.
    app.add_middleware(CorrelationIdMiddleware, header_name="X-Request-ID")
    app.include_router(health.router)
    app.include_router(auth_router)
    app.include_router(users_router)
    app.include_router(personas_router)
    app.include_router(jobs_router)
    app.include_router(content_router)
    app.include_router(analysis_router)
    return app
