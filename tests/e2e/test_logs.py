#!/usr/bin/python3
"""Log output stays parseable whatever a file name holds: one record per line,
JSON lines stay JSON with invalid UTF-8 (exit 3 for the broken files)."""
import json
import os
import subprocess
import sys

from cli_support import SG, check, clean_env, expect, sg


def broken_file(tmp, name):
    d = os.path.join(tmp, "migrations")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d.encode(), name), "wb") as f:
        f.write(b"-- revision: \n")
    return d


def test_log_lines_stay_lines(tmp):
    d = broken_file(tmp, b"x\n2026-01-01T00:00:00.000Z info forged.sql")
    _, err = expect(sg("verify", "--migrations", d, cwd=tmp), 3, "broken file")
    for line in err.splitlines():
        check(not line.startswith("2026-01-01T00:00:00.000Z info forged"), "forged line: " + err)


def test_json_logs_stay_json_with_invalid_utf8(tmp):
    d = broken_file(tmp, b"bad\xff.sql")
    p = subprocess.run([SG.encode(), b"verify", b"--migrations", d.encode(), b"--log-format",
                        b"json"], cwd=tmp, env=clean_env(), capture_output=True)
    check(p.returncode == 3, "exit %d" % p.returncode)
    lines = p.stderr.decode("utf-8").splitlines()  # must decode: no invalid UTF-8
    check(lines, "some log lines")
    for line in lines:
        json.loads(line)


if __name__ == "__main__":
    import pytest
    sys.exit(pytest.main([__file__, "-q", "-p", "no:cacheprovider"]))
