#!/usr/bin/python3
"""schemagate side by side with the databases' own clients and Alembic.

Started by bench/compare.sh; bench/README.md explains every row. Python 3
standard library only (Alembic itself runs as its own `alembic` process).
"""

import argparse
import datetime
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import workload  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PG_BIN = "/usr/lib/postgresql/15/bin"  # Debian's /usr/bin/psql wrapper costs ~20 ms
TIMEOUT = 900  # seconds for any one child; a hang is reported, not waited out
SQLITE_TABLE_FLOOR = "sqlite3 SELECT version_num FROM alembic_version"
READ_FLOOR = "readfiles: open + read + close of the revision files"
DB_LABEL = {"pg": "PostgreSQL", "mysql": "MariaDB", "sqlite": "SQLite"}
DIALECT = {"pg": "postgresql", "mysql": "mysql", "sqlite": "sqlite"}


def log(msg):
    print(f"[compare {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


class Failed(Exception):
    pass


def run(cmd, env=None, check=True, stdin=None, timeout=TIMEOUT, quiet=True):
    """Runs cmd; returns (rc, stdout, stderr) as text."""
    r = subprocess.run(cmd, env=env, stdin=stdin, capture_output=True, text=True, timeout=timeout)
    if check and r.returncode != 0:
        raise Failed(f"{' '.join(cmd[:4])}... exit {r.returncode}: {(r.stderr or r.stdout).strip()[-600:]}")
    return r.returncode, r.stdout, r.stderr


MAXRSS = None  # the compiled bench/maxrss.c, when a C compiler is there


def compile_c(work, name, flag_sets=([],)):
    """bench/<name>.c into the work directory, with the first of `flag_sets`
    that links; None without a C compiler or when none does."""
    cc = shutil.which("cc") or shutil.which("gcc")
    if not cc:
        return None
    out = os.path.join(work, name)
    src = os.path.join(ROOT, "bench", name + ".c")
    for flags in flag_sets:
        r = subprocess.run([cc, "-O2"] + list(flags) + ["-o", out, src], capture_output=True, text=True)
        if r.returncode == 0:
            return out
    return None


def build_maxrss(work):
    global MAXRSS
    MAXRSS = compile_c(work, "maxrss")
    return MAXRSS


def build_readfiles(work):
    """bench/readfiles.c, static like schemagate when the C library allows."""
    return compile_c(work, "readfiles", (["-static"], []))


def measure(cmd, env=None, stdin_path=None, timeout=TIMEOUT):
    """One child: (seconds, peak RSS KiB, rc, stderr tail). Through
    bench/maxrss.c when built (exact peak RSS), else os.wait4 from Python
    (the peak then includes Python's own resident set at fork)."""
    stdin = open(stdin_path, "rb") if stdin_path else subprocess.DEVNULL
    errf = tempfile.TemporaryFile()
    resf = tempfile.NamedTemporaryFile(delete=False)
    resf.close()
    try:
        full = [MAXRSS, resf.name] + cmd if MAXRSS else cmd
        t0 = time.perf_counter()
        p = subprocess.Popen(full, env=env, stdin=stdin, stdout=subprocess.DEVNULL, stderr=errf,
                             start_new_session=True)
        try:
            _, status, ru = os.wait4(p.pid, 0) if timeout is None else _wait4_timeout(p, timeout)
        except subprocess.TimeoutExpired:
            return None, None, "timeout", f"killed after {timeout} s"
        elapsed = time.perf_counter() - t0
        rc = os.waitstatus_to_exitcode(status)
        p.returncode = rc
        errf.seek(0)
        tail = errf.read().decode(errors="replace").strip()[-600:]
        rss = ru.ru_maxrss
        if MAXRSS:
            with open(resf.name) as f:
                parts = f.read().split()
            if len(parts) == 3:
                elapsed, rss = float(parts[0]), int(parts[1])
        return elapsed, rss, rc, tail
    finally:
        errf.close()
        os.unlink(resf.name)
        if stdin_path:
            stdin.close()


def _wait4_timeout(p, timeout):
    deadline = time.perf_counter() + timeout
    while True:
        pid, status, ru = os.wait4(p.pid, os.WNOHANG)
        if pid:
            return pid, status, ru
        if time.perf_counter() > deadline:
            os.killpg(p.pid, 9)  # the helper's group: the helper and the command
            os.wait4(p.pid, 0)
            raise subprocess.TimeoutExpired(p.args, timeout)
        time.sleep(0.002)


def median(xs):
    return statistics.median(xs) if xs else None


def fmt_ms(s):
    return "–" if s is None else f"{s * 1000:.0f} ms" if s >= 0.1 else f"{s * 1000:.1f} ms"


def fmt_ratio(a, b):
    return "–" if a is None or b is None or b == 0 else f"×{a / b:.2f}"


# --------------------------------------------------------------------------
# Environment: binary, servers, machine


def find_binary(args):
    if args.bin:
        return os.path.abspath(args.bin), "given"
    if os.environ.get("SG_BENCH_BIN"):
        return os.path.abspath(os.environ["SG_BENCH_BIN"]), "SG_BENCH_BIN"
    static = os.path.join(ROOT, "build-static", "schemagate")
    if os.access(static, os.X_OK):
        return static, "build-static/schemagate, what the image runs"
    build = os.path.join(ROOT, "build")
    log("building build/schemagate (cmake, ccache when available)")
    cfg = ["cmake", "-S", ROOT, "-B", build, "-DCMAKE_BUILD_TYPE=RelWithDebInfo"]
    if shutil.which("ccache"):
        cfg.append("-DCMAKE_CXX_COMPILER_LAUNCHER=ccache")
    if not os.path.exists(os.path.join(build, "CMakeCache.txt")):
        run(cfg, timeout=3600)
    run(["cmake", "--build", build, "--target", "schemagate", f"-j{os.cpu_count() or 2}"], timeout=3600)
    return os.path.join(build, "schemagate"), "build/schemagate: no build-static/schemagate"


class Servers:
    """The project's scripts/test-servers.sh on the bench's own directory and
    ports (never the test suite's)."""

    def __init__(self, args):
        self.dir = os.environ.get("SG_BENCH_SERVER_DIR", "/tmp/schemagate-bench")
        self.env = dict(os.environ, SG_SERVER_DIR=self.dir,
                        SG_PG_PORT=os.environ.get("SG_BENCH_PG_PORT", "54359"),
                        SG_MYSQL_PORT=os.environ.get("SG_BENCH_MYSQL_PORT", "33079"))
        self.script = os.path.join(ROOT, "scripts", "test-servers.sh")
        self.keep = args.keep_servers
        self.started = False

    def start(self):
        pid_pg = os.path.join(self.dir, "pg", "postmaster.pid")
        pid_my = os.path.join(self.dir, "mysql-run", "mysql.pid")
        running = os.path.exists(pid_pg) and os.path.exists(pid_my)
        log(f"test servers in {self.dir} (pg {self.env['SG_PG_PORT']}, mysql {self.env['SG_MYSQL_PORT']})")
        _, out, _ = run([self.script, "start"], env=self.env, timeout=600)
        self.started = not running
        v = dict(re.findall(r"(SG_TEST_\w+)='?([^' \n]*)'?", out))
        pg = urllib.parse.urlsplit(v["SG_TEST_PG_URL"])
        self.password = urllib.parse.unquote(pg.password)
        self.password_enc = urllib.parse.quote(self.password, safe="")
        self.user = pg.username
        self.pg_port = int(v["SG_TEST_PG_PORT"])
        self.my_port = int(v["SG_TEST_MYSQL_PORT"])
        self.my_socket = v["SG_TEST_MYSQL_SOCKET"]

    def stop(self):
        if self.started and not self.keep:
            log("stopping the bench's test servers")
            run([self.script, "stop"], env=self.env, check=False, timeout=300)


def machine_info():
    info = {"nproc": os.cpu_count(), "kernel": platform.release()}
    try:
        with open("/proc/cpuinfo") as f:
            m = re.search(r"model name\s*:\s*(.*)", f.read())
            info["cpu"] = m.group(1).strip() if m else "?"
        with open("/proc/meminfo") as f:
            m = re.search(r"MemTotal:\s*(\d+)", f.read())
            info["mem"] = f"{int(m.group(1)) / 1048576:.1f} GiB" if m else "?"
    except OSError:
        pass
    return info


def version_of(cmd):
    try:
        rc, out, err = run(cmd, check=False, timeout=60)
        return (out or err).strip().splitlines()[0] if (out or err).strip() else "?"
    except (OSError, subprocess.TimeoutExpired):
        return "not installed"


# --------------------------------------------------------------------------
# Per-database plumbing


class Target:
    """One database kind: how to reset a database, the URLs, the client."""

    def __init__(self, kind, bench, servers):
        self.kind, self.b, self.s = kind, bench, servers
        self.work = bench.work

    # names: sgbench_<role>; SQLite: files in the work dir
    def db(self, role):
        return f"sgbench_{role}"

    def sqlite_path(self, role):
        return os.path.join(self.work, f"{role}.sqlite3")

    def url(self, role, driver=False):
        """schemagate's URL, or with driver=True SQLAlchemy's for Alembic."""
        s = self.s
        if self.kind == "sqlite":
            return f"sqlite:///{self.sqlite_path(role)}"
        scheme, port = ("postgresql", s.pg_port) if self.kind == "pg" else ("mysql", s.my_port)
        if driver:
            scheme += "+psycopg2" if self.kind == "pg" else "+pymysql"
        return f"{scheme}://{s.user}:{s.password_enc}@127.0.0.1:{port}/{self.db(role)}"

    def env(self, role, alembic_role=None):
        e = dict(os.environ)
        for k in list(e):
            if k.startswith("SCHEMAGATE_") or k.startswith("DATABASE_"):
                del e[k]
        e["DATABASE_URL"] = self.url(role)
        e["SCHEMAGATE_MIGRATIONS"] = self.b.migrations
        e["SG_BENCH_ALEMBIC_URL"] = self.url(alembic_role or role, driver=True)
        if self.kind != "sqlite":
            e["PGPASSWORD"] = self.s.password
            e["MYSQL_PWD"] = self.s.password
        return e

    def admin(self, sql, db=None):
        if self.kind == "pg":
            cmd = [f"{PG_BIN}/psql", "-X", "-qAt", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1",
                   "-p", str(self.s.pg_port), "-U", "postgres", "-d", db or "postgres", "-c", sql]
        else:
            cmd = ["mariadb", "--no-defaults", "-S", self.s.my_socket, "-uroot", "-N", "-B", "-e", sql]
        return run(cmd)[1].strip()

    def fresh(self, role):
        if self.kind == "pg":
            self.admin(f"DROP DATABASE IF EXISTS {self.db(role)} WITH (FORCE)")
            self.admin(f"CREATE DATABASE {self.db(role)} OWNER {self.s.user}")
        elif self.kind == "mysql":
            self.admin(f"DROP DATABASE IF EXISTS {self.db(role)}")
            self.admin(f"CREATE DATABASE {self.db(role)}")
        else:
            for suffix in ("", "-journal", "-wal", "-shm", ".lock"):
                try:
                    os.remove(self.sqlite_path(role) + suffix)
                except FileNotFoundError:
                    pass

    def drop(self, role):
        if self.kind == "pg":
            self.admin(f"DROP DATABASE IF EXISTS {self.db(role)} WITH (FORCE)")
        elif self.kind == "mysql":
            self.admin(f"DROP DATABASE IF EXISTS {self.db(role)}")
        else:
            self.fresh(role)

    def client_select1(self, role):
        """The floor of (1): the database's own client, connect + SELECT 1."""
        if self.kind == "pg":
            return [f"{PG_BIN}/psql", "-X", "-qAt", "-h", "127.0.0.1", "-p", str(self.s.pg_port),
                    "-U", self.s.user, "-d", self.db(role), "-c", "SELECT 1"]
        if self.kind == "mysql":
            return ["mariadb", "--no-defaults", "-h", "127.0.0.1", "-P", str(self.s.my_port),
                    "-u", self.s.user, "-D", self.db(role), "-N", "-B", "-e", "SELECT 1"]
        return ["sqlite3", self.sqlite_path(role), "SELECT 1"]

    def client_session(self, role, mode):
        """(cmd, stdin file) of one client session over the plain files."""
        d = DIALECT[self.kind]
        script = os.path.join(self.work, "session", f"{d}_{mode}.sql")
        if self.kind == "pg":
            cmd = [f"{PG_BIN}/psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1",
                   "-p", str(self.s.pg_port), "-U", self.s.user, "-d", self.db(role)]
            if mode == "onetx":
                cmd.append("--single-transaction")
            return cmd + ["-f", script], None
        if self.kind == "mysql":
            return ["mariadb", "--no-defaults", "-h", "127.0.0.1", "-P", str(self.s.my_port),
                    "-u", self.s.user, "-D", self.db(role), "-B"], script
        return ["sqlite3", "-bail", self.sqlite_path(role)], script


# --------------------------------------------------------------------------
# Query traces of one no-op run (server logs), strace counts


PG_LOG_RE = re.compile(r"\[(\d+)\] LOG:  (statement|execute [^:]*): (.*)")
MY_LOG_RE = re.compile(r"^(?:\d{6}\s+\d{1,2}:\d{2}:\d{2})?\s+(\d+) (Connect|Query|Prepare|Execute|Close stmt|"
                       r"Quit|Init DB|Field List|Reset stmt|Fetch|Long Data|Set option|Ping|"
                       r"Statistics|Change user|Reset connection)\t?(.*)$")
MY_ROUND_TRIP = {"Query", "Prepare", "Execute", "Init DB", "Field List", "Reset stmt", "Fetch",
                 "Set option", "Ping", "Statistics", "Change user", "Reset connection"}


def trace_pg(t, cmd, env, role):
    """Statements the server received from cmd (log_statement=all set on the
    bench database only, for this one call)."""
    logf = os.path.join(t.s.dir, "pg-log", "pg.log")
    t.admin(f"ALTER DATABASE {t.db(role)} SET log_statement = 'all'")
    try:
        start = os.path.getsize(logf)
        measure(cmd, env=env)
        with open(logf, errors="replace") as f:
            f.seek(start)
            text = f.read()
    finally:
        t.admin(f"ALTER DATABASE {t.db(role)} RESET log_statement")
    stmts = []
    cur = None
    for line in text.splitlines():
        m = PG_LOG_RE.search(line)
        if m:
            cur = [m.group(3)]
            stmts.append(cur)
        elif line.startswith("\t") and cur is not None:
            cur.append(line.strip())
        else:
            cur = None
    return [" ".join(s) for s in stmts]


def _mysql_threads(text):
    """{thread id: (user, [[command, argument], ...])} from general-log text."""
    threads = {}
    cur = None
    for line in text.splitlines():
        m = MY_LOG_RE.match(line)
        if m:
            tid, what, arg = m.groups()
            user, cmds = threads.setdefault(tid, ["", []])
            if what == "Connect":
                threads[tid][0] = arg
            cur = [what, arg]
            cmds.append(cur)
        elif cur is not None:
            cur[1] += " " + line.strip()
    return threads


def trace_mysql(t, cmd, env):
    """Commands the server received from cmd (general log on for this call):
    (the commands, the round trips)."""
    logf = os.path.join(t.s.dir, "mysql-run", "sgbench-general.log")
    t.admin(f"SET GLOBAL general_log_file = '{logf}'; SET GLOBAL log_output = 'FILE'; "
            "SET GLOBAL general_log = 1")
    mine = None
    try:
        start = os.path.getsize(logf) if os.path.exists(logf) else 0
        measure(cmd, env=env)
        # The server writes the log itself: wait for the client's Quit line.
        deadline = time.time() + 10
        while time.time() < deadline:
            with open(logf, errors="replace") as f:
                f.seek(start)
                threads = _mysql_threads(f.read())
            mine = [c for u, c in threads.values() if u.startswith(f"{t.s.user}@")]
            if mine and any(w == "Quit" for w, _ in mine[0]):
                break
            time.sleep(0.05)
    finally:
        t.admin("SET GLOBAL general_log = 0")
    if not mine:
        return [], None
    cmds = mine[0]
    out = [a if w == "Query" else f"{w}: {a}".strip() for w, a in cmds if w not in ("Connect", "Quit")]
    return out, sum(1 for w, _ in cmds if w in MY_ROUND_TRIP)


def strace_counts(cmd, env, work):
    """Socket syscalls of cmd (strace -f -e trace=network): a count of client
    writes and reads, the handshake included."""
    if not shutil.which("strace"):
        return None
    out = os.path.join(work, "strace.out")
    rc, _, _ = run(["strace", "-f", "-qq", "-e", "trace=network", "-o", out] + cmd, env=env, check=False)
    counts = {}
    with open(out, errors="replace") as f:
        for line in f:
            m = re.match(r"(?:\d+\s+)?(\w+)\(", line)
            if m:
                counts[m.group(1)] = counts.get(m.group(1), 0) + 1
    os.remove(out)
    return counts


def gdb_counts(cmd, env, work, funcs=("sg::split_sql", "sg::sha256_hex")):
    """How often cmd calls each function: gdb breakpoints that never stop
    (ignore counts). None without gdb or without symbols (a stripped static
    binary)."""
    if not shutil.which("gdb"):
        return None
    script = os.path.join(work, "count.gdb")
    with open(script, "w") as f:
        f.write("set pagination off\nset breakpoint pending off\n")
        for i, fn in enumerate(funcs, 1):
            f.write(f"break {fn}\nignore {i} 100000000\n")
        f.write("run\ninfo breakpoints\n")
    rc, out, err = run(["gdb", "-q", "-batch", "-x", script, "--args"] + cmd, env=env, check=False)
    counts = {}
    num = None
    for line in out.splitlines():
        m = re.match(r"(\d+)\s+breakpoint\s", line)
        if m and int(m.group(1)) <= len(funcs):
            num = int(m.group(1))
            counts[funcs[num - 1]] = 0
        m = re.search(r"breakpoint already hit (\d+) time", line)
        if m and num:
            counts[funcs[num - 1]] = int(m.group(1))
    return counts if len(counts) == len(funcs) else None


# --------------------------------------------------------------------------
# The benchmark


class Bench:
    def __init__(self, args):
        self.args = args
        self.results = {}
        self.notes = []
        self.work = args.workdir or tempfile.mkdtemp(prefix="sgbench-")
        os.makedirs(self.work, exist_ok=True)
        self.migrations = os.path.join(self.work, "migrations")
        if not build_maxrss(self.work):
            self.notes.append("no C compiler: peak RSS is os.wait4 from Python and includes Python's "
                              "resident set at fork (too high by ~10 MiB)")

    def sg(self, *a):
        return [self.bin] + list(a)

    def alembic(self, *a):
        return ["alembic", "-c", os.path.join(self.work, "alembic.ini")] + list(a)

    # (1) no-op, (3) peak RSS, query traces
    def noop(self, t):
        k = t.kind
        a = self.args
        t.fresh("noop")
        t.fresh("alembic")
        env = t.env("noop", "alembic")
        run(self.sg("run", "--backup", "never"), env=env)
        run(self.alembic("upgrade", "head"), env=env)
        cmds = [("schemagate run", self.sg("run")),
                ("schemagate check", self.sg("check")),
                (f"{os.path.basename(t.client_select1('noop')[0])} SELECT 1", t.client_select1("noop")),
                ("alembic upgrade head", self.alembic("upgrade", "head"))]
        if k == "sqlite":
            # SQLite reads and parses the whole schema (every table and index
            # of the N revisions) at the first statement that names a table;
            # SELECT 1 names none. This row is the client paying that too.
            cmds.insert(3, (SQLITE_TABLE_FLOOR, ["sqlite3", t.sqlite_path("noop"),
                                                 "SELECT version_num FROM alembic_version"]))
            # And what reading the N revision files costs by itself.
            files = sorted(os.path.join(self.migrations, f) for f in os.listdir(self.migrations))
            reader = build_readfiles(self.work)
            if reader:
                cmds.insert(4, (READ_FLOOR, [reader] + files))
        res = {"noop": {}, "rss": {}, "trace": {}}
        good = []
        for name, cmd in cmds:
            s, rss, rc, err = measure(cmd, env=env)
            if rc != 0:
                res["noop"][name] = {"error": f"exit {rc}: {err}"}
                log(f"{k}: {name} failed: exit {rc}: {err}")
            else:
                good.append((name, cmd))
        if good and shutil.which("hyperfine"):
            # Alembic takes ~0.5 s a call: fewer runs for it, in its own call.
            groups = [([g for g in good if not g[0].startswith("alembic")], a.runs),
                      ([g for g in good if g[0].startswith("alembic")], max(3, a.runs // 3))]
            for gi, (group, runs) in enumerate(groups):
                if not group:
                    continue
                js = os.path.join(self.work, f"hyperfine-{k}-{gi}.json")
                hcmd = ["hyperfine", "-N", "--style", "basic", "--warmup", str(a.warmup), "--runs", str(runs),
                        "--export-json", js]
                for name, cmd in group:
                    hcmd += ["-n", name, " ".join(_shell_quote(c) for c in cmd)]
                log(f"{k}: hyperfine {', '.join(n for n, _ in group)} ({runs} runs, {a.warmup} warmups each)")
                rc, out, err = run(hcmd, env=env, check=False, timeout=3600)
                if rc != 0:
                    self.notes.append(f"hyperfine on {DB_LABEL[k]} failed: {err.strip()[-300:]}")
                    continue
                with open(js) as f:
                    for r in json.load(f)["results"]:
                        res["noop"][r["command"]] = {"median": r["median"], "mean": r["mean"],
                                                     "stddev": r.get("stddev"), "min": r["min"],
                                                     "max": r["max"], "runs": len(r["times"])}
        elif good:
            self.notes.append("hyperfine is not installed: no-op rows timed by the harness itself")
            for name, cmd in good:
                for _ in range(a.warmup):
                    measure(cmd, env=env)
                xs = [measure(cmd, env=env)[0] for _ in range(a.runs)]
                res["noop"][name] = {"median": median(xs), "mean": statistics.mean(xs), "stddev": None,
                                     "min": min(xs), "max": max(xs), "runs": len(xs)}
        # (3) peak RSS: each command alone, the median of a few
        for name, cmd in good:
            xs = [measure(cmd, env=env)[1] for _ in range(3)]
            res["rss"][name] = median([x for x in xs if x])
        # which queries the no-op run and the client send
        if k != "sqlite" and not a.no_trace:
            for name, cmd in [g for g in good if not g[0].startswith("alembic")]:
                if k == "pg":
                    stmts = trace_pg(t, cmd, env, "noop")
                    res["trace"][name] = {"statements": stmts, "round_trips": len(stmts)}
                else:
                    stmts, rts = trace_mysql(t, cmd, env)
                    res["trace"][name] = {"statements": stmts, "round_trips": rts}
                res["trace"][name]["strace"] = strace_counts(cmd, env, self.work)
        if not a.no_trace:
            res["calls"] = gdb_counts([self.count_bin, "run"], env, self.work)
            if res["calls"]:
                res["calls"]["binary"] = self.count_bin
        self.results.setdefault(k, {}).update(res)

    # (2) apply N from empty
    def apply(self, t):
        k = t.kind
        modes = [("schemagate run", lambda: (self.sg("run", "--backup", "never"), None), "apply")]
        if k != "mysql":
            modes.append(("schemagate run --atomic",
                          lambda: (self.sg("run", "--backup", "never", "--atomic"), None), "apply"))
        modes.append(("client session, one tx per revision", lambda: t.client_session("apply", "pertx"), "apply"))
        if k != "mysql":
            modes.append(("client session, one transaction", lambda: t.client_session("apply", "onetx"), "apply"))
        modes.append(("alembic upgrade head", lambda: (self.alembic("upgrade", "head"), None), "apply"))
        times = {name: [] for name, _, _ in modes}
        errors = {}
        env = t.env("apply")
        for rep in range(self.args.reps):
            log(f"{k}: apply {self.args.n}, repetition {rep + 1}/{self.args.reps}")
            for name, mk, role in modes:
                if name in errors:
                    continue
                t.fresh(role)
                cmd, stdin = mk()
                s, _, rc, err = measure(cmd, env=env, stdin_path=stdin)
                if rc != 0:
                    errors[name] = f"exit {rc}: {err}"
                    log(f"{k}: {name} failed: {errors[name]}")
                else:
                    times[name].append(s)
        # statements the server saw during one apply (catalog lookups, prepares)
        trace = None
        if k != "sqlite" and not self.args.no_trace:
            t.fresh("apply")
            if k == "pg":
                stmts = trace_pg(t, self.sg("run", "--backup", "never"), env, "apply")
                trace = {"statements": len(stmts),
                         "catalog": sum(1 for s in stmts if re.search(
                             r"information_schema|pg_catalog|to_regclass|pg_class|pg_tables", s, re.I)),
                         "prepares": None}
            else:
                stmts, rts = trace_mysql(t, self.sg("run", "--backup", "never"), env)
                trace = {"statements": rts,
                         "catalog": sum(1 for s in stmts if re.search(r"information_schema", s, re.I)),
                         "prepares": sum(1 for s in stmts if s.startswith("Prepare:"))}
        t.drop("apply")
        self.results.setdefault(k, {})["apply"] = {
            "times": {n: {"median": median(v), "all": v} for n, v in times.items()},
            "errors": errors, "trace": trace}

    # (5) one pending revision with a backup (PostgreSQL)
    def backup(self, t):
        ids = self.ids
        env = t.env("backup")
        bdir = os.path.join(self.work, "backups")
        tools = ["--pg-dump", f"{PG_BIN}/pg_dump", "--pg-restore", f"{PG_BIN}/pg_restore"]
        t.fresh("backup")
        run(self.sg("upgrade", ids[-2]), env=env)
        dump = [f"{PG_BIN}/pg_dump", "-Fc", "-h", "127.0.0.1", "-p", str(t.s.pg_port), "-U", t.s.user,
                "-d", t.db("backup"), "-f", os.path.join(bdir, "alone.dump")]
        rows = {"run, backup on": self.sg("run", "--backup", "auto", "--backup-dir", bdir, *tools),
                "pg_dump -Fc alone": dump,
                "run, backup off": self.sg("run", "--backup", "never")}
        times = {n: [] for n in rows}
        errors = {}
        for rep in range(self.args.reps):
            log(f"pg: one pending revision with backup, repetition {rep + 1}/{self.args.reps}")
            for name, cmd in rows.items():
                shutil.rmtree(bdir, ignore_errors=True)
                os.makedirs(bdir, mode=0o700)
                s, _, rc, err = measure(cmd, env=env)
                if rc != 0:
                    errors[name] = f"exit {rc}: {err}"
                else:
                    times[name].append(s)
                if name != "pg_dump -Fc alone":  # back to one pending revision
                    run(self.sg("downgrade", ids[-2]), env=env)
        shutil.rmtree(bdir, ignore_errors=True)
        t.drop("backup")
        self.results.setdefault("pg", {})["backup"] = {
            "times": {n: median(v) for n, v in times.items()}, "errors": errors}

    # (4) graph commands on large directories
    def graph(self):
        a = self.args
        out = {}
        for n in a.graph_sizes:
            for shape in ("linear", "branchy"):
                path = os.path.join(self.work, f"graph-{shape}-{n}")
                log(f"graph: writing {n} {shape} revisions")
                text = workload.write_graph(path, n, shape == "branchy")
                cmds = {"verify": ["verify"], "heads": ["heads"], "history": ["history"],
                        "upgrade head --sql": ["upgrade", "head", "--sql", "--dialect", "postgresql"]}
                for name, c in cmds.items():
                    xs, rss, err = [], [], None
                    for _ in range(a.graph_reps):
                        s, r, rc, e = measure(self.sg("--migrations", path, *c))
                        if rc != 0:
                            err = f"exit {rc}: {e}"
                            break
                        xs.append(s)
                        rss.append(r)
                    out[(shape, n, name)] = {"median": median(xs), "rss": max(rss) if rss else None,
                                             "error": err, "text": text}
                    log(f"graph: {shape} {n} {name}: {fmt_ms(median(xs))} {err or ''}")
                shutil.rmtree(path)
        s, r, rc, _ = measure(self.sg("version"))
        self.version_rss = r
        self.results["graph"] = out


    # (4b) a root and N heads (issue 22 D11): every command must stay linear
    def fanout(self):
        a = self.args
        out = {}
        for n in a.fanout_sizes:
            path = os.path.join(self.work, f"fanout-{n}")
            log(f"fan-out: writing a root and {n} heads")
            text = workload.write_fanout(path, n)
            # SQLite on tmpfs when there is one: the rows are about the plan,
            # the version table and the history, not the disk's fsync
            dbdir = "/dev/shm" if os.path.isdir("/dev/shm") else self.work
            db = os.path.join(dbdir, f"sg-bench-fanout-{os.getpid()}-{n}.db")
            url = "sqlite:///" + db
            base = ["--migrations", path, "--backup", "never", "-q"]
            cmds = [("run --target heads (apply all)", ["run", "--url", url, "--target", "heads"]),
                    ("run --target heads (no-op)", ["run", "--url", url, "--target", "heads"]),
                    ("upgrade heads --sql", ["upgrade", "heads", "--sql", "--dialect", "sqlite"]),
                    ("downgrade base", ["downgrade", "base", "--url", url])]
            for rep in range(a.graph_reps):
                for name, c in cmds:  # a fresh database every repetition
                    s, r, rc, e = measure(self.sg(*base, *c))
                    v = out.setdefault((n, name), {"xs": [], "rss": [], "error": None, "text": text})
                    if rc != 0:
                        v["error"] = f"exit {rc}: {e}"
                    else:
                        v["xs"].append(s)
                        v["rss"].append(r)
                for leftover in (db, db + ".lock"):
                    if os.path.exists(leftover):
                        os.unlink(leftover)
            for name, _ in cmds:
                v = out[(n, name)]
                v["median"] = median(v["xs"])
                v["rss"] = max(v["rss"]) if v["rss"] else None
                log(f"fan-out: {n} heads, {name}: {fmt_ms(v['median'])} {v['error'] or ''}")
            shutil.rmtree(path)
        self.results["fanout"] = out


def _shell_quote(s):
    return s if re.fullmatch(r"[\w@%+=:,./-]+", s) else "'" + s.replace("'", "'\"'\"'") + "'"


# --------------------------------------------------------------------------
# RESULTS.md


def write_results(b, path, info, load_start, load_end, started, elapsed, servers):
    a = b.args
    R = b.results
    L = []
    w = L.append
    w("# Benchmark results: schemagate side by side\n")
    w(f"Written by `bench/compare.sh {' '.join(sys.argv[1:])}` on {started} UTC "
      f"({elapsed / 60:.1f} min). Generated file: rerun the command rather than editing it; "
      "bench/README.md explains each row.\n")
    la, lb = load_start, load_end
    busy = max(la[0], lb[0]) > (info["nproc"] or 1)
    w(f"**Load average at start {la[0]:.1f} / {la[1]:.1f} / {la[2]:.1f}, at end "
      f"{lb[0]:.1f} / {lb[1]:.1f} / {lb[2]:.1f} on {info['nproc']} cores.** " +
      ("The machine was shared with other work (load above the core count): absolute times are "
       "inflated and noisy, and every process, schemagate's and the floors', waited for a CPU, which "
       "hides per-round-trip costs — so the wall-clock ratios and their met / not met verdicts are "
       "unreliable in this run; rerun on an idle machine before trusting them. The counts (round "
       "trips, catalog lookups, prepares, split calls) and peak RSS do not depend on load.\n"
       if busy else "The machine was otherwise idle.\n"))
    w("## Machine and versions\n")
    w("| | |\n|---|---|")
    w(f"| CPU | {info.get('cpu', '?')}, {info['nproc']} cores (`nproc`), {info.get('mem', '?')} RAM |")
    w(f"| kernel | Linux {info['kernel']} |")
    for k, v in b.versions.items():
        w(f"| {k} | {v} |")
    w(f"| workload | N = {a.n} revisions (each: CREATE TABLE with a primary key, CREATE INDEX, "
      "ALTER TABLE of the previous one; dialect sections for the id column) |")
    w(f"| repetitions | no-op rows: hyperfine, {a.warmup} warmups + {a.runs} runs; apply and backup rows: "
      f"median of {a.reps}, a fresh database each; graph rows: median of {a.graph_reps} |")
    w("")

    kinds = [k for k in ("pg", "mysql", "sqlite") if k in R]
    summary(b, w, kinds)
    if kinds:
        w("## (1) No-op `run` and `check` vs the client's connect + `SELECT 1` and Alembic\n")
        w("Database at head with N revisions applied. Median (min–max) of hyperfine's runs.\n")
        w("| database | command | median | min–max | vs client | peak RSS |")
        w("|---|---|---|---|---|---|")
        for k in kinds:
            noop = R[k].get("noop", {})
            client = next((v for n, v in noop.items() if "SELECT 1" in n), {})
            for name, v in noop.items():
                if "error" in v:
                    w(f"| {DB_LABEL[k]} | `{name}` | failed: {v['error'][:150]} | | | |")
                    continue
                rss = R[k]["rss"].get(name)
                w(f"| {DB_LABEL[k]} | `{name}` | {fmt_ms(v['median'])} | {fmt_ms(v['min'])}–{fmt_ms(v['max'])} "
                  f"| {fmt_ratio(v['median'], client.get('median'))} | "
                  f"{'–' if rss is None else f'{rss / 1024:.1f} MiB'} |")
        w("\n(3) **peak RSS** is `ru_maxrss` of the one command (run by bench/maxrss.c), median of 3 runs.\n")
        traced = [k for k in kinds if R[k].get("trace")]
        if traced:
            w("### What the no-op commands send\n")
            w("Statements the server logged for one call (PostgreSQL `log_statement=all` on the bench "
              "database; MariaDB general log: Query, Prepare and Execute are one round trip each). "
              "Socket syscalls from `strace -f -e trace=network` include the connection handshake "
              "(compare with the client's row).\n")
            for k in traced:
                for name, tr in R[k]["trace"].items():
                    st = tr.get("strace")
                    sc = ", ".join(f"{c} {n}" for c, n in sorted(st.items())) if st else "strace not installed"
                    w(f"- **{DB_LABEL[k]}, `{name}`**: {tr['round_trips']} query round trip(s) after connecting "
                      f"({len(tr['statements'])} logged); syscalls: {sc}")
                    for s in tr["statements"]:
                        w(f"  - {code(s[:300])}")
            w("")

        w(f"## (2) Apply {a.n} revisions from an empty database\n")
        w("A fresh database for each repetition; median wall time. The client-session floors run the "
          "same SQL (the plain per-revision files) in one session of the database's own client.\n")
        w("| database | command | median | vs one tx per revision | vs one transaction |")
        w("|---|---|---|---|---|")
        for k in kinds:
            ap = R[k].get("apply")
            if not ap:
                continue
            per = ap["times"].get("client session, one tx per revision", {}).get("median")
            one = ap["times"].get("client session, one transaction", {}).get("median")
            for name, v in ap["times"].items():
                if name in ap["errors"]:
                    w(f"| {DB_LABEL[k]} | `{name}` | failed: {ap['errors'][name][:150]} | | |")
                    continue
                w(f"| {DB_LABEL[k]} | `{name}` | {fmt_ms(v['median'])} | {fmt_ratio(v['median'], per)} | "
                  f"{fmt_ratio(v['median'], one)} |")
        w("\nOn MariaDB DDL commits implicitly: there is no one-transaction mode (`run --atomic` is "
          "refused) and the BEGIN/COMMIT of the floor only delimit the files. Alembic runs with its "
          "default transaction handling (one transaction for all revisions on PostgreSQL and SQLite).\n")
        tr = [(k, R[k]["apply"]["trace"]) for k in kinds if R[k].get("apply", {}).get("trace")]
        if tr:
            w("Server-side statements during one `run` applying N (same logs as above):\n")
            for k, x in tr:
                w(f"- {DB_LABEL[k]}: {x['statements']} round trips for {a.n} revisions "
                  f"({x['statements'] / a.n:.1f} per revision); information_schema/catalog lookups: "
                  f"{x['catalog']}" + (f"; server-side prepares: {x['prepares']}" if x['prepares'] is not None
                                        else ""))
            w("")

    if "backup" in R.get("pg", {}):
        bk = R["pg"]["backup"]
        w("## (5) `run` with one pending revision and a backup (PostgreSQL)\n")
        w(f"Database at revision N-1 of {a.n}; median of {a.reps}. The backup includes the "
          "`pg_restore --list` verification; both use PostgreSQL 15's own `pg_dump`.\n")
        w("| command | median |\n|---|---|")
        for name, v in bk["times"].items():
            w(f"| `{name}` | {bk['errors'].get(name, fmt_ms(v))} |")
        t = bk["times"]
        if all(t.values()):
            w(f"| `pg_dump` alone + `run` without backup | {fmt_ms(t['pg_dump -Fc alone'] + t['run, backup off'])} |")
        w("")

    G = R.get("graph")
    if G:
        w("## (4) Graph commands on large directories\n")
        w("Linear: a chain. Branchy: in every block of 50, an 8-revision side branch and a merge. "
          "One small file per revision in folders of 1000. Median time; peak RSS; KiB per revision "
          "is the peak RSS divided by the revision count.\n")
        w("| shape | revisions | command | median | peak RSS | KiB / revision |")
        w("|---|---|---|---|---|---|")
        for (shape, n, name), v in G.items():
            if v["error"]:
                w(f"| {shape} | {n} | `{name}` | failed: {v['error'][:150]} | | |")
                continue
            w(f"| {shape} | {n} | `{name}` | {fmt_ms(v['median'])} | {v['rss'] / 1024:.1f} MiB | "
              f"{v['rss'] / n:.2f} |")
        w("")

    F = R.get("fanout")
    if F:
        w("## (4b) A root and N heads (issue 22 D11)\n")
        w("One root revision and N heads, each a child of the root (`SELECT k;` bodies), "
          "SQLite on tmpfs: `run --target heads` from an empty database, the same run again "
          "(no-op), `upgrade heads --sql`, then `downgrade base`. Linear means time and peak "
          "RSS grow with N, not N².\n")
        w("| heads | command | median | peak RSS |")
        w("|---|---|---|---|")
        for (n, name), v in F.items():
            if v["error"]:
                w(f"| {n} | `{name}` | failed: {v['error'][:150]} | |")
                continue
            w(f"| {n} | `{name}` | {fmt_ms(v['median'])} | {v['rss'] / 1024:.1f} MiB |")
        w("")

    w("## Targets of issue 7\n")
    w("Each target with the number measured in this run (ratios are within this run).\n")
    w("| target | result | measured |\n|---|---|---|")
    for row in targets(b):
        w("| " + " | ".join(row) + " |")
    w("")
    if b.notes:
        w("## Notes\n")
        for n in b.notes:
            w(f"- {n}")
        w("")
    with open(path, "w") as f:
        f.write("\n".join(L))


def summary(b, w, kinds):
    """The side-by-side table in the shape of issue 7: schemagate, the floor,
    Alembic, with the ratios."""
    R, a = b.results, b.args
    rows = []
    for k in kinds:
        noop = R[k].get("noop", {})
        mine = noop.get("schemagate run", {}).get("median")
        cl = next(((n, v) for n, v in noop.items() if "SELECT 1" in n), (None, {}))
        al = noop.get("alembic upgrade head", {}).get("median")
        if mine:
            rows.append((f"no-op `run`, {DB_LABEL[k]}", mine, f"`{cl[0]}`", cl[1].get("median"), al))
        table = noop.get(SQLITE_TABLE_FLOOR, {}).get("median")
        if mine and table:
            rows.append((f"no-op `run`, {DB_LABEL[k]}, vs a client that reads a table", mine,
                         f"`{SQLITE_TABLE_FLOOR}`", table, al))
    for k in kinds:
        ap = R[k].get("apply")
        if not ap:
            continue
        t = {n: v["median"] for n, v in ap["times"].items()}
        al = t.get("alembic upgrade head")
        rows.append((f"apply {a.n}, {DB_LABEL[k]}, `run` (one tx per revision)", t.get("schemagate run"),
                     "one session, BEGIN/COMMIT per file", t.get("client session, one tx per revision"), al))
        if k != "mysql":
            rows.append((f"apply {a.n}, {DB_LABEL[k]}, `run --atomic`", t.get("schemagate run --atomic"),
                         "one session, one transaction", t.get("client session, one transaction"), al))
    bk = R.get("pg", {}).get("backup")
    if bk and all(bk["times"].values()):
        t = bk["times"]
        rows.append(("`run`, 1 pending + backup, PostgreSQL", t["run, backup on"],
                     "`pg_dump -Fc` alone + `run` without backup", t["pg_dump -Fc alone"] + t["run, backup off"],
                     None))
    if not rows and not R.get("graph"):
        return
    w("## Summary\n")
    w("| | schemagate | floor | floor time | schemagate / floor | Alembic 1.8 | Alembic / schemagate |")
    w("|---|---|---|---|---|---|---|")
    for name, mine, floor_name, floor, al in rows:
        w(f"| {name} | {fmt_ms(mine)} | {floor_name} | {fmt_ms(floor)} | {fmt_ratio(mine, floor)} | "
          f"{fmt_ms(al)} | {fmt_ratio(al, mine)} |")
    for k in kinds:
        rss = R[k].get("rss", {})
        mine = rss.get("schemagate run")
        cl = next(((n, v) for n, v in rss.items() if "SELECT 1" in n), (None, None))
        al = rss.get("alembic upgrade head")
        if mine:
            w(f"| peak RSS, no-op `run`, {DB_LABEL[k]} | {mine / 1024:.1f} MiB | `{cl[0]}` | "
              f"{'–' if not cl[1] else f'{cl[1] / 1024:.1f} MiB'} | {fmt_ratio(mine, cl[1])} | "
              f"{'–' if not al else f'{al / 1024:.1f} MiB'} | {fmt_ratio(al, mine)} |")
    G = R.get("graph") or {}
    for (shape, n, name), v in G.items():
        if shape == "branchy" and n == max(x[1] for x in G) and name in ("upgrade head --sql", "verify"):
            w(f"| `{name}`, {n} branchy revisions | {fmt_ms(v['median'])}, "
              f"{fmt_mib(v['rss'])} | | | | | |")
    w("")


def fmt_mib(kib):
    return "–" if not kib else f"{kib / 1024:.1f} MiB"


def code(s):
    """A Markdown code span that may contain backticks."""
    return f"`` {s} ``" if "`" in s else f"`{s}`"


def verdict(ok):
    return "**met**" if ok else "not met"


def targets(b):
    R = b.results
    a = b.args
    rows = []
    for k in ("pg", "mysql", "sqlite"):
        if k not in R:
            continue
        noop = R[k].get("noop", {})
        run_ = noop.get("schemagate run", {})
        client = next((v for n, v in noop.items() if "SELECT 1" in n), {})
        if run_.get("median") and client.get("median"):
            r = run_["median"] / client["median"]
            why = f"×{r:.2f} ({fmt_ms(run_['median'])} vs {fmt_ms(client['median'])})"
            table = noop.get(SQLITE_TABLE_FLOOR, {})
            cat = noop.get(READ_FLOOR, {})
            if r > 1.5 and table.get("median"):
                why += (f"; bounded by SQLite's schema load: `{SQLITE_TABLE_FLOOR}` takes "
                        f"{fmt_ms(table['median'])} (SQLite parses all {a.n} revisions' tables and indexes "
                        f"at the first statement that names a table), and schemagate is "
                        f"×{run_['median'] / table['median']:.2f} of that")
                if cat.get("median"):
                    why += (f"; reading the {a.n} revision files, which schemagate must read and check, "
                            f"takes {fmt_ms(cat['median'])} in a static C program that does nothing else "
                            f"(bench/readfiles.c, its process start included)")
            rows.append([f"no-op `run` ≤ 1.5× client connect + SELECT 1, {DB_LABEL[k]}", verdict(r <= 1.5),
                         why])
        tr = R[k].get("trace", {}).get("schemagate run")
        if tr and tr.get("round_trips") is not None:
            rows.append([f"no-op `run` ≤ 2 query round trips after connecting, {DB_LABEL[k]}",
                         verdict(tr["round_trips"] <= 2), f"{tr['round_trips']} (listed above)"])
        rss = R[k].get("rss", {}).get("schemagate run")
        if rss:
            rows.append([f"no-op `run` peak RSS ≤ 12 MiB, {DB_LABEL[k]}", verdict(rss <= 12 * 1024),
                         f"{rss / 1024:.1f} MiB"])
        ap = R[k].get("apply")
        if ap:
            t = {n: v["median"] for n, v in ap["times"].items()}
            pairs = [("schemagate run", "client session, one tx per revision")]
            if k != "mysql":
                pairs.append(("schemagate run --atomic", "client session, one transaction"))
            for mine, floor in pairs:
                if t.get(mine) and t.get(floor):
                    r = t[mine] / t[floor]
                    rows.append([f"apply {a.n} ≤ 1.15× one-session floor, `{mine[11:]}`, {DB_LABEL[k]}",
                                 verdict(r <= 1.15), f"×{r:.2f} ({fmt_ms(t[mine])} vs {fmt_ms(t[floor])})"])
            x = ap.get("trace")
            if x:
                rows.append([f"state-table existence checked once per run (apply), {DB_LABEL[k]}",
                             verdict(x["catalog"] <= 2),
                             f"{x['catalog']} information_schema/catalog lookups for {a.n} revisions "
                             "(met: at most 2, independent of N)"])
                if x["prepares"] is not None:
                    rows.append(["MySQL: no re-prepare per statement (apply)",
                                 verdict(x["prepares"] < a.n),
                                 f"{x['prepares']} server-side prepares for {a.n} revisions "
                                 f"({x['statements'] / a.n:.1f} round trips per revision)"])
    for k in ("pg", "mysql", "sqlite"):
        if k not in R:
            continue
        c = R[k].get("calls")
        if c:
            rows.append([f"no-op `run` splits nothing, {DB_LABEL[k]}", verdict(c["sg::split_sql"] == 0),
                         f"{c['sg::split_sql']} calls of `sg::split_sql`, {c['sg::sha256_hex']} of "
                         f"`sg::sha256_hex` for {a.n} revisions (gdb breakpoint counts on "
                         f"{os.path.relpath(c.get('binary', '?'), ROOT)})"])
        else:
            rows.append([f"no-op `run` splits nothing, {DB_LABEL[k]}", "not measured",
                         "needs gdb and a binary with symbols (the stripped static one has none)"])
    G = R.get("graph")
    if G:
        big = max(n for (_, n, _) in G)
        v = G.get(("branchy", 50000, "upgrade head --sql"))
        if v and v["median"]:
            rows.append(["50k branchy `upgrade head --sql` ≤ 1.5 s", verdict(v["median"] <= 1.5), fmt_ms(v["median"])])
        else:
            rows.append(["50k branchy `upgrade head --sql` ≤ 1.5 s", "not measured",
                         f"largest graph in this run: {big}" + (f" ({v['error']})" if v else "")])
        vs = [G.get((s, 10000, "verify")) for s in ("linear", "branchy")]
        if all(x and x["median"] for x in vs):
            worst = max(x["median"] for x in vs)
            rows.append(["`verify` 10k ≤ 0.2 s", verdict(worst <= 0.2),
                         f"{fmt_ms(vs[0]['median'])} linear, {fmt_ms(vs[1]['median'])} branchy"])
        else:
            rows.append(["`verify` 10k ≤ 0.2 s", "not measured", f"largest graph in this run: {big}"])
        sizes = sorted({n for (_, n, _) in G})
        if len(sizes) >= 2:
            lo, hi = sizes[-2], sizes[-1]
            worst, what = 0, ""
            for shape in ("linear", "branchy"):
                for name in ("verify", "heads", "history", "upgrade head --sql"):
                    x, y = G.get((shape, lo, name)), G.get((shape, hi, name))
                    if x and y and x["median"] and y["median"]:
                        import math
                        e = math.log(y["median"] / x["median"]) / math.log(hi / lo)
                        if e > worst:
                            worst, what = e, f"{shape} `{name}`"
            rows.append([f"every graph command linear ({lo} → {hi} revisions)", verdict(worst <= 1.2),
                         f"worst growth exponent {worst:.2f} ({what}); 1.0 is linear, 2.0 quadratic; "
                         "met: ≤ 1.2"])
            worst_m, what = None, ""
            for shape in ("linear", "branchy"):
                for name in ("verify", "heads", "history", "upgrade head --sql"):
                    x, y = G.get((shape, lo, name)), G.get((shape, hi, name))
                    if x and y and x["rss"] and y["rss"]:
                        per = ((y["rss"] - x["rss"]) * 1024 - (y["text"] - x["text"])) / (hi - lo) / 1024
                        if worst_m is None or per > worst_m:
                            worst_m, what = per, f"{shape} `{name}`"
            if worst_m is not None:
                rows.append(["graph memory ≤ 1.5 KiB per revision beyond the file text", verdict(worst_m <= 1.5),
                             f"{worst_m:.2f} KiB per added revision ({what}; RSS growth {lo} → {hi} "
                             "minus the added file bytes)"])
        else:
            rows.append(["graph memory ≤ 1.5 KiB per revision beyond the file text", "not measured",
                         "needs two graph sizes (not with --quick)"])
            rows.append(["every graph command linear", "not measured", "needs two graph sizes (not with --quick)"])
    bk = R.get("pg", {}).get("backup")
    if bk and all(bk["times"].values()):
        t = bk["times"]
        floor = t["pg_dump -Fc alone"] + t["run, backup off"]
        r = t["run, backup on"] / floor
        rows.append(["`run` + backup ≤ 1.1× (`pg_dump` alone + `run` without backup), PostgreSQL", verdict(r <= 1.1),
                     f"×{r:.2f} ({fmt_ms(t['run, backup on'])} vs {fmt_ms(floor)})"])
    return rows


# --------------------------------------------------------------------------


def main():
    p = argparse.ArgumentParser(description="schemagate side by side with the clients and Alembic "
                                "(bench/README.md)")
    p.add_argument("--symbols-bin", help="a binary of the same source with symbols, used only for the gdb "
                   "call counts when --bin is stripped (default build/schemagate when it exists)")
    p.add_argument("--bin", help="schemagate binary (env SG_BENCH_BIN; default build-static/schemagate "
                   "if present, else build/schemagate, built when needed)")
    p.add_argument("--quick", action="store_true", help="small N, few runs, only 1k graphs: a smoke run")
    p.add_argument("--only", action="append", choices=["pg", "mysql", "sqlite", "graph", "fanout"],
                   help="only these parts (repeatable); default all")
    p.add_argument("-n", type=int, help="revisions in the apply workload (default 200; --quick 20)")
    p.add_argument("--runs", type=int, help="hyperfine runs per no-op row (default 30; --quick 5)")
    p.add_argument("--warmup", type=int, help="hyperfine warmups (default 3; --quick 1)")
    p.add_argument("--reps", type=int, help="repetitions of the apply and backup rows (default 5; --quick 1)")
    p.add_argument("--graph-sizes", help="comma-separated revision counts (default 1000,10000,50000; "
                   "--quick 1000)")
    p.add_argument("--fanout-sizes", help="comma-separated head counts of the root-and-N-heads "
                   "rows (default 10000; --quick 500)")
    p.add_argument("--graph-reps", type=int, help="runs per graph row (default 3; --quick 1)")
    p.add_argument("--out", default=os.path.join(ROOT, "bench", "RESULTS.md"), help="default bench/RESULTS.md")
    p.add_argument("--workdir", help="where the workload is written (default a new temporary directory, "
                   "removed afterwards)")
    p.add_argument("--keep-servers", action="store_true", help="leave the test servers running")
    p.add_argument("--no-trace", action="store_true", help="skip the server-log query traces and strace")
    a = p.parse_args()
    q = a.quick
    a.n = a.n or (20 if q else 200)
    a.runs = a.runs or (5 if q else 30)
    a.warmup = a.warmup if a.warmup is not None else (1 if q else 3)
    a.reps = a.reps or (1 if q else 5)
    a.graph_reps = a.graph_reps or (1 if q else 3)
    a.graph_sizes = [int(x) for x in (a.graph_sizes or ("1000" if q else "1000,10000,50000")).split(",")]
    a.fanout_sizes = [int(x) for x in (a.fanout_sizes or ("500" if q else "10000")).split(",")]
    if a.n < 2:
        p.error("-n must be at least 2")
    if any(g % 50 for g in a.graph_sizes):
        p.error("--graph-sizes must be multiples of 50 (the branchy graph's block)")
    only = set(a.only or ["pg", "mysql", "sqlite", "graph", "fanout"])

    started = datetime.datetime.utcnow().strftime("%Y-%m-%d %H:%M")
    t0 = time.time()
    load_start = os.getloadavg()
    info = machine_info()
    b = Bench(a)
    b.bin, how = find_binary(a)
    # the gdb call counts need symbols: the stripped static binary has none,
    # so they are counted on a build of the same source that has them
    b.count_bin = b.bin
    unstripped = a.symbols_bin or os.path.join(ROOT, "build", "schemagate")
    if b.bin != os.path.abspath(unstripped) and os.access(unstripped, os.X_OK):
        b.count_bin = os.path.abspath(unstripped)
    if not os.access(b.bin, os.X_OK):
        sys.exit(f"compare: no schemagate binary at {b.bin}")
    log(f"binary {b.bin} ({how})")
    servers = Servers(a) if only & {"pg", "mysql"} else None
    keep_work = bool(a.workdir)
    try:
        if servers:
            servers.start()
        log(f"writing the {a.n}-revision workload into {b.work}")
        b.ids = workload.write_workload(b.work, a.n)
        kind = "static" if "not a dynamic" in version_of(["ldd", b.bin]) else "dynamically linked"
        b.versions = {"schemagate": f"{version_of([b.bin, 'version'])} ({kind}, {how}, "
                                    f"{os.path.getsize(b.bin) / 1e6:.1f} MB)"}
        for k in ("pg", "mysql", "sqlite"):
            if k not in only:
                continue
            t = Target(k, b, servers)
            try:
                if k == "pg":
                    b.versions["PostgreSQL server"] = t.admin("SHOW server_version")
                    b.versions["psql"] = version_of([f"{PG_BIN}/psql", "--version"])
                elif k == "mysql":
                    b.versions["MariaDB server"] = t.admin("SELECT VERSION()")
                    b.versions["mariadb client"] = version_of(["mariadb", "--version"])
                else:
                    b.versions["sqlite3"] = version_of(["sqlite3", "--version"])[:40]
                log(f"{k}: no-op rows")
                b.noop(t)
                b.apply(t)
                if k == "pg":
                    b.backup(t)
                for role in ("noop", "alembic"):
                    t.drop(role)
            except (Failed, subprocess.TimeoutExpired, OSError) as e:
                b.notes.append(f"{DB_LABEL[k]} stopped early: {e}")
                log(f"{k}: stopped early: {e}")
        if only & {"pg", "mysql", "sqlite"}:
            b.versions["Alembic"] = version_of(["alembic", "--version"])
            b.versions["SQLAlchemy"] = version_of(["/usr/bin/python3", "-c",
                                                   "import sqlalchemy; print(sqlalchemy.__version__)"])
        b.versions["hyperfine"] = version_of(["hyperfine", "--version"])
        b.versions["strace"] = version_of(["strace", "-V"])
        if "graph" in only:
            b.graph()
        if "fanout" in only:
            b.fanout()
    finally:
        if servers:
            servers.stop()
        if not keep_work:
            shutil.rmtree(b.work, ignore_errors=True)
    load_end = os.getloadavg()
    write_results(b, a.out, info, load_start, load_end, started, time.time() - t0, servers)
    log(f"wrote {a.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
