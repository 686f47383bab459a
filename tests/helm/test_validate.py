#!/usr/bin/python3
"""Validates every rendered object of every mode (tests/helm/values/) against
the Kubernetes schemas with npm kubernetes-models (tests/helm/validate.mjs):
types, required fields, enums, and every field name against the type's
property list; and checks that the validator catches what it must."""
import os
import subprocess
import sys
import tempfile

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from helm_support import APP_CHART, MODES, NPM_DIR, render_text, subtest  # noqa: E402


def validate(*files):
    if not NPM_DIR or not os.path.exists(os.path.join(NPM_DIR, "validate.mjs")):
        raise AssertionError("SG_HELM_NPM not set or not installed: %r" % NPM_DIR)
    return subprocess.run(["node", "validate.mjs"] + list(files), cwd=NPM_DIR,
                          capture_output=True, text=True, timeout=120)


def report_of(output, path):
    """The validator's lines about one file (its lines and their indented details)."""
    lines, mine = [], False
    for line in output.splitlines():
        if not line.startswith("  "):
            mine = line.startswith(path + ": ")
        if mine:
            lines.append(line)
    return "\n".join(lines)


class Validate:
    def __init__(self):
        self.dir = tempfile.TemporaryDirectory()

    def close(self):
        self.dir.cleanup()

    def write(self, name, text):
        path = os.path.join(self.dir.name, name)
        with open(path, "w") as f:
            f.write(text)
        return path


@pytest.fixture
def scratch():
    case = Validate()
    try:
        yield case
    finally:
        case.close()


def test_every_mode_is_valid(scratch):
    files = [scratch.write(mode + ".yaml", render_text(values=values))
             for mode, values in MODES.items()]
    files.append(scratch.write("app-chart.yaml", render_text(chart=APP_CHART)))
    p = validate(*files)
    assert p.returncode == 0, p.stdout + p.stderr
    lines = p.stdout.splitlines()
    assert all(line.endswith(": valid") for line in lines), p.stdout
    kinds = {line.split(": ")[1].split("/")[0] for line in lines}
    assert kinds == {"Job", "Deployment", "ConfigMap", "PersistentVolumeClaim"}


def test_catches_typos_types_and_duplicates(scratch):
    good = render_text(values=MODES["configmap-file-pvc"])
    cases = {
        "terminationMessagePolicyy": good.replace("terminationMessagePolicy:", "terminationMessagePolicyy:"),
        "metadata.namespac": good.replace("  namespace: default", "  namespac: default"),
        "backoffLimit must be integer": good.replace("backoffLimit: 0", 'backoffLimit: "0"'),
        "must have required property name": good.replace("- name: schemagate\n", "- nam: schemagate\n"),
        "Map keys must be unique": good.replace("    app.kubernetes.io/component: migrations\n",
                                               "    app.kubernetes.io/component: migrations\n"
                                               "    app.kubernetes.io/component: x\n"),
    }
    files = {}
    for i, (expected, text) in enumerate(cases.items()):
        assert text != good, expected
        files[expected] = scratch.write("bad%d.yaml" % i, text)
    p = validate(*files.values())  # one node process: loading the types takes seconds
    assert p.returncode == 1, p.stdout
    for expected, path in files.items():
        with subtest(case=expected):
            assert expected in report_of(p.stdout, path)


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q", "-p", "no:cacheprovider"]))
