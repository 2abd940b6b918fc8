"""Your own datasets: POST /api/datasets (a CSV file, or points drawn on the page), GET one.

The checks are the engine's (engine/custom_data.py): every error names the row and the column.
The points go to the store; runs use them as {"dataset": "custom", "custom_dataset": id}."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import JSONResponse, Response

from engine.config import MAX_SAMPLES, USUAL_LOSS, losses_for
from engine.custom_data import CustomDataError, drawn_points, parse_csv

from .settings import Settings
from .store import Store

router = APIRouter(prefix="/api", tags=["datasets"])

UPLOAD_DOC = {
    201: {"description": 'Stored: {"id", "rows", "kind", "input_dim", "domain", "source", '
                         '"losses", "usual_loss"}.'},
    400: {"description": "A JSON body that is not JSON."},
    413: {"description": "The body is larger than the upload bound."},
    415: {"description": "Neither CSV text nor a JSON body of drawn points."},
    422: {"description": 'Bad data: {"detail": "row 17, column x2: ...", "row", "column"}.'},
}


async def store_of(request: Request) -> Store:
    return request.app.state.store


async def settings_of(request: Request) -> Settings:
    return request.app.state.settings


async def bounded_body(request: Request, limit: int) -> bytes:
    """The request body, or 413 as soon as it passes `limit` bytes (never read further)."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise HTTPException(413, f"the file has {int(declared):,} bytes; at most {limit:,} "
                                 f"are accepted (and at most {MAX_SAMPLES:,} rows)")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise HTTPException(413, f"the file is larger than {limit:,} bytes (at most "
                                     f"{MAX_SAMPLES:,} rows are accepted)")
        chunks.append(chunk)
    return b"".join(chunks)


def bad_data(exc: CustomDataError) -> JSONResponse:
    return JSONResponse(status_code=422, content={"detail": str(exc), "row": exc.row,
                                                  "column": exc.column})


@router.post("/datasets", status_code=201, responses=UPLOAD_DOC, openapi_extra={
    "requestBody": {"required": True, "content": {
        "text/csv": {"schema": {"type": "string"}, "example": "x1,x2,label\n0.5,1.2,1\n"},
        "application/json": {"schema": {"type": "object", "properties": {"points": {
            "type": "array", "maxItems": MAX_SAMPLES,
            "items": {"type": "array", "items": {"type": "number"}}}}},
            "example": {"points": [[1.0, 2.0, 0], [-1.0, 0.5, 1]]}}}}})
async def upload_dataset(request: Request, store: Annotated[Store, Depends(store_of)],
                         settings: Annotated[Settings, Depends(settings_of)]):
    """A CSV file as the body (columns x1[, x2] and label (class 0/1 or 0..9) or target (a
    real number); at most 2,000 rows), or drawn points as JSON {"points": [[x1, x2, class],
    ...]} inside the playground's square [-6, 6]^2."""
    body = await bounded_body(request, settings.max_upload_bytes)
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind.startswith("multipart/"):
        raise HTTPException(415, "send the CSV file itself as the body (content-type text/csv, "
                                 "e.g. curl --data-binary @points.csv), not a form")
    try:
        if kind == "application/json":
            data, source = _drawn(body), "drawn"
        else:
            try:
                text = body.decode("utf-8")
            except UnicodeDecodeError as exc:
                line = body[:exc.start].count(b"\n") + 1
                raise CustomDataError(f"row {line}, column 1: not UTF-8 text (byte "
                                      f"{exc.start + 1}); save the file as UTF-8 CSV",
                                      line, "1") from None
            data, source = parse_csv(text), "csv"
    except CustomDataError as exc:
        return bad_data(exc)
    did = store.put_dataset(data, source)
    return JSONResponse(status_code=201, content=with_losses(store.dataset_info(did)))


def with_losses(info: dict) -> dict:
    """A dataset's info plus the losses that fit it and its usual one (as the schema says for
    the built-in sets), so that the page need not re-derive them."""
    return {**info, "losses": losses_for(info["kind"]), "usual_loss": USUAL_LOSS[info["kind"]]}


def _drawn(body: bytes):
    try:
        payload = json.loads(body)
    except (ValueError, RecursionError) as exc:
        raise HTTPException(400, f"not JSON: {exc}") from None
    points = payload.get("points") if isinstance(payload, dict) else None
    if not isinstance(points, list) or not all(isinstance(p, list) for p in points):
        raise HTTPException(422, 'expected {"points": [[x1, x2, class], ...]}')
    for i, p in enumerate(points[:MAX_SAMPLES + 1]):
        for j, v in enumerate(p[:3]):
            if isinstance(v, bool) or not isinstance(v, (int, float)):
                column = ("x1", "x2", "label")[j]
                raise CustomDataError(f"row {i + 1}, column {column}: {v!r} is not a number",
                                      i + 1, column)
    return drawn_points(points)


@router.get("/datasets/{dataset_id}", responses={404: {"description": "No such dataset."}})
async def read_dataset_info(dataset_id: str, store: Annotated[Store, Depends(store_of)]) -> dict:
    """{"id", "rows", "kind", "input_dim", "domain", "source", "losses", "usual_loss"} of a
    stored dataset."""
    info = store.dataset_info(dataset_id) if len(dataset_id) <= 64 else None
    if info is None:
        raise HTTPException(404, f"no dataset with id {dataset_id!r}")
    return with_losses(info)


@router.get("/datasets/{dataset_id}/csv", responses={404: {"description": "No such dataset."}})
async def read_dataset_csv(dataset_id: str, store: Annotated[Store, Depends(store_of)]):
    """The points as a CSV file (the format POST /api/datasets reads)."""
    data = store.get_dataset(dataset_id) if len(dataset_id) <= 64 else None
    if data is None:
        raise HTTPException(404, f"no dataset with id {dataset_id!r}")
    return Response(data.to_csv(), media_type="text/csv", headers={
        "Content-Disposition": f'attachment; filename="dataset-{dataset_id}.csv"'})
