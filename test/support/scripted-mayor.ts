/**
 * A Mayor for tests: a shell script doing what a real Mayor does with `bd` and `gt` (the shims
 * on its PATH), decided by what its prompt says — so a test drives it through the goal it asks
 * for. Everything it saw and every refusal it met goes to $GT_HOME/mayor/seen.log.
 *
 *  - a first round: two beads in rig `web` (the second needs the first), staged, `gt done`;
 *    it also tries what a Mayor may not do (launch its plan, sling a bead) and logs the exit codes;
 *  - a revision round ("This is a revision" in the prompt): reads its mail, adds a third bead to
 *    the same convoy, re-stages it, `gt done`;
 *  - a goal saying MAYOR-FAILS: makes a bead, then exits 1 without `gt done`;
 *  - a goal saying MAYOR-STAGES-NOTHING: runs `gt done` (refused: nothing staged), then exits 0.
 */
export const SCRIPTED_MAYOR = `set -u
log="$GT_HOME/mayor/seen.log"
echo "round $GT_BEAD as $GT_AGENT" >> "$log"
if grep -q 'MAYOR-FAILS' "$GT_PROMPT_FILE"; then
  bd create "half-made" --rig web >> "$log"
  exit 1
fi
if grep -q 'MAYOR-STAGES-NOTHING' "$GT_PROMPT_FILE"; then
  gt done >> "$log" 2>&1; echo "done-exit=$?" >> "$log"
  exit 0
fi
if grep -q 'This is a revision' "$GT_PROMPT_FILE"; then
  echo "mail:" >> "$log"; gt mail inbox >> "$log" 2>&1
  convoy=$(grep -o 'gt convoy stage [a-z0-9.-]*' "$GT_PROMPT_FILE" | head -1 | cut -d' ' -f4)
  c=$(bd create "docs-search" --rig web) || exit 1
  gt convoy add "$convoy" "$c" >/dev/null || exit 1
  gt convoy stage "$convoy" >/dev/null || exit 1
  gt done >> "$log" 2>&1 || exit 1
  exit 0
fi
a=$(bd create "build-search" --rig web) || exit 1
b=$(bd create "need-build-search" --rig web) || exit 1
bd dep add "$b" "$a" >/dev/null || exit 1
gt convoy stage "$a" "$b" >/dev/null || exit 1
gt plan launch "$GT_BEAD" >> "$log" 2>&1; echo "plan-launch-exit=$?" >> "$log"
gt convoy launch "$a" >> "$log" 2>&1; echo "convoy-launch-exit=$?" >> "$log"
gt sling "$a" web >> "$log" 2>&1; echo "sling-exit=$?" >> "$log"
gt done >> "$log" 2>&1 || exit 1
`;
