#!/usr/bin/python3
"""docker-compose.yml: validated by Debian's docker-compose (`config`, no
engine needed), and the `migrate` services' exact command, environment and
volumes run in the built image against the test servers (only the URL's
host:port is pointed at them; user, password and database are the file's)."""
import os
import shutil
import subprocess
import sys
import tempfile
import urllib.parse

import yaml

import pytest

from container_support import (IMAGE, SOURCE_DIR, UID, backup_dir, describe, need_env,
                               need_images, podman_run)
from run_support import mysql_connect, pg_admin
from test_readme import readme_block


def compose_config():
    r = subprocess.run(["docker-compose", "-f", "docker-compose.yml", "config"], cwd=SOURCE_DIR,
                       capture_output=True, text=True)
    if r.returncode != 0:
        raise AssertionError("docker-compose config failed:\n" + r.stderr)
    return yaml.safe_load(r.stdout)


def test_config_validates_and_orders_the_services():
    services = compose_config()["services"]
    for db in ("postgres", "mariadb"):
        assert "test" in services[db]["healthcheck"]
    assert services["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert services["app"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert services["migrate"]["command"] == ["run"]
    assert "DATABASE_URL" in services["migrate"]["environment"]
    assert "backups" in compose_config()["volumes"]


class ComposeMigrate:
    """`docker compose run --rm migrate [COMMAND]`, done with podman."""

    def __init__(self):
        need_images()
        self.backups = backup_dir()
        self.tmp = tempfile.mkdtemp(prefix="sg-compose-")
        os.chmod(self.tmp, 0o755)

    def close(self):
        shutil.rmtree(self.backups, ignore_errors=True)
        shutil.rmtree(self.tmp, ignore_errors=True)

    def service(self, name, test_url):
        """The service's environment with DATABASE_URL's host:port replaced."""
        svc = compose_config()["services"][name]
        env = dict(svc["environment"])
        compose_url = urllib.parse.urlsplit(env["DATABASE_URL"])
        test = urllib.parse.urlsplit(test_url)
        netloc = compose_url.netloc.rsplit("@", 1)[0] + "@" + test.netloc.rsplit("@", 1)[1]
        env["DATABASE_URL"] = urllib.parse.urlunsplit(compose_url._replace(netloc=netloc))
        volumes = []
        for v in svc["volumes"]:
            if isinstance(v, dict):  # long syntax in some docker-compose versions
                v = "%s:%s%s" % (v["source"], v["target"], ":ro" if v.get("read_only") else "")
            source, rest = v.split(":", 1)
            if source == "backups":
                source = self.backups
            volumes.append(source + ":" + rest)
        return svc["command"], env, volumes, compose_url

    def compose_run(self, env, volumes, args):
        return podman_run(IMAGE, args, env=env, volumes=volumes)


@pytest.fixture
def compose_migrate():
    case = ComposeMigrate()
    try:
        yield case
    finally:
        case.close()


def test_migrate_on_postgres_then_the_readme_commands(compose_migrate):
    need_env("SG_TEST_PG_ADMIN_URL")
    command, env, volumes, url = compose_migrate.service("migrate", os.environ["SG_TEST_PG_ADMIN_URL"])
    conn = pg_admin()
    cur = conn.cursor()
    cur.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (url.username,))
    if not cur.fetchall():
        cur.execute('CREATE ROLE "%s" LOGIN PASSWORD %%s' % url.username, (url.password,))
    db = url.path.lstrip("/")
    cur.execute('DROP DATABASE IF EXISTS "%s" WITH (FORCE)' % db)
    cur.execute('CREATE DATABASE "%s" OWNER "%s"' % (db, url.username))
    conn.close()

    p = compose_migrate.compose_run(env, volumes, command)
    assert p.returncode == 0, describe(p)
    assert len([n for n in os.listdir(compose_migrate.backups) if n.endswith(".dump")]) == 1
    # The README's `docker compose run --rm migrate ...` lines, in order.
    readme = readme_block("tests/container/test_compose.py")
    lines = [l.split("--rm migrate ", 1)[1] for l in readme if "run --rm migrate " in l]
    assert lines == ["current", "history", "downgrade -1", "run"]
    for line in lines + ["current"]:
        p = compose_migrate.compose_run(env, volumes, line.split())
        assert p.returncode == 0, "%s: %s" % (line, describe(p))
    assert "(head)" in p.stdout

    # The commented secret variant: DATABASE_URL_FILE instead of DATABASE_URL.
    secret = os.path.join(compose_migrate.tmp, "database_url")
    with open(secret, "w") as f:
        f.write(env.pop("DATABASE_URL") + "\n")
    os.chown(secret, UID, UID)
    os.chmod(secret, 0o400)
    env["DATABASE_URL_FILE"] = "/run/secrets/database_url"
    p = compose_migrate.compose_run(env, volumes + [secret + ":/run/secrets/database_url:ro"],
                         ["check"])
    assert p.returncode == 0, describe(p)


def test_migrate_mariadb_profile(compose_migrate):
    need_env("SG_TEST_MYSQL_ADMIN_URL")
    command, env, volumes, url = compose_migrate.service("migrate-mariadb",
                                              os.environ["SG_TEST_MYSQL_ADMIN_URL"])
    db = url.path.lstrip("/")
    conn = mysql_connect(os.environ["SG_TEST_MYSQL_ADMIN_URL"])
    cur = conn.cursor()
    cur.execute("DROP DATABASE IF EXISTS `%s`" % db)
    cur.execute("CREATE DATABASE `%s`" % db)
    for host in ("127.0.0.1", "localhost"):
        cur.execute("CREATE USER IF NOT EXISTS %s@%s IDENTIFIED BY %s",
                    (url.username, host, url.password))
        cur.execute("GRANT ALL ON `%s`.* TO %%s@%%s" % db, (url.username, host))
    conn.close()
    p = compose_migrate.compose_run(env, volumes, command)
    assert p.returncode == 0, describe(p)
    assert len([n for n in os.listdir(compose_migrate.backups) if n.endswith(".sql.gz")]) == 1


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q", "-p", "no:cacheprovider"]))
