import { POLECAT_SCRIPT } from './polecat-script.ts';

/**
 * A polecat that misbehaves as its bead's `fault:*` label says, counting its own attempts per
 * bead in $GT_HOME/fault-marks (so a respawned or reassigned successor can behave):
 *  - fault:hang      the first attempt sleeps silently forever (no output, no heartbeat),
 *  - fault:crash     the first `crashes` attempts exit 1 at once (a crash loop),
 *  - fault:no-done   the first attempt commits and exits 0 without `gt done`,
 *  - fault:done-twice calls `gt done` a second time after the first succeeded.
 * Every attempt that does behave does what the normal polecat does (commit, mail, gt done).
 */
export function misbehavingScript(crashes: number): string {
  const [head, body] = splitAtSetE(POLECAT_SCRIPT);
  return `${head}
hook=$(gtr hook --json)
mark="$GT_HOME/fault-marks/$GT_BEAD"
mkdir -p "$(dirname "$mark")"
n=$(cat "$mark" 2>/dev/null || echo 0)
echo $((n + 1)) > "$mark"
case "$hook" in
  *'"fault:hang"'*) [ "$n" -ge 1 ] || exec sleep 600 ;;
  *'"fault:crash"'*) [ "$n" -ge ${crashes} ] || { echo "crashing on purpose (attempt $n)"; exit 1; } ;;
  *'"fault:no-done"'*)
    if [ "$n" -lt 1 ]; then
      mkdir -p work && echo partial > "work/$GT_BEAD.txt" && git add work
      git -c user.name="$GT_AGENT" -c user.email=polecat@gastown.invalid commit -q -m "$GT_BEAD: work by $GT_AGENT"
      echo "leaving without gt done"; exit 0
    fi ;;
esac
${body}
case "$hook" in
  *'"fault:done-twice"'*)
    set +e; gt done >/dev/null 2>&1; echo "second gt done: exit $?" ;;
esac
`;
}

/** The normal script split after `set -e`: the retry helper above, the work below. */
function splitAtSetE(script: string): [string, string] {
  const at = script.indexOf('set -e\n') + 'set -e\n'.length;
  return [script.slice(0, at), script.slice(at).replace(/^gtr heartbeat.*\n/m, '')];
}
