"""Live surfaces admitted by their share of the landscape threads (server/landscape_admission.py):
the ledger on its own, then over the websocket (a refusal is a 503 that names what to lower and
applies the rest of the subscription; a claim is the run's and goes back when nobody shows it)."""

from __future__ import annotations

import time

import pytest

from engine import TrainConfig, Trainer
from server.api_models import LandscapeOptions
from server.landscape_admission import (HEAVY_SHARE, LandscapeLedger, LandscapeRefused,
                                        landscape_cost)
from server.settings import Settings
from tests.server.test_server_ws import Socket, new_run

SMALL = Trainer(TrainConfig(hidden=[4]))                    # 17 parameters, 250 points


def test_a_small_surface_claims_its_estimated_share_and_many_fit():
    settings = Settings(landscape_threads=2)
    ledger = LandscapeLedger(settings)
    options = LandscapeOptions(resolution=21)
    claim = ledger.claim_for(SMALL, options)
    assert not claim.heavy
    seconds = landscape_cost(SMALL, options) / settings.landscape_rate
    assert claim.share(settings) == pytest.approx(
        seconds / (seconds + settings.landscape_admission_seconds))
    holders = [object() for _ in range(64)]
    for holder in holders:
        ledger.admit(holder, SMALL, options)       # 64 small runs' surfaces: a fifth in all
    assert ledger.used()[0] < 0.25 * settings.landscape_threads


def test_heavy_surfaces_fit_in_all_threads_but_one_and_a_refusal_says_what_would_fit():
    settings = Settings(landscape_threads=2, landscape_heavy_cost=1e6)
    ledger = LandscapeLedger(settings)
    big = LandscapeOptions(resolution=21)          # 441 x 250 x 17 = 1.9e6: heavy
    assert ledger.claim_for(SMALL, big).heavy
    for holder in ("a", "b", "c"):                # a third each until measured: one thread
        ledger.admit(holder, SMALL, big)
    assert ledger.used() == (pytest.approx(3 * HEAVY_SHARE), pytest.approx(3 * HEAVY_SHARE))
    with pytest.raises(LandscapeRefused) as refused:
        ledger.admit("d", SMALL, big)
    message = str(refused.value)
    assert "3 live surface(s)" in message and "21x21" in message
    assert refused.value.retry_after > 0
    suggested = int(message.split("(try ")[1].split("x")[0])
    assert suggested % 2 == 1 and suggested < 21
    with pytest.raises(LandscapeRefused):         # the next odd one up does not fit ...
        ledger.admit("d", SMALL, big.model_copy(update={"resolution": suggested + 2}))
    ledger.admit("d", SMALL, big.model_copy(update={"resolution": suggested}))   # ... it does
    assert ledger.holds("d")


def test_a_measured_surface_counts_what_it_took_and_a_release_frees_its_room():
    settings = Settings(landscape_threads=2, landscape_heavy_cost=1e6)
    ledger = LandscapeLedger(settings)
    big = LandscapeOptions(resolution=21)
    for holder in ("a", "b", "c"):
        ledger.admit(holder, SMALL, big)
    ledger.measured("a", 0.01)                    # fast after all: 0.01 / 1.01 of a thread
    assert ledger.used()[1] == pytest.approx(2 * HEAVY_SHARE + 0.01 / 1.01)
    with pytest.raises(LandscapeRefused):         # 2/3 + 0.0099 + 1/3 > 1: not yet
        ledger.admit("d", SMALL, big)
    ledger.measured("b", 0.01)
    ledger.admit("d", SMALL, big)                 # 1/3 + 2 x 0.0099 + 1/3: fits
    assert ledger.holds("d")
    with pytest.raises(LandscapeRefused):
        ledger.admit("e", SMALL, big)
    ledger.release("c")
    ledger.admit("e", SMALL, big)
    assert ledger.holds("e") and ledger.used()[1] <= 1 + 1e-9


def test_a_refused_change_keeps_the_claim_the_holder_had():
    settings = Settings(landscape_threads=2, landscape_heavy_cost=1e6)
    ledger = LandscapeLedger(settings)
    big, small = LandscapeOptions(resolution=21), LandscapeOptions(resolution=5)
    for holder in ("a", "b", "c"):
        ledger.admit(holder, SMALL, big)
    ledger.admit("d", SMALL, small)               # light: fits beside them
    before = ledger.claims["d"]
    with pytest.raises(LandscapeRefused):
        ledger.admit("d", SMALL, big)             # heavy now: no heavy room left
    assert ledger.claims["d"] is before


