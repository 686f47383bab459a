#!/usr/bin/python3
"""Plays the rendered chart with `podman kube play` against the test
PostgreSQL: the example Deployment (the init container gates the app
container) and the hook Job's pod (played as a Pod: podman plays no Jobs).

What podman 4.3 lacks, the test provides the way a kubelet would, without
changing what the chart rendered: the database Secret is created as a podman
secret; /dev/termination-log is a host file mounted into the schemagate
container (a kubelet mounts one per container); a Secret *volume* (the
DATABASE_URL_FILE mode) becomes a host file, since podman 4.3 writes secret
volumes base64-encoded. The init container runs with the pod annotation
io.podman.annotations.init.container.type=always (the default "once" fails
to remove the finished init container in podman 4.3).

Every play of the example Deployment plays its rendered pod template as a
Pod with restartPolicy Never, as a kubelet runs one pod of it. Played as a
Deployment (restartPolicy Always), podman 4.3 restarts the init container
the moment it exits and starts the app container only once it happens to
see an exit between two restarts: a race that took 20 s on one run and
over 5 minutes (800 init-container runs) on another.

Needs the image SG_HELM_IMAGE (default localhost/schemagate:ci, built by the
container_images fixture); exits 77 (ctest: skipped) when it is absent,
and fails when CI=true."""
import base64
import copy
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

import yaml

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "e2e"))
from helm_support import readme_helm_commands, readme_section, render  # noqa: E402
from run_support import CI, need_env, password_of, pg_create_db, pg_drop_db, pg_query  # noqa: E402

IMAGE = os.environ.get("SG_HELM_IMAGE", "localhost/schemagate:ci")
INIT_ALWAYS = {"io.podman.annotations.init.container.type": "always"}
# The example app: a stand-in that keeps running (waiting for a database that
# never comes) so that podman does not restart it, and with "always" init
# containers rerun the gate, while the test looks.
APP_ARGS = ["wait", "--url", "postgresql://app@127.0.0.1:9/none", "--wait-timeout", "10m"]

GOOD = {
    "0001_create_items.sql": """-- revision: a1b2c3d4e5f6
-- message: create items
-- +upgrade
CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
-- +downgrade
DROP TABLE items;
""",
    "0002_add_price.sql": """-- revision: b2c3d4e5f6a1
-- down_revision: a1b2c3d4e5f6
-- message: add price
-- +upgrade
ALTER TABLE items ADD COLUMN price NUMERIC(10, 2);
-- +downgrade
ALTER TABLE items DROP COLUMN price;
""",
}
BAD = dict(GOOD)
BAD["0003_broken.sql"] = """-- revision: c3d4e5f6a1b2
-- down_revision: b2c3d4e5f6a1
-- message: broken
-- +upgrade
ALTER TABLE items ADD COLUMN stock INTEGER;
ALTER TABLE no_such_table ADD COLUMN x INTEGER;
-- +downgrade
ALTER TABLE items DROP COLUMN stock;
"""


def podman(*args, check=True, timeout=180, env=None):
    p = subprocess.run(["podman"] + list(args), capture_output=True, text=True,
                       timeout=timeout, env=env)
    if check and p.returncode != 0:
        raise AssertionError("podman %s: exit %d\n%s%s" % (" ".join(args), p.returncode,
                                                          p.stdout, p.stderr))
    return p


def image_present():
    if not shutil.which("podman"):
        return False
    return podman("image", "exists", IMAGE, check=False).returncode == 0


