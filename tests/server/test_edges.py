"""The server's edges: framing and content headers, bounded bodies, short 422s, strict types
(REST and websocket alike) and "must be a finite number" for NaN/Infinity."""

from __future__ import annotations

import json

import pytest

from .conftest import answer_to


def new_run(client, **config) -> str:
    r = client.post("/api/runs", json=config)
    assert r.status_code == 201, r.text
    return r.json()["id"]


@pytest.mark.parametrize("path", ["/", "/api/schema", "/lessons", "/static/js/main.js"])
def test_every_response_forbids_framing_and_sniffing(client, path):
    r = client.get(path)
    assert r.status_code == 200
    assert r.headers["x-frame-options"] == "DENY"
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["referrer-policy"] == "same-origin"
    csp = r.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp
    script_src = next(d for d in csp.split(";") if d.strip().startswith("script-src"))
    # scripts from this server only, never inline (eval only for plotly's WebGL kernels)
    assert script_src.split() == ["script-src", "'self'", "'unsafe-eval'"]


def test_the_docs_page_alone_may_boot_swagger_with_its_inline_script(client):
    csp = client.get("/docs").headers["content-security-policy"]
    assert "script-src 'self' 'unsafe-inline'" in csp and "frame-ancestors 'none'" in csp


def test_a_body_over_the_limit_is_413_before_it_is_read(make_client):
    c = make_client(max_body_bytes=1000)
    r = c.post("/api/runs", content=b'{"hidden": [' + b"1," * 2000 + b"1]}",
               headers={"content-type": "application/json"})
    assert r.status_code == 413 and "1000 bytes" in r.json()["detail"]
    assert c.post("/api/runs", json={"hidden": [2]}).status_code == 201   # small bodies pass


def test_a_streamed_body_over_the_limit_is_413(make_client):
    c = make_client(max_body_bytes=1000)

    def chunks():
        yield b'{"hidden": ['
        for _ in range(300):
            yield b"1, 1, 1,"
        yield b"1]}"

    r = c.post("/api/runs", content=chunks(), headers={"content-type": "application/json"})
    assert r.status_code == 413


def test_a_422_echoes_only_a_short_prefix_of_a_long_input(client):
    r = client.post("/api/runs", json={"dataset": "x" * 200_000})
    assert r.status_code == 422
    assert len(r.text) < 2_000
    assert "200002 characters" in r.text      # says how long it was (with JSON quotes)


LONG = "x" * 100_000


@pytest.mark.parametrize("method, path, body", [
    ("POST", "/api/runs", {LONG: 1}),
    ("POST", "/api/comparisons", {"base": {}, "variants": [{}, {}], LONG: 1}),
    ("POST", "/api/comparisons", {"base": {LONG: 1}, "variants": [{}, {}]}),
    ("POST", "/api/races", {LONG: 1}),
    ("PATCH", "/api/runs/{id}/params", {LONG: 0.5}),
    ("PATCH", "/api/runs/{id}/params", {"W1[0,0]": LONG}),
])
def test_a_422_echoes_only_a_short_prefix_of_a_long_name_too(client, method, path, body):
    """A key the client made up is part of the error's location, and a parameter's name or
    value part of its message: neither comes back in full."""
    r = client.request(method, path.format(id=new_run(client)), json=body)
    assert r.status_code == 422, r.text[:300]
    assert len(r.text) < 2_000, r.text[:300]
    assert "characters)" in r.text       # says how long it was


@pytest.mark.parametrize("message", [
    {"type": LONG[:60_000]},
    {"type": "set", "config": {LONG[:60_000]: 1}},
    {"type": "params", "values": {LONG[:60_000]: 1}},
])
def test_a_websocket_error_echoes_only_a_short_prefix_of_a_long_name(client, message):
    with client.websocket_connect(f"/ws/runs/{new_run(client)}") as ws:
        ws.send_text(json.dumps(message))
        for _ in range(50):
            m = ws.receive()
            if m.get("text") and json.loads(m["text"]).get("type") == "error":
                assert len(m["text"]) < 2_000, m["text"][:300]
                assert "characters)" in m["text"]
                break
        else:
            raise AssertionError("no error message")


