#!/usr/bin/env bash
# The README's test command: set up (cached, FerretDB included), then type-check, lint and run every test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/setup.sh
source scripts/setup.sh
# Only the tests need FerretDB (the MongoDB adapter's contract and fault tests), so only here.
# shellcheck source=scripts/ferretdb.sh
source scripts/ferretdb.sh
echo "== typecheck (tsc --noEmit)"
npx --no-install tsc --noEmit
echo "== lint (biome)"
npx --no-install biome check .
echo "== tests (vitest)"
npx --no-install vitest run "$@"
