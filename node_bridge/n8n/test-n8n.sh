#!/usr/bin/env bash
# `make test-n8n`: the runner and the "Start Job" node against a real n8n 2.8.4.
#
# Installs the pinned n8n once into a cache outside the repository (about 4-8 minutes and
# 2.4 GB the first time), then runs tests/n8n with pytest: Temporal dev server, the runner
# with its worker, and n8n on loopback. Env: STARTJOB_PYTHON (the venv's python),
# STARTJOB_N8N_HOME (the cache), STARTJOB_TEMPORAL_BIN (unused: the tests find the temporal
# CLI beside STARTJOB_PYTHON, as the other Python tests do).
set -euo pipefail
cd "$(dirname "$0")/../.."

N8N_VERSION=2.8.4
PYTHON=${STARTJOB_PYTHON:-.venv/bin/python}
N8N_HOME=${STARTJOB_N8N_HOME:-$HOME/.cache/startjob-n8n/$N8N_VERSION}
N8N_BIN=$N8N_HOME/node_modules/.bin/n8n

installed_version() {
  node -p "require('$N8N_HOME/node_modules/n8n/package.json').version" 2>/dev/null || true
}

if [[ ! -x $N8N_BIN || $(installed_version) != "$N8N_VERSION" ]]; then
  echo "installing n8n $N8N_VERSION into $N8N_HOME (once; takes minutes)"
  mkdir -p "$N8N_HOME"
  # xlsx: n8n-nodes-base points it at a tarball on a host npm cannot always reach.
  cat > "$N8N_HOME/package.json" <<JSON
{
  "name": "startjob-n8n-cache",
  "private": true,
  "dependencies": { "n8n": "$N8N_VERSION" },
  "overrides": { "xlsx": "0.18.5" }
}
JSON
  (cd "$N8N_HOME" && npm install --no-audit --no-fund --loglevel=error)
fi

export STARTJOB_N8N_BIN=$N8N_BIN
exec "$PYTHON" -m pytest -q -p no:cacheprovider tests/n8n "$@"
