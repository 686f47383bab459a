#!/usr/bin/python3
"""The chart's `run.baseline` and `run.devUrlSecret` values (run --baseline,
docs/schema.md): off by default, SCHEMAGATE_BASELINE and SCHEMAGATE_DEV_URL
(from the Secret) when set, and a wrong type refused at render time."""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from helm_support import one, render, render_raw  # noqa: E402


def env_of(objects):
    container = one(objects, "Job")["spec"]["template"]["spec"]["containers"][0]
    return {e["name"]: e for e in container.get("env", [])}


class Baseline(unittest.TestCase):
    def test_off_by_default(self):
        env = env_of(render())
        self.assertNotIn("SCHEMAGATE_BASELINE", env)
        self.assertNotIn("SCHEMAGATE_DEV_URL", env)

    def test_set(self):
        env = env_of(render("--set", "run.baseline=base0001", "--set", "run.devUrlSecret.name=scratch-db"))
        self.assertEqual(env["SCHEMAGATE_BASELINE"]["value"], "base0001")
        self.assertEqual(env["SCHEMAGATE_DEV_URL"]["valueFrom"]["secretKeyRef"],
                         {"name": "scratch-db", "key": "url"})

    def test_unknown_key_refused(self):
        p = render_raw("--set", "run.devUrlSecret.nmae=x")
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("devUrlSecret", p.stderr)


if __name__ == "__main__":
    unittest.main()
