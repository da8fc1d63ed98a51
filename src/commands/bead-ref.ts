import type { Bead } from '../domain/bead.ts';
import { DomainError } from '../domain/errors.ts';
import { formulaLabel, STEP_LABEL } from '../domain/formula/cook-plan.ts';
import { closestNames } from '../domain/formula/suggest.ts';
import { parseId } from '../domain/validation.ts';
import type { Ledger } from '../ledger/port.ts';

/**
 * Readable aliases for the beads `gt formula run` cooks (formulas.md §7): `<root>.<step>` names
 * the bead labelled `formula-step:<step>` anywhere below the run's root epic, so `bd show
 * hq-12.design` or `bd close hq-12.shard.iter1.run` work without looking the id up first.
 *
 * Child ids are dotted too (`hq-12.3`), so a real id always wins: the alias is tried only when
 * the text is not an id, or is one no bead has. The ledger stores nothing for aliases — they are
 * read from the labels cook already writes — so they cannot drift from the beads.
 */

/** Longer than any id plus any step label: refused before it is split and looked up. */
const MAX_REF = 200;
/** What a step may be: a label's characters (parseLabel), within a label's length. */
const STEP_PATTERN = /^[^\s,]{1,87}$/;
/** Parent links followed at most (ids nest 3 deep; the bound stops a corrupt cycle). */
const MAX_DEPTH = 16;
/** Steps named in an error, at most. */
const MAX_LISTED = 20;

const asId = (text: string): string | null => {
  try {
    return parseId(text);
  } catch {
    return null;
  }
};

/** The ways `text` reads as `<root id>.<step>`, longest root first (`a-1.2.x`: `a-1.2`+`x`, then `a-1`+`2.x`). */
export function aliasSplits(text: string): Array<{ root: string; step: string }> {
  const splits: Array<{ root: string; step: string }> = [];
  if (text.length > MAX_REF) return splits;
  for (let dot = text.lastIndexOf('.'); dot > 0; dot = text.lastIndexOf('.', dot - 1)) {
    const root = asId(text.slice(0, dot));
    const step = text.slice(dot + 1);
    if (root !== null && STEP_PATTERN.test(step)) splits.push({ root, step });
  }
  return splits;
}

/**
 * The bead id `raw` names: an existing bead's id as given, else the bead a `<root>.<step>` alias
 * names. A well-formed id of no bead (and no alias) comes back unchanged, so each verb reports
 * it as before; text that is neither is refused here, saying what would work.
 */
export async function resolveBeadRef(ledger: Ledger, raw: unknown, what = 'bead'): Promise<string> {
  const text = typeof raw === 'string' ? raw : '';
  const id = asId(text);
  if (id !== null && (await ledger.getBead(id)) !== null) return id;
  const splits = aliasSplits(text);
  if (splits.length === 0) return parseId(raw, what);
  let miss: { root: Bead; step: string } | null = null;
  for (const { root: rootId, step } of splits) {
    const root = await ledger.getBead(rootId);
    if (root === null) continue;
    const found = await findStep(ledger, root, step);
    if (found !== null) return found.id;
    miss ??= { root, step };
  }
  if (id !== null) return id;
  if (miss !== null) throw await unknownStep(ledger, miss.root, miss.step);
  const root = (splits[0] as { root: string }).root;
  throw new DomainError(
    'not_found',
    'not_found',
    `${text}: bead ${JSON.stringify(root)} not found, so it names no step; check the id with \`bd list --all\``,
    { id: text, root },
  );
}

/** The step's bead below `root`; a container's label is inherited by its children, so the shallowest. */
async function findStep(ledger: Ledger, root: Bead, step: string): Promise<Bead | null> {
  const tagged = await ledger.listBeads({ label: `${STEP_LABEL}${step}`, all: true, ...inRig(root) });
  const depthOf = depthBelow(ledger, root.id, tagged);
  let best: { bead: Bead; depth: number } | null = null;
  for (const bead of tagged) {
    const depth = await depthOf(bead);
    if (depth !== null && (best === null || depth < best.depth)) best = { bead, depth };
  }
  return best?.bead ?? null;
}

