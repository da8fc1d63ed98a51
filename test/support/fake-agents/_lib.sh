# shellcheck shell=bash
# Shared by the fake agents in this directory (sourced, not run). Each fake is named after the
# CLI it imitates, so a test can put this directory first on a rig runner's PATH and run the
# real preset's command line against it. Common settings (a rig passes them with --env NAME):
#   FAKE_SCENARIO   which run to imitate (default: usage); each fake lists its own
#   FAKE_DELAY      seconds to wait after each line (default 0), to see output stream
#   FAKE_EXIT       exit status instead of the scenario's own
#   FAKE_THEN       a shell command run after the output (e.g. "gt done"), before exiting
#   FAKE_SESSION    the session/thread id printed (default: unique per process)
#   FAKE_HUGE_MB    size of the huge line of scenario `huge` (default 20)
#   FAKE_HUGE_LINES short lines after it (default 500000)
#   FAKE_STREAM_SECONDS, FAKE_STREAM_LINES_PER_S   scenario `stream` (default 10 s, 100 lines/s)
set -u
FAKE_SCENARIO="${FAKE_SCENARIO:-usage}"
FAKE_DELAY="${FAKE_DELAY:-0}"
SESSION="${FAKE_SESSION:-fake-$$-${RANDOM}}"

# One line of output.
say() {
  printf '%s\n' "$1"
  if [ "$FAKE_DELAY" != 0 ]; then sleep "$FAKE_DELAY"; fi
}

# One line written in two halves with a pause between: a line split across two reads.
say_split() {
  local half=$((${#1} / 2))
  printf '%s' "${1:0:half}"
  sleep 0.05
  printf '%s\n' "${1:half}"
}

# The junk of scenario `malformed`, then $1 (a valid final line) split across two writes.
say_malformed() {
  printf '%s\n' '{"type":"assistant","message":{"id":"m-half","content":[{"type":"te'
  printf '%s\n' 'not json'
  printf '%s\n' '{"type":"no_such_type","x":1}'
  printf '\xef\xbb\xbf%s\n' '{"type":"system","subtype":"note","note":"BOM first"}'
  printf '\033[32m%s\033[0m\n' '{"type":"system","subtype":"note","note":"in colour"}'
  printf '%s\r\n' '{"type":"system","subtype":"note","note":"CRLF"}'
  printf '%s\n' '[1,2,3]' '"a string"' ''
  say_split "$1"
}

# Scenario `huge`: one line of FAKE_HUGE_MB MiB ($1 + x… + $2), then FAKE_HUGE_LINES short lines ($3).
say_huge() {
  printf '%s' "$1"
  head -c "$((${FAKE_HUGE_MB:-20} * 1048576))" /dev/zero | tr '\0' 'x'
  printf '%s\n' "$2"
  local n="${FAKE_HUGE_LINES:-500000}"
  if [ "$n" -gt 0 ]; then yes "$3" | head -n "$n"; fi
}

# Scenario `stream`: $1 repeated at FAKE_STREAM_LINES_PER_S for FAKE_STREAM_SECONDS.
say_stream() {
  local per_tick=$(( (${FAKE_STREAM_LINES_PER_S:-100} + 9) / 10 )) ticks=$((${FAKE_STREAM_SECONDS:-10} * 10))
  local block i
  block="$(yes "$1" | head -n "$per_tick")"
  for ((i = 0; i < ticks; i++)); do
    printf '%s\n' "$block"
    sleep 0.1
  done
}

# Scenario `crash`: killed by SIGKILL half-way, as an agent the OOM killer took (exit 137).
crash() {
  sleep 0.05
  kill -9 $$
}

# The epoch second a limit resets: FAKE_RESETS_IN seconds from now, FAKE_RESETS_AT, or the reference's sample.
reset_epoch() {
  if [ -n "${FAKE_RESETS_IN:-}" ]; then
    echo $(($(date +%s) + FAKE_RESETS_IN))
  else
    echo "${FAKE_RESETS_AT:-1764950400}"
  fi
}

unknown_scenario() {
  echo "fake $(basename "$0"): unknown FAKE_SCENARIO=$FAKE_SCENARIO (see the top of $0)" >&2
  exit 2
}

finish() {
  if [ -n "${FAKE_THEN:-}" ]; then eval "$FAKE_THEN"; fi
  exit "${FAKE_EXIT:-$1}"
}
