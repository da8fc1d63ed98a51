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
# Files named on the command line: just those.
if [ $# -gt 0 ]; then
  exec npx --no-install vitest run "$@"
fi
# The NATS cluster fault scenario runs last and alone: three nats-server nodes, three services,
# two runners and FerretDB would load the two cores under every other suite.
npx --no-install vitest run --exclude test/faults/nats-cluster.test.ts
echo "== NATS cluster fault scenario, reduced (24 beads, two node kills; alone)"
GT_FAULTS_CLUSTER=1 npx --no-install vitest run test/faults/nats-cluster.test.ts
