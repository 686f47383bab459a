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
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from helm_support import (APP_CHART, CHART, MODES, one, readme_helm_commands, readme_section, render,
                          render_raw, render_text)  # noqa: E402


def container_env(container):
    return {e["name"]: e for e in container.get("env", [])}


def pod_spec(obj):
    return obj["spec"]["template"]["spec"]


class DefaultValues(unittest.TestCase):
    def setUp(self):
        self.objects = render()
        self.job = one(self.objects, "Job")
        self.container = pod_spec(self.job)["containers"][0]

    def test_only_the_hook_job(self):
        self.assertEqual(sorted(self.objects), ["Job"])

    def test_hook_annotations(self):
        ann = self.job["metadata"]["annotations"]
        self.assertEqual(ann["helm.sh/hook"], "pre-install,pre-upgrade")
        self.assertEqual(ann["helm.sh/hook-weight"], "0")
        self.assertEqual(ann["helm.sh/hook-delete-policy"], "before-hook-creation")

    def test_job_limits(self):
        spec = self.job["spec"]
        self.assertEqual(spec["backoffLimit"], 1)
        self.assertEqual(spec["activeDeadlineSeconds"], 900)
        self.assertEqual(spec["ttlSecondsAfterFinished"], 86400)
        self.assertEqual(pod_spec(self.job)["restartPolicy"], "Never")

    def test_image_is_app_version(self):
        self.assertEqual(self.container["image"], "schemagate:0.1.0")
        self.assertEqual(self.container["imagePullPolicy"], "IfNotPresent")

    def test_runs_run_to_head(self):
        self.assertEqual(self.container["args"], ["run", "--target", "head"])

    def test_job_lints_with_error(self):
        self.assertEqual(container_env(self.container)["SCHEMAGATE_LINT"]["value"], "error")

    def test_ddl_lock_settings(self):
        env = container_env(self.container)
        self.assertEqual(env["SCHEMAGATE_DDL_LOCK_TIMEOUT"]["value"], "5s")
        self.assertEqual(env["SCHEMAGATE_DDL_LOCK_RETRIES"]["value"], "10")
        objects = render("--set", "run.ddlLockTimeout=2s", "--set", "run.ddlLockRetries=0")
        env = container_env(pod_spec(one(objects, "Job"))["containers"][0])
        self.assertEqual(env["SCHEMAGATE_DDL_LOCK_TIMEOUT"]["value"], "2s")
        self.assertEqual(env["SCHEMAGATE_DDL_LOCK_RETRIES"]["value"], "0")

    def test_url_from_secret(self):
        ref = container_env(self.container)["DATABASE_URL"]["valueFrom"]["secretKeyRef"]
        self.assertEqual(ref, {"name": "release-name-schemagate-database", "key": "url"})

    def test_security(self):
        sc = self.container["securityContext"]
        self.assertTrue(sc["runAsNonRoot"])
        self.assertTrue(sc["readOnlyRootFilesystem"])
        self.assertFalse(sc["allowPrivilegeEscalation"])
        self.assertEqual(sc["capabilities"]["drop"], ["ALL"])
        self.assertNotEqual(sc["runAsUser"], 0)
        self.assertEqual(self.container["terminationMessagePolicy"], "FallbackToLogsOnError")
        self.assertIn("limits", self.container["resources"])

    def test_labels(self):
        labels = self.job["metadata"]["labels"]
        self.assertEqual(labels["app.kubernetes.io/name"], "schemagate")
        self.assertEqual(labels["app.kubernetes.io/instance"], "release-name")
        self.assertEqual(labels["app.kubernetes.io/managed-by"], "Helm")
        self.assertEqual(labels["app.kubernetes.io/version"], "0.1.0")
        self.assertEqual(labels["helm.sh/chart"], "schemagate-0.1.0")

    def test_backups_on_empty_dir_and_writable_tmp(self):
        volumes = {v["name"]: v for v in pod_spec(self.job)["volumes"]}
        self.assertIn("emptyDir", volumes["schemagate-backups"])
        self.assertIn("emptyDir", volumes["schemagate-tmp"])
        mounts = {m["mountPath"] for m in self.container["volumeMounts"]}
        self.assertEqual(mounts, {"/tmp", "/backups"})


