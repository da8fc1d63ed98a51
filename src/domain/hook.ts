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
  /** The branch a reworking polecat starts from when it is not its own (the work so far). */
  start_from: string | null;
}

export interface HookView {
  agent: string;
  bead: Bead | null;
  prompt: HookPrompt | null;
}

/** `polecat/<name>/<bead>`: the branch a polecat works on (DESIGN.md §7). */
export const polecatBranch = (agent: string, beadId: string): string =>
  `polecat/${agent.split('/').pop()}/${beadId}`;
