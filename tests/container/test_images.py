#!/usr/bin/python3
"""The images of the Dockerfile, run for real with podman (fixture
container_images): the runtime image migrates the test PostgreSQL and MariaDB
as a non-root user on a read-only root file system, taking its backup with the
dump tools inside the image (restored here to prove it); the minimal image
runs `run --backup never` and `verify`; exit codes pass through unchanged;
sizes and image settings are as the README states."""
import gzip
import os
import stat
import subprocess
import sys

import pytest

from container_support import (IMAGE, MINIMAL, SOURCE_DIR, UID, backup_dir, describe,
                               image_inspect, need_env, need_images, podman_run)
from run_support import (Workdir, free_port, mysql_create_db, mysql_drop_db, mysql_params,
                         mysql_query, pg_create_db, pg_drop_db, pg_query, with_database)

SEED_PG = """
    CREATE TABLE patients (id SERIAL PRIMARY KEY, name TEXT NOT NULL);
    INSERT INTO patients (name) VALUES ('ada'), ('bob');
"""
SEED_MY = """
    CREATE TABLE patients (id INTEGER AUTO_INCREMENT PRIMARY KEY, name VARCHAR(50) NOT NULL);
    INSERT INTO patients (name) VALUES ('ada'), ('bob');
"""
NEXT = "ALTER TABLE patients ADD COLUMN email VARCHAR(100);"
MiB = 1024 * 1024


def readable_workdir():
    """A Workdir whose migrations the image's user (uid 10001) can read."""
    w = Workdir()
    os.chmod(w.path, 0o755)
    os.chmod(w.migrations, 0o755)
    return w


class ImageCase:
    def __init__(self):
        need_images()
        self.w = readable_workdir()
        self.backups = backup_dir()
        self.cleanups = []

    def close(self):
        for drop, name in self.cleanups:
            drop(name)
        self.w.cleanup()
        subprocess.run(["rm", "-rf", self.backups])

    def migrate(self, url, image=IMAGE, args=(), options=("--read-only",)):
        """The runtime image's default command (`run`), as the README shows it."""
        return podman_run(image, args, env={"DATABASE_URL": url},
                          volumes=["%s:/migrations:ro" % self.w.migrations,
                                   "%s:/backups" % self.backups], options=options)

    def only_backup(self, ext):
        names = [n for n in os.listdir(self.backups) if n.endswith(ext)]
        assert len(names) == 1, os.listdir(self.backups)
        path = os.path.join(self.backups, names[0])
        st = os.stat(path)
        assert st.st_uid == UID  # written by the image's non-root user
        assert stat.S_IMODE(st.st_mode) == 0o600
        return path


@pytest.fixture
def case():
    """A readable work directory and a backup directory, removed after the case."""
    c = ImageCase()
    try:
        yield c
    finally:
        c.close()


# --- the runtime image (localhost/schemagate:ci) ---

def test_runtime_postgres_backup_by_pg_dump_inside_is_restorable(case):
    need_env("SG_TEST_PG_URL", "SG_TEST_PG_ADMIN_URL")
    name, url = pg_create_db("sg_img")
    case.cleanups.append((pg_drop_db, name))
    case.w.revision("a1", "", SEED_PG)
    p = case.migrate(url)
    assert p.returncode == 0, describe(p)
    os.unlink(case.only_backup(".dump"))  # the backup of the empty database
    case.w.revision("b2", "a1", NEXT)
    p = case.migrate(url)
    assert p.returncode == 0, describe(p)
    assert "backup written and verified" in p.stderr
    dump = case.only_backup(".dump")

    restore, restore_url = pg_create_db("sg_img_restore")
    case.cleanups.append((pg_drop_db, restore))
    admin = with_database(os.environ["SG_TEST_PG_ADMIN_URL"], restore)
    # The image's own pg_restore 17 (build_images.sh's wrapper): the host's
    # pg_restore 15 cannot read a pg_dump 17 archive (tests/servers).
    pg_restore = os.path.join(os.environ["SG_CONTAINER_OUT"], "tools", "bin", "pg_restore")
    r = subprocess.run([pg_restore, "--no-owner",
                        "-d", admin, dump], capture_output=True, text=True)
    if int(pg_query(url, "SHOW server_version_num")[0][0]) < 170000:
        # SET transaction_timeout (PostgreSQL 17+) is the one statement
        # that fails on older servers (pinned in tests/servers).
        assert r.returncode == 1, r.stderr
        assert "errors ignored on restore: 1\n" in r.stderr
        assert "transaction_timeout" in r.stderr
    else:
        assert r.returncode == 0, r.stderr
    assert pg_query(restore_url, "SELECT name FROM patients ORDER BY id") == [("ada",), ("bob",)]
    assert pg_query(restore_url, "SELECT version_num FROM alembic_version") == [("a1",)]
    assert pg_query(url, "SELECT version_num FROM alembic_version") == [("b2",)]


