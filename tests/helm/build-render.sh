#!/usr/bin/env bash
# Builds the chart renderer (tests/helm/render) to $1 with Debian's Go
# packages in GOPATH mode (golang-go, golang-github-masterminds-sprig-dev,
# golang-gopkg-yaml.v3-dev, golang-github-xeipuuv-gojsonschema-dev): no
# module downloads.
set -euo pipefail
out=$1
mkdir -p "$(dirname "$out")"
cd "$(dirname "$0")/render"
GO111MODULE=off GOPATH=/usr/share/gocode GOFLAGS='' \
    GOCACHE=${GOCACHE:-$(dirname "$out")/go-cache} go build -o "$out" .
