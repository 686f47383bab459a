#!/usr/bin/python3
"""End-to-end: configuration of the CLI (docs/reference.md §4, §7).

flag > environment > default for the migrations directory and the URL;
DATABASE_URL, DATABASE_URL_FILE, the DATABASE_* parts; global options after
the command; JSON logs (one object per line on stderr, results on stdout);
-q / -v; passwords never printed (unreachable server: exit 4; wrong password
against the test PostgreSQL server: exit 5, when SG_TEST_PG_URL is set —
required when CI=true, skipped otherwise); a *_FILE variable or SQLite URL
that yields nothing is exit 2, never the SQLite default.
"""
import json
import os
import re
import shutil
import sys
import urllib.parse

from cli_support import check, clean_env, expect, one_rev, rows, sg, tables, write_rev


def two_dirs(tmp):
    """Two migrations directories with different heads, to see which one is used."""
    a = os.path.join(tmp, "a")
    b = os.path.join(tmp, "b")
    os.makedirs(a)
    os.makedirs(b)
    write_rev(a, "aaaa00000001", "", "in a", "CREATE TABLE in_a (x INTEGER);", "DROP TABLE in_a;")
    write_rev(b, "bbbb00000001", "", "in b", "CREATE TABLE in_b (x INTEGER);", "DROP TABLE in_b;")
    return a, b


def first(out):
    return out.split()[0] if out.split() else ""


# --- precedence ------------------------------------------------------------------

def test_migrations_flag_env_default(tmp):
    a, b = two_dirs(tmp)
    env = clean_env(SCHEMAGATE_MIGRATIONS=a)
    out, _ = expect(sg("heads", cwd=tmp, env=env), 0, "env")
    check(first(out) == "aaaa00000001", "env directory used: " + out)
    out, _ = expect(sg("heads", "--migrations", b, cwd=tmp, env=env), 0, "flag after command")
    check(first(out) == "bbbb00000001", "flag beats env: " + out)
    out, _ = expect(sg("--migrations", b, "heads", cwd=tmp, env=env), 0, "flag before command")
    check(first(out) == "bbbb00000001", "flag before the command: " + out)
    shutil.copytree(a, os.path.join(tmp, "migrations"))
    out, _ = expect(sg("heads", cwd=tmp), 0, "default ./migrations")
    check(first(out) == "aaaa00000001", "default directory: " + out)


def test_url_flag_env_default(tmp):
    a, _ = two_dirs(tmp)
    env_db = os.path.join(tmp, "env.db")
    flag_db = os.path.join(tmp, "flag.db")
    env = clean_env(DATABASE_URL="sqlite:///" + env_db, SCHEMAGATE_MIGRATIONS=a)
    expect(sg("upgrade", cwd=tmp, env=env), 0, "upgrade with DATABASE_URL")
    check(os.path.exists(env_db) and rows(env_db) == ["aaaa00000001"], "DATABASE_URL used")
    expect(sg("upgrade", "--url", "sqlite:///" + flag_db, cwd=tmp, env=env), 0, "--url")
    check(os.path.exists(flag_db), "--url beats DATABASE_URL")
    env2 = dict(env, SCHEMAGATE_URL="sqlite:///" + os.path.join(tmp, "sg.db"))
    expect(sg("upgrade", cwd=tmp, env=env2), 0, "SCHEMAGATE_URL")
    check(os.path.exists(os.path.join(tmp, "sg.db")), "SCHEMAGATE_URL beats DATABASE_URL")
    expect(sg("upgrade", cwd=tmp, env=clean_env(SCHEMAGATE_MIGRATIONS=a)), 0, "default URL")
    check(os.path.exists(os.path.join(tmp, "schemagate.db")), "default sqlite:///./schemagate.db")


def test_sqlalchemy_url_forms(tmp):
    a, _ = two_dirs(tmp)
    db = os.path.join(tmp, "alch.db")
    env = clean_env(DATABASE_URL="sqlite+aiosqlite:///" + db, SCHEMAGATE_MIGRATIONS=a)
    expect(sg("upgrade", cwd=tmp, env=env), 0, "sqlite+aiosqlite URL")
    check(rows(db) == ["aaaa00000001"], "suffix ignored")