class Play:
    """One release played in podman: its Secret, manifests and containers."""

    def __init__(self, test, release, url):
        self.test, self.release, self.url = test, release, url
        self.dir = tempfile.mkdtemp(prefix="sg-helm-play-")
        self.conf = os.path.join(self.dir, "containers.conf")
        with open(self.conf, "w") as f:
            f.write('[containers]\ndefault_ulimits = ["nofile=20000:20000","nproc=1000:1000"]\n'
                    '[engine]\nruntime = "runc"\n')
        self.secret = release + "-db"
        self.files = []
        self.volumes = set()
        # podman 4.3 reads secretKeyRef data as a JSON map of base64 values
        data = os.path.join(self.dir, "secret.json")
        with open(data, "w") as f:
            f.write('{"url": "%s"}' % base64.b64encode(url.encode()).decode())
        podman("secret", "create", self.secret, data)

    def values(self, migrations, extra=None):
        """Renderer arguments: a values file for this release, then `extra`."""
        repo, tag = IMAGE.rsplit(":", 1)
        values = {"image": {"repository": repo, "tag": tag, "pullPolicy": "Never"},
                  "database": {"existingSecret": self.secret},
                  "run": {"waitTimeout": "20s", "lockTimeout": "20s"},
                  "initContainer": {"exampleDeployment": {
                      "image": {"repository": repo, "tag": tag, "pullPolicy": "Never"},
                      "args": APP_ARGS, "podAnnotations": INIT_ALWAYS}}}
        if migrations is not None:
            values["migrations"] = {"source": "configMap", "configMap": {"files": migrations}}
        path = os.path.join(self.dir, "values-%d.yaml" % len(os.listdir(self.dir)))
        with open(path, "w") as f:
            yaml.safe_dump(values, f)
        return ["--name", self.release, "-f", path] + list(extra or [])

    def termination_file(self, name):
        path = os.path.join(self.dir, name + ".termination-log")
        open(path, "w").close()
        os.chmod(path, 0o666)
        return path

    def kubelet(self, pod_spec, container):
        """What a kubelet adds: the termination-log file; Secret volumes as files."""
        log = self.termination_file(container["name"])
        pod_spec.setdefault("volumes", []).append(
            {"name": "termination-log", "hostPath": {"path": log, "type": "File"}})
        container.setdefault("volumeMounts", []).append(
            {"name": "termination-log", "mountPath": container["terminationMessagePath"]})
        for v in pod_spec["volumes"]:
            if "secret" in v:
                d = os.path.join(self.dir, v["name"])
                os.makedirs(d, exist_ok=True)
                for item in v["secret"]["items"]:
                    with open(os.path.join(d, item["path"]), "w") as f:
                        f.write(self.url)
                    os.chmod(os.path.join(d, item["path"]), 0o444)
                del v["secret"]
                v["hostPath"] = {"path": d, "type": "Directory"}
        return log

    def play(self, objects, name):
        # podman keeps a volume per played ConfigMap; cleanup() removes them
        self.volumes.update(o["metadata"]["name"] for o in objects if o["kind"] == "ConfigMap")
        path = os.path.join(self.dir, name + ".yaml")
        with open(path, "w") as f:
            yaml.safe_dump_all(objects, f)
        self.files.append(path)
        env = dict(os.environ, CONTAINERS_CONF=self.conf)
        started = time.monotonic()
        result = podman("kube", "play", "--network", "host", path, check=False, env=env, timeout=300)
        # shown by ctest when the test fails: where a slow play spent its time
        print("%s: podman kube play %s took %.1f s (exit %d)" % (
            time.strftime("%H:%M:%S"), name, time.monotonic() - started, result.returncode),
            file=sys.stderr, flush=True)
        return result

    def containers(self, pod):
        out = podman("ps", "-a", "--filter", "pod=" + pod, "--format", "{{.Names}}").stdout
        return [n for n in out.split() if not n.endswith("-infra")]

    def state(self, container):
        fmt = "{{.State.Status}}|{{.State.ExitCode}}|{{.State.StartedAt}}|{{.State.FinishedAt}}"
        for _ in range(20):
            # once, under load, podman answered "no such object" for a container
            # it had just listed: ask again (polling, bounded) before failing
            p = podman("container", "inspect", "--format", fmt, container, check=False)
            if p.returncode == 0 or "no such" not in p.stderr:
                break
            time.sleep(0.25)
        if p.returncode != 0:
            raise AssertionError("podman inspect %s: %s\npod: %s" % (
                container, p.stderr, podman("ps", "-a", "--pod", check=False).stdout))
        status, code, started, finished = p.stdout.strip().split("|")
        return {"status": status, "exit": int(code), "started": started, "finished": finished,
                "ever_started": not started.startswith("0001-01-01")}

    def logs(self, container):
        p = podman("logs", container, check=False)
        return p.stdout + p.stderr

    def cleanup(self):
        env = dict(os.environ, CONTAINERS_CONF=self.conf)
        for path in reversed(self.files):
            podman("kube", "down", path, check=False, env=env)
        podman("secret", "rm", self.secret, check=False)
        for volume in self.volumes:
            podman("volume", "rm", "-f", volume, check=False)
        shutil.rmtree(self.dir, ignore_errors=True)


def job_as_pod(job):
    """A Job's (or Deployment's) pod template as a Pod (podman plays no Jobs)."""
    tpl = copy.deepcopy(job["spec"]["template"])
    meta = dict(tpl.get("metadata", {}), name=job["metadata"]["name"])
    return {"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": tpl["spec"]}


