"""HTML routes: parse parameters, call queries, render templates."""
from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from app.web.deps import SessionDep, templates

router = APIRouter()


@router.get("/", include_in_schema=False)
def home(request: Request):
    return templates.TemplateResponse(request, "index.html", {})


@router.get("/healthz", tags=["health"])
def healthz(session: SessionDep) -> JSONResponse:
    """Answers 200 when the database answers, 503 when it does not."""
    try:
        session.execute(text("SELECT 1"))
        countries = session.execute(text("SELECT count(*) FROM countries")).scalar_one()
    except SQLAlchemyError as exc:
        return JSONResponse({"status": "error", "database": "unreachable", "detail": type(exc).__name__},
                            status_code=503)
    return JSONResponse({"status": "ok", "database": "ok", "countries": countries})
