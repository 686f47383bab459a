#!/usr/bin/python3
"""pg_dump refuses a server of a newer major version: `run` is exit 7 with a
hint naming both versions and the image's PG_MAJOR build argument. The real
pg_dump here matches the test server, so a stand-in prints pg_dump 15's exact
refusal."""
import os
import sys

import pytest

from run_support import Workdir, describe, need_env, pg_create_db, pg_drop_db, pg_query, sg

REFUSAL = ("pg_dump: error: aborting because of server version mismatch\n"
           "pg_dump: detail: server version: 17.2 (Debian 17.2-1.pgdg120+1); "
           "pg_dump version: 15.14 (Debian 15.14-0+deb12u1)\n")


class PgDumpVersionMismatch:
    def __init__(self):
        need_env("SG_TEST_PG_URL", "SG_TEST_PG_ADMIN_URL")
        self.name, self.url = pg_create_db("sg_pgver")
        self.w = Workdir()
        self.w.revision("a1", "", "CREATE TABLE t (id INTEGER);")
        self.tool = os.path.join(self.w.path, "pg_dump")
        with open(self.tool, "w") as f:
            f.write("#!/bin/sh\nprintf '%s' >&2\nexit 1\n" % REFUSAL.replace("%", "%%"))
        os.chmod(self.tool, 0o755)

    def close(self):
        self.w.cleanup()
        pg_drop_db(self.name)


@pytest.fixture
def mismatch():
    case = PgDumpVersionMismatch()
    try:
        yield case
    finally:
        case.close()


def test_mismatch_is_exit_7_naming_both_versions(mismatch):
    p = sg(mismatch.w.args(mismatch.url, "--pg-dump", mismatch.tool))
    assert p.returncode == 7, describe(p)
    assert "the server is PostgreSQL 17.2 but pg_dump is 15.14" in p.stderr
    assert "PG_MAJOR" in p.stderr
    assert pg_query(mismatch.url, "SELECT to_regclass('t') IS NULL") == [(True,)]


def test_other_failures_keep_the_general_hint(mismatch):
    with open(mismatch.tool, "w") as f:
        f.write("#!/bin/sh\necho 'pg_dump: error: connection failed' >&2\nexit 1\n")
    p = sg(mismatch.w.args(mismatch.url, "--pg-dump", mismatch.tool))
    assert p.returncode == 7, describe(p)
    assert "the server is PostgreSQL" not in p.stderr
    assert "at least the server's major version" in p.stderr


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q", "-p", "no:cacheprovider"]))
