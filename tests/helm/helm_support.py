"""Shared by the chart tests (tests/helm/test_*.py): rendering the chart with
the Go renderer (tests/helm/render) and the value sets every mode is rendered
with (tests/helm/values/*.yaml)."""
import os
import subprocess

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.environ.get("SG_SOURCE_DIR", os.path.join(HERE, "..", ".."))
CHART = os.path.join(SOURCE, "helm", "schemagate")
RENDER = os.environ.get("SG_HELM_RENDER", "")
NPM_DIR = os.environ.get("SG_HELM_NPM", "")
VALUES = os.path.join(HERE, "values")
APP_CHART = os.path.join(HERE, "app-chart")

# mode name -> values files; "default" is the chart's own values.yaml.
MODES = {"default": []}
for _name in sorted(os.listdir(VALUES)):
    if _name.endswith(".yaml"):
        MODES[_name[:-5]] = [os.path.join(VALUES, _name)]


def render_raw(*args, values=(), chart=CHART):
    """Runs the renderer; returns the CompletedProcess (text)."""
    if not RENDER or not os.path.exists(RENDER):
        raise AssertionError("SG_HELM_RENDER not set or missing: %r" % RENDER)
    cmd = [RENDER]
    for v in values:
        cmd += ["-f", v]
    cmd += list(args) + [chart]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=60)


def render_text(*args, values=(), chart=CHART):
    p = render_raw(*args, values=values, chart=chart)
    if p.returncode != 0:
        raise AssertionError("render %s %s failed: %s" % (values, args, p.stderr))
    return p.stdout


def render(*args, values=(), chart=CHART):
    """The rendered objects, as a dict kind -> list of objects."""
    objects = {}
    for doc in yaml.safe_load_all(render_text(*args, values=values, chart=chart)):
        if doc:
            objects.setdefault(doc["kind"], []).append(doc)
    return objects


def one(objects, kind):
    items = objects.get(kind, [])
    if len(items) != 1:
        raise AssertionError("wanted one %s, got %d" % (kind, len(items)))
    return items[0]
