import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The `shell` polecat of the fault runs, like gt demo's: a real commit on its branch, mail to
 * the mayor naming its bead, then `gt done`. Every `gt` call goes through `gtr`, which retries
 * while the service is unreachable (exit 3) — what a real agent does when its tool call fails
 * because the town is restarting. Refusals (exit 1) are not retried: a `gt done` retried after
 * a reply lost to a kill finds its bead already closed ("nothing on its hook"), which is the
 * documented answer and is logged as such.
 */
export const POLECAT_SCRIPT = `#!/bin/bash
gtr() {
  local tries=0 rc
  while :; do
    gt "$@" && return 0
    rc=$?
    [ "$rc" -eq 3 ] || return "$rc"
    tries=$((tries + 1))
    [ "$tries" -lt 1200 ] || return "$rc"
    echo "gtr: gt $1 $2: service unreachable, retrying" >&2
    sleep 0.5
  done
}
set -e
gtr heartbeat --activity "working on $GT_BEAD" >/dev/null
sleep "0.$((RANDOM % 4))"
mkdir -p work
printf '%s by %s\\n' "$GT_BEAD" "$GT_AGENT" > "work/$GT_BEAD.txt"
git add work
# A respawned polecat (its predecessor died after committing) finds the work already there.
git diff --cached --quiet || git -c user.name="$GT_AGENT" -c user.email=polecat@gastown.invalid commit -q -m "$GT_BEAD: work by $GT_AGENT"
gtr mail send mayor -s "$GT_BEAD done" -m "committed on $GT_BRANCH" >/dev/null
err=$(mktemp)
if ! gtr done >/dev/null 2>"$err"; then
  if grep -q 'nothing on its hook' "$err"; then echo "gt done: already done (a retried call)"; else cat "$err" >&2; exit 1; fi
fi
rm -f "$err"
`;

/** Writes the script into `dir` and returns its path (the rig's `--command`). */
export function writePolecatScript(dir: string, name = 'polecat.sh', text = POLECAT_SCRIPT): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  chmodSync(path, 0o755);
  return path;
}
