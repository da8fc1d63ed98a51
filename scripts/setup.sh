#!/usr/bin/env bash
# Installs what gastown-ops needs, once, and caches it. Safe to run again (fast) or to `source`.
#   - Node >= 22.12: the system Node if new enough, else Node 24 from the npm registry (node@24)
#   - nats-server: from Debian (apt-get) when missing
#   - the project's npm dependencies (locked versions) when package-lock.json changed
# That is all running needs. FerretDB, which only the MongoDB adapter tests need, is built by
# scripts/ferretdb.sh, which the test command (scripts/test.sh) sources after this file.
# Cache: ${GT_TOOLS_DIR:-$HOME/.cache/gastown-ops}
GT_TOOLS_DIR="${GT_TOOLS_DIR:-$HOME/.cache/gastown-ops}"
export GT_TOOLS_DIR
_gt_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

_gt_say() { printf 'setup: %s\n' "$*" >&2; }
_gt_die() { printf 'setup: ERROR: %s\n' "$*" >&2; return 1; }

_gt_node_ok() {
  command -v node >/dev/null 2>&1 || return 1
  node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>22||(a===22&&b>=12)?0:1)' 2>/dev/null
}

_gt_setup_node() {
  local dir="$GT_TOOLS_DIR/node24" bin="$GT_TOOLS_DIR/node24/node_modules/node/bin"
  if _gt_node_ok; then _gt_say "node $(node -v) (system)"; return 0; fi
  if [ ! -x "$bin/node" ]; then
    _gt_say "system node $(node -v 2>/dev/null || echo missing) is too old; installing Node 24 from npm (node@24)…"
    command -v npm >/dev/null 2>&1 || { _gt_die "npm is missing; install Node.js and npm first (apt-get install nodejs npm)"; return 1; }
    mkdir -p "$dir"
    npm install --no-save --no-audit --no-fund --loglevel=error --prefix "$dir" node@24 >&2 \
      || { _gt_die "could not install node@24 from the npm registry"; return 1; }
  fi
  export PATH="$bin:$PATH"
  _gt_node_ok || { _gt_die "Node 24 at $bin does not run"; return 1; }
  _gt_say "node $(node -v) (cached in $dir)"
}

_gt_setup_nats() {
  if command -v nats-server >/dev/null 2>&1 || [ -x /usr/sbin/nats-server ]; then
    _gt_say "nats-server present"
    return 0
  fi
  _gt_say "installing nats-server with apt-get…"
  local sudo=""
  [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1 && sudo="sudo"
  if ! DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq nats-server >/dev/null 2>&1; then
    DEBIAN_FRONTEND=noninteractive $sudo apt-get update -qq >/dev/null 2>&1
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq nats-server >/dev/null 2>&1 \
      || { _gt_die "could not install nats-server (apt-get install nats-server)"; return 1; }
  fi
  _gt_say "nats-server installed"
}

_gt_setup_deps() {
  local stamp="$_gt_root/node_modules/.gt-stamp"
  if [ -f "$stamp" ] && [ "$stamp" -nt "$_gt_root/package-lock.json" ]; then
    _gt_say "npm dependencies up to date"
    return 0
  fi
  _gt_say "installing npm dependencies from package-lock.json…"
  # Not `npm ci`: npm 11 leaves other platforms' optional packages (Biome's binaries) out of the
  # lock file and `npm ci` then refuses it as out of sync. `npm install --no-save` installs the
  # locked versions and never rewrites the lock.
  (cd "$_gt_root" && npm install --no-save --no-audit --no-fund --loglevel=error >&2) || { _gt_die "npm install failed"; return 1; }
  touch "$stamp"
}

gt_setup() {
  _gt_setup_node && _gt_setup_nats && _gt_setup_deps
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -uo pipefail
  gt_setup || exit 1
else
  gt_setup || return 1
fi
