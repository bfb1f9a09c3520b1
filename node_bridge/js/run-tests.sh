#!/usr/bin/env bash
# Build @startjob/client and run its tests: unit tests, then the integration tests against a real
# Temporal dev server and the real bridge (one stack per test file, torn down afterwards).
#
#   bash node_bridge/js/run-tests.sh              # everything
#   bash node_bridge/js/run-tests.sh unit         # no bridge, no Temporal
#   bash node_bridge/js/run-tests.sh integration
#
# Env: STARTJOB_PYTHON, STARTJOB_TEMPORAL_BIN (default: the repository's .venv).
set -euo pipefail
cd "$(dirname "$0")"

if [ ! -d node_modules ]; then
  npm ci --no-audit --no-fund
fi
rm -rf dist
npm run --silent build

case "${1:-all}" in
  unit)        npm run --silent test:unit ;;
  integration) npm run --silent test:integration ;;
  all)         npm run --silent test ;;
  *)           echo "usage: $0 [unit|integration|all]" >&2; exit 2 ;;
esac
