"""The page in Firefox: headless Firefox ESR from Debian, driven over its built-in Marionette
protocol (marionette-driver; no geckodriver or browser download). A smoke test of the vertical
slice: load, every view draws, play makes the loss fall, no uncaught errors."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
from marionette_driver.marionette import Marionette

FIREFOX = os.environ.get("NNP_FIREFOX", shutil.which("firefox-esr") or "/usr/bin/firefox-esr")
PREFS = {
    "browser.shell.checkDefaultBrowser": "false",
    "datareporting.policy.dataSubmissionEnabled": "false",
    "toolkit.telemetry.reportingpolicy.firstRun": "false",
    "app.update.disabledForTesting": "true",
    "browser.startup.homepage_override.mstone": '"ignore"',
    "network.connectivity-service.enabled": "false",
    "network.captive-portal-service.enabled": "false",
}
VIEWS = ("network", "boundary", "loss", "activation", "diagnostics", "surface")


@pytest.fixture(scope="module")
def firefox(unused_port):
    if not Path(FIREFOX).exists():  # fail, never skip
        raise RuntimeError(f"no Firefox at {FIREFOX}: `bash scripts/test.sh` installs firefox-esr "
                           "from Debian's packages (or set NNP_FIREFOX)")
    port = unused_port()
    with tempfile.TemporaryDirectory() as profile:
        prefs = dict(PREFS, **{"marionette.port": str(port)})
        Path(profile, "user.js").write_text(
            "".join(f'user_pref("{k}", {v});\n' for k, v in prefs.items()))
        proc = subprocess.Popen(
            [FIREFOX, "--headless", "--marionette", "--no-remote", "--profile", profile,
             "-width", "1280", "-height", "800"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ, "MOZ_HEADLESS": "1"})
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    if proc.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError("Firefox did not open its Marionette port") from None
                    time.sleep(0.2)
            client = Marionette(host="127.0.0.1", port=port)
            client.start_session()
            yield client
            client.delete_session()
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


def page_js(client, script: str):
    """Run script in the page's own scope (not Marionette's sandbox, which hides window.__nnp)."""
    return client.execute_script(script, sandbox=None)


def wait_until(client, condition: str, timeout: float = 30.0):
    deadline = time.monotonic() + timeout
    while True:
        value = page_js(client, f"try {{ return {condition}; }} catch (e) {{ return false; }}")
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for: {condition}")
        time.sleep(0.1)


def test_page_loads_draws_and_trains_in_firefox(firefox, server_url, artifacts):
    firefox.navigate(f"{server_url}/?learning_rate=0.1&speed=30")
    wait_until(firefox, "window.__nnp.ready && window.__nnp.stats.framesIngested > 0"
                        " && !document.body.classList.contains('booting')")
    wait_until(firefox, " && ".join(f"(window.__nnp.stats.renders[{v!r}] ?? 0) > 0" for v in VIEWS))
    first_loss = page_js(firefox, "return window.__nnp.stats.lastHeader.metrics.train_loss")
    firefox.find_element("css selector", "[data-testid=play]").click()
    wait_until(firefox, "window.__nnp.stats.lastHeader.status === 'playing'")
    wait_until(firefox, "(m => m.step > 300 && m.train_loss < "
                        f"{first_loss} * 0.8)(window.__nnp.stats.lastHeader.metrics)", timeout=60)
    network_draws = page_js(firefox, "return window.__nnp.stats.renders.network")
    time.sleep(0.5)
    assert page_js(firefox, "return window.__nnp.stats.renders.network") > network_draws
    (artifacts / "firefox-page.png").write_bytes(firefox.screenshot(format="binary"))
    assert page_js(firefox, "return window.__nnp.errors") == []