class Modes(unittest.TestCase):
    def test_every_mode_renders(self):
        for mode, values in MODES.items():
            with self.subTest(mode=mode):
                self.assertTrue(render(values=values))

    def test_init_only_runs_run(self):
        objects = render(values=MODES["init-only"])
        self.assertNotIn("Job", objects)
        init = pod_spec(one(objects, "Deployment"))["initContainers"][0]
        self.assertEqual(init["args"], ["run", "--target", "head"])
        self.assertEqual(init["terminationMessagePolicy"], "FallbackToLogsOnError")

    def test_lint_values(self):
        objects = render(values=MODES["init-only"])
        init = pod_spec(one(objects, "Deployment"))["initContainers"][0]
        self.assertEqual(container_env(init)["SCHEMAGATE_LINT"]["value"], "warn")
        objects = render("--set", "job.lint=warn", "--set", "initContainer.lint=off",
                         values=MODES["both"])
        job = pod_spec(one(objects, "Job"))["containers"][0]
        self.assertEqual(container_env(job)["SCHEMAGATE_LINT"]["value"], "warn")
        init = pod_spec(one(objects, "Deployment"))["initContainers"][0]
        self.assertEqual(container_env(init)["SCHEMAGATE_LINT"]["value"], "off")

    def test_with_job_the_init_container_checks(self):
        objects = render(values=MODES["both"])
        one(objects, "Job")
        init = pod_spec(one(objects, "Deployment"))["initContainers"][0]
        self.assertEqual(init["args"], ["check", "head"])

    def test_init_container_command_override(self):
        objects = render("--set", "initContainer.command=wait", values=MODES["both"])
        init = pod_spec(one(objects, "Deployment"))["initContainers"][0]
        self.assertEqual(init["args"], ["wait"])

    def test_configmap_file_pvc(self):
        objects = render(values=MODES["configmap-file-pvc"])
        cm, pvc, job = one(objects, "ConfigMap"), one(objects, "PersistentVolumeClaim"), one(objects, "Job")
        job_weight = int(job["metadata"]["annotations"]["helm.sh/hook-weight"])
        cm_ann = cm["metadata"]["annotations"]
        self.assertEqual(cm_ann["helm.sh/hook"], "pre-install,pre-upgrade")
        self.assertLess(int(cm_ann["helm.sh/hook-weight"]), job_weight)
        self.assertIn("CREATE TABLE items", cm["data"]["0001_create_items.sql"])
        pvc_ann = pvc["metadata"]["annotations"]
        self.assertEqual(pvc_ann["helm.sh/hook"], "pre-install")
        self.assertLess(int(pvc_ann["helm.sh/hook-weight"]), int(cm_ann["helm.sh/hook-weight"]))
        self.assertEqual(pvc_ann["helm.sh/resource-policy"], "keep")
        self.assertEqual(pvc["spec"]["resources"]["requests"]["storage"], "2Gi")
        self.assertEqual(pvc["spec"]["storageClassName"], "fast")

        spec = pod_spec(job)
        c = spec["containers"][0]
        env = container_env(c)
        self.assertNotIn("DATABASE_URL", env)
        self.assertEqual(env["DATABASE_URL_FILE"]["value"], "/var/run/secrets/schemagate/database-url")
        self.assertEqual(env["SCHEMAGATE_ATOMIC"]["value"], "true")
        self.assertEqual(env["SCHEMAGATE_BACKUP_KEEP"]["value"], "3")
        self.assertEqual(c["envFrom"], [{"configMapRef": {"name": "schemagate-settings"}}])
        self.assertEqual(c["args"][-1], "--allow-unknown")
        self.assertEqual(c["image"], "registry.example.com/tools/schemagate:0.1.0-rc1")
        self.assertEqual(c["imagePullPolicy"], "Always")
        volumes = {v["name"]: v for v in spec["volumes"]}
        self.assertEqual(volumes["schemagate-database"]["secret"]["secretName"], "app-db")
        self.assertEqual(volumes["schemagate-migrations"]["configMap"]["name"], cm["metadata"]["name"])
        self.assertEqual(volumes["schemagate-backups"]["persistentVolumeClaim"]["claimName"],
                         pvc["metadata"]["name"])
        self.assertEqual(spec["imagePullSecrets"], [{"name": "regcred"}])
        self.assertEqual(spec["nodeSelector"], {"kubernetes.io/os": "linux"})
        self.assertEqual(spec["tolerations"][0]["value"], "migrations")
        self.assertIn("nodeAffinity", spec["affinity"])
        self.assertEqual(spec["serviceAccountName"], "migrator")
        self.assertNotIn("ttlSecondsAfterFinished", job["spec"])
        self.assertEqual(job["metadata"]["annotations"]["helm.sh/hook-delete-policy"],
                         "before-hook-creation,hook-succeeded")
        self.assertEqual(job["spec"]["template"]["metadata"]["labels"]["example.com/tier"], "db")

    def test_existing_configmap_and_claim_are_not_created(self):
        objects = render(values=MODES["existing"])
        self.assertEqual(sorted(objects), ["Job"])
        volumes = {v["name"]: v for v in pod_spec(one(objects, "Job"))["volumes"]}
        self.assertEqual(volumes["schemagate-migrations"]["configMap"]["name"], "app-migrations")
        self.assertEqual(volumes["schemagate-backups"]["persistentVolumeClaim"]["claimName"], "app-backups")

    def test_downgrade_job(self):
        job = one(render(values=MODES["downgrade"]), "Job")
        self.assertEqual(job["metadata"]["name"], "release-name-schemagate-downgrade")
        self.assertEqual(pod_spec(job)["containers"][0]["args"], ["downgrade", "-1"])

    def test_names(self):
        job = one(render("--name", "shop", "--set", "nameOverride=migrator"), "Job")
        self.assertEqual(job["metadata"]["name"], "shop-migrator-run")
        job = one(render("--name", "shop", "--set", "fullnameOverride=db-gate"), "Job")
        self.assertEqual(job["metadata"]["name"], "db-gate-run")
        job = one(render("--name", "schemagate-prod"), "Job")
        self.assertEqual(job["metadata"]["name"], "schemagate-prod-run")
        job = one(render("--namespace", "shop"), "Job")
        self.assertEqual(job["metadata"]["namespace"], "shop")


