"""The app tests/e2e/conftest.py's start_server(settings=...) runs (uvicorn --factory): the
playground with Settings from $NNP_TEST_SETTINGS (JSON), e.g. limits tight enough to reach."""

from __future__ import annotations

import json
import os

from server.app import create_app
from server.settings import Settings


def create():
    return create_app(Settings(**json.loads(os.environ["NNP_TEST_SETTINGS"])))