/** Children keep their parent's rig: the run's beads are all in the root's (when it has one). */
const inRig = (root: Bead): { rig?: string } => (root.rig === null ? {} : { rig: root.rig });

/**
 * How far below `root` a bead is (1: a child), following parent links; null when it is not
 * below it. Parents already at hand (`known`) are not read again; the others are read once.
 */
function depthBelow(ledger: Ledger, root: string, known: readonly Bead[]) {
  const parents = new Map<string, string | null>(known.map((b) => [b.id, b.parent]));
  return async (bead: Bead): Promise<number | null> => {
    let at = bead.parent;
    for (let depth = 1; at !== null && depth <= MAX_DEPTH; depth++) {
      if (at === root) return depth;
      if (!parents.has(at)) parents.set(at, (await ledger.getBead(at))?.parent ?? null);
      at = parents.get(at) ?? null;
    }
    return null;
  };
}

const stepsOf = (bead: Bead): string[] =>
  bead.labels.filter((l) => l.startsWith(STEP_LABEL)).map((l) => l.slice(STEP_LABEL.length));

/** Every step below a run's root, in the order cook wrote them (child ids count up). */
export async function stepsBelow(ledger: Ledger, root: Bead): Promise<string[]> {
  const formula = root.labels.find((l) => l.startsWith(formulaLabel('')));
  if (formula === undefined) return [];
  // Every bead cook writes carries the formula's label: one read finds the whole run.
  const run = await ledger.listBeads({ label: formula, all: true, ...inRig(root) });
  const depthOf = depthBelow(ledger, root.id, run);
  run.sort((a, b) => a.id.localeCompare(b.id, 'en', { numeric: true }));
  const steps = new Set<string>();
  for (const bead of run) if ((await depthOf(bead)) !== null) for (const s of stepsOf(bead)) steps.add(s);
  return [...steps];
}

async function unknownStep(ledger: Ledger, root: Bead, step: string): Promise<DomainError> {
  const steps = await stepsBelow(ledger, root);
  const details = { root: root.id, step, steps: steps.slice(0, MAX_LISTED) };
  if (steps.length === 0)
    return new DomainError(
      'not_found',
      'unknown_step',
      `${root.id} is not a formula run (no steps below it), so ${root.id}.${step} is not found; use a bead id (see bd list --parent ${root.id})`,
      details,
    );
  const guesses = closestNames(step, steps);
  const guess = guesses.length > 0 ? ` (did you mean ${guesses.join(', ')}?)` : '';
  const more = steps.length > MAX_LISTED ? `, … (${steps.length - MAX_LISTED} more)` : '';
  return new DomainError(
    'not_found',
    'unknown_step',
    `${root.id} has no step ${JSON.stringify(step)}${guess}; its steps: ${details.steps.join(', ')}${more} — use ${root.id}.<step>, or see bd show ${root.id}`,
    details,
  );
}

/**
 * The alias of a bead `gt formula run` cooked (`hq-12.design`), else null: its own step — the
 * step label its parent does not carry (children inherit their container's) — after the run's
 * root, the nearest ancestor that is no step.
 */
export async function aliasOf(ledger: Ledger, bead: Bead): Promise<string | null> {
  const own = stepsOf(bead);
  if (own.length === 0 || bead.parent === null) return null;
  let above = await ledger.getBead(bead.parent);
  const inherited = new Set(above ? stepsOf(above) : []);
  const step = own.find((s) => !inherited.has(s));
  if (step === undefined) return null;
  for (let depth = 1; above !== null && depth <= MAX_DEPTH; depth++) {
    if (stepsOf(above).length === 0) return `${above.id}.${step}`;
    above = above.parent === null ? null : await ledger.getBead(above.parent);
  }
  return null;
}
