#!/usr/bin/env bash
# Runs shellcheck on every shell script and yamllint (strict, .yamllint) on every YAML
# file of the repository; build directories are left out.
#   tests/container/lint.sh shellcheck|yamllint
set -euo pipefail
cd "${SG_SOURCE_DIR:-$(dirname "$0")/../..}"
case "${1:-}" in
    shellcheck)
        mapfile -t files < <(find . -path './build*' -prune -o -path ./.git -prune -o \
            -type f \( -name '*.sh' -o -path './.ci/*' \) -print | sort)
        echo "shellcheck: ${#files[@]} files" >&2
        shellcheck -x "${files[@]}"
        ;;
    yamllint)
        yamllint --strict .
        ;;
    *) echo "usage: $0 shellcheck|yamllint" >&2; exit 2 ;;
esac