def deployment_as_pod(dep):
    """The Deployment's pod as a Pod with restartPolicy Never, named as
    podman names a Deployment's pod: every play of the example Deployment
    uses it (see the module doc)."""
    pod = job_as_pod(dep)
    pod["metadata"]["name"] += "-pod-0"
    pod["spec"]["restartPolicy"] = "Never"
    return pod


def configmaps(objects):
    return objects.get("ConfigMap", [])


@pytest.fixture(scope="module", autouse=True)
def _image():
    """Without podman or the image every case skips (the file exits 77); with
    CI=true that fails, as for the container tests."""
    if not image_present():
        msg = "podman or the image %s is missing (the container_images fixture builds it)" % IMAGE
        if CI:
            pytest.fail(msg)
        pytest.skip(msg)


class PlayChart:
    def __init__(self, test_name):
        need_env("SG_TEST_PG_URL", "SG_TEST_PG_ADMIN_URL")
        self.db, self.url = pg_create_db("sg_helm")
        self.release = "sgplay%d%s" % (os.getpid(), test_name[-6:].replace("_", "").lower())
        self.p = Play(self, self.release, self.url)

    def close(self):
        self.p.cleanup()
        pg_drop_db(self.db)

    def heads(self):
        if pg_query(self.url, "SELECT to_regclass('alembic_version')")[0][0] is None:
            return []
        return sorted(r[0] for r in pg_query(self.url, "SELECT version_num FROM alembic_version"))

    def deployment(self, migrations, *sets):
        objects = render(*self.p.values(migrations, ["--set", "initContainer.exampleDeployment.enabled=true"]
                                        + list(sets)))
        dep = objects["Deployment"][0]
        # podman 4.3 reads a Deployment's annotations, not its pod template's
        dep["metadata"].setdefault("annotations", {}).update(INIT_ALWAYS)
        tpl = dep["spec"]["template"]
        log = self.p.kubelet(tpl["spec"], tpl["spec"]["initContainers"][0])
        return objects, dep, log

    def run_job(self, migrations, *sets):
        objects = render(*self.p.values(migrations, list(sets)))
        pod = job_as_pod(objects["Job"][0])
        name = pod["metadata"]["name"]
        log = self.p.kubelet(pod["spec"], pod["spec"]["containers"][0])
        # the release's hook ConfigMap, which a cluster still holds when a
        # one-off Job is rendered with --show-only templates/job.yaml
        full = [a for i, a in enumerate(sets) if "--show-only" not in sets[max(i - 1, 0):i + 1]]
        cms = configmaps(render(*self.p.values(migrations, full)))
        result = self.p.play(cms + [pod], name)
        assert result.returncode == 0, result.stdout + result.stderr
        container = [c for c in self.p.containers(name) if c.endswith("-schemagate")][0]
        self.wait_exit(container)
        return self.p.state(container), log, self.p.logs(container), result

    def wait_exit(self, container, tries=600):
        for _ in range(tries):
            if self.p.state(container)["status"] in ("exited", "stopped"):
                return
            podman("wait", "--interval", "100ms", container, check=False, timeout=120)
        raise AssertionError("%s did not exit" % container)

    def pod_containers(self, dep):
        names = self.p.containers(dep["metadata"]["name"] + "-pod-0")
        init = [n for n in names if n.endswith("-" + dep["spec"]["template"]["spec"]["initContainers"][0]["name"])]
        app = [n for n in names if n.endswith("-app")]
        assert (len(init), len(app)) == (1, 1), names
        return init[0], app[0]

    def summary(self, log):
        with open(log) as f:
            return f.read()

    def first_run(self, init):
        """The init container's run, from its log, up to its last line (the
        exit line); the pods are played with restartPolicy Never, so there
        is one run."""
        logs = self.p.logs(init)
        end = logs.find(" exit_code=")
        line_end = logs.find("\n", end) if end >= 0 else -1
        return logs[:line_end] if line_end >= 0 else logs

    def wait_started(self, container):
        for _ in range(300):
            if self.p.state(container)["ever_started"]:
                return
            podman("wait", "--condition", "running", "--interval", "100ms", container, check=False, timeout=30)
        raise AssertionError(container + " never started")


@pytest.fixture
def play_chart(request):
    case = PlayChart(request.function.__name__)
    try:
        yield case
    finally:
        case.close()


