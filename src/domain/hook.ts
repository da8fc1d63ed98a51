import type { Bead } from './bead.ts';

/** What `gt hook` hands an agent: its bead and the prompt built from it. */
export interface HookPrompt {
  title: string;
  description: string;
  acceptance: string;
  convoy_id: string | null;
  branch: string;
}

export interface HookView {
  agent: string;
  bead: Bead | null;
  prompt: HookPrompt | null;
}

/** `polecat/<name>/<bead>`: the branch a polecat works on (DESIGN.md §7). */
export const polecatBranch = (agent: string, beadId: string): string =>
  `polecat/${agent.split('/').pop()}/${beadId}`;