def test_database_url_file_and_parts(tmp):
    a, _ = two_dirs(tmp)
    db = os.path.join(tmp, "file.db")
    secret = os.path.join(tmp, "url.secret")
    with open(secret, "w") as f:
        f.write("sqlite:///" + db + "\n")
    env = clean_env(DATABASE_URL_FILE=secret, SCHEMAGATE_MIGRATIONS=a)
    expect(sg("upgrade", cwd=tmp, env=env), 0, "DATABASE_URL_FILE")
    check(rows(db) == ["aaaa00000001"], "URL read from the file, newline trimmed")
    both = dict(env, DATABASE_URL="sqlite:///" + db)
    expect(sg("upgrade", cwd=tmp, env=both), 2, "DATABASE_URL and DATABASE_URL_FILE")
    missing = dict(env, DATABASE_URL_FILE=os.path.join(tmp, "nope"))
    expect(sg("upgrade", cwd=tmp, env=missing), 2, "missing DATABASE_URL_FILE")
    parts_db = os.path.join(tmp, "parts.db")
    env = clean_env(DATABASE_DIALECT="sqlite", DATABASE_NAME=parts_db, SCHEMAGATE_MIGRATIONS=a)
    expect(sg("upgrade", cwd=tmp, env=env), 0, "DATABASE_DIALECT/DATABASE_NAME")
    check(rows(parts_db) == ["aaaa00000001"], "URL built from the parts")


def test_env_values_are_checked(tmp):
    a, _ = two_dirs(tmp)
    for var, value in (("SCHEMAGATE_WAIT_TIMEOUT", "soon"), ("SCHEMAGATE_BACKUP", "maybe"),
                       ("SCHEMAGATE_LOG_FORMAT", "xml"), ("SCHEMAGATE_ATOMIC", "perhaps"),
                       ("SCHEMAGATE_VERSION_TABLE", "no such; table"),
                       ("DATABASE_URL", "nonsense")):
        _, err = expect(sg("heads", cwd=tmp, env=clean_env(**{var: value,
                                                              "SCHEMAGATE_MIGRATIONS": a})),
                        2, var + "=" + value)
        check(var in err or value in err, "message names the variable: " + err)


def test_version_table_option(tmp):
    a, _ = two_dirs(tmp)
    db = os.path.join(tmp, "vt.db")
    env = clean_env(SCHEMAGATE_VERSION_TABLE="my_versions", SCHEMAGATE_MIGRATIONS=a)
    expect(sg("--url", "sqlite:///" + db, "upgrade", cwd=tmp, env=env), 0, "custom version table")
    check(rows(db, "my_versions") == ["aaaa00000001"], "SCHEMAGATE_VERSION_TABLE used")
    check("alembic_version" not in tables(db), "no default table")


# --- logging ---------------------------------------------------------------------

def test_json_logs_and_stdout(tmp):
    a, _ = two_dirs(tmp)
    db = os.path.join(tmp, "j.db")
    for args, env in ((["--log-format", "json"], clean_env(SCHEMAGATE_MIGRATIONS=a)),
                      ([], clean_env(SCHEMAGATE_MIGRATIONS=a, SCHEMAGATE_LOG_FORMAT="json"))):
        rc, out, err = sg("--url", "sqlite:///" + db, "upgrade", *args, cwd=tmp, env=env)
        check(rc == 0, "upgrade with json logs: " + err)
        lines = [l for l in err.splitlines() if l.strip()]
        check(lines, "json logs written")
        for l in lines:
            obj = json.loads(l)
            check({"ts", "level", "msg"} <= set(obj), "json fields: " + l)
        check(out == "", "upgrade writes nothing to stdout")
        rc, out, err = sg("--url", "sqlite:///" + db, "current", *args, cwd=tmp, env=env)
        check(out.strip() == "aaaa00000001 (head)", "current on stdout: " + out)
    rc, out, err = sg("upgrade", "--bogus", "--log-format", "json", cwd=tmp,
                      env=clean_env(SCHEMAGATE_MIGRATIONS=a))
    check(rc == 2, "usage error in json mode")
    obj = json.loads(err.strip())
    check(obj["level"] == "error" and "--bogus" in obj["msg"], "usage error as json: " + err)


