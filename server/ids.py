"""Ids of live resources (runs, comparison groups, races): random, and prefixed with the
process's node name when it has one (`nn-playground --node a`: ids like `a.Xy3...`), so that a
reverse proxy in front of several processes can send every request about a resource to the
process that holds it by reading the prefix off the path (README, "Several server processes")."""

from __future__ import annotations

import re
import secrets

NODE_PATTERN = re.compile(r"[a-z0-9]{1,16}")


def check_node(node: str) -> str:
    """The node name if valid ("" for none), else ValueError saying the allowed form."""
    if node and not NODE_PATTERN.fullmatch(node):
        raise ValueError(f"node name {node[:40]!r} must be 1 to 16 lower-case letters or digits")
    return node


def new_id(node: str = "") -> str:
    """A fresh unguessable id (128 random bits), `node.` first when the process has a node name."""
    token = secrets.token_urlsafe(16)
    return f"{node}.{token}" if node else token