@pytest.mark.parametrize("config, field", [
    ({"learning_rate": "0.1"}, "learning_rate"),
    ({"learning_rate": True}, "learning_rate"),
    ({"batch_size": "10"}, "batch_size"),
    ({"batch_size": 10.5}, "batch_size"),
    ({"hidden": [True]}, "hidden"),
    ({"hidden": ["4"]}, "hidden"),
    ({"standardize": "yes"}, "standardize"),
    ({"standardize": 1}, "standardize"),
])
def test_loose_types_are_422_over_rest(client, config, field):
    r = client.post("/api/runs", json=config)
    assert r.status_code == 422, r.text
    assert field in json.dumps(r.json()["detail"])
    run = new_run(client)
    patched = client.patch(f"/api/runs/{run}", json=config)
    assert patched.status_code == 422, patched.text


@pytest.mark.parametrize("reset", ["yes", "true", 1, None])
def test_a_loose_reset_flag_is_422_and_changes_nothing(client, reset):
    run = new_run(client)
    r = client.patch(f"/api/runs/{run}", json={"n_samples": 300, "reset": reset})
    assert r.status_code == 422, r.text
    assert "reset" in json.dumps(r.json()["detail"])
    assert client.get(f"/api/runs/{run}").json()["config"]["n_samples"] != 300


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity"])
def test_non_finite_numbers_are_refused_as_not_finite(client, value):
    body = '{"learning_rate": %s}' % value
    r = client.post("/api/runs", content=body, headers={"content-type": "application/json"})
    assert r.status_code == 422
    assert "finite number" in r.text, r.text


def test_loose_types_are_refused_over_the_websocket_too(client):
    run = new_run(client)
    with client.websocket_connect(f"/ws/runs/{run}") as ws:
        ws.send_text(json.dumps({"type": "set", "config": {"learning_rate": "0.1"}}))
        for _ in range(50):
            m = ws.receive()
            if m.get("text"):
                t = json.loads(m["text"])
                if t.get("type") == "error":
                    assert t["status"] == 422 and "learning_rate" in t["message"]
                    break
        else:
            raise AssertionError("no error message for a string learning rate")
    assert client.get(f"/api/runs/{run}").json()["config"]["learning_rate"] == 0.03


@pytest.mark.parametrize("method,path", [("POST", "/api/runs"), ("PATCH", "/api/runs/{id}"),
                                         ("POST", "/api/runs/{id}/step")])
def test_malformed_json_is_the_documented_400_with_where_it_broke(client, method, path):
    rid = new_run(client)
    r = client.request(method, path.format(id=rid), content=b'{"hidden": [2',
                       headers={"content-type": "application/json"})
    assert r.status_code == 400, r.text
    assert r.json()["detail"].startswith("the body is not valid JSON at character 13")
    doc = client.get("/openapi.json").json()["paths"]
    route = doc[path.replace("{id}", "{run_id}")][method.lower()]
    assert "400" in route["responses"] and "not valid JSON" in route["responses"]["400"]["description"]


def test_openapi_states_every_bound(make_client):
    c = make_client(max_steps_per_call=500, max_epochs_per_call=7)
    schemas = c.get("/openapi.json").json()["components"]["schemas"]
    for model in ("TrainConfig", "RunPatch", "ConfigChanges"):
        hidden = schemas[model]["properties"]["hidden"]
        array = next(a for a in [hidden, *hidden.get("anyOf", [])] if a.get("type") == "array")
        assert array["maxItems"] == 8
        assert array["items"] == {"type": "integer", "minimum": 1, "maximum": 64}, model
    step = schemas["StepRequest"]
    assert step["not"] == {"required": ["steps", "epochs"]}            # steps or epochs, not both
    numeric = lambda prop: next(a for a in step["properties"][prop]["anyOf"] if a["type"] == "integer")
    assert (numeric("steps")["minimum"], numeric("steps")["maximum"]) == (1, 500)   # this app's
    assert numeric("epochs")["maximum"] == 7
    group = schemas["GroupStep"]
    assert group["oneOf"] == [{"required": ["epochs"]}, {"required": ["updates"]}]
    # ...and what the schema says is what the server does
    rid = new_run(c)
    assert c.post(f"/api/runs/{rid}/step", json={"steps": 501}).status_code == 422
    assert c.post(f"/api/runs/{rid}/step", json={"steps": 500}).status_code == 200
    assert c.post("/api/runs", json={"hidden": [65]}).status_code == 422
    assert c.post("/api/runs", json={"hidden": [0]}).status_code == 422