def test_runtime_mariadb_backup_by_mysqldump_inside_is_restorable(case):
    need_env("SG_TEST_MYSQL_URL", "SG_TEST_MYSQL_ADMIN_URL")
    name, url = mysql_create_db("sg_img")
    case.cleanups.append((mysql_drop_db, name))
    case.w.revision("a1", "", SEED_MY)
    p = case.migrate(url)
    assert p.returncode == 0, describe(p)
    os.unlink(case.only_backup(".sql.gz"))
    case.w.revision("b2", "a1", NEXT)
    p = case.migrate(url)
    assert p.returncode == 0, describe(p)
    sql = gzip.open(case.only_backup(".sql.gz")).read()

    restore, restore_url = mysql_create_db("sg_img_restore")
    case.cleanups.append((mysql_drop_db, restore))
    params = mysql_params(os.environ["SG_TEST_MYSQL_ADMIN_URL"])
    r = subprocess.run(["mariadb", "--no-defaults", "-h", params["host"], "-P",
                        str(params["port"]), "-u", params["user"], restore],
                       input=sql, capture_output=True)
    assert r.returncode == 0, r.stderr
    assert mysql_query(restore_url, "SELECT name FROM patients ORDER BY id") == [("ada",), ("bob",)]
    assert mysql_query(url, "SELECT version_num FROM alembic_version") == [("b2",)]


def test_runtime_dump_tools_run_inside(case):
    for tool, expect in (("pg_dump", "(PostgreSQL) 17."), ("pg_restore", "(PostgreSQL) 17."),
                         ("mysqldump", "11.8."), ("mariadb-dump", "11.8.")):
        p = podman_run(IMAGE, ["--version"], options=["--read-only", "--entrypoint", tool])
        assert p.returncode == 0, describe(p)
        assert expect in p.stdout


def test_runtime_closed_port_is_exit_4(case):
    case.w.revision("a1", "", "CREATE TABLE t (id INTEGER);")
    url = "postgresql://sg:secret@127.0.0.1:%d/x" % free_port()
    p = case.migrate(url, args=["run", "--wait-timeout", "1s"])
    assert p.returncode == 4, describe(p)
    assert "secret" not in p.stderr


def test_runtime_failing_revision_is_exit_8(case):
    need_env("SG_TEST_PG_URL", "SG_TEST_PG_ADMIN_URL")
    name, url = pg_create_db("sg_img")
    case.cleanups.append((pg_drop_db, name))
    case.w.revision("a1", "", "CREATE TABLE t (id INTEGER);")
    case.w.revision("b2", "a1", "INSERT INTO no_such_table VALUES (1);")
    p = case.migrate(url, args=["run", "--backup", "never"])
    assert p.returncode == 8, describe(p)
    assert pg_query(url, "SELECT version_num FROM alembic_version") == [("a1",)]


def test_runtime_image_settings_and_size(case):
    assert image_inspect(IMAGE, "{{.Config.User}}") == ("%d:%d" % (UID, UID))
    assert image_inspect(IMAGE, "{{json .Config.Entrypoint}}") == '["schemagate"]'
    assert image_inspect(IMAGE, "{{json .Config.Cmd}}") == '["run"]'
    assert "/backups" in image_inspect(IMAGE, "{{json .Config.Volumes}}")
    assert (image_inspect(
        IMAGE, '{{index .Config.Labels "org.opencontainers.image.title"}}') == "schemagate")
    size = int(image_inspect(IMAGE, "{{.Size}}"))
    print("runtime image: %.1f MB" % (size / MiB))
    assert size <= (40 * MiB)


# --- the minimal image (localhost/schemagate:ci-minimal) ---

def test_minimal_verify_and_run_backup_never(case):
    need_env("SG_TEST_PG_URL", "SG_TEST_PG_ADMIN_URL")
    p = podman_run(MINIMAL, ["verify"], options=["--read-only"],
                   volumes=["%s/migrations:/migrations:ro" % SOURCE_DIR])
    assert p.returncode == 0, describe(p)
    name, url = pg_create_db("sg_min")
    case.cleanups.append((pg_drop_db, name))
    case.w.revision("a1", "", SEED_PG)
    p = case.migrate(url, image=MINIMAL, args=["run", "--backup", "never"])
    assert p.returncode == 0, describe(p)
    assert pg_query(url, "SELECT version_num FROM alembic_version") == [("a1",)]
    assert os.listdir(case.backups) == []


def test_minimal_backups_are_off_by_default_and_a_requested_one_is_exit_7(case):
    need_env("SG_TEST_PG_URL", "SG_TEST_PG_ADMIN_URL")
    name, url = pg_create_db("sg_min")
    case.cleanups.append((pg_drop_db, name))
    case.w.revision("a1", "", SEED_PG)
    p = case.migrate(url, image=MINIMAL, args=["run", "--backup", "always"])
    assert p.returncode == 7, describe(p)
    assert "cannot run pg_dump: not found" in p.stderr
    assert pg_query(url, "SELECT to_regclass('patients') IS NULL") == [(True,)]
    p = case.migrate(url, image=MINIMAL)  # the default: SCHEMAGATE_BACKUP=never
    assert p.returncode == 0, describe(p)


def test_minimal_closed_port_is_exit_4(case):
    case.w.revision("a1", "", "CREATE TABLE t (id INTEGER);")
    url = "mysql://sg:secret@127.0.0.1:%d/x" % free_port()
    p = case.migrate(url, image=MINIMAL, args=["run", "--wait-timeout", "1s"])
    assert p.returncode == 4, describe(p)


def test_minimal_image_settings_and_size(case):
    assert image_inspect(MINIMAL, "{{.Config.User}}") == ("%d:%d" % (UID, UID))
    assert "SCHEMAGATE_BACKUP=never" in image_inspect(MINIMAL, "{{json .Config.Env}}")
    size = int(image_inspect(MINIMAL, "{{.Size}}"))
    print("minimal image: %.1f MB" % (size / MiB))
    assert size <= (10 * MiB)


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q", "-p", "no:cacheprovider"]))
