"""Shared by the chart tests (tests/helm/test_*.py): rendering the chart with
the Go renderer (tests/helm/render) and the value sets every mode is rendered
with (tests/helm/values/*.yaml)."""
import os
import subprocess
import sys

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "e2e"))
from run_support import subtest  # noqa: E402,F401 - re-exported for the chart tests
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


def readme_section(title="## Kubernetes: the Helm chart"):
    with open(os.path.join(SOURCE, "README.md")) as f:
        text = f.read()
    start = text.index(title)
    end = text.find("\n## ", start + len(title))
    return text[start:end if end >= 0 else len(text)]


def readme_helm_commands():
    """The `helm install/upgrade/template` commands of the README's Kubernetes
    section, as renderer arguments: [(command line, renderer args)]."""
    import shlex
    commands = []
    for block in readme_section().split("```sh\n")[1:]:
        block = block.split("```")[0].replace("\\\n", " ")
        for line in block.splitlines():
            line = line.split(" | ")[0].strip()
            if line.startswith("helm "):
                commands.append((line, helm_to_render(shlex.split(line))))
    return commands


def helm_to_render(argv):
    """helm install|upgrade --install|template NAME CHART [flags] -> renderer args."""
    args, positional = [], []
    words = iter(argv[2:])
    for a in words:
        if a in ("--set", "--set-string", "--show-only", "--namespace", "-n"):
            args += ["--namespace" if a == "-n" else a, next(words)]
        elif a == "--set-file":
            key, path = next(words).split("=", 1)
            args += [a, key + "=" + os.path.join(SOURCE, path)]
        elif a in ("-f", "--values"):
            args += ["-f", os.path.join(SOURCE, next(words))]
        elif a == "--install":
            continue
        elif a.startswith("-"):
            raise AssertionError("flag %s of %s not known to the test" % (a, argv))
        else:
            positional.append(a)
    if len(positional) != 2:
        raise AssertionError("want NAME CHART in %s" % argv)
    name, chart = positional
    return ["--name", name] + args, os.path.join(SOURCE, chart)
