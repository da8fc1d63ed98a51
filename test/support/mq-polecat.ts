/**
 * A polecat per bead (a real process in a real worktree) that commits `<title>.txt`; beads titled
 * `need-X` first check that X's file is in their worktree (they start from the target, which
 * must hold their blocker's work); `same-*` beads all write one file (so the second to land
 * conflicts); `bad-*` beads leave a file the gate refuses. A rework prompt makes the polecat
 * start again from the target.
 */
export const MQ_POLECAT = `set -e
title=$(gt hook | sed -n "1s/^[^']*'\\(.*\\)' \\[.*$/\\1/p")
if grep -q '^## Rework' "$GT_PROMPT_FILE"; then git reset -q --hard main; rework=1; fi
case "$title" in need-*) test -f "\${title#need-}.txt" || { echo "no \${title#need-}.txt on main" >&2; exit 1; } ;; esac
file="$title.txt"
case "$title" in same-*) file=shared.txt ;; esac
echo "$title" > "$file"
case "$title" in bad-*) [ -n "$rework" ] || echo bad > bad.txt ;; esac
git add -A
git -c user.name=polecat -c user.email=p@e commit -qm "$title"
gt done
`;
