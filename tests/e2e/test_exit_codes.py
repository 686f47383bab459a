#!/usr/bin/python3
"""End-to-end: exit codes that must not be success, and the outputs that
carry them (issue 22: D4, D5, D16, L3, L4, L6, L7).

- A URL source that is set but empty (`--url ""`, DATABASE_URL="") is exit 2
  and creates no ./schemagate.db (D4).
- A failed write of the command output (>/dev/full, a closed stdout) is exit
  2, "cannot write output: ..." (D5).
- Every exit of `run` writes --termination-log and --report, configuration
  errors included (D16); `check` writes the termination message too (L6).
- Relative targets beyond a long are a range error, exit 2 (L3).
- The log's last exit_code is the process's (L4).
- `verify --dialect` takes the list `import alembic --dialect` takes (L7).

SQLite only: no server is involved.
"""
import json
import os
import re
import subprocess
import sys

from cli_support import SG, SOURCE, check, clean_env, expect, sg, write_rev


def migrations(tmp):
    m = os.path.join(tmp, "migrations")
    os.makedirs(m, exist_ok=True)
    write_rev(m, "aaaa00000001", "", "one", "CREATE TABLE one (x INTEGER);", "DROP TABLE one;")
    write_rev(m, "bbbb00000002", "aaaa00000001", "two", "CREATE TABLE two (x INTEGER);",
              "DROP TABLE two;")
    return m


def last_exit_code(err):
    codes = re.findall(r"exit_code=(\d+)", err)
    return int(codes[-1]) if codes else None


# --- D4: set but empty is never a fallback --------------------------------------

def test_empty_url_flag_is_exit_2_and_migrates_nothing(tmp):
    m = migrations(tmp)
    _, err = expect(sg("run", "--url", "", "--migrations", m, cwd=tmp), 2, "--url ''")
    check("--url is empty" in err, "message names --url: " + err)
    check(not os.path.exists(os.path.join(tmp, "schemagate.db")), "no ./schemagate.db")


def test_empty_database_url_variable_is_exit_2(tmp):
    m = migrations(tmp)
    for var, value in (("DATABASE_URL", ""), ("DATABASE_URL", "  "), ("SCHEMAGATE_URL", ""),
                       ("DATABASE_URL_FILE", "")):
        env = clean_env(**{var: value})
        _, err = expect(sg("run", "--migrations", m, cwd=tmp, env=env), 2, var + "=" + repr(value))
        check(var + " is set but empty" in err, "message names %s: %s" % (var, err))
        check(not os.path.exists(os.path.join(tmp, "schemagate.db")), "no ./schemagate.db")
    # Unset, the default still applies.
    expect(sg("run", "--migrations", m, cwd=tmp), 0, "no URL at all: the default")
    check(os.path.exists(os.path.join(tmp, "schemagate.db")), "the default database")


# --- D5: the output is checked ---------------------------------------------------

def shell(cmd, cwd):
    p = subprocess.run(["/bin/sh", "-c", cmd], cwd=cwd, env=clean_env(SG=SG),
                       capture_output=True, text=True, timeout=60)
    return p.returncode, p.stdout, p.stderr


def test_output_to_dev_full_is_exit_2(tmp):
    m = migrations(tmp)
    db = "sqlite:///" + os.path.join(tmp, "app.db")
    for args in ("upgrade --sql --dialect postgresql", "history", "heads", "verify",
                 "--url %s upgrade --sql" % db, "--help"):
        rc, _, err = shell('"$SG" --migrations %s %s >/dev/full' % (m, args), tmp)
        check(rc == 2, "%s >/dev/full: exit %d, wanted 2\n%s" % (args, rc, err))
        check("cannot write output: No space left on device" in err, args + ": " + err)
        check(last_exit_code(err) == 2, args + ": the last log line says exit 2: " + err)
        check("wrote offline SQL" not in err, args + ": an incomplete script is not 'wrote': " + err)
    # The same commands to a file that can be written still succeed.
    rc, out, err = shell('"$SG" --migrations %s history' % m, tmp)
    check(rc == 0 and "bbbb00000002" in out, "history to a pipe: %d %s" % (rc, err))


def test_closed_stdout_is_exit_2(tmp):
    m = migrations(tmp)
    db = os.path.join(tmp, "app.db")
    for args in ("history", "upgrade --sql --dialect sqlite"):
        rc, _, err = shell('"$SG" --migrations %s %s >&-' % (m, args), tmp)
        check(rc == 2, "%s >&-: exit %d, wanted 2\n%s" % (args, rc, err))
        check("cannot write output: stdout is closed" in err, args + ": " + err)
    # A command that prints nothing does not fail, and with fd 1 closed the
    # database file never takes its place.
    rc, _, err = shell('"$SG" --migrations %s --url sqlite:///%s run >&-' % (m, db), tmp)
    check(rc == 0, "run with a closed stdout: %d %s" % (rc, err))
    rc, out, err = shell('"$SG" --migrations %s --url sqlite:///%s current' % (m, db), tmp)
    check(rc == 0 and "bbbb00000002" in out, "the database is intact: %s %s" % (out, err))


# --- D16 / L6: termination message and report at every exit ------------------------

def outputs(tmp):
    t, r = os.path.join(tmp, "termination.log"), os.path.join(tmp, "report.json")
    for p in (t, r):
        if os.path.exists(p):
            os.unlink(p)
    return t, r


def read_outputs(t, r, code, what):
    check(os.path.exists(t), what + ": no termination message")
    check(os.path.exists(r), what + ": no report")
    with open(t) as f:
        text = f.read()
    with open(r) as f:
        report = json.load(f)
    check(text.startswith("schemagate run: exit %d (" % code) or
          text.startswith("schemagate check: exit %d (" % code), what + ": " + text)
    check(report["exit_code"] == code, what + ": report " + json.dumps(report))
    return text, report


