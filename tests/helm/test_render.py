#!/usr/bin/python3
"""Renders the chart (helm/schemagate) for the default values and every mode
in tests/helm/values/ and checks what a user relies on: hooks and their
weights, the Job's limits, the init container's command, the database URL
from the Secret or its file, the migrations and backup volumes, the security
context, and that wrong values fail at render time with a clear message."""
import os
import re
import sys
import tempfile

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from helm_support import (APP_CHART, CHART, MODES, one, readme_helm_commands, readme_section, render,
                          render_raw, render_text, subtest)  # noqa: E402


def container_env(container):
    return {e["name"]: e for e in container.get("env", [])}


def pod_spec(obj):
    return obj["spec"]["template"]["spec"]


class DefaultValues:
    def __init__(self):
        self.objects = render()
        self.job = one(self.objects, "Job")
        self.container = pod_spec(self.job)["containers"][0]


@pytest.fixture
def default_values():
    return DefaultValues()


def test_only_the_hook_job(default_values):
    assert sorted(default_values.objects) == ["Job"]


def test_hook_annotations(default_values):
    ann = default_values.job["metadata"]["annotations"]
    assert ann["helm.sh/hook"] == "pre-install,pre-upgrade"
    assert ann["helm.sh/hook-weight"] == "0"
    assert ann["helm.sh/hook-delete-policy"] == "before-hook-creation"


def test_job_limits(default_values):
    spec = default_values.job["spec"]
    assert spec["backoffLimit"] == 1
    assert spec["activeDeadlineSeconds"] == 900
    assert spec["ttlSecondsAfterFinished"] == 86400
    assert pod_spec(default_values.job)["restartPolicy"] == "Never"


def test_image_is_app_version(default_values):
    assert default_values.container["image"] == "schemagate:0.1.0"
    assert default_values.container["imagePullPolicy"] == "IfNotPresent"


def test_runs_run_to_head(default_values):
    assert default_values.container["args"] == ["run", "--target", "head"]


def test_job_lints_with_error(default_values):
    assert container_env(default_values.container)["SCHEMAGATE_LINT"]["value"] == "error"


def test_ddl_lock_settings(default_values):
    env = container_env(default_values.container)
    assert env["SCHEMAGATE_DDL_LOCK_TIMEOUT"]["value"] == "5s"
    assert env["SCHEMAGATE_DDL_LOCK_RETRIES"]["value"] == "10"
    objects = render("--set", "run.ddlLockTimeout=2s", "--set", "run.ddlLockRetries=0")
    env = container_env(pod_spec(one(objects, "Job"))["containers"][0])
    assert env["SCHEMAGATE_DDL_LOCK_TIMEOUT"]["value"] == "2s"
    assert env["SCHEMAGATE_DDL_LOCK_RETRIES"]["value"] == "0"


def test_url_from_secret(default_values):
    ref = container_env(default_values.container)["DATABASE_URL"]["valueFrom"]["secretKeyRef"]
    assert ref == {"name": "release-name-schemagate-database", "key": "url"}


def test_security(default_values):
    sc = default_values.container["securityContext"]
    assert sc["runAsNonRoot"]
    assert sc["readOnlyRootFilesystem"]
    assert not sc["allowPrivilegeEscalation"]
    assert sc["capabilities"]["drop"] == ["ALL"]
    assert sc["runAsUser"] != 0
    assert default_values.container["terminationMessagePolicy"] == "FallbackToLogsOnError"
    assert "limits" in default_values.container["resources"]


def test_labels(default_values):
    labels = default_values.job["metadata"]["labels"]
    assert labels["app.kubernetes.io/name"] == "schemagate"
    assert labels["app.kubernetes.io/instance"] == "release-name"
    assert labels["app.kubernetes.io/managed-by"] == "Helm"
    assert labels["app.kubernetes.io/version"] == "0.1.0"
    assert labels["helm.sh/chart"] == "schemagate-0.1.0"


def test_backups_on_empty_dir_and_writable_tmp(default_values):
    volumes = {v["name"]: v for v in pod_spec(default_values.job)["volumes"]}
    assert "emptyDir" in volumes["schemagate-backups"]
    assert "emptyDir" in volumes["schemagate-tmp"]
    mounts = {m["mountPath"] for m in default_values.container["volumeMounts"]}
    assert mounts == {"/tmp", "/backups"}


