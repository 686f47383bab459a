#!/usr/bin/python3
"""End-to-end: passwords never shown, whatever the URL's shape (issue 22 D2,
D3), in text and JSON logs, stdout, the termination message and the report.

- A password holding a quote, '/', a space, '?' or '#' (unencoded) is masked
  as a whole: the user info ends at the last '@' (D2).
- `current -v` prints the masked URL, never a `?password=` query option (D3),
  against the real PostgreSQL server (the password travels in the query).
- A URL that cannot be parsed is shown as scheme and host only.
- A raw '@' in a password works on both servers; short passwords ("a",
  "root") are masked where they stand, not as substrings.
- The mysqldump option file with the password lives in memory (/dev/fd), on
  no disk, even after SIGKILL.
"""
import json
import os
import subprocess
import sys
import time
import urllib.parse

import run_support as rs
from cli_support import (PostgresDatabases, SG, check, clean_env, expect, need, one_rev, sg,
                         write_rev)


def migrations(tmp):
    m = os.path.join(tmp, "migrations")
    os.makedirs(m, exist_ok=True)
    write_rev(m, "aaaa00000001", "", "one", "CREATE TABLE one (x INTEGER);", "DROP TABLE one;")
    return m


def fragments(secret):
    return {secret[i:i + 3] for i in range(len(secret) - 2)}


def assert_hidden(secret, texts, allowed=()):
    """No 3-character fragment of the secret in any text (those in `allowed`,
    the URL's own visible text, aside)."""
    for frag in fragments(secret):
        if any(frag in a for a in allowed):
            continue
        for name, text in texts.items():
            check(frag not in text, "%r of the password shown in %s:\n%s" % (frag, name, text))


UNREACHABLE = "127.0.0.1:1"  # connection refused at once


def test_password_with_quotes_slashes_and_spaces_is_masked(tmp):
    m = migrations(tmp)
    t, r = os.path.join(tmp, "t.log"), os.path.join(tmp, "r.json")
    # Shaped like the issue's 'pa"ss/WORD secret', in letters no log text holds.
    for password in ('Qx"Zv/WQRD kJqVz', "Jq'Zx?Vb#Kw/Yp", 'x"Yz Qj/Wk?Rv#Sm@Tq', "Zq@Xj/Vw?Kp'#"):
        for fmt in ("text", "json"):
            url = "postgresql://app:%s@%s/app" % (password, UNREACHABLE)
            for args in (["current", "-v"], ["run", "--wait-timeout", "0", "--termination-log",
                                              t, "--report", r]):
                rc, out, err = sg(*args, "--url", url, "--migrations", m, "--log-format", fmt,
                                  cwd=tmp)
                check(rc == 4, "%s: exit %d, wanted 4 (unreachable)\n%s" % (args[0], rc, err))
                texts = {"stdout": out, "stderr": err}
                if args[0] == "run":
                    with open(t) as f:
                        texts["termination"] = f.read()
                    with open(r) as f:
                        texts["report"] = f.read()
                        check(json.loads(texts["report"])["database"] ==
                              "postgresql://app:****@%s/app" % UNREACHABLE, texts["report"])
                assert_hidden(password, texts,
                              allowed=["postgresql://app:****@%s/app" % UNREACHABLE])
                check("app:****@127.0.0.1:1/app" in err, "the masked URL is shown: " + err)


def test_unparseable_url_is_shown_as_scheme_and_host(tmp):
    m = migrations(tmp)
    password = "Qx%zzZv/WQRD kJqV"
    rc, out, err = sg("current", "--url", "postgresql://app:%s@db.example/app" % password,
                      "--migrations", m, cwd=tmp)
    check(rc == 2, "exit %d\n%s" % (rc, err))
    check("'postgresql://db.example'" in err, err)
    assert_hidden(password, {"stdout": out, "stderr": err}, allowed=["postgresql://db.example"])


def test_current_verbose_masks_a_password_query_option(tmp):
    need("SG_TEST_PG_URL", "SG_TEST_PG_ADMIN_URL")
    dbs = PostgresDatabases("sg_secrets")
    try:
        url = dbs.fresh()
        parts = urllib.parse.urlsplit(url)
        password = urllib.parse.unquote(parts.password or "")
        check(password, "the test server's URL has a password")
        # The password as a query option instead of the user info.
        netloc = "%s@%s:%d" % (parts.username, parts.hostname, parts.port or 5432)
        query = "password=" + urllib.parse.quote(password, safe="")
        url_q = urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, query, ""))
        m = migrations(tmp)
        expect(sg("run", "--url", url_q, "--migrations", m, cwd=tmp), 0, "run")
        for fmt in ("text", "json"):
            out, err = expect(sg("current", "-v", "--url", url_q, "--migrations", m,
                                 "--log-format", fmt, cwd=tmp), 0, "current -v")
            check("aaaa00000001" in out, out)
            check("password=****" in out, "the masked URL on stdout: " + out)
            # The server's own password (not chosen here: its fragments may
            # be digits a timestamp holds too): whole and encoded, never.
            for shown in (password, urllib.parse.quote(password, safe="")):
                check(shown not in out and shown not in err, "the password is shown")
            check(url_q.replace(query, "password=****") in out, out)
    finally:
        dbs.cleanup()


# --- passwords with a raw '@', short passwords, the mysqldump option file ----------------

PASSWORD = "Tr0ub4dor@horse"


def raw_at_url(base_url, user):
    p = urllib.parse.urlsplit(base_url)
    return "%s://%s:%s@%s:%d%s" % (p.scheme, user, PASSWORD, p.hostname, p.port, p.path)


