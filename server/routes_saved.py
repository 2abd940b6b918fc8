"""Saved runs: POST /api/runs/{id}/save, GET /api/saved, POST /api/saved/{saved_id}/open,
DELETE /api/saved/{saved_id}. A reopened run is a new live run continuing exactly where the
saved one stood (the whole TrainerState is stored: server/store.py). Deleting needs the owner's
token (the X-Run-Token of the run that saved it: server/run_access.py); listing and opening
are open."""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Response
from pydantic import BaseModel, Field

from engine.custom_data import CustomDataError

from .routes_api import GUARDED, ControlledRun, created_run_out, registry_of, settings_of
from .routes_custom_datasets import store_of
from .run_access import FORBIDDEN, TOKEN_HEADER, given_token, matches_hash, token_hash
from .runs import RegistryFull, RunRegistry
from .session_bound import RUNS, TOO_MANY, SessionDep, check_room, claim
from .settings import Settings
from .store import REASONS, Store, StoreFull

router = APIRouter(prefix="/api", tags=["saved runs"])

SAVED_NOT_FOUND = {404: {"description": "No saved run with this id (never saved or deleted)."}}


class SavedOut(BaseModel):
    saved_id: str = Field(description="Open it with POST /api/saved/{saved_id}/open; the page "
                                      "opens it at /?saved={saved_id}.")
    control_token: str = Field(description="The saved run's owner token: the X-Run-Token of the "
                                           "run that saved it. DELETE /api/saved/{saved_id} "
                                           "needs it; only its hash is stored.")


class SavedRun(BaseModel):
    saved_id: str
    reason: str = Field(description=f"why it was saved: one of {', '.join(REASONS)} (user: "
                                    "POST .../save; expired / shutdown: automatically)")
    run_id: str | None = Field(description="the live run it was saved from")
    saved_at: float = Field(description="Unix time")
    step: int
    summary: dict
    bytes: int


@router.post("/runs/{run_id}/save", status_code=201, response_model=SavedOut,
             responses={**GUARDED, 507: {"description": "The store holds as many saved runs "
                                                          "as it may; delete one."}})
async def save_run(run: ControlledRun, store: Annotated[Store, Depends(store_of)]) -> dict:
    """Save the run's whole state (config, weights, optimizer state, history, trajectory)."""
    state = run.trainer.capture_state()   # on the loop; writing it takes a worker thread
    token = run.control_token
    try:
        saved_id = await asyncio.to_thread(store.save_run, state, "user", run.id,
                                           token_hash(token))
        return {"saved_id": saved_id, "control_token": token}
    except StoreFull as exc:
        raise HTTPException(507, str(exc)) from None


@router.get("/saved", response_model=list[SavedRun])
async def list_saved(store: Annotated[Store, Depends(store_of)],
                     run: Annotated[str | None, Query(max_length=64, description=
                                    "only the saves of this live-run id")] = None,
                     limit: Annotated[int, Query(ge=1, le=500)] = 100) -> list[dict]:
    """Saved runs, newest first."""
    return store.list_saved(run_id=run, limit=limit)


@router.post("/saved/{saved_id}/open", status_code=201,
             responses={**SAVED_NOT_FOUND, **TOO_MANY})
async def open_saved(saved_id: str, store: Annotated[Store, Depends(store_of)],
                     registry: Annotated[RunRegistry, Depends(registry_of)],
                     settings: Annotated[Settings, Depends(settings_of)],
                     session: SessionDep) -> dict:
    """A new live run continuing the saved one exactly (same next updates); paused.
    {"id", "config", "metrics", "status", "control_token", "saved_id"}: the reopened run has its
    own control token."""
    state = await asyncio.to_thread(store.load_saved, saved_id) if len(saved_id) <= 64 else None
    if state is None:
        raise HTTPException(404, f"no saved run with id {saved_id!r}")
    if state.custom is not None:   # its points may have left the dataset store: put them back
        store.put_dataset(state.custom, "saved run")
    check_room(registry.runs.values(), session, settings)
    try:
        run = registry.create(None, state=state)
    except RegistryFull as exc:
        raise RUNS.full(exc, settings) from None
    except CustomDataError as exc:   # not expected: the state carries its points
        raise HTTPException(422, str(exc)) from None
    claim(run, session)
    return {**created_run_out(run), "saved_id": saved_id}


def owner_refusal(given: str | None, owned: bool) -> str:
    """The 403 message of DELETE /api/saved/{id} (the style of run_access.refusal)."""
    if not owned:
        return ("this saved run is read-only: it was stored before saved runs kept their "
                "owner, so no control token can delete it (it can still be listed and opened)")
    problem = "a wrong" if given else "no"
    return (f"this saved run is read-only with {problem} control token: deleting it needs the "
            f"header {TOKEN_HEADER}: <control_token> (the token of the run that saved it, "
            "returned again in the save's answer)")


@router.delete("/saved/{saved_id}", status_code=204, response_class=Response,
               responses={**SAVED_NOT_FOUND, **FORBIDDEN})
async def delete_saved(saved_id: str, store: Annotated[Store, Depends(store_of)],
                       token: Annotated[str | None, Depends(given_token)]) -> Response:
    """Delete a saved run: needs the X-Run-Token of the run that saved it (404 first, then
    403)."""
    found, owner = store.saved_owner(saved_id) if len(saved_id) <= 64 else (False, None)
    if not found:
        raise HTTPException(404, f"no saved run with id {saved_id!r}")
    if not matches_hash(owner, token):
        raise HTTPException(403, owner_refusal(token, owner is not None))
    if not store.delete_saved(saved_id):
        raise HTTPException(404, f"no saved run with id {saved_id!r}")
    return Response(status_code=204)
