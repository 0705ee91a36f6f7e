"""Liveness and readiness probes (no auth)."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request
from pydantic import BaseModel
from sqlalchemy import text

from persona_api.errors import ServiceUnavailable, error_responses

router = APIRouter(tags=["operations"])

READINESS_TIMEOUT_SECONDS = 2.0


class HealthStatus(BaseModel):
    """Probe answer."""

    status: str
    checks: dict[str, str] = {}


@router.get("/healthz", response_model=HealthStatus, summary="Liveness: the process answers")
async def healthz() -> HealthStatus:
    """Always 200 while the process serves requests."""
    return HealthStatus(status="ok")


@router.get(
    "/readyz",
    response_model=HealthStatus,
    summary="Readiness: PostgreSQL and Redis are reachable",
    responses=error_responses(503),
)
async def readyz(request: Request) -> HealthStatus:
    """200 when a ``SELECT 1`` and a Redis ``PING`` both answer within 2 s; else 503."""
    checks: dict[str, str] = {}

    async def database() -> None:
        async with request.app.state.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    async def redis() -> None:
        await request.app.state.arq.ping()

    for name, probe in (("database", database), ("redis", redis)):
        try:
            await asyncio.wait_for(probe(), READINESS_TIMEOUT_SECONDS)
            checks[name] = "ok"
        except Exception as exc:
            checks[name] = f"unavailable ({type(exc).__name__})"
    failed = [name for name, state in checks.items() if state != "ok"]
    if failed:
        raise ServiceUnavailable(f"Not ready: {', '.join(failed)} unreachable.")
    return HealthStatus(status="ok", checks=checks)
