#!/usr/bin/python3
"""End-to-end regression tests of configuration, URL, driver-connect, logging and
backup defects (each case failed before its fix).

Server cases need SG_TEST_PG_URL/SG_TEST_PG_ADMIN_URL and SG_TEST_MYSQL_URL/
SG_TEST_MYSQL_ADMIN_URL (required when CI=true, skipped otherwise).
Exits non-zero on any failure and prints a summary.
"""
import fcntl
import glob
import json
import os
import sqlite3
import subprocess
import sys
import time
import urllib.parse

import run_support as rs
from cli_support import SG, Skip, check, clean_env, expect, main, need, sg, test, write_rev


def one_rev(tmp):
    d = os.path.join(tmp, "migrations")
    os.makedirs(d, exist_ok=True)
    write_rev(d, "aaaa00000001", "", "one", "CREATE TABLE t (x INTEGER);", "DROP TABLE t;")
    return d


# --- *_FILE sources that yield nothing --------------------------------------------

@test
def bad_url_file_is_exit_2_not_the_sqlite_default(tmp):
    one_rev(tmp)
    empty = os.path.join(tmp, "empty")
    newline = os.path.join(tmp, "newline")
    open(empty, "w").close()
    with open(newline, "w") as f:
        f.write("\n")
    for path in (tmp, empty, newline, os.path.join(tmp, "missing")):
        for var in ("DATABASE_URL_FILE", "DATABASE_PASSWORD_FILE"):
            env = clean_env(**{var: path, "DATABASE_HOST": "127.0.0.1", "DATABASE_PORT": "1"})
            if var == "DATABASE_URL_FILE":
                del env["DATABASE_HOST"], env["DATABASE_PORT"]
            _, err = expect(sg("run", "--wait-timeout", "0", cwd=tmp, env=env), 2, var + "=" + path)
            check(var in err, "the message names %s: %s" % (var, err))
            check(not os.path.exists(os.path.join(tmp, "schemagate.db")),
                  "the SQLite default was not used")


# --- a raw '@' in a password, on the real servers -------------------------------

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


@test
def raw_at_in_password_postgres(tmp):
    raw_at_case(tmp, ("SG_TEST_PG_URL", "SG_TEST_PG_ADMIN_URL"), rs.pg_create_db, rs.pg_drop_db,
                rs.pg_admin, ["CREATE ROLE %(user)s LOGIN PASSWORD '%(pw)s'",
                              "ALTER DATABASE %(db)s OWNER TO %(user)s"],
                ["DROP ROLE IF EXISTS %(user)s"])


@test
def raw_at_in_password_mariadb(tmp):
    raw_at_case(tmp, ("SG_TEST_MYSQL_URL", "SG_TEST_MYSQL_ADMIN_URL"), rs.mysql_create_db,
                rs.mysql_drop_db, lambda: rs.mysql_connect(os.environ["SG_TEST_MYSQL_ADMIN_URL"]),
                ["CREATE USER '%(user)s'@'%%' IDENTIFIED BY '%(pw)s'",
                 "GRANT ALL ON `%(db)s`.* TO '%(user)s'@'%%'"],
                ["DROP USER IF EXISTS '%(user)s'@'%%'"])


# --- short and common passwords --------------------------------------------------

@test
def short_passwords_are_masked_where_they_stand(tmp):
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


# --- SQLite ------------------------------------------------------------------------

@test
def sqlite_empty_path_is_exit_2(tmp):
    one_rev(tmp)
    for url in ("sqlite:///", "sqlite://"):
        _, err = expect(sg("run", "--url", url, cwd=tmp), 2, url)
        check("empty" in err, err)


@test
def sqlite_not_a_database_hint(tmp):
    one_rev(tmp)
    junk = os.path.join(tmp, "junk.db")
    with open(junk, "w") as f:
        f.write("this is not a database file, just some text that is long enough......")
    _, err = expect(sg("run", "--url", "sqlite:///" + junk, cwd=tmp), 2, "junk file")
    check("not an SQLite database" in err, err)
    check("check the user" not in err, "no password hint: " + err)


def wait_for_line(proc, needle):
    """Reads the child's stderr until a line holds needle; returns what was read."""
    seen = []
    for line in proc.stderr:
        seen.append(line)
        if needle in line:
            return "".join(seen)
    raise AssertionError("never saw %r; exit %s; stderr:\n%s" % (needle, proc.wait(), "".join(seen)))


