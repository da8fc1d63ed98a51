#!/usr/bin/env bash
# Builds FerretDB 1.24.2 (MongoDB wire protocol on SQLite) for the MongoDB adapter tests, once,
# and caches it. Only the test command needs it (scripts/test.sh sources this file); the run
# command does not, so a machine without Go can run the demo. Safe to run again (fast) or to
# `source` (then GT_FERRETDB_BIN is exported). Without Go it says so loudly and succeeds: the
# MongoDB adapter tests are then skipped unless MONGODB_URI is set.
# Cache: ${GT_TOOLS_DIR:-$HOME/.cache/gastown-ops}/bin/ferretdb
GT_TOOLS_DIR="${GT_TOOLS_DIR:-$HOME/.cache/gastown-ops}"
export GT_TOOLS_DIR

_gt_fdb_say() { printf 'setup: %s\n' "$*" >&2; }

# `go install …@v1.24.2` fails on proxies that refuse the module's version list (it looks up
# deprecations), and the module zip lacks build/version/version.txt, without which the binary
# panics at start. So: fetch the exact version into the module cache, copy it, write the version
# file, build.
_gt_build_ferretdb() {
  local out="$1" work
  work="$(mktemp -d)"
  # Chained with &&, not `set -e`: bash ignores -e inside a function called from `if !`, and a
  # failed step must stop the build there.
  (
    cd "$work" &&
      go mod init fdbbuild >/dev/null 2>&1 &&
      GOFLAGS=-mod=mod go get github.com/FerretDB/FerretDB@v1.24.2 >/dev/null 2>&1 &&
      src="$(go env GOMODCACHE)/github.com/!ferret!d!b/!ferret!d!b@v1.24.2" &&
      cp -r "$src" "$work/src" &&
      chmod -R u+w "$work/src" &&
      echo v1.24.2 >"$work/src/build/version/version.txt" &&
      cd "$work/src" &&
      go build -o "$out" ./cmd/ferretdb
  )
  local rc=$?
  rm -rf "$work"
  return $rc
}

gt_setup_ferretdb() {
  local bin="$GT_TOOLS_DIR/bin/ferretdb"
  if [ ! -x "$bin" ]; then
    if ! command -v go >/dev/null 2>&1 && [ -x /usr/local/go/bin/go ]; then export PATH="$PATH:/usr/local/go/bin"; fi
    if ! command -v go >/dev/null 2>&1; then
      _gt_fdb_say "!!! Go not found: FerretDB not installed; the MongoDB adapter tests will be SKIPPED unless MONGODB_URI is set !!!"
      return 0
    fi
    _gt_fdb_say "building FerretDB 1.24.2 with $(go version | cut -d' ' -f3) (about a minute, once)…"
    mkdir -p "$GT_TOOLS_DIR/bin"
    if ! _gt_build_ferretdb "$bin"; then
      rm -f "$bin"
      _gt_fdb_say "!!! FerretDB build failed; the MongoDB adapter tests will be SKIPPED unless MONGODB_URI is set !!!"
      return 0
    fi
  fi
  export GT_FERRETDB_BIN="$bin"
  _gt_fdb_say "ferretdb 1.24.2 ($bin)"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -uo pipefail
  gt_setup_ferretdb || exit 1
else
  gt_setup_ferretdb || return 1
fi
