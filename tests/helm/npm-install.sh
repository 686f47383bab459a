#!/usr/bin/env bash
# Installs the validator's npm packages (package-lock.json: kubernetes-models,
# yaml) into $1 with `npm ci`, next to a copy of validate.mjs. Skips npm when
# $1 already holds this lock file's packages.
set -euo pipefail
dir=$1
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$dir"
cp "$here/validate.mjs" "$dir/"
if cmp -s "$here/package-lock.json" "$dir/package-lock.json" && [ -d "$dir/node_modules/kubernetes-models" ]; then
    exit 0
fi
cp "$here/package.json" "$here/package-lock.json" "$dir/"
cd "$dir"
npm ci --no-audit --no-fund --loglevel=error