class ApplicationChart(unittest.TestCase):
    """tests/helm/app-chart: a chart with schemagate as a dependency that
    includes the init container and its volumes (the README's example)."""

    def setUp(self):
        self.objects = render("--name", "prod", chart=APP_CHART)

    def test_init_container_from_the_parent(self):
        dep = one(self.objects, "Deployment")
        spec = pod_spec(dep)
        init = spec["initContainers"][0]
        self.assertEqual(init["name"], "schemagate-migrate")
        self.assertEqual(init["args"], ["check", "head"])
        self.assertEqual(init["image"], "registry.example.com/schemagate:0.1.0")
        ref = container_env(init)["DATABASE_URL"]["valueFrom"]["secretKeyRef"]
        self.assertEqual(ref["name"], "shop-db")
        self.assertEqual([v["name"] for v in spec["volumes"]], ["schemagate-tmp", "schemagate-backups"])
        self.assertEqual(spec["containers"][0]["name"], "shop")

    def test_the_subchart_job_migrates(self):
        job = one(self.objects, "Job")
        self.assertEqual(job["metadata"]["name"], "prod-schemagate-run")
        self.assertEqual(pod_spec(job)["containers"][0]["args"], ["run", "--target", "head"])

    def test_parent_values_are_checked_by_the_subchart_schema(self):
        p = render_raw("--set", "schemagate.job.backoffLimit=x", chart=APP_CHART)
        self.assertEqual(p.returncode, 1)
        self.assertIn("schemagate:\n- job.backoffLimit: Invalid type", p.stderr)

    def test_parent_must_name_the_image_tag(self):
        p = render_raw("--set", "schemagate.image.tag=", chart=APP_CHART)
        self.assertEqual(p.returncode, 1)
        self.assertIn("execution error at (shop/templates/deployment.yaml:", p.stderr)
        self.assertIn("image.tag is required when the schemagate templates are included", p.stderr)