# ---------------------------------------------------------------- over the websocket
def _full_at_three(make_client):
    """An app whose single landscape thread holds three live surfaces (a third each, measured
    or not: the promised refresh is ~0 s, so every surface waits twice its own time)."""
    return make_client(landscape_threads=1, landscape_admission_seconds=1e-9)


def _subscribe(sock: Socket, views, **more) -> tuple[dict | None, dict]:
    """(error or None, ack) of one subscribe."""
    sock.send(type="subscribe", views=views, **more)
    error = None
    while True:
        text = sock.text(lambda t: t.get("for") == "subscribe")
        if text["type"] == "error":
            error = text
            continue
        return error, text


def test_a_refused_surface_is_a_503_with_what_to_lower_and_the_rest_applies(make_client):
    client = _full_at_three(make_client)
    runs = [new_run(client, hidden=[4]) for _ in range(4)]
    sockets = [client.websocket_connect(f"/ws/runs/{run}") for run in runs]
    socks = [Socket(ws.__enter__()) for ws in sockets]
    try:
        for sock in socks[:3]:
            error, ack = _subscribe(sock, ["landscape"], landscape={"resolution": 5})
            assert error is None and ack["views"] == ["landscape"]
        error, ack = _subscribe(socks[3], ["weights", "landscape"],
                                landscape={"resolution": 7})
        assert error["status"] == 503 and error["fields"] == ["landscape"]
        assert "no room" in error["message"]
        assert f"subscribe again after {error['retry_after']:g} s" in error["message"]
        assert error["retry_after"] > 0
        assert ack["views"] == ["weights"]          # the rest of the subscription applies
        assert ack["landscape"]["resolution"] == 21   # the refused options were not taken
        socks[3].send(type="step", n=1)
        header, arrays = socks[3].frame(lambda h, a: h["metrics"]["step"] == 1)
        assert "weights" in arrays and "landscape" not in header
        assert header["landscape_refused"] == error["message"]   # the panel can say why
        sockets[0].__exit__(None, None, None)      # one surface's viewer leaves: its room frees
        sockets[0] = None
        error, ack = _subscribe(socks[3], ["weights", "landscape"],
                                landscape={"resolution": 7})
        assert error is None and ack["views"] == ["landscape", "weights"]
        header, arrays = socks[3].frame(lambda h, a: "landscape" in h)
        assert arrays["landscape_loss"].shape == (7, 7) and "landscape_refused" not in header
    finally:
        for ws in sockets:
            if ws is not None:
                ws.__exit__(None, None, None)


def test_a_second_viewer_of_a_run_shares_its_claim_and_it_goes_when_nobody_shows_it(make_client):
    client = _full_at_three(make_client)
    runs = [new_run(client, hidden=[4]) for _ in range(3)]
    with client.websocket_connect(f"/ws/runs/{runs[0]}") as a, \
            client.websocket_connect(f"/ws/runs/{runs[0]}") as b, \
            client.websocket_connect(f"/ws/runs/{runs[1]}") as c, \
            client.websocket_connect(f"/ws/runs/{runs[2]}") as d:
        ledger = client.app.state.landscapes.ledger
        for ws in (a, c, d):
            assert _subscribe(Socket(ws), ["landscape"])[0] is None
        assert len(ledger.claims) == 3                # the ledger is full ...
        error, ack = _subscribe(Socket(b), ["landscape", "output"])
        assert error is None and "landscape" in ack["views"]   # ... but b shows a's run's surface
        assert len(ledger.claims) == 3
        _subscribe(Socket(a), ["weights"])            # a stops showing it; b still does
        assert len(ledger.claims) == 3
        _subscribe(Socket(b), ["weights"])            # nobody shows run 0's surface now
        assert len(ledger.claims) == 2


def test_deleting_a_run_gives_its_claim_back(make_client):
    client = _full_at_three(make_client)
    run = new_run(client, hidden=[4])
    with client.websocket_connect(f"/ws/runs/{run}") as ws:
        assert _subscribe(Socket(ws), ["landscape"])[0] is None
        assert len(client.app.state.landscapes.ledger.claims) == 1
        assert client.delete(f"/api/runs/{run}").status_code in (200, 204)
    assert client.app.state.landscapes.ledger.claims == {}


