"""REST of the backprop lab: POST /api/graph, GET /api/graph/presets, GET /api/runs/{id}/graph."""

from __future__ import annotations

import pytest

CHAIN = {"expression": "e = a*b; d = e + c; L = d*f", "values": {"a": 2, "b": -3, "c": 10, "f": -2}}


def test_post_graph_answers_the_contract_shape(client):
    r = client.post("/api/graph", json={**CHAIN, "h": 0.001})
    assert r.status_code == 200
    g = r.json()
    assert set(g) >= {"output", "nodes", "edges", "order"}
    assert all(set(n) >= {"id", "label", "op", "data", "grad", "numeric"} for n in g["nodes"])
    out = g["nodes"][g["output"]]
    assert out["label"] == "L" and out["data"] == -8
    f = next(n for n in g["nodes"] if n["label"] == "f")
    assert f["grad"] == 4 and f["numeric"] == pytest.approx(4, abs=1e-9)
    assert all(n["numeric"] is None for n in g["nodes"] if n["inputs"])
    assert all(len(e) == 2 for e in g["edges"]) and sorted(g["order"]) == list(range(len(g["nodes"])))


def test_post_graph_answer_validates_against_its_documented_model(client):
    from server.routes_graph import GraphOut
    for body in (CHAIN, {**CHAIN, "nudge": "a"}, {"expression": "L = relu(a) ** 2", "values": {"a": 1}}):
        GraphOut.model_validate(client.post("/api/graph", json=body).json())


def test_post_graph_nudge_sweep(client):
    g = client.post("/api/graph", json={**CHAIN, "nudge": "f"}).json()
    assert g["nudge"]["label"] == "f" and g["nudge"]["delta"][-1] == 4 and g["nudge"]["h"][-1] == 1


def test_presets_are_the_course_examples(client):
    presets = {p["name"]: p for p in client.get("/api/graph/presets").json()}
    assert set(presets) == {"chain", "neuron", "neuron_exp", "reuse"}
    for p in presets.values():
        r = client.post("/api/graph", json={"expression": p["expression"], "values": p["values"]})
        assert r.status_code == 200, p["name"]


BAD = {
    "import": ("__import__('os')", "__import__"),
    "attribute": ("a.real", "attribute"),
    "lambda": ("lambda: a", "lambda"),
    "huge_exponent": ("a ** 1e308", "exponent"),
    "million_chars": ("a" * 1_000_000, "1000000 characters"),
    "deep_nesting": ("(" * 990 + "a" + ")" * 990, "nested"),
    "deep_calls": ("relu(" * 200 + "a" + ")" * 200, "nested"),
    "syntax": ("L = a * * ", "column"),
    "unknown_function": ("L = foo(a)", "'foo'"),
    "unknown_name": ("L = a * zz", "'zz'"),
}


@pytest.mark.timeout(20)
@pytest.mark.parametrize("case", list(BAD))
def test_bad_expressions_are_422_with_a_message(client, case):
    text, words = BAD[case]
    r = client.post("/api/graph", json={"expression": text, "values": {"a": 2}})
    assert r.status_code == 422, r.text
    (err,) = r.json()["detail"]
    assert words in err["msg"]


def test_missing_value_names_the_leaf_and_its_location(client):
    r = client.post("/api/graph", json={"expression": "L = a*b", "values": {"a": 1}})
    assert r.status_code == 422
    (err,) = r.json()["detail"]
    assert err["loc"] == ["body", "values", "b"] and err["name"] == "b" and err["column"] == 7


def test_too_many_nodes_is_422_and_bounds_come_from_settings(make_client):
    c = make_client(graph_max_nodes=20)
    text = "; ".join(f"t{k} = {'t' + str(k - 1) if k else 'a'} * a + 1" for k in range(15))
    r = c.post("/api/graph", json={"expression": text, "values": {"a": 0.5}})
    assert r.status_code == 422 and "at most 20" in r.json()["detail"][0]["msg"]


@pytest.mark.parametrize("body", [
    {**CHAIN, "h": 0}, {**CHAIN, "h": 2}, {**CHAIN, "values": {"a": "x"}},
    {**CHAIN, "nudge": "zz"}, {"expression": 5}, {**CHAIN, "extra": 1},
    {"expression": "L = log(a)", "values": {"a": -1}}, {"expression": "L = a ** 0.5", "values": {"a": 0}},
])
def test_bad_options_are_422(client, body):
    assert client.post("/api/graph", json=body).status_code == 422


@pytest.mark.parametrize("field, value", [
    ("values", {"a": "2"}), ("values", {"a": True}), ("h", "0.001"), ("h", True),
    ("nudge", 1), ("expression", ["L = a"]),
])
def test_the_body_is_strict_no_value_is_coerced(client, field, value):
    """As every REST body: a number written as a string, or true for a number, is refused with
    the field named, not read as 2.0 or 1.0."""
    r = client.post("/api/graph", json={**CHAIN, field: value})
    assert r.status_code == 422, r.text
    assert r.json()["detail"][0]["loc"][:2] == ["body", field]


def test_a_non_finite_value_says_it_must_be_finite(client):
    r = client.post("/api/graph", content=b'{"expression": "L = a * b", "values": {"a": NaN, "b": 1}}',
                    headers={"content-type": "application/json"})
    assert r.status_code == 422, r.text
    assert "finite" in r.json()["detail"][0]["msg"]