def check_raw_at(tmp, url, what):
    one_rev(tmp)
    _, err = expect(sg("run", "--backup", "never", "--wait-timeout", "5s", "--url", url, cwd=tmp),
                    0, what)
    check("horse" not in err and "Tr0ub4dor" not in err, "no password fragment: " + err)


def raw_at_case(tmp, env, create_db, drop_db, admin, setup, teardown):
    """A user whose password has a raw '@' (created through the admin URL) runs a migration."""
    need(*env)
    name, db_url = create_db("sg_cfg")
    user = "sg_at_%d" % os.getpid()
    conn = admin()
    try:
        for sql in teardown + setup:
            conn.cursor().execute(sql % {"user": user, "db": name, "pw": PASSWORD})
        check_raw_at(tmp, raw_at_url(db_url, user), "%s with a raw '@'" % db_url.split(":")[0])
    finally:
        drop_db(name)
        for sql in teardown:
            conn.cursor().execute(sql % {"user": user})
        conn.close()


def test_raw_at_in_password_postgres(tmp):
    raw_at_case(tmp, ("SG_TEST_PG_URL", "SG_TEST_PG_ADMIN_URL"), rs.pg_create_db, rs.pg_drop_db,
                rs.pg_admin, ["CREATE ROLE %(user)s LOGIN PASSWORD '%(pw)s'",
                              "ALTER DATABASE %(db)s OWNER TO %(user)s"],
                ["DROP ROLE IF EXISTS %(user)s"])


def test_raw_at_in_password_mariadb(tmp):
    raw_at_case(tmp, ("SG_TEST_MYSQL_URL", "SG_TEST_MYSQL_ADMIN_URL"), rs.mysql_create_db,
                rs.mysql_drop_db, lambda: rs.mysql_connect(os.environ["SG_TEST_MYSQL_ADMIN_URL"]),
                ["CREATE USER '%(user)s'@'%%' IDENTIFIED BY '%(pw)s'",
                 "GRANT ALL ON `%(db)s`.* TO '%(user)s'@'%%'"],
                ["DROP USER IF EXISTS '%(user)s'@'%%'"])


def test_short_passwords_are_masked_where_they_stand(tmp):
    one_rev(tmp)
    for url, shown in (("postgresql://postgres:postgres@127.0.0.1:1/postgres",
                        "postgresql://postgres:****@127.0.0.1:1/postgres"),
                       ("postgresql://a:a@127.0.0.1:1/a", "postgresql://a:****@127.0.0.1:1/a"),
                       ("mysql://root:root@127.0.0.1:1/root", "mysql://root:****@127.0.0.1:1/root")):
        for args in ((), ("--log-format", "json")):
            _, err = expect(sg("run", "--wait-timeout", "0", "--url", url, *args, cwd=tmp), 4, url)
            check(shown in err, "%s shown as %s: %s" % (url, shown, err))
            check("****ql" not in err and "****@127.0.0.1:1/****" not in err,
                  "no substring masking: " + err)


def test_mysqldump_option_file_never_on_disk_even_after_sigkill(tmp):
    need("SG_TEST_MYSQL_URL", "SG_TEST_MYSQL_ADMIN_URL")
    name, url = rs.mysql_create_db("sg_cfg")
    try:
        one_rev(tmp)
        backups = os.path.join(tmp, "backups")
        record = os.path.join(tmp, "record")
        tool = os.path.join(tmp, "fake-mysqldump")
        # Records its argv and the option file it was given, then hangs until killed.
        with open(tool, "w") as f:
            f.write("#!/usr/bin/python3\nimport json, os, sys, time\n"
                    "opt = [a for a in sys.argv if a.startswith('--defaults-extra-file=')][0]\n"
                    "text = open(opt.split('=', 1)[1]).read()\n"
                    "json.dump({'argv': sys.argv, 'text': text, 'pid': os.getpid()},"
                    " open(%r + '.tmp', 'w'))\n"
                    "os.rename(%r + '.tmp', %r)\n"
                    "time.sleep(600)\n" % (record, record, record))
        os.chmod(tool, 0o755)
        proc = subprocess.Popen([SG, "run", "--backup", "always", "--backup-dir", backups,
                                 "--mysqldump", tool, "--url", url], cwd=tmp, env=clean_env(),
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 60
            while not os.path.exists(record) and proc.poll() is None and time.monotonic() < deadline:
                time.sleep(0.05)  # poll for the fake tool's record
            check(os.path.exists(record), "the fake mysqldump ran")
            proc.kill()
            proc.wait()
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        with open(record) as f:
            rec = json.load(f)
        os.unlink(record)  # it holds the password itself
        os.kill(rec["pid"], 9)  # the orphaned fake tool
        argv, text = rec["argv"], rec["text"]
        check(rs.password_of(url) in text, "the option file held the password")
        opt = [a for a in argv if a.startswith("--defaults-extra-file=")][0]
        check(opt.startswith("--defaults-extra-file=/dev/fd/"), "in memory: " + opt)
        password = rs.password_of(url).encode()
        for root, _, files in os.walk(tmp):
            for n in files:
                with open(os.path.join(root, n), "rb") as f:
                    check(password not in f.read(), "no file holds the password: " + n)
    finally:
        rs.mysql_drop_db(name)


if __name__ == "__main__":
    import pytest
    sys.exit(pytest.main([__file__, "-q", "-p", "no:cacheprovider"]))
