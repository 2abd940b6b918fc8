"""Ids of live resources carry the process's node name, so a proxy can route by it."""

import subprocess
import sys

import pytest

from server.ids import check_node, new_id


def test_ids_are_random_and_carry_the_node_name_when_there_is_one():
    assert new_id() != new_id() and "." not in new_id()
    assert new_id("a1").startswith("a1.") and len(new_id("a1")) > 20


@pytest.mark.parametrize("bad", ["A", "a.b", "a-b", "x" * 17, "é"])
def test_a_node_name_outside_the_allowed_form_is_refused_with_the_form(bad):
    with pytest.raises(ValueError, match="1 to 16 lower-case letters or digits"):
        check_node(bad)


def test_runs_groups_and_races_created_on_a_named_node_have_its_prefix(make_client):
    client = make_client(node="n2")
    run = client.post("/api/runs", json={}).json()["id"]
    group = client.post("/api/comparisons", json={
        "base": {}, "variants": [{"learning_rate": 0.1}, {"learning_rate": 0.01}],
        "clock": "epochs"}).json()["id"]
    race = client.post("/api/races", json={
        "function": "himmelblau", "start": [0, 0],
        "racers": [{"optimizer": "sgd", "learning_rate": 0.01}]}).json()["id"]
    assert all(i.startswith("n2.") for i in (run, group, race))
    assert client.get(f"/api/runs/{run}").status_code == 200      # the dotted id is routable
    assert client.get(f"/api/comparisons/{group}").status_code == 200
    assert client.get(f"/api/races/{race}").status_code == 200


def test_the_command_line_refuses_a_bad_node_name_with_the_form():
    r = subprocess.run([sys.executable, "-m", "server.cli", "--node", "Bad.Name"],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and "1 to 16 lower-case letters or digits" in r.stderr


def test_a_run_admits_a_class_of_viewers_by_default():
    from server.settings import Settings
    assert Settings().max_viewers_per_run >= 40
