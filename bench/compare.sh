#!/usr/bin/env bash
# schemagate side by side with the databases' own clients and Alembic; writes
# bench/RESULTS.md. Options: bench/compare.sh --help; rows: bench/README.md.
set -euo pipefail
exec /usr/bin/python3 "$(dirname "$0")/compare.py" "$@"
