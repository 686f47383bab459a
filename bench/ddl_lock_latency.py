#!/usr/bin/python3
"""How long the running application stalls while `schemagate run` alters a
table it holds (docs/zero-downtime.md, "DDL lock timeout").

An application session keeps a transaction open on `patients` for --hold
seconds; a second one runs `SELECT count(*) FROM patients` in a loop and
records each latency; `schemagate run` applies `ALTER TABLE patients ADD
COLUMN x int` meanwhile. Measured per server and per --ddl-lock-timeout
(0 = no bound, the behaviour before the setting existed): the app's worst
and median latency, the run's exit code and duration, and its retries.

    eval "$(scripts/test-servers.sh start)"
    bench/ddl_lock_latency.py [--bin build/schemagate] [--hold 6] [--timeouts 0,1s,5s]

Talks only to the test servers of SG_TEST_PG_URL / SG_TEST_MYSQL_URL (on
loopback); every loop is bounded by --hold and the run's own timeouts.
"""
import argparse
import os
import statistics
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))
import run_support  # noqa: E402
from run_support import (Workdir, mysql_connect, mysql_create_db, mysql_drop_db,  # noqa: E402
                         pg_connect, pg_create_db, pg_drop_db, sg, spawn)


def measure(server, timeout, hold, retries):
    make, drop, connect = {
        "postgresql": (pg_create_db, pg_drop_db, pg_connect),
        "mariadb": (mysql_create_db, mysql_drop_db, mysql_connect),
    }[server]
    name, url = make("sg_bench_ddl")
    w = Workdir()
    try:
        w.revision("a1", "", "CREATE TABLE patients (id int);\nINSERT INTO patients VALUES (1);")
        assert sg(w.args(url, "--backup", "never")).returncode == 0
        w.revision("b2", "a1", "ALTER TABLE patients ADD COLUMN x int;")
        blocker = connect(url)
        cur = blocker.cursor()
        cur.execute("BEGIN")
        cur.execute("SELECT count(*) FROM patients")
        cur.fetchall()
        latencies, stop = [], threading.Event()

        def probe():
            conn = connect(url)
            c = conn.cursor()
            while not stop.is_set():
                t = time.monotonic()
                c.execute("SELECT count(*) FROM patients")
                c.fetchall()
                latencies.append(time.monotonic() - t)
                stop.wait(0.02)
            conn.close()

        prober = threading.Thread(target=probe, daemon=True)
        prober.start()
        t0 = time.monotonic()
        proc = spawn(w.args(url, "--backup", "never", "--ddl-lock-timeout", timeout,
                            "--ddl-lock-retries", str(retries)))
        release = t0 + hold
        while proc.poll() is None and time.monotonic() < release:
            time.sleep(0.05)
        cur.execute("COMMIT")  # the application's transaction ends after --hold
        _, err = proc.communicate(timeout=600)
        took = time.monotonic() - t0
        stop.set()
        prober.join(30)
        blocker.close()
        return {"exit": proc.returncode, "run_s": took, "retries": err.count("retrying"),
                "worst_s": max(latencies), "median_ms": statistics.median(latencies) * 1000,
                "queries": len(latencies)}
    finally:
        w.cleanup()
        drop(name)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bin", default=os.path.join(ROOT, "build", "schemagate"))
    ap.add_argument("--hold", type=float, default=6.0, help="seconds the app holds the table")
    ap.add_argument("--timeouts", default="0,1s,5s", help="--ddl-lock-timeout values")
    ap.add_argument("--retries", type=int, default=10)
    ap.add_argument("--servers", default="postgresql,mariadb")
    args = ap.parse_args()
    run_support.SG_BIN = os.path.abspath(args.bin)
    print("| server | --ddl-lock-timeout | app worst latency s | app median ms | queries | "
          "run exit | run s | retries |")
    print("|---|---|---|---|---|---|---|---|")
    for server in args.servers.split(","):
        need = "SG_TEST_PG_URL" if server == "postgresql" else "SG_TEST_MYSQL_URL"
        if not os.environ.get(need):
            print("| %s | skipped: %s not set | | | | | | |" % (server, need))
            continue
        for timeout in args.timeouts.split(","):
            r = measure(server, timeout, args.hold, args.retries)
            print("| %s | %s | %.2f | %.1f | %d | %d | %.1f | %d |" % (
                server, timeout if timeout != "0" else "0 (no bound)", r["worst_s"],
                r["median_ms"], r["queries"], r["exit"], r["run_s"], r["retries"]))


if __name__ == "__main__":
    main()
