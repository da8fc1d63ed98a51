import type { Bead } from './bead.ts';

/** What `gt hook` hands an agent: its bead and the prompt built from it. */
export interface HookPrompt {
  title: string;
  description: string;
  acceptance: string;
  convoy_id: string | null;
  branch: string;
  /**
   * Why the merge queue sent this work back (conflicting files, the failing gate's last lines),
   * when it did: the polecat rebases onto the target, fixes it and runs `gt done` again.
   */
  rework: string | null;
  /**
   * The branch a new worktree starts from when not the repository's HEAD: the work so far (a
   * rework of another polecat's merge request), or the epic's integration branch.
   */
  start_from: string | null;
  /**
   * What the bead's convoy may still spend, in dollars, when it has a budget (docs/costs.md
   * "Budgets"): a preset that can cap a run (`budgetFlag`) is given it; null: no budget.
   */
  budget_remaining_usd: number | null;
}

export interface HookView {
  agent: string;
  bead: Bead | null;
  prompt: HookPrompt | null;
}

/** `polecat/<name>/<bead>`: the branch a polecat works on (DESIGN.md §7). */
export const polecatBranch = (agent: string, beadId: string): string =>
  `polecat/${agent.split('/').pop()}/${beadId}`;