def test_configuration_errors_of_run_write_both_outputs(tmp):
    m = migrations(tmp)
    t, r = outputs(tmp)
    expect(sg("run", "--url", "bogus://x", "--migrations", m, "--termination-log", t,
              "--report", r, cwd=tmp), 2, "bogus URL")
    text, report = read_outputs(t, r, 2, "bogus URL")
    check("unsupported scheme" in text and "unsupported scheme" in report["error"], text)

    t, r = outputs(tmp)
    env = clean_env(DATABASE_URL_FILE=os.path.join(tmp, "missing"))
    expect(sg("run", "--migrations", m, "--termination-log", t, "--report", r, cwd=tmp,
              env=env), 2, "DATABASE_URL_FILE=/missing")
    text, _ = read_outputs(t, r, 2, "DATABASE_URL_FILE")
    check("DATABASE_URL_FILE" in text, text)

    # Paths from the environment, an error in the options themselves.
    t, r = outputs(tmp)
    env = clean_env(SCHEMAGATE_TERMINATION_LOG=t, SCHEMAGATE_REPORT=r)
    expect(sg("run", "--wait-timeout", "soon", "--migrations", m, cwd=tmp, env=env), 2,
           "bad duration")
    read_outputs(t, r, 2, "bad duration")
    t, r = outputs(tmp)
    expect(sg("run", "--no-such-option", "--termination-log", t, "--report=" + r, cwd=tmp), 2,
           "unknown option")
    read_outputs(t, r, 2, "unknown option")


def test_offline_sql_writes_no_outputs(tmp):
    m = migrations(tmp)
    t, r = outputs(tmp)
    expect(sg("upgrade", "--sql", "--url", "bogus://x", "--migrations", m, "--termination-log",
              t, "--report", r, cwd=tmp), 2, "--sql with a bad URL")
    check(not os.path.exists(t) and not os.path.exists(r), "no database, no outputs")


def test_check_writes_a_termination_message_as_the_docs_say(tmp):
    m = migrations(tmp)
    t, r = outputs(tmp)
    db = "sqlite:///" + os.path.join(tmp, "app.db")
    expect(sg("check", "--url", db, "--migrations", m, "--termination-log", t, "--report", r,
              cwd=tmp), 11, "check, pending")
    text, _ = read_outputs(t, r, 11, "check")
    check("revisions pending" in text, text)
    with open(os.path.join(SOURCE, "README.md")) as f:
        readme = f.read()
    check("`check` writes none" not in readme, "README still says check writes none")


# --- L3 / L4: ranges and the log's last code ----------------------------------------

def test_relative_targets_beyond_a_long_are_exit_2(tmp):
    m = migrations(tmp)
    db = "sqlite:///" + os.path.join(tmp, "app.db")
    expect(sg("run", "--url", db, "--migrations", m, cwd=tmp), 0, "prepare")
    for args in (["downgrade", "-9223372036854775808"],
                 ["downgrade", "-99999999999999999999"],
                 ["history", "-r", "-9223372036854775808:"],
                 ["upgrade", "+9223372036854775808"]):
        _, err = expect(sg(*args, "--url", db, "--migrations", m, cwd=tmp), 2, " ".join(args))
        check("out of range" in err, " ".join(args) + ": " + err)
        check(last_exit_code(err) == 2, err)


def test_log_ends_with_the_process_exit_code(tmp):
    m = migrations(tmp)
    db = "sqlite:///" + os.path.join(tmp, "app.db")
    expect(sg("run", "--url", db, "--migrations", m, cwd=tmp), 0, "prepare")
    _, err = expect(sg("history", "-r", "zzzz:", "--url", db, "--migrations", m, cwd=tmp), 3,
                    "history -r zzzz:")
    check(last_exit_code(err) == 3, "last exit_code: " + err)
    check("exit_code=0" not in err, "no finished exit_code=0 before the error: " + err)


# --- L7: a dialect list wherever a dialect is named -----------------------------------

def test_verify_takes_a_dialect_list(tmp):
    m = migrations(tmp)
    out, _ = expect(sg("verify", "--dialect", "sqlite,postgresql", "--migrations", m, cwd=tmp), 0,
                    "verify --dialect sqlite,postgresql")
    check("2 revision(s)" in out, out)
    # Each listed dialect is checked: a revision without a section for one fails.
    write_rev(m, "cccc00000003", "bbbb00000002", "three", "SELECT 1;",
              name="cccc00000003.sql")
    with open(os.path.join(m, "cccc00000003.sql")) as f:
        text = f.read().replace("-- +upgrade\n", "-- +upgrade sqlite\n")
    with open(os.path.join(m, "cccc00000003.sql"), "w") as f:
        f.write(text)
    expect(sg("verify", "--dialect", "sqlite", "--migrations", m, cwd=tmp), 0, "sqlite alone")
    _, err = expect(sg("verify", "--dialect", "sqlite,postgresql", "--migrations", m, cwd=tmp),
                    3, "the postgresql section is missing")
    check("no -- +upgrade section for postgresql" in err, err)
    _, err = expect(sg("verify", "--dialect", "sqlite,oracle", "--migrations", m, cwd=tmp), 2,
                    "unknown dialect in the list")
    check("oracle" in err, err)
    # One dialect's SQL takes one.
    _, err = expect(sg("upgrade", "--sql", "--dialect", "sqlite,postgresql", "--migrations", m,
                       cwd=tmp), 2, "upgrade --sql with two dialects")
    check("takes one dialect" in err, err)


if __name__ == "__main__":
    import pytest
    sys.exit(pytest.main([__file__, "-q", "-p", "no:cacheprovider"]))
