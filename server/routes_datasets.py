"""GET /api/datasets/{name}/thumbnail.svg: each dataset's thumbnail, drawn from the engine."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Response

from engine.datasets import DATASETS

from .thumbnails import thumbnail_svg

router = APIRouter(prefix="/api", tags=["datasets"])


@router.get("/datasets/{name}/thumbnail.svg", response_class=Response,
            responses={200: {"content": {"image/svg+xml": {}}},
                       404: {"description": "No dataset of this name."}})
def dataset_thumbnail(name: str) -> Response:
    """A 64x64 SVG of the dataset's points (200, no noise)."""
    if name not in DATASETS:
        raise HTTPException(404, f"no dataset {name!r}; known: {', '.join(DATASETS)}")
    return Response(thumbnail_svg(name), media_type="image/svg+xml",
                    headers={"Cache-Control": "public, max-age=3600"})
