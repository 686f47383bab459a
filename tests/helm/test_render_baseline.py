#!/usr/bin/python3
"""The chart's `run.baseline` and `run.devUrlSecret` values (run --baseline,
docs/schema.md): off by default, SCHEMAGATE_BASELINE and SCHEMAGATE_DEV_URL
(from the Secret) when set, and a wrong type refused at render time."""
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from helm_support import one, render, render_raw  # noqa: E402


def env_of(objects):
    container = one(objects, "Job")["spec"]["template"]["spec"]["containers"][0]
    return {e["name"]: e for e in container.get("env", [])}


def test_off_by_default():
    env = env_of(render())
    assert "SCHEMAGATE_BASELINE" not in env
    assert "SCHEMAGATE_DEV_URL" not in env


def test_set():
    env = env_of(render("--set", "run.baseline=base0001", "--set", "run.devUrlSecret.name=scratch-db"))
    assert env["SCHEMAGATE_BASELINE"]["value"] == "base0001"
    assert env["SCHEMAGATE_DEV_URL"]["valueFrom"]["secretKeyRef"] == {"name": "scratch-db", "key": "url"}


def test_unknown_key_refused():
    p = render_raw("--set", "run.devUrlSecret.nmae=x")
    assert p.returncode != 0
    assert "devUrlSecret" in p.stderr


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q", "-p", "no:cacheprovider"]))
