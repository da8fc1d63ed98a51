#!/usr/bin/env bash
# The README's run command: set up (cached), then run the service on its embedded defaults
# (SQLite ledger in $GT_HOME, its own nats-server child). Extra arguments go to `gt up`.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/setup.sh
source scripts/setup.sh
exec node bin/gt.mjs up "$@"
