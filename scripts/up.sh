#!/usr/bin/env bash
# The README's run command: set up (cached), then run the town.
#   bash scripts/up.sh             the live demo (gt demo): starts `gt up` on the embedded defaults
#                                  (SQLite in $GT_HOME, its own nats-server), lands a demo convoy,
#                                  then keeps the service running; Ctrl-C stops it.
#   bash scripts/up.sh --no-demo   just the service (`gt up`); further arguments go to `gt up`.
#   bash scripts/up.sh --exit      the demo, then stop (for scripts and CI).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/setup.sh
source scripts/setup.sh
if [ "${1:-}" = "--no-demo" ]; then
  shift
  exec node bin/gt.mjs up "$@"
fi
exec node bin/gt.mjs demo "$@"
