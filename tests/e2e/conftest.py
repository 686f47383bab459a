"""The e2e tests run the built binary: without an executable SG_BIN every case
fails at once (not skipped), as the scripts did before pytest."""
import pytest

import cli_support


@pytest.fixture(scope="session", autouse=True)
def _binary():
    assert cli_support.binary_ok(), "set SG_BIN to the built schemagate (ctest does)"