def new_run(client, **config) -> str:
    r = client.post("/api/runs", json=config)
    assert r.status_code == 201
    return r.json()["id"]


def test_run_graph_of_a_2_3_1_network(client):
    rid = new_run(client, hidden=[3])
    client.post(f"/api/runs/{rid}/step", json={"steps": 20})
    r = client.get(f"/api/runs/{rid}/graph", params={"example": 4})
    assert r.status_code == 200
    g = r.json()
    labels = {n["label"] for n in g["nodes"]}
    assert {"W1[0,1]", "b2[0]", "x1", "x2", "y", "L"} <= labels
    assert g["check"]["matches"] and g["kind"] == "network" and g["example"] == 4
    params = client.get(f"/api/runs/{rid}/params").json()
    w = next(n for n in g["nodes"] if n["label"] == "W1[2,1]")
    assert w["data"] == params[0]["W"][2][1]


def test_run_graph_too_large_offers_the_neuron_graph(client):
    rid = new_run(client, hidden=[8, 8, 8])
    r = client.get(f"/api/runs/{rid}/graph", params={"example": 0})
    assert r.status_code == 422
    (err,) = r.json()["detail"]
    assert err["type"] == "graph_too_large" and err["nodes"] > err["limit"]
    assert str(err["nodes"]) in err["msg"] and "neuron" in err["msg"]
    r = client.get(err["neuron_graph"])
    assert r.status_code == 200 and r.json()["kind"] == "neuron" and r.json()["check"]["matches"]


@pytest.mark.parametrize("query", [
    {"example": 10_000}, {"example": -1}, {"example": 0, "layer": 1},
    {"example": 0, "layer": 3, "neuron": 0}, {"example": 0, "layer": 1, "neuron": 9},
    {"example": 0, "nudge": "W9[0,0]"}, {}, {"example": 0, "h": 0},
])
def test_run_graph_bad_queries_are_422(client, query):
    rid = new_run(client, hidden=[3])
    r = client.get(f"/api/runs/{rid}/graph", params=query)
    assert r.status_code == 422, r.text
    assert r.json()["detail"]


def test_run_graph_unknown_run_is_404(client):
    assert client.get("/api/runs/nope/graph", params={"example": 0}).status_code == 404


def test_openapi_documents_the_graph_endpoints(client):
    paths = client.get("/openapi.json").json()["paths"]
    assert "post" in paths["/api/graph"] and "get" in paths["/api/runs/{run_id}/graph"]
    assert "422" in paths["/api/graph"]["post"]["responses"]


def test_run_graph_what_if_draws_the_change_and_leaves_the_run_alone(client):
    import json
    rid = new_run(client, hidden=[3])
    params = client.get(f"/api/runs/{rid}/params").json()
    run = client.get(f"/api/runs/{rid}").json()
    r = client.get(f"/api/runs/{rid}/graph",
                   params={"example": 2, "what_if": json.dumps({"W1[0,1]": 0.5})})
    assert r.status_code == 200, r.text
    g = r.json()
    from server.routes_graph import GraphOut
    GraphOut.model_validate(g)
    w = next(n for n in g["nodes"] if n["label"] == "W1[0,1]")
    assert w["data"] == 0.5 and g["what_if"] == {"W1[0,1]": 0.5} and g["check"]["matches"]
    assert client.get(f"/api/runs/{rid}/params").json() == params
    assert client.get(f"/api/runs/{rid}").json() == run
    assert client.get(f"/api/runs/{rid}/graph", params={"example": 2}).json()["what_if"] is None


@pytest.mark.parametrize("what_if, words", [
    ("{", "not JSON"), ("[1, 2]", "JSON object"), ('{"W9[0,0]": 1}', "W9[0,0]"),
    ('{"W1[0,1]": "x"}', "finite numbers"), ('{"W1[0,1]": 1e7}', "within"),
    ('{"x1": 1}', "'x1'"),
])
def test_run_graph_bad_what_if_is_422_naming_it(client, what_if, words):
    rid = new_run(client, hidden=[3])
    r = client.get(f"/api/runs/{rid}/graph", params={"example": 0, "what_if": what_if})
    assert r.status_code == 422, r.text
    (err,) = r.json()["detail"]
    assert err["loc"] == ["query", "what_if"] and words in err["msg"], err["msg"]


def test_each_preset_starts_the_nudge_on_one_of_its_leaves(client):
    for p in client.get("/api/graph/presets").json():
        g = client.post("/api/graph", json={"expression": p["expression"], "values": p["values"],
                                            "nudge": p["nudge"]}).json()
        assert g["nudge"]["label"] == p["nudge"], p["name"]
    chain = next(p for p in client.get("/api/graph/presets").json() if p["name"] == "chain")
    assert chain["nudge"] == "f"  # the course nudges f: L changes by 4 for h = 1


def test_post_graph_names_values_the_expression_does_not_use(client):
    from server.routes_graph import GraphOut
    r = client.post("/api/graph", json={**CHAIN, "values": {**CHAIN["values"], "q": 1}})
    assert r.status_code == 200
    g = r.json()
    assert g["unused_values"] == ["q"] and "q" in g["note"]
    GraphOut.model_validate(g)
    schema = client.get("/openapi.json").json()["components"]["schemas"]["GraphOut"]["properties"]
    assert "unused_values" in schema