def waits_until_released(tmp, args, needle, release):
    """Starts `run args`, waits for a stderr line holding needle, calls release(), and
    expects the run to finish with exit 0."""
    proc = subprocess.Popen([SG, "run", "--backup", "never"] + args, cwd=tmp, env=clean_env(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_for_line(proc, needle)
        check(proc.poll() is None, "still waiting")
        release()
        rest = proc.stderr.read()
        check(proc.wait(timeout=60) == 0, "finished once released: " + rest)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


@test
def sqlite_locked_at_open_is_waited_for(tmp):
    one_rev(tmp)
    db = os.path.join(tmp, "app.db")
    holder = sqlite3.connect(db, isolation_level=None)
    try:
        holder.execute("CREATE TABLE busy (x INTEGER)")
        holder.execute("BEGIN EXCLUSIVE")
        waits_until_released(tmp, ["-v", "--connect-timeout", "1s", "--wait-timeout", "60s",
                                   "--url", "sqlite:///" + db], "database is locked",
                             lambda: holder.execute("COMMIT"))
    finally:
        holder.close()


@test
def huge_lock_timeout_waits_instead_of_expiring_at_once(tmp):
    one_rev(tmp)
    db = os.path.join(tmp, "app.db")
    sqlite3.connect(db).close()
    with open(db + ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        waits_until_released(tmp, ["--lock-timeout", "2562048h", "--wait-timeout", "9999999999h",
                                   "--url", "sqlite:///" + db], "waiting for the migration lock",
                             lambda: fcntl.flock(lock, fcntl.LOCK_UN))


def as_nobody(args, cwd):
    """Runs the binary as user nobody: root writes to read-only files, so permission
    problems only show for another user."""
    if os.geteuid() != 0:
        raise Skip("needs root to run the binary as nobody (setpriv)")
    p = subprocess.run(["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", SG]
                       + list(args), cwd=cwd, env=clean_env(), capture_output=True, text=True,
                       timeout=60)
    return p.returncode, p.stdout, p.stderr


def shared_dir(tmp, mode):
    os.chmod(tmp, 0o755)
    d = os.path.join(tmp, "data")
    os.makedirs(d)
    os.chmod(d, mode)
    os.chmod(one_rev(tmp), 0o755)
    return d


@test
def sqlite_read_only_file_is_exit_5_before_the_backup(tmp):
    d = shared_dir(tmp, 0o777)
    db = os.path.join(d, "app.db")
    sqlite3.connect(db).close()
    os.chmod(db, 0o644)  # root's file: read-only for nobody
    backups = os.path.join(d, "backups")
    _, err = expect(as_nobody(["run", "--backup", "always", "--backup-dir", backups,
                               "--url", "sqlite:///" + db], tmp), 5, "read-only file")
    check("read-only" in err, err)
    check(not glob.glob(os.path.join(backups, "*")), "no backup taken")


@test
def sqlite_unwritable_directory_is_exit_5_before_the_backup(tmp):
    d = shared_dir(tmp, 0o755)  # root's directory: no journal for nobody
    db = os.path.join(d, "app.db")
    sqlite3.connect(db).close()
    os.chown(db, 65534, 65534)
    backups = os.path.join(tmp, "backups")
    os.makedirs(backups)
    os.chmod(backups, 0o777)
    _, err = expect(as_nobody(["run", "--backup", "always", "--backup-dir", backups,
                               "--url", "sqlite:///" + db], tmp), 5, "unwritable directory")
    check(not glob.glob(os.path.join(backups, "*")), "no backup taken")


# --- backups -----------------------------------------------------------------------

def backup_run(tmp, db, backups, *extra):
    return expect(sg("run", "--backup", "always", "--backup-dir", backups, "--url",
                     "sqlite:///" + db, *extra, cwd=tmp), 0, "backup run " + db)


@test
def stale_partials_of_a_killed_backup_are_removed(tmp):
    one_rev(tmp)
    db = os.path.join(tmp, "app.db")
    backups = os.path.join(tmp, "backups")
    backup_run(tmp, db, backups)
    first = os.listdir(backups)
    check(len(first) == 1, first)
    stem = first[0].split("-base-")[0] if "-base-" in first[0] else first[0].rsplit("-", 2)[0]
    stale = os.path.join(backups, ".%s-base-20200101T000000Z.sqlite3.partial" % stem)
    other = os.path.join(backups, ".other-12345678-base-20200101T000000Z.sqlite3.partial")
    for p in (stale, stale + "-journal", other):
        open(p, "w").close()
    backup_run(tmp, db, backups)
    left = sorted(os.listdir(backups))
    check(os.path.basename(stale) not in left and os.path.basename(stale) + "-journal" not in left,
          "stale partials removed: %s" % left)
    check(os.path.basename(other) in left, "another database's partial kept: %s" % left)


@test
def retention_keeps_each_database_its_own_backups(tmp):
    one_rev(tmp)
    backups = os.path.join(tmp, "backups")
    dbs = []
    for sub in ("a", "b"):
        os.makedirs(os.path.join(tmp, sub))
        dbs.append(os.path.join(tmp, sub, "app.db"))
    backup_run(tmp, dbs[0], backups, "--backup-keep", "1")
    backup_run(tmp, dbs[1], backups, "--backup-keep", "1")
    names = os.listdir(backups)
    check(len(names) == 2, "one backup of each app.db kept: %s" % names)
    check(len({n.split("-")[1] for n in names}) == 2, "names tell the databases apart: %s" % names)


@test
def mysqldump_option_file_never_on_disk_even_after_sigkill(tmp):
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


# --- logs -------------------------------------------------------------------------

def broken_file(tmp, name):
    d = os.path.join(tmp, "migrations")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d.encode(), name), "wb") as f:
        f.write(b"-- revision: \n")
    return d


@test
def log_lines_stay_lines(tmp):
    d = broken_file(tmp, b"x\n2026-01-01T00:00:00.000Z info forged.sql")
    _, err = expect(sg("verify", "--migrations", d, cwd=tmp), 3, "broken file")
    for line in err.splitlines():
        check(not line.startswith("2026-01-01T00:00:00.000Z info forged"), "forged line: " + err)


@test
def json_logs_stay_json_with_invalid_utf8(tmp):
    d = broken_file(tmp, b"bad\xff.sql")
    p = subprocess.run([SG.encode(), b"verify", b"--migrations", d.encode(), b"--log-format",
                        b"json"], cwd=tmp, env=clean_env(), capture_output=True)
    check(p.returncode == 3, "exit %d" % p.returncode)
    lines = p.stderr.decode("utf-8").splitlines()  # must decode: no invalid UTF-8
    check(lines, "some log lines")
    for line in lines:
        json.loads(line)


if __name__ == "__main__":
    sys.exit(main())
