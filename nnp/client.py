"""A small Python client for nn-playground's REST API (docs: the server's `/docs`).

    from nnp.client import PlaygroundClient
    with PlaygroundClient("http://127.0.0.1:8000") as pg:
        run = pg.create_run({"dataset": "xor", "hidden": [4, 2]})
        pg.step(run.id, epochs=20)
        pg.patch(run.id, learning_rate=0.1)
        print(pg.get_run(run.id).metrics["train_loss"], pg.watch_link(run.id))

Errors come back as `PlaygroundError` with the server's status and message (422 names the field
and its allowed range, 409 says which change needs reset=True, 403 that the control token is
missing). Runs created through a client remember their `control_token`, which every mutation
sends as `X-Run-Token`; for a run created elsewhere, pass its token with `use_token(id, token)`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

TOKEN_HEADER = "X-Run-Token"


class PlaygroundError(RuntimeError):
    """The server refused a request: `status` is the HTTP status, `message` its explanation."""

    def __init__(self, status: int, message: str, detail: Any = None):
        super().__init__(f"HTTP {status}: {message}")
        self.status = status
        self.message = message
        self.detail = detail


@dataclass
class RunInfo:
    id: str
    config: dict
    metrics: dict
    status: str                      # "paused", "playing" or "diverged"
    control_token: str | None = None  # only in the answer to create_run


@dataclass
class StepResult:
    metrics: dict
    status: str
    steps_run: int
    truncated: bool


def error_message(detail: Any) -> str:
    """The server's `detail` as one line: a string as is, a validation list as `field: msg; ...`."""
    if isinstance(detail, str):
        return detail
    if isinstance(detail, list):
        parts = []
        for err in detail:
            if isinstance(err, dict):
                loc = ".".join(str(p) for p in err.get("loc", ()) if p != "body")
                parts.append(f"{loc}: {err.get('msg')}" if loc else str(err.get("msg")))
            else:
                parts.append(str(err))
        return "; ".join(parts)
    return str(detail)


class PlaygroundClient:
    """Typed methods over the REST API of a running nn-playground server."""

    def __init__(self, base_url: str = "http://127.0.0.1:8000", timeout: float = 30.0,
                 http: httpx.Client | None = None):
        """`http`: an httpx.Client to send with (e.g. FastAPI's TestClient); default a new one."""
        self.base_url = base_url.rstrip("/")
        self._own_http = http is None
        self._http = http or httpx.Client(base_url=self.base_url, timeout=timeout)
        self._tokens: dict[str, str] = {}

    # ------------------------------------------------------------------ plumbing
    def close(self) -> None:
        if self._own_http:
            self._http.close()

    def __enter__(self) -> "PlaygroundClient":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def use_token(self, run_id: str, token: str) -> None:
        """Control a run created elsewhere (its control link carries the token)."""
        self._tokens[run_id] = token

    def token_of(self, run_id: str) -> str | None:
        return self._tokens.get(run_id)

    def _request(self, method: str, path: str, run_id: str | None = None, **kwargs) -> Any:
        headers = kwargs.pop("headers", {})
        if run_id is not None and run_id in self._tokens:
            headers[TOKEN_HEADER] = self._tokens[run_id]
        try:
            response = self._http.request(method, path, headers=headers, **kwargs)
        except httpx.HTTPError as exc:
            raise PlaygroundError(0, f"cannot reach {self.base_url}: {exc}") from None
        if response.status_code >= 400:
            try:
                detail = response.json().get("detail", response.text)
            except ValueError:
                detail = response.text
            raise PlaygroundError(response.status_code, error_message(detail), detail)
        if response.status_code == 204 or not response.content:
            return None
        return response.json()

    @staticmethod
    def _run_info(body: dict) -> RunInfo:
        return RunInfo(id=body["id"], config=body["config"], metrics=body["metrics"],
                       status=body["status"], control_token=body.get("control_token"))

    # ------------------------------------------------------------------ runs
    def schema(self) -> dict:
        """The published rules: "fields" (every TrainConfig field with default, range or choices,
        description, live or not), "datasets", "losses", ..., "limits"."""
        return self._request("GET", "/api/schema")

    def create_run(self, config: dict | None = None) -> RunInfo:
        """A new run (paused at step 0); its control token is remembered for later calls."""
        info = self._run_info(self._request("POST", "/api/runs", json=config or {}))
        if info.control_token:
            self._tokens[info.id] = info.control_token
        return info

    def get_run(self, run_id: str) -> RunInfo:
        return self._run_info(self._request("GET", f"/api/runs/{run_id}", run_id))

    def patch(self, run_id: str, reset: bool = False, **changes) -> dict:
        """Change settings; data/architecture fields need reset=True (else PlaygroundError 409).
        Returns the run with `changed` and `reset`."""
        return self._request("PATCH", f"/api/runs/{run_id}", run_id,
                             json={**changes, "reset": reset})

    def step(self, run_id: str, steps: int | None = None, epochs: int | None = None) -> StepResult:
        """Train now: `steps` updates or `epochs` passes (at most the server's per-call bound;
        `truncated` when its time bound stopped the call early)."""
        body = {"epochs": epochs} if epochs is not None else {"steps": steps or 1}
        out = self._request("POST", f"/api/runs/{run_id}/step", run_id, json=body)
        return StepResult(metrics=out["metrics"], status=out["status"],
                          steps_run=out["steps_run"], truncated=out["truncated"])

    def reset(self, run_id: str) -> RunInfo:
        return self._run_info(self._request("POST", f"/api/runs/{run_id}/reset", run_id))

    def delete(self, run_id: str) -> None:
        self._request("DELETE", f"/api/runs/{run_id}", run_id)
        self._tokens.pop(run_id, None)

    def params(self, run_id: str) -> list[dict]:
        """[{"W": (fan_out, fan_in), "b": (fan_out,)}] as nested lists, input layer first."""
        return self._request("GET", f"/api/runs/{run_id}/params", run_id)

    def gradients(self, run_id: str) -> list[dict]:
        return self._request("GET", f"/api/runs/{run_id}/gradients", run_id)

    def dataset(self, run_id: str) -> dict:
        return self._request("GET", f"/api/runs/{run_id}/dataset", run_id)

    def history(self, run_id: str) -> list[dict]:
        return self._request("GET", f"/api/runs/{run_id}/history", run_id)

    def landscape(self, run_id: str, **options) -> dict:
        return self._request("GET", f"/api/runs/{run_id}/landscape", run_id, params=options)

    def snapshot(self, run_id: str) -> dict:
        return self._request("GET", f"/api/runs/{run_id}/snapshot", run_id)

    # ------------------------------------------------------------------ links
    def watch_link(self, run_id: str) -> str:
        """The page showing this run live, read-only."""
        return f"{self.base_url}/?run={run_id}"

    def control_link(self, run_id: str) -> str | None:
        """The page showing this run with its controls (None without the token)."""
        token = self._tokens.get(run_id)
        return f"{self.base_url}/?run={run_id}&token={token}" if token else None