# ------------------------------------------------- what a claim is for, and when it goes
def test_a_rebuild_with_a_bigger_network_is_admitted_again(make_client):
    """Claim cost is the small net's; after `set ... reset` to a big net, nothing re-admits."""
    client = make_client(landscape_threads=2, landscape_heavy_cost=1e7)
    run = new_run(client, hidden=[2])
    with client.websocket_connect(f"/ws/runs/{run}") as ws:
        sock = Socket(ws)
        assert _subscribe(sock, ["landscape"], landscape={"resolution": 21})[0] is None
        ledger = client.app.state.landscapes.ledger
        (claim,) = ledger.claims.values()
        assert not claim.heavy
        sock.send(type="set", config={"hidden": [64, 64, 64, 64], "n_samples": 1000}, reset=True)
        sock.text(lambda t: t.get("for") == "set")
        sock.send(type="step", n=1)           # the next tick claims again, before computing
        sock.frame(lambda h, a: h["metrics"]["step"] == 1)
        stream = client.app.state.streams.get(run)
        now = landscape_cost(stream.run.trainer, stream.landscape_options)
        assert now > 1e7                       # the surface now computed is heavy ...
        (claim,) = ledger.claims.values()
        assert claim.heavy and claim.cost == now, (claim, now)   # ... but the claim is not


def test_options_set_by_a_viewer_without_the_surface_are_admitted(make_client):
    """Viewer A shows the run's surface at 5x5 (admitted); viewer B, without "landscape" in its
    views, sets resolution 101: the run computes 101x101 surfaces under A's 5x5 claim."""
    client = make_client(landscape_threads=2, landscape_heavy_cost=1e6)
    run = new_run(client, hidden=[4])
    with client.websocket_connect(f"/ws/runs/{run}") as a, \
            client.websocket_connect(f"/ws/runs/{run}") as b:
        assert _subscribe(Socket(a), ["landscape"], landscape={"resolution": 5})[0] is None
        error, ack = _subscribe(Socket(b), ["weights"], landscape={"resolution": 101})
        ledger = client.app.state.landscapes.ledger
        stream = client.app.state.streams.get(run)
        (claim,) = ledger.claims.values()
        assert claim.resolution == stream.landscape_options.resolution, (
            claim, stream.landscape_options, error)


def test_a_stale_measurement_of_the_previous_options_does_not_become_the_new_claims(
        make_client, monkeypatch):
    """A's 5x5 surface is still computing when A asks for 51x51 (heavy: a third until
    measured): the 5x5 result is measured onto the 51x51 claim."""
    from server.landscape_worker import LandscapeWorker
    real = LandscapeWorker.compute

    async def slow_small(self, run, options, timeout, slot_timeout=None):
        import asyncio
        result = await real(self, run, options, timeout, slot_timeout)
        if options.resolution == 5:
            await asyncio.sleep(1.0)         # still in flight when the options change
            SEEN.append(result["seconds"])
        else:
            await asyncio.sleep(30)          # the 51x51 one never lands during the test
        return result

    SEEN = []
    monkeypatch.setattr(LandscapeWorker, "compute", slow_small)
    client = make_client(landscape_threads=2, landscape_heavy_cost=1e6)
    run = new_run(client, hidden=[4])
    ledger = client.app.state.landscapes.ledger
    with client.websocket_connect(f"/ws/runs/{run}") as a:
        sa = Socket(a)
        assert _subscribe(sa, ["landscape"], landscape={"resolution": 5})[0] is None
        time.sleep(0.2)
        assert _subscribe(sa, ["landscape"], landscape={"resolution": 51})[0] is None
        s = client.app.state.streams.get(run)
        assert ledger.claims[s].heavy and ledger.claims[s].seconds is None
        time.sleep(1.3)                      # the 5x5 result lands
        claim = ledger.claims[s]
        assert claim.seconds is None or claim.share(client.app.state.settings) > 0.3, claim


def test_giving_up_the_surface_stops_its_computation(make_client):
    """The claim goes back at once, but the surface in flight keeps its thread (up to
    landscape_timeout_seconds): the ledger says the room is free while it is not."""
    client = make_client(landscape_threads=2, landscape_timeout_seconds=4)
    run = new_run(client, hidden=[64, 64, 64], n_samples=1000)
    worker = client.app.state.landscapes
    with client.websocket_connect(f"/ws/runs/{run}") as a:
        sa = Socket(a)
        assert _subscribe(sa, ["landscape"], landscape={"resolution": 101})[0] is None
        time.sleep(0.5)
        assert worker.running == 1
        _subscribe(sa, ["weights"])
        assert not worker.ledger.holds(client.app.state.streams.get(run))
        time.sleep(1.0)
        assert worker.running == 0, "the given-up surface still holds a landscape thread"


