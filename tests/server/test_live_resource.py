"""The one socket and registry shape of comparison groups and races (server/live_resource.py,
server/live_registry.py): both refuse, greet, read messages, say "closed" and fill up alike."""

from __future__ import annotations

import json

import pytest
from starlette.websockets import WebSocketDisconnect

GROUP = {"base": {"dataset": "circle", "n_samples": 100, "hidden": [3]},
         "variants": [{}, {"learning_rate": 0.3}]}
RACE = {"function": "bowl", "start": [1, 1], "racers": [{"optimizer": "sgd", "learning_rate": 0.1}]}
KINDS = [("comparisons", GROUP, "comparison group", "group"), ("races", RACE, "race", "race")]


def _create(client, path, body):
    r = client.post(f"/api/{path}", json=body)
    assert r.status_code == 201, r.text
    return r.json()["id"]


def _until(ws, kind):
    for _ in range(20):
        message = ws.receive()
        if message.get("text") and json.loads(message["text"])["type"] == kind:
            return json.loads(message["text"])
    raise AssertionError(f"no {kind} message")


@pytest.mark.parametrize("path, body, kind, noun", KINDS)
def test_unknown_ids_and_a_full_house_are_refused_with_the_kind_named(make_client, path, body,
                                                                      kind, noun):
    client = make_client(max_viewers_per_run=1)
    with client.websocket_connect(f"/ws/{path}/nope") as ws:
        with pytest.raises(WebSocketDisconnect) as exc:
            ws.receive_text()
    assert (exc.value.code, exc.value.reason) == (4404, f"no {kind} with this id")
    rid = _create(client, path, body)
    with client.websocket_connect(f"/ws/{path}/{rid}") as first:
        assert json.loads(first.receive_text())["type"] == "hello"
        with client.websocket_connect(f"/ws/{path}/{rid}") as second:
            with pytest.raises(WebSocketDisconnect) as exc:
                second.receive_text()
        assert (exc.value.code, exc.value.reason) == (4429, f"at most 1 viewers per {noun}")


@pytest.mark.parametrize("path, body, kind, noun", KINDS)
def test_bad_messages_get_the_same_errors_and_a_delete_says_closed(make_client, path, body,
                                                                    kind, noun):
    client = make_client(max_message_bytes=200)
    rid = _create(client, path, body)
    with client.websocket_connect(f"/ws/{path}/{rid}") as ws:
        hello = _until(ws, "hello")
        assert hello["control"] is True and hello["limits"]["max_message_bytes"] == 200
        ws.send_text("x" * 300)
        assert _until(ws, "error") == {"type": "error", "for": None, "status": 413,
                                       "message": "message too large: at most 200 bytes"}
        ws.send_text("{nope")
        err = _until(ws, "error")
        assert err["status"] == 400 and err["message"].startswith("not JSON")
        ws.send_text(json.dumps({"type": "dance"}))
        err = _until(ws, "error")
        assert (err["for"], err["status"]) == ("dance", 400) and "known: play, pause" in err["message"]
        ws.send_text(json.dumps({"type": "subscribe", "fps": "fast"}))
        err = _until(ws, "error")
        assert (err["for"], err["status"]) == ("subscribe", 422) and err["message"].startswith("fps:")
        assert client.delete(f"/api/{path}/{rid}").status_code == 204
        assert _until(ws, "closed") == {"type": "closed", "message": f"the {noun} was deleted"}
        with pytest.raises(WebSocketDisconnect) as exc:
            ws.receive_text()
        assert exc.value.code == 4410


@pytest.mark.parametrize("path, body, setting, words", [
    ("comparisons", GROUP, "max_comparisons", "too many comparison groups: 1 of 1 are live; "
                                              "delete one (DELETE /api/comparisons/{id})"),
    ("races", RACE, "max_races", "too many races: 1 of 1 are live; delete one "
                                 "(DELETE /api/races/{id})")])
def test_a_full_registry_answers_429_naming_the_way_out(make_client, path, body, setting, words):
    client = make_client(**{setting: 1})
    rid = _create(client, path, body)
    r = client.post(f"/api/{path}", json=body)
    assert r.status_code == 429 and r.json()["detail"] == words
    assert client.delete(f"/api/{path}/{rid}").status_code == 204
    _create(client, path, body)                 # a delete makes room