class WrongValues(unittest.TestCase):
    def fails(self, expected, *args, values=()):
        p = render_raw(*args, values=values)
        self.assertEqual(p.returncode, 1, p.stdout)
        self.assertEqual(p.stdout, "")
        for text in expected:
            self.assertIn(text, p.stderr)
        return p.stderr

    def test_schema_lists_every_problem_with_its_path(self):
        self.fails(["values don't meet the specifications of the schema(s)",
                    "image.pullPolicy: image.pullPolicy must be one of the following: "
                    "\"Always\", \"IfNotPresent\", \"Never\"",
                    "job.backoffLimit: Invalid type. Expected: integer, given: string",
                    "run.waitTimeout: Does not match pattern",
                    "(root): Additional property jobs is not allowed",
                    "job: Additional property backofflimit is not allowed"],
                   "--set", "image.pullPolicy=Sometimes", "--set", "job.backoffLimit=one",
                   "--set", "run.waitTimeout=2 minutes", "--set", "jobs.enabled=false",
                   "--set", "job.backofflimit=2")

    def test_enums_names_and_paths(self):
        cases = [("job.command=migrate", "job.command: job.command must be one of the following"),
                 ("migrations.source=git", "migrations.source: migrations.source must be one of the following"),
                 ("backups.volume=hostPath", "backups.volume: backups.volume must be one of the following"),
                 ("initContainer.command=upgrade",
                  "initContainer.command: initContainer.command must be one of the following"),
                 ("database.existingSecret=App_DB", "database.existingSecret: Does not match pattern"),
                 ("migrations.path=migrations", "migrations.path: Does not match pattern '^/'")]
        for assignment, expected in cases:
            with self.subTest(assignment):
                self.fails([expected], "--set", assignment)

    def test_downgrade_to_head_is_refused(self):
        self.fails(["execution error at (schemagate/templates/job.yaml:",
                    "job.command downgrade needs run.target"], "--set", "job.command=downgrade")

    def test_configmap_without_files(self):
        self.fails(["execution error at (schemagate/templates/configmap-migrations.yaml:",
                    "migrations.configMap.files is empty"], "--set", "migrations.source=configMap")

    def test_values_file_typo(self):
        with tempfile.NamedTemporaryFile("w", suffix=".yaml") as f:
            f.write("job:\n  activeDeadline: 60\n")
            f.flush()
            self.fails(["job: Additional property activeDeadline is not allowed"], values=[f.name])


class ValuesFile(unittest.TestCase):
    def test_every_value_is_documented(self):
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
        self.assertEqual(undocumented, [])


class Readme(unittest.TestCase):
    """The README's Kubernetes section: its helm commands render, name what
    the other commands there refer to, and its include lines are the ones
    tests/helm/app-chart uses."""

    def test_every_helm_command_renders(self):
        commands = readme_helm_commands()
        self.assertGreaterEqual(len(commands), 3)
        for line, (args, chart) in commands:
            with self.subTest(command=line):
                self.assertTrue(render(*args, chart=chart))

    def test_install_names_the_job_the_section_reads(self):
        line, (args, chart) = readme_helm_commands()[0]
        job = one(render(*args, chart=chart), "Job")
        self.assertIn("logs job/%s\n" % job["metadata"]["name"], readme_section())
        self.assertIn("app.kubernetes.io/component=%s" % job["spec"]["template"]["metadata"]["labels"]
                      ["app.kubernetes.io/component"], readme_section())

    def test_configmap_command(self):
        line, (args, chart) = [c for c in readme_helm_commands() if "--set-file" in c[0]][0]
        cm = one(render(*args, chart=chart), "ConfigMap")
        self.assertIn("CREATE TABLE patients", cm["data"]["0001_create_patients.sql"])

    def test_rollback_command(self):
        line, (args, chart) = [c for c in readme_helm_commands() if "downgrade" in c[0]][0]
        objects = render(*args, chart=chart)
        self.assertEqual(sorted(objects), ["Job"])
        job = one(objects, "Job")
        self.assertEqual(pod_spec(job)["containers"][0]["args"], ["downgrade", "-1"])
        self.assertIn("job/%s " % job["metadata"]["name"], readme_section())

    def test_include_lines_match_the_application_chart(self):
        with open(os.path.join(APP_CHART, "templates", "deployment.yaml")) as f:
            template = f.read()
        for line in template.splitlines():
            if "include \"schemagate." in line:
                self.assertIn(line + "\n", readme_section())


class Notes(unittest.TestCase):
    def test_notes_tell_how_to_read_the_result(self):
        text = render_text("--notes", "--name", "shop", "--namespace", "prod")
        self.assertIn("kubectl -n prod logs job/shop-schemagate-run", text)
        self.assertIn("state.terminated.message", text)
        self.assertIn('include "schemagate.initContainer"', text)
        self.assertIn("Exit codes: 0 ok", text)
        self.assertNotIn("<no value>", text)

    def test_notes_without_job(self):
        text = render_text("--notes", values=MODES["init-only"])
        self.assertNotIn("logs job/", text)
        self.assertIn("`run`", text)

    def test_show_only(self):
        text = render_text("--show-only", "templates/job.yaml", values=MODES["configmap-file-pvc"])
        self.assertIn("kind: Job", text)
        self.assertNotIn("kind: ConfigMap", text)


if __name__ == "__main__":
    unittest.main(verbosity=2)