def test_a_second_viewer_asking_other_options_still_shares_the_runs_surface(make_client):
    """Viewers of one run share its surface: a second viewer asking for options that do not
    fit still gets the run's surface as it is, told that its options were not taken."""
    client = make_client(landscape_threads=2, landscape_heavy_cost=1.5e5,   # 7x7 heavy, 5x5 not
                         landscape_admission_seconds=1e-9)   # every claim a third
    runs = [new_run(client, hidden=[4]) for _ in range(4)]
    with client.websocket_connect(f"/ws/runs/{runs[0]}") as a, \
            client.websocket_connect(f"/ws/runs/{runs[0]}") as b, \
            client.websocket_connect(f"/ws/runs/{runs[1]}") as c, \
            client.websocket_connect(f"/ws/runs/{runs[2]}") as d, \
            client.websocket_connect(f"/ws/runs/{runs[3]}") as e:
        for ws in (c, d, e):   # the heavy room is full
            assert _subscribe(Socket(ws), ["landscape"], landscape={"resolution": 7})[0] is None
        assert _subscribe(Socket(a), ["landscape"], landscape={"resolution": 5})[0] is None
        error, ack = _subscribe(Socket(b), ["landscape"], landscape={"resolution": 7})
        assert "landscape" in ack["views"], (error, ack)   # run 0's 5x5 surface is right there
        assert error["kept"] is True and "stays at 5x5" in error["message"]
        assert "retry_after" not in error and ack["landscape"]["resolution"] == 5


def test_a_rebuild_that_no_longer_fits_takes_the_surface_away_and_says_why(make_client):
    client = make_client(landscape_threads=2, landscape_heavy_cost=5e5,   # [4] at 5x5 is light
                         landscape_admission_seconds=1e-9)                # every claim a third
    runs = [new_run(client, hidden=[4]) for _ in range(4)]
    with client.websocket_connect(f"/ws/runs/{runs[0]}") as a, \
            client.websocket_connect(f"/ws/runs/{runs[1]}") as b, \
            client.websocket_connect(f"/ws/runs/{runs[2]}") as c, \
            client.websocket_connect(f"/ws/runs/{runs[3]}") as d:
        for ws in (a, b, c):   # heavy: the heavy room (one thread) is full
            assert _subscribe(Socket(ws), ["landscape"], landscape={"resolution": 21})[0] is None
        sock = Socket(d)
        assert _subscribe(sock, ["landscape", "weights"], landscape={"resolution": 5})[0] is None
        sock.send(type="set", config={"hidden": [32, 32]}, reset=True)   # heavy now
        error = sock.text(lambda t: t["type"] == "error" and t.get("for") == "subscribe")
        assert error["status"] == 503 and error["retry_after"] > 0
        assert "no room" in error["message"]
        header, arrays = sock.frame(lambda h, a: "landscape_refused" in h)
        assert header["landscape_refused"] == error["message"] and "weights" in arrays
        assert len(client.app.state.landscapes.ledger.claims) == 3


def test_a_surface_that_keeps_timing_out_is_counted_by_what_it_takes(make_client):
    """A claim is measured only by a finished surface. Admitted (and measured) on a tiny
    network, rebuilt to a big one whose surfaces time out again and again: the claim keeps the
    tiny network's few milliseconds, however long it holds its thread."""
    client = make_client(landscape_threads=1, landscape_timeout_seconds=0.5)
    run = new_run(client, hidden=[2])
    ledger = client.app.state.landscapes.ledger
    with client.websocket_connect(f"/ws/runs/{run}") as a:
        sa = Socket(a)
        assert _subscribe(sa, ["landscape"], landscape={"resolution": 101})[0] is None
        sa.frame(lambda h, arr: "landscape" in h)         # measured: a few ms
        sa.send(type="set", config={"hidden": [64, 64, 64], "n_samples": 1000}, reset=True)
        sa.send(type="play")
        sa.text(lambda t: t.get("type") == "error" and "stopped" in t["message"], limit=5000)
        (claim,) = ledger.claims.values()
        share = claim.share(client.app.state.settings)
        # each attempt now holds the thread the full 0.5 s: the claim should say at least that
        assert claim.heavy or (claim.seconds is not None and claim.seconds >= 0.5), claim
