#!/usr/bin/python3
"""End-to-end: passwords never shown, whatever the URL's shape (issue 22 D2,
D3), in text and JSON logs, stdout, the termination message and the report.

- A password holding a quote, '/', a space, '?' or '#' (unencoded) is masked
  as a whole: the user info ends at the last '@' (D2).
- `current -v` prints the masked URL, never a `?password=` query option (D3),
  against the real PostgreSQL server (the password travels in the query).
- A URL that cannot be parsed is shown as scheme and host only.

Exits non-zero on any failure.
"""
import json
import os
import sys
import urllib.parse

import run_support as rs
from cli_support import PostgresDatabases, check, clean_env, expect, main, need, sg, test, write_rev


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


@test
def password_with_quotes_slashes_and_spaces_is_masked(tmp):
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


@test
def unparseable_url_is_shown_as_scheme_and_host(tmp):
    m = migrations(tmp)
    password = "Qx%zzZv/WQRD kJqV"
    rc, out, err = sg("current", "--url", "postgresql://app:%s@db.example/app" % password,
                      "--migrations", m, cwd=tmp)
    check(rc == 2, "exit %d\n%s" % (rc, err))
    check("'postgresql://db.example'" in err, err)
    assert_hidden(password, {"stdout": out, "stderr": err}, allowed=["postgresql://db.example"])


@test
def current_verbose_masks_a_password_query_option(tmp):
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


if __name__ == "__main__":
    sys.exit(main())
