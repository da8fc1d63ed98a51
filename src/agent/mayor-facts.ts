import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { FormulaCatalog } from '../commands/command.ts';
import type { Bead } from '../domain/bead.ts';
import type { MayorPromptFacts, MayorRigFacts } from '../domain/mayor-prompt.ts';
import { planFacts, revisionText } from '../domain/plan.ts';
import type { Rig } from '../domain/rig.ts';
import type { Ledger } from '../ledger/port.ts';

/** Files in a repository that tell an agent how the project works, in the order worth reading. */
const CONVENTIONS = ['AGENTS.md', 'CLAUDE.md', 'CONTRIBUTING.md', 'README.md', '.beads/formulas'];

function rigFacts(r: Rig): MayorRigFacts {
  const repo = r.repo;
  return {
    name: r.name,
    prefix: r.prefix,
    repo,
    merge: r.merge_policy.merge,
    parked: r.parked,
    conventions: repo ? CONVENTIONS.map((f) => join(repo, f)).filter((p) => existsSync(p)) : [],
  };
}

/** What one planning round's prompt says: the request, the rigs it may use, the formulas. */
export async function mayorPromptFacts(
  ledger: Ledger,
  formulas: FormulaCatalog | undefined,
  plan: Bead,
): Promise<MayorPromptFacts> {
  const facts = planFacts(plan);
  const rigs = (await ledger.listRigs()).filter(
    (r) => facts.rigs.length === 0 || facts.rigs.includes(r.name),
  );
  const revision =
    facts.round > 1
      ? ((await ledger.listComments(plan.id))
          .map((c) => revisionText(c.text))
          .filter((t) => t !== null)
          .pop() ?? null)
      : null;
  const catalog = ((await formulas?.list()) ?? []).filter((e) => e.formula);
  return {
    plan: plan.id,
    round: facts.round,
    requester: facts.requester,
    goal: facts.goal,
    revision: revision === null ? null : { text: revision, convoy: facts.convoy },
    rigs: rigs.map(rigFacts),
    formulas: catalog.map((e) => ({
      name: e.name,
      description: e.formula?.description?.split('\n')[0] ?? '',
      vars: e.formula?.vars.map((v) => v.name) ?? [],
    })),
    formula: facts.formula,
  };
}