def test_quiet_and_verbose(tmp):
    a, _ = two_dirs(tmp)
    db = os.path.join(tmp, "q.db")
    base = ["--url", "sqlite:///" + db, "--migrations", a]
    _, err = expect(sg(*base, "upgrade", "-q", cwd=tmp), 0, "-q")
    check(err.strip() == "", "-q prints no info: " + err)
    _, err = expect(sg(*base, "-v", "current", cwd=tmp), 0, "-v")
    check(re.search(r"\bdebug\b", err), "-v prints debug lines: " + err)
    _, err = expect(sg(*base, "downgrade", "base", "--log-level", "warn", cwd=tmp), 0,
                    "--log-level warn")
    check(err.strip() == "", "--log-level warn hides info: " + err)


# --- secrets ---------------------------------------------------------------------

def test_password_never_printed_unreachable(tmp):
    a, _ = two_dirs(tmp)
    pw = "Sup3r:S3cret@pw/x"
    url = "postgresql://app:%s@127.0.0.1:1/db" % urllib.parse.quote(pw, safe="")
    for fmt in ("text", "json"):
        rc, out, err = sg("--url", url, "--migrations", a, "--connect-timeout", "2s",
                          "--log-format", fmt, "-v", "current", cwd=tmp)
        check(rc == 4, "unreachable server: exit %d, wanted 4: %s" % (rc, err))
        for shown in (pw, urllib.parse.quote(pw, safe=""), "S3cret"):
            check(shown not in out + err, "password shown (%s): %s" % (fmt, err))
    env = clean_env(DATABASE_HOST="127.0.0.1", DATABASE_PORT="1", DATABASE_USER="app",
                    DATABASE_PASSWORD=pw, DATABASE_NAME="db", SCHEMAGATE_MIGRATIONS=a,
                    SCHEMAGATE_CONNECT_TIMEOUT="2")
    rc, out, err = sg("-v", "check", cwd=tmp, env=env)
    check(rc == 4, "DATABASE_* parts, unreachable: exit %d: %s" % (rc, err))
    check("S3cret" not in out + err, "password from DATABASE_PASSWORD shown: " + err)


def test_password_never_printed_auth_failure(tmp):
    url = os.environ.get("SG_TEST_PG_URL", "")
    if not url:
        if os.environ.get("CI") == "true":
            raise AssertionError("SG_TEST_PG_URL is not set (CI=true)")
        print("    skipped: SG_TEST_PG_URL not set")
        return
    a, _ = two_dirs(tmp)
    parts = urllib.parse.urlsplit(url)
    wrong = "Wr0ng:Pass@word"
    netloc = "%s:%s@%s:%s" % (parts.username, urllib.parse.quote(wrong, safe=""), parts.hostname,
                              parts.port)
    bad = urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, parts.query, ""))
    rc, out, err = sg("--url", bad, "--migrations", a, "-v", "current", cwd=tmp)
    check(rc == 5, "wrong password: exit %d, wanted 5: %s" % (rc, err))
    for shown in (wrong, urllib.parse.quote(wrong, safe=""), "Wr0ng"):
        check(shown not in out + err, "password shown: " + err)
    rc, out, err = sg("--url", url, "--migrations", a, "check", cwd=tmp)
    check(rc in (0, 11), "right password connects: exit %d: %s" % (rc, err))


# --- URL files and SQLite paths that yield nothing (exit 2) ------------------------------

def test_bad_url_file_is_exit_2_not_the_sqlite_default(tmp):
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


def test_sqlite_empty_path_is_exit_2(tmp):
    one_rev(tmp)
    for url in ("sqlite:///", "sqlite://"):
        _, err = expect(sg("run", "--url", url, cwd=tmp), 2, url)
        check("empty" in err, err)


if __name__ == "__main__":
    import pytest
    sys.exit(pytest.main([__file__, "-q", "-p", "no:cacheprovider"]))
