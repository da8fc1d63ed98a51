#!/usr/bin/env bash
# `npm run test:mongo`: every MongoDB adapter test — the ledger contract in both modes, the races,
# crash recovery, the modes themselves and the service on it — against MONGODB_URI (an operator
# verifying their MongoDB), and FerretDB too when its binary is already built.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/setup.sh
source scripts/setup.sh
if [ -z "${MONGODB_URI:-}" ]; then
  echo "!!! MONGODB_URI is not set: only FerretDB is tested (its races skipped in mongodb mode); set MONGODB_URI=mongodb://… to verify your MongoDB !!!" >&2
  # shellcheck source=scripts/ferretdb.sh
  source scripts/ferretdb.sh
fi
npx --no-install vitest run test/contract/mongo test/e2e/mongo-service.test.ts "$@"