def test_openapi_states_the_race_and_group_bounds_of_this_app(make_client):
    c = make_client(max_racers=3, max_race_steps_per_call=50, max_comparison_members=4,
                    max_function_resolution=40, max_landscape_resolution=30)
    doc = c.get("/openapi.json").json()
    schemas = doc["components"]["schemas"]
    assert schemas["RaceCreate"]["properties"]["racers"]["maxItems"] == 3
    assert schemas["RaceStep"]["properties"]["steps"]["maximum"] == 50
    variants = schemas["ComparisonCreate"]["properties"]["variants"]
    assert (variants["minItems"], variants["maxItems"]) == (2, 4)
    query = lambda path: next(p["schema"] for p in doc["paths"][path]["get"]["parameters"]
                              if p["name"] == "resolution")
    assert query("/api/functions/{name}/surface")["maximum"] == 40
    assert query("/api/comparisons/{comparison_id}/landscape")["maximum"] == 30
    # ...and what the schema says is what the server does
    racer = {"optimizer": "sgd"}
    assert c.post("/api/races", json={"function": "bowl", "racers": [racer] * 4}).status_code == 422
    rid = c.post("/api/races", json={"function": "bowl", "racers": [racer] * 3}).json()["id"]
    assert c.post(f"/api/races/{rid}/step", json={"steps": 51}).status_code == 422
    assert c.post(f"/api/races/{rid}/step", json={"steps": 50}).status_code == 200
    assert c.post("/api/comparisons", json={"variants": [{}] * 5}).status_code == 422
    assert c.post("/api/comparisons", json={"variants": [{}]}).status_code == 422
    assert c.post("/api/comparisons", json={"variants": [{}] * 4}).status_code == 201
    assert c.get("/api/functions/bowl/surface?resolution=41").status_code == 422
    assert c.get("/api/functions/bowl/surface?resolution=40").status_code == 200


LOOSE_MESSAGES = [
    ({"type": "set", "config": {"learning_rate": 0.2}, "reset": "yes"}, "reset"),
    ({"type": "step", "n": "5"}, "n"),
    ({"type": "step", "n": True}, "n"),
    ({"type": "step", "n": 2.0}, "n"),
    ({"type": "subscribe", "fps": "30"}, "fps"),
    ({"type": "subscribe", "speed": True}, "speed"),
    ({"type": "subscribe", "neuron": ["1", "0"]}, "neuron"),
    ({"type": "subscribe", "landscape": {"resolution": "21"}}, "landscape.resolution"),
    ({"type": "subscribe", "landscape": {"log_scale": "yes"}}, "landscape.log_scale"),
    ({"type": "subscribe", "landscape": {"seed": True}}, "landscape.seed"),
]


@pytest.mark.parametrize("message,field", LOOSE_MESSAGES)
def test_every_websocket_message_is_strictly_typed(client, message, field):
    run = new_run(client)
    with client.websocket_connect(f"/ws/runs/{run}") as ws:
        ws.send_text(json.dumps(message))
        answer = answer_to(ws, message["type"])
        assert answer["type"] == "error" and answer["status"] == 422, answer
        assert answer["message"].startswith(field), answer
        assert "Input should be a valid" in answer["message"], answer
        # what is right still works on the same socket, and the refused one changed nothing
        ws.send_text(json.dumps({"type": "subscribe", "fps": 10, "neuron": [1, 0],
                                 "landscape": {"resolution": 11, "span": 2}}))
        ack = answer_to(ws, "subscribe")
        assert ack["type"] == "ack" and ack["neuron"] == [1, 0], ack
    out = client.get(f"/api/runs/{run}").json()
    assert out["config"]["learning_rate"] == 0.03 and out["metrics"]["step"] == 0


def test_a_non_finite_number_in_a_subscription_is_refused(client):
    run = new_run(client)
    with client.websocket_connect(f"/ws/runs/{run}") as ws:
        ws.send_text('{"type": "subscribe", "landscape": {"span": Infinity}}')
        answer = answer_to(ws, "subscribe")
        assert answer["status"] == 422 and "finite number" in answer["message"], answer
