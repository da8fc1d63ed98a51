import type { Bead } from '../../domain/bead.ts';
import { DomainError, notFound } from '../../domain/errors.ts';
import { list } from '../args.ts';
import { aliasOf, resolveBeadRef } from '../bead-ref.ts';
import { defineCommand } from '../command.ts';
import { beadDetail } from '../render.ts';

/** `alias`: the `<root>.<step>` name of a bead `gt formula run` cooked (bead-ref.ts). */
export type ShownBead = Bead & { dependencies: EdgeRef[]; dependents: EdgeRef[]; alias?: string };
interface EdgeRef {
  id: string;
  type: string;
}

export const bdShow = defineCommand<ShownBead[]>({
  path: ['bd', 'show'],
  summary: 'Show beads with their dependencies and dependents',
  usage: 'bd show <id>…',
  syntax: { positionals: [{ name: 'ids', required: true, variadic: true }], flags: {} },
  mutates: false,
  async run(args, ctx) {
    const ledger = ctx.services.ledger;
    const shown: ShownBead[] = [];
    const errors: string[] = [];
    for (const raw of list(args, 'ids')) {
      try {
        const id = await resolveBeadRef(ledger, raw);
        const bead = await ledger.getBead(id);
        if (!bead) throw notFound('bead', id);
        const deps = await ledger.dependenciesOf(id);
        const dependents = await ledger.dependentsOf(id);
        const alias = await aliasOf(ledger, bead);
        shown.push({
          ...bead,
          ...(alias !== null && { alias }),
          dependencies: deps.map((d) => ({ id: d.depends_on_id, type: d.type })),
          dependents: dependents.map((d) => ({ id: d.issue_id, type: d.type })),
        });
      } catch (err) {
        if (!(err instanceof DomainError)) throw err;
        errors.push(err.message);
      }
    }
    if (shown.length === 0 && errors.length > 0) throw firstError(errors);
    return { data: shown, errors };
  },
  text: (beads) => beads.map(detailWithAlias).join('\n\n'),
});

/** The alias under the title line, where a reader looks for what the bead is. */
function detailWithAlias(b: ShownBead): string {
  const [head, ...rest] = beadDetail(b).split('\n');
  return [head, ...(b.alias ? [`  alias: ${b.alias}`] : []), ...rest].join('\n');
}

/** When every item of a multi-id command failed, the command fails with the (first) reason. */
export function firstError(errors: string[]): DomainError {
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : '';
  return new DomainError('refused', 'all_failed', `${errors[0]}${more}`, { errors });
}