def test_every_mode_renders():
    for mode, values in MODES.items():
        with subtest(mode=mode):
            assert render(values=values)


def test_init_only_runs_run():
    objects = render(values=MODES["init-only"])
    assert "Job" not in objects
    init = pod_spec(one(objects, "Deployment"))["initContainers"][0]
    assert init["args"] == ["run", "--target", "head"]
    assert init["terminationMessagePolicy"] == "FallbackToLogsOnError"


def test_lint_values():
    objects = render(values=MODES["init-only"])
    init = pod_spec(one(objects, "Deployment"))["initContainers"][0]
    assert container_env(init)["SCHEMAGATE_LINT"]["value"] == "warn"
    objects = render("--set", "job.lint=warn", "--set", "initContainer.lint=off",
                     values=MODES["both"])
    job = pod_spec(one(objects, "Job"))["containers"][0]
    assert container_env(job)["SCHEMAGATE_LINT"]["value"] == "warn"
    init = pod_spec(one(objects, "Deployment"))["initContainers"][0]
    assert container_env(init)["SCHEMAGATE_LINT"]["value"] == "off"


def test_with_job_the_init_container_checks():
    objects = render(values=MODES["both"])
    one(objects, "Job")
    init = pod_spec(one(objects, "Deployment"))["initContainers"][0]
    assert init["args"] == ["check", "head"]


def test_init_container_command_override():
    objects = render("--set", "initContainer.command=wait", values=MODES["both"])
    init = pod_spec(one(objects, "Deployment"))["initContainers"][0]
    assert init["args"] == ["wait"]


def test_configmap_file_pvc():
    objects = render(values=MODES["configmap-file-pvc"])
    cm, pvc, job = one(objects, "ConfigMap"), one(objects, "PersistentVolumeClaim"), one(objects, "Job")
    job_weight = int(job["metadata"]["annotations"]["helm.sh/hook-weight"])
    cm_ann = cm["metadata"]["annotations"]
    assert cm_ann["helm.sh/hook"] == "pre-install,pre-upgrade"
    assert int(cm_ann["helm.sh/hook-weight"]) < job_weight
    assert "CREATE TABLE items" in cm["data"]["0001_create_items.sql"]
    pvc_ann = pvc["metadata"]["annotations"]
    assert pvc_ann["helm.sh/hook"] == "pre-install"
    assert int(pvc_ann["helm.sh/hook-weight"]) < int(cm_ann["helm.sh/hook-weight"])
    assert pvc_ann["helm.sh/resource-policy"] == "keep"
    assert pvc["spec"]["resources"]["requests"]["storage"] == "2Gi"
    assert pvc["spec"]["storageClassName"] == "fast"

    spec = pod_spec(job)
    c = spec["containers"][0]
    env = container_env(c)
    assert "DATABASE_URL" not in env
    assert env["DATABASE_URL_FILE"]["value"] == "/var/run/secrets/schemagate/database-url"
    assert env["SCHEMAGATE_ATOMIC"]["value"] == "true"
    assert env["SCHEMAGATE_BACKUP_KEEP"]["value"] == "3"
    assert c["envFrom"] == [{"configMapRef": {"name": "schemagate-settings"}}]
    assert c["args"][-1] == "--allow-unknown"
    assert c["image"] == "registry.example.com/tools/schemagate:0.1.0-rc1"
    assert c["imagePullPolicy"] == "Always"
    volumes = {v["name"]: v for v in spec["volumes"]}
    assert volumes["schemagate-database"]["secret"]["secretName"] == "app-db"
    assert volumes["schemagate-migrations"]["configMap"]["name"] == cm["metadata"]["name"]
    assert volumes["schemagate-backups"]["persistentVolumeClaim"]["claimName"] == pvc["metadata"]["name"]
    assert spec["imagePullSecrets"] == [{"name": "regcred"}]
    assert spec["nodeSelector"] == {"kubernetes.io/os": "linux"}
    assert spec["tolerations"][0]["value"] == "migrations"
    assert "nodeAffinity" in spec["affinity"]
    assert spec["serviceAccountName"] == "migrator"
    assert "ttlSecondsAfterFinished" not in job["spec"]
    assert job["metadata"]["annotations"]["helm.sh/hook-delete-policy"] == "before-hook-creation,hook-succeeded"
    assert job["spec"]["template"]["metadata"]["labels"]["example.com/tier"] == "db"


