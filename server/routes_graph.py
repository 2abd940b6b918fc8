"""The backprop lab's REST API: computational graphs as plain data (engine/graph_lab.py).

    POST /api/graph                 an expression over named leaves with their values
    GET  /api/graph/presets         the course's worked examples
    GET  /api/runs/{id}/graph       a run's network on one training example (or one neuron)

Every bound comes from the app's Settings. Errors are 422s whose `detail` is a list of one
`{"loc", "msg", "type", ...}` like FastAPI's own, naming the position or the name at fault."""

from __future__ import annotations

import json
import math
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from engine.expression import ExpressionError, ExpressionLimits
from engine.graph_export import GraphError
from engine.graph_lab import (DEFAULT_H, GraphTooLarge, expression_graph, network_graph,
                              single_neuron_graph)
from engine.graph_presets import PRESETS
from engine.param_names import ParameterEditError

from .api_models import STRICT
from .routes_api import BAD_BODY, NOT_FOUND, RunDep, settings_of
from .settings import Settings
from .snapshot import plain

router = APIRouter(prefix="/api", tags=["graph"])

Finite = Annotated[float, Field(allow_inf_nan=False)]
LeafName = Annotated[str, Field(max_length=64)]


class GraphRequest(BaseModel):
    """An expression as assignments (`e = a*b; d = e + c; L = d*f`) and each leaf's value.
    Strict like every body (server/api_models.py STRICT): "0.5" or true for a value is a 422."""
    model_config = STRICT
    expression: str = Field(description="Assignments separated by ';' or new lines; the last is "
                                        "the output. Numbers, names, + - * / ** (a number as "
                                        "exponent), unary minus, exp log tanh sigmoid relu.")
    values: dict[LeafName, Finite] = Field(default_factory=dict,
                                           description="Each leaf's value by name.")
    h: Finite = Field(DEFAULT_H, gt=0, le=1, description="Step of the forward differences "
                                                         "`numeric` = (L(x+h) - L(x)) / h.")
    nudge: LeafName | None = Field(None, description="A leaf's label: adds the nudge sweep, "
                                                     "L(x+h) - L(x) for h = 1e-10 ... 1.")


class GraphUpdate(BaseModel):
    child: int
    local: float = Field(description="d(node)/d(child) at the current values")
    product: float = Field(description="local * upstream: what this step adds to child.grad")
    grad: float = Field(description="child.grad after this step")


class GraphStep(BaseModel):
    node: int
    upstream: float = Field(description="the node's own grad, dL/d(node), when its turn comes")
    updates: list[GraphUpdate]


class GraphNode(BaseModel):
    id: int
    label: str = Field(description="variable name of a leaf or a named intermediate, else ''")
    op: str = Field(description="'' for leaves, else + * **k exp log tanh sigmoid relu ...")
    kind: Literal["variable", "constant", "intermediate", "output"]
    data: float
    grad: float = Field(description="dL/d(this value)")
    numeric: float | None = Field(description="leaves: (L(x+h) - L(x)) / h; else null")
    rule: str = Field(description="the local derivative rule in words")
    inputs: list[int]
    local: list[float] = Field(description="d(node)/d(input) per input, in `inputs` order")


class NudgeSweep(BaseModel):
    leaf: int
    label: str
    grad: float
    h: list[float]
    delta: list[float | None] = Field(description="L(x+h) - L(x) per h; null where undefined")


class GradientCheck(BaseModel):
    compared: int
    max_abs_difference: float
    matches: bool
    what: str


