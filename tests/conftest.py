"""Shared pytest configuration of the Python tests (one file = one ctest entry).

- `tmp`: a fresh temporary directory (a str path) per test, removed afterwards.
- A file whose every test was skipped (a server variable or a tool missing,
  not CI) exits 77, which ctest reports as skipped (SKIP_RETURN_CODE 77).
  With CI=true the helpers that skip (cli_support.need, run_support.need_env)
  fail instead, so a broken server start never passes as skipped.
"""
import shutil
import tempfile

import pytest

SKIPPED_EXIT = 77


@pytest.fixture
def tmp():
    path = tempfile.mkdtemp(prefix="sg_test_")
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


_outcomes = {"passed": 0, "failed": 0, "skipped": 0}


def pytest_runtest_logreport(report):
    if report.when == "call" or report.outcome != "passed":
        _outcomes[report.outcome] = _outcomes.get(report.outcome, 0) + 1


def pytest_sessionfinish(session, exitstatus):
    if (exitstatus == 0 and _outcomes["skipped"] and not _outcomes["passed"]
            and not _outcomes["failed"]):
        session.exitstatus = SKIPPED_EXIT