def test_existing_configmap_and_claim_are_not_created():
    objects = render(values=MODES["existing"])
    assert sorted(objects) == ["Job"]
    volumes = {v["name"]: v for v in pod_spec(one(objects, "Job"))["volumes"]}
    assert volumes["schemagate-migrations"]["configMap"]["name"] == "app-migrations"
    assert volumes["schemagate-backups"]["persistentVolumeClaim"]["claimName"] == "app-backups"


def test_downgrade_job():
    job = one(render(values=MODES["downgrade"]), "Job")
    assert job["metadata"]["name"] == "release-name-schemagate-downgrade"
    assert pod_spec(job)["containers"][0]["args"] == ["downgrade", "-1"]


def test_names():
    job = one(render("--name", "shop", "--set", "nameOverride=migrator"), "Job")
    assert job["metadata"]["name"] == "shop-migrator-run"
    job = one(render("--name", "shop", "--set", "fullnameOverride=db-gate"), "Job")
    assert job["metadata"]["name"] == "db-gate-run"
    job = one(render("--name", "schemagate-prod"), "Job")
    assert job["metadata"]["name"] == "schemagate-prod-run"
    job = one(render("--namespace", "shop"), "Job")
    assert job["metadata"]["namespace"] == "shop"


class ApplicationChart:
    """tests/helm/app-chart: a chart with schemagate as a dependency that
    includes the init container and its volumes (the README's example)."""

    def __init__(self):
        self.objects = render("--name", "prod", chart=APP_CHART)


@pytest.fixture
def application_chart():
    return ApplicationChart()


def test_init_container_from_the_parent(application_chart):
    dep = one(application_chart.objects, "Deployment")
    spec = pod_spec(dep)
    init = spec["initContainers"][0]
    assert init["name"] == "schemagate-migrate"
    assert init["args"] == ["check", "head"]
    assert init["image"] == "registry.example.com/schemagate:0.1.0"
    ref = container_env(init)["DATABASE_URL"]["valueFrom"]["secretKeyRef"]
    assert ref["name"] == "shop-db"
    assert [v["name"] for v in spec["volumes"]] == ["schemagate-tmp", "schemagate-backups"]
    assert spec["containers"][0]["name"] == "shop"


def test_the_subchart_job_migrates(application_chart):
    job = one(application_chart.objects, "Job")
    assert job["metadata"]["name"] == "prod-schemagate-run"
    assert pod_spec(job)["containers"][0]["args"] == ["run", "--target", "head"]


def test_parent_values_are_checked_by_the_subchart_schema(application_chart):
    p = render_raw("--set", "schemagate.job.backoffLimit=x", chart=APP_CHART)
    assert p.returncode == 1
    assert "schemagate:\n- job.backoffLimit: Invalid type" in p.stderr


def test_parent_must_name_the_image_tag(application_chart):
    p = render_raw("--set", "schemagate.image.tag=", chart=APP_CHART)
    assert p.returncode == 1
    assert "execution error at (shop/templates/deployment.yaml:" in p.stderr
    assert "image.tag is required when the schemagate templates are included" in p.stderr


class WrongValues:
    def fails(self, expected, *args, values=()):
        p = render_raw(*args, values=values)
        assert p.returncode == 1, p.stdout
        assert p.stdout == ""
        for text in expected:
            assert text in p.stderr
        return p.stderr


@pytest.fixture
def wrong_values():
    return WrongValues()


def test_schema_lists_every_problem_with_its_path(wrong_values):
    wrong_values.fails(["values don't meet the specifications of the schema(s)",
                "image.pullPolicy: image.pullPolicy must be one of the following: "
                "\"Always\", \"IfNotPresent\", \"Never\"",
                "job.backoffLimit: Invalid type. Expected: integer, given: string",
                "run.waitTimeout: Does not match pattern",
                "(root): Additional property jobs is not allowed",
                "job: Additional property backofflimit is not allowed"],
               "--set", "image.pullPolicy=Sometimes", "--set", "job.backoffLimit=one",
               "--set", "run.waitTimeout=2 minutes", "--set", "jobs.enabled=false",
               "--set", "job.backofflimit=2")