class GraphOut(BaseModel):
    output: int = Field(description="id of the output node")
    nodes: list[GraphNode]
    edges: list[tuple[int, int]] = Field(description="[from, to]: an input to the value made "
                                                     "from it")
    order: list[int] = Field(description="node ids in topological order (inputs first)")
    steps: list[GraphStep] = Field(description="the backward pass, one node at a time")
    h: float
    kind: Literal["expression", "network", "neuron"]
    nudge: NudgeSweep | None = None
    expression: str | None = None
    values: dict[str, float] | None = None
    example: int | None = None
    layer: int | None = None
    neuron: int | None = None
    engine_loss: float | None = None
    check: GradientCheck | None = None
    note: str | None = Field(None, description="network graphs: what the graph is; expressions: "
                             "the values given for names the expression does not use (ignored)")
    unused_values: list[str] | None = Field(None, description="expressions: names in `values` "
                                            "the expression does not use; they are ignored")
    what_if: dict[str, float] | None = Field(None, description="network graphs: the parameters "
                                             "changed for this graph only (the run unchanged)")


class Preset(BaseModel):
    name: str
    title: str
    expression: str
    values: dict[str, float]
    description: str
    nudge: str = Field(description="the leaf the nudge panel starts on")


def _error(loc: list, msg: str, kind: str, **extra) -> HTTPException:
    return HTTPException(422, [{"loc": loc, "msg": msg, "type": kind, **extra}])


def limits_of(settings: Settings) -> ExpressionLimits:
    return ExpressionLimits(max_chars=settings.graph_max_chars,
                            max_nodes=settings.graph_max_nodes,
                            max_depth=settings.graph_max_depth,
                            max_exponent=settings.graph_max_exponent)


BAD_GRAPH = {422: {"description": "A bad expression (syntax, unknown name or function, missing "
                                  "value, a bound exceeded, a non-finite result) or a bad "
                                  "option; `detail[0].msg` names the position or the name."}}


@router.post("/graph", response_model=GraphOut,
             responses={**BAD_BODY, **BAD_GRAPH}, summary="An expression's computational graph, backprop and "
                                          "finite differences")
async def post_graph(body: GraphRequest, request: Request) -> Response:
    """Parse the expression safely, build the Value graph, run the backward pass and export
    nodes, edges, the topological order, each node's rule and the backward steps. Async: the
    work is a few bounded milliseconds (at most graph_max_nodes values), less than the hand-off
    to a worker thread costs on a busy machine (bench/bench_graph.py --before)."""
    settings = request.app.state.settings
    try:
        graph = expression_graph(body.expression, body.values, body.h, limits_of(settings),
                                 nudge=body.nudge)
    except ExpressionError as exc:
        about_value = "no value given" in exc.message or "the value of" in exc.message
        loc = ["body", "values", exc.name] if about_value else ["body", "expression"]
        raise _error(loc, exc.message, "expression", **exc.detail()) from None
    except GraphError as exc:
        raise _error(["body", "expression"], str(exc), "gradient") from None
    except LookupError as exc:
        raise _error(["body", "nudge"], str(exc.args[0]), "nudge") from None
    return graph_response(graph)


def graph_response(graph: dict) -> Response:
    """The graph as JSON, encoded once: the export is plain floats, ints and strings (no NumPy,
    nothing non-finite), so it skips `plain()` and FastAPI's re-validation against GraphOut (on
    150 nodes those cost more than building the graph; bench/bench_graph.py);
    tests/server/test_routes_graph.py validates the answers against the model instead. Anything
    else (a NumPy scalar, a non-finite float) falls back to plain()."""
    try:
        text = json.dumps(graph, allow_nan=False, separators=(",", ":"))
    except (TypeError, ValueError):
        text = json.dumps(plain(graph), allow_nan=False, separators=(",", ":"))
    return Response(text, media_type="application/json")


@router.get("/graph/presets", response_model=list[Preset], summary="The course's examples")
def get_presets() -> list[dict]:
    return [{"name": name, **{k: p[k] for k in ("title", "expression", "values", "description", "nudge")}}
            for name, p in PRESETS.items()]


WHAT_IF_HELP = ('a JSON object {"W1[0,1]": 0.5, "b1[0]": -1}: draw the graph with these '
                'parameters changed on a copy of the run (a what-if; the run itself is never '
                'changed: PATCH /api/runs/{id}/params does that)')