def test_init_container_gates_the_app(play_chart):
    objects, dep, log = play_chart.deployment(GOOD, "--set", "job.enabled=false")
    result = play_chart.p.play(configmaps(objects) + [deployment_as_pod(dep)], "pod")
    assert result.returncode == 0, result.stderr
    init, app = play_chart.pod_containers(dep)
    first = play_chart.first_run(init)
    assert "[2/2] upgrade b2c3d4e5f6a1" in first
    assert "run finished exit_code=0 applied=2" in first
    # pg_dump wrote to the emptyDir backup volume under the read-only root
    assert (re.search(r"backup written and verified file=/backups/%s-[0-9a-f]{8}-base-"
                     % re.escape(play_chart.db), first))
    play_chart.wait_started(app)
    # "2026-12-01T16:26:05.796Z info run finished" vs "2026-12-01 16:26:27.63 +0000 UTC"
    finished = first.splitlines()[-1].split(" ")[0].replace("T", " ").rstrip("Z")
    assert play_chart.p.state(app)["started"][:23] >= finished[:23]
    assert play_chart.heads() == ["b2c3d4e5f6a1"]
    assert play_chart.summary(log).startswith("schemagate run: exit 0 (success)\n"), play_chart.summary(log)


def test_failing_revision_keeps_the_app_from_starting(play_chart):
    objects, dep, log = play_chart.deployment(BAD, "--set", "job.enabled=false", "--set", "backups.mode=never")
    result = play_chart.p.play(configmaps(objects) + [deployment_as_pod(dep)], "pod")
    assert result.returncode != 0, result.stdout
    init, app = play_chart.pod_containers(dep)
    assert "failed at /migrations/0003_broken.sql:6" in play_chart.first_run(init)
    assert "exit_code=8" in play_chart.first_run(init)
    assert not play_chart.p.state(app)["ever_started"], play_chart.p.state(app)
    summary = play_chart.summary(log)
    # the one-line summary the README quotes, then the details
    assert summary.splitlines()[0] == "schemagate run: exit 8 (revision failed and was rolled back)"
    assert ("`%s`" % summary.splitlines()[0]) in readme_section()
    assert "revision: c3d4e5f6a1b2 at /migrations/0003_broken.sql:6" in summary
    assert "no_such_table" in summary
    assert password_of(play_chart.url) not in summary
    # the revisions before the broken one were applied; the broken one rolled back
    assert play_chart.heads() == ["b2c3d4e5f6a1"]
    cols = pg_query(play_chart.url, "SELECT column_name FROM information_schema.columns "
                              "WHERE table_name = 'items' AND column_name = 'stock'")
    assert cols == []


def test_job_migrates_then_init_container_checks(play_chart):
    state, log, logs, _ = play_chart.run_job(GOOD, "--set", "database.mountAsFile=true")
    assert state["exit"] == 0, logs
    assert play_chart.heads() == ["b2c3d4e5f6a1"]
    assert play_chart.summary(log).startswith("schemagate run: exit 0 (success)")
    # both together: the Deployment's init container only checks
    objects, dep, log = play_chart.deployment(GOOD)
    assert dep["spec"]["template"]["spec"]["initContainers"][0]["args"][0] == "check"
    result = play_chart.p.play(configmaps(objects) + [deployment_as_pod(dep)], "pod")
    assert result.returncode == 0, result.stderr
    init, app = play_chart.pod_containers(dep)
    play_chart.wait_started(app)
    # check writes no termination message (Kubernetes shows the log tail)
    assert "the database is at the target" in play_chart.p.logs(init)


def test_check_init_container_blocks_while_pending(play_chart):
    objects, dep, log = play_chart.deployment(GOOD, "--set", "initContainer.command=check")
    result = play_chart.p.play(configmaps(objects) + [deployment_as_pod(dep)], "pod")
    assert result.returncode != 0
    init, app = play_chart.pod_containers(dep)
    assert not play_chart.p.state(app)["ever_started"]
    assert "2 revision(s) pending" in play_chart.p.logs(init)
    assert play_chart.heads() == []


def test_rollback_with_a_downgrade_job(play_chart):
    state, _, logs, _ = play_chart.run_job(GOOD)
    assert state["exit"] == 0, logs
    # README "Rolling back": its command, played as a one-off pod
    line, (args, _) = [c for c in readme_helm_commands() if "job.command=downgrade" in c[0]][0]
    args = [a.replace("database.existingSecret=shop-db", "database.existingSecret=" + play_chart.p.secret)
            for a in args if a not in ("--name", "shop")]
    state, log, logs, _ = play_chart.run_job(GOOD, *args)
    assert state["exit"] == 0, logs
    assert play_chart.heads() == ["a1b2c3d4e5f6"]


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q", "-p", "no:cacheprovider"]))