def test_enums_names_and_paths(wrong_values):
    cases = [("job.command=migrate", "job.command: job.command must be one of the following"),
             ("migrations.source=git", "migrations.source: migrations.source must be one of the following"),
             ("backups.volume=hostPath", "backups.volume: backups.volume must be one of the following"),
             ("initContainer.command=upgrade",
              "initContainer.command: initContainer.command must be one of the following"),
             ("database.existingSecret=App_DB", "database.existingSecret: Does not match pattern"),
             ("migrations.path=migrations", "migrations.path: Does not match pattern '^/'")]
    for assignment, expected in cases:
        with subtest(assignment):
            wrong_values.fails([expected], "--set", assignment)


def test_downgrade_to_head_is_refused(wrong_values):
    wrong_values.fails(["execution error at (schemagate/templates/job.yaml:",
                "job.command downgrade needs run.target"], "--set", "job.command=downgrade")


def test_configmap_without_files(wrong_values):
    wrong_values.fails(["execution error at (schemagate/templates/configmap-migrations.yaml:",
                "migrations.configMap.files is empty"], "--set", "migrations.source=configMap")


def test_values_file_typo(wrong_values):
    with tempfile.NamedTemporaryFile("w", suffix=".yaml") as f:
        f.write("job:\n  activeDeadline: 60\n")
        f.flush()
        wrong_values.fails(["job: Additional property activeDeadline is not allowed"], values=[f.name])


def test_every_value_is_documented():
    """Each key of values.yaml has a comment above it, except the fields
    of Kubernetes objects (resources, security contexts) a comment
    above their group explains."""
    with open(os.path.join(CHART, "values.yaml")) as f:
        lines = f.read().splitlines()
    parents, undocumented = [], []
    for i, line in enumerate(lines):
        key = re.match(r"^( *)([A-Za-z][A-Za-z0-9]*):", line)
        if not key:
            continue
        depth = len(key.group(1)) // 2
        parents[depth:] = [key.group(2)]
        grouped = parents[0] in ("resources", "podSecurityContext", "securityContext") and depth > 0
        if not lines[i - 1].lstrip().startswith("#") and not grouped:
            undocumented.append("%d: %s" % (i + 1, line))
    assert undocumented == []


# The README's Kubernetes section: its helm commands render, name what
# the other commands there refer to, and its include lines are the ones
# tests/helm/app-chart uses.
def test_every_helm_command_renders():
    commands = readme_helm_commands()
    assert len(commands) >= 3
    for line, (args, chart) in commands:
        with subtest(command=line):
            assert render(*args, chart=chart)


def test_install_names_the_job_the_section_reads():
    line, (args, chart) = readme_helm_commands()[0]
    job = one(render(*args, chart=chart), "Job")
    assert ("logs job/%s\n" % job["metadata"]["name"]) in readme_section()
    assert (("app.kubernetes.io/component=%s" % job["spec"]["template"]["metadata"]["labels"]
                  ["app.kubernetes.io/component"]) in readme_section())


def test_configmap_command():
    line, (args, chart) = [c for c in readme_helm_commands() if "--set-file" in c[0]][0]
    cm = one(render(*args, chart=chart), "ConfigMap")
    assert "CREATE TABLE patients" in cm["data"]["0001_create_patients.sql"]


def test_rollback_command():
    line, (args, chart) = [c for c in readme_helm_commands() if "downgrade" in c[0]][0]
    objects = render(*args, chart=chart)
    assert sorted(objects) == ["Job"]
    job = one(objects, "Job")
    assert pod_spec(job)["containers"][0]["args"] == ["downgrade", "-1"]
    assert ("job/%s " % job["metadata"]["name"]) in readme_section()


def test_include_lines_match_the_application_chart():
    with open(os.path.join(APP_CHART, "templates", "deployment.yaml")) as f:
        template = f.read()
    for line in template.splitlines():
        if "include \"schemagate." in line:
            assert (line + "\n") in readme_section()


def test_notes_tell_how_to_read_the_result():
    text = render_text("--notes", "--name", "shop", "--namespace", "prod")
    assert "kubectl -n prod logs job/shop-schemagate-run" in text
    assert "state.terminated.message" in text
    assert 'include "schemagate.initContainer"' in text
    assert "Exit codes: 0 ok" in text
    assert "<no value>" not in text


def test_notes_without_job():
    text = render_text("--notes", values=MODES["init-only"])
    assert "logs job/" not in text
    assert "`run`" in text


def test_show_only():
    text = render_text("--show-only", "templates/job.yaml", values=MODES["configmap-file-pvc"])
    assert "kind: Job" in text
    assert "kind: ConfigMap" not in text


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q", "-p", "no:cacheprovider"]))