def parse_what_if(text: str | None, limit: int) -> dict[str, float] | None:
    """The what_if query parameter as {name: value}; 422 naming what is wrong."""
    if text is None or not text.strip():
        return None
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise _error(["query", "what_if"], f"what_if is not JSON ({exc.msg} at character "
                     f"{exc.pos}); send {WHAT_IF_HELP}", "what_if") from None
    if not isinstance(value, dict):
        raise _error(["query", "what_if"], f"what_if must be {WHAT_IF_HELP}", "what_if")
    if len(value) > limit:
        raise _error(["query", "what_if"], f"what_if changes {len(value)} parameters; at most "
                     f"{limit} are allowed", "what_if")
    bad = [name for name, v in value.items()
           if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v)]
    if bad:
        raise _error(["query", "what_if"], "what_if values must be finite numbers: "
                     + ", ".join(repr(n) for n in bad[:10]), "what_if", names=bad[:10])
    return value


@router.get("/runs/{run_id}/graph", response_model=GraphOut,
            responses={**NOT_FOUND, 422: {"description": "example, layer or neuron out of "
                                                         "range, or (type graph_too_large) the "
                                                         "network is too large to draw scalar by "
                                                         "scalar: `nodes`, `limit` and "
                                                         "`neuron_graph`, the URL of one "
                                                         "neuron's graph."}},
            summary="The network's loss on one training example as a computational graph")
async def get_run_graph(run: RunDep, settings: Annotated[Settings, Depends(settings_of)],
                        example: Annotated[int, Query(ge=0, description="training example")],
                        layer: Annotated[int | None, Query(ge=1, le=9)] = None,
                        neuron: Annotated[int | None, Query(ge=0, le=63)] = None,
                        h: Annotated[float, Query(gt=0, le=1)] = DEFAULT_H,
                        nudge: Annotated[str | None, Query(max_length=64)] = None,
                        what_if: Annotated[str | None, Query(max_length=32_000,
                                                             description=WHAT_IF_HELP)] = None,
                        ) -> dict:
    """The loss of training example `example` with the live weights as leaves (`W1[0,1]`,
    `b2[0]`, inputs `x1`, `x2`, ..., target `y`); with `layer` and `neuron`, that neuron
    alone with the upstream gradient from the engine. `check` compares every parameter leaf's
    grad with the engine's per-example backprop. `what_if` draws it with some parameters changed
    on a copy (the run is untouched). Async: it reads the live trainer."""
    trainer = run.trainer
    changes = parse_what_if(what_if, settings.max_param_edits)
    if example >= trainer.n_train:
        raise _error(["query", "example"], f"example {example} is out of range: the run has "
                     f"training examples 0..{trainer.n_train - 1}", "range")
    if (layer is None) != (neuron is None):
        raise _error(["query", "layer" if layer is None else "neuron"],
                     "give both layer and neuron (one neuron's graph) or neither", "missing")
    try:
        if layer is not None:
            graph = single_neuron_graph(trainer, example, layer, neuron, h, nudge, changes)
        else:
            graph = network_graph(trainer, example, h, settings.network_graph_max_nodes, nudge,
                                  changes)
    except GraphTooLarge as exc:
        url = f"/api/runs/{run.id}/graph?example={example}&layer=1&neuron=0"
        raise _error(["query", "example"], f"{exc}; ask for one neuron's graph instead: {url}",
                     "graph_too_large", nodes=exc.nodes, limit=exc.limit,
                     neuron_graph=url) from None
    except IndexError as exc:
        raise _error(["query", "layer"], str(exc), "range") from None
    except GraphError as exc:
        raise _error(["query", "example"], str(exc), "gradient") from None
    except LookupError as exc:
        raise _error(["query", "nudge"], str(exc.args[0]), "nudge") from None
    except ParameterEditError as exc:
        raise _error(["query", "what_if"], f"what_if: {exc}", "what_if",
                     names=[n for n, _ in exc.bad]) from None
    return plain(graph)
