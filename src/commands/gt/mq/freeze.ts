import { DomainError, refused } from '../../../domain/errors.ts';
import { buildFreeze, describeFreeze, parseRigName, type Rig } from '../../../domain/rig.ts';
import type { Ledger } from '../../../ledger/port.ts';
import { optString, reqString } from '../../args.ts';
import { defineCommand } from '../../command.ts';

/**
 * `gt mq freeze <rig> [-r REASON]` and `gt mq thaw <rig>`: a person holding `mq:freeze` stops a
 * rig's merge queue from landing anything — for a release, a broken main, an incident — and
 * starts it again. While frozen, verification may go on; nothing lands. Who froze it, when and
 * why is kept on the rig (`mq_frozen`) and shown wherever the queue is (gt mq list, gt mq
 * status, gt rig list). One compare-and-swap in the ledger (setRigFrozen): of two freezes, one
 * wins and the other is told who froze it; a thaw of a queue that is not frozen is refused.
 */
export const gtMqFreeze = defineCommand<Rig>({
  path: ['gt', 'mq', 'freeze'],
  summary: 'Freeze a rig’s merge queue: verification may go on, nothing lands until thawed',
  usage: 'gt mq freeze <rig> [-r REASON]',
  syntax: {
    positionals: [{ name: 'rig', required: true }],
    flags: {
      reason: { type: 'string', short: 'r', description: 'why (a release, a broken main, an incident)' },
    },
  },
  mutates: true,
  async run(args, ctx) {
    const rig = await queueRig(ctx.services.ledger, reqString(args, 'rig'), 'freeze');
    const write = ctx.write();
    const freeze = buildFreeze(write.actor, optString(args, 'reason'), write.now.toISOString());
    // Already frozen: the ledger refuses (conflict `mq_frozen`), saying who froze it, when and why.
    return { data: await ctx.services.ledger.setRigFrozen(rig.name, freeze, write) };
  },
  text: (rig) =>
    `⏸ rig ${rig.name}: merge queue ${rig.mq_frozen ? describeFreeze(rig.mq_frozen) : 'not frozen'}. Verification goes on; nothing lands until gt mq thaw ${rig.name}.`,
});

export const gtMqThaw = defineCommand<Rig>({
  path: ['gt', 'mq', 'thaw'],
  summary: 'Thaw a frozen merge queue: verified work lands again',
  usage: 'gt mq thaw <rig>',
  syntax: { positionals: [{ name: 'rig', required: true }], flags: {} },
  mutates: true,
  async run(args, ctx) {
    const rig = await queueRig(ctx.services.ledger, reqString(args, 'rig'), 'thaw');
    // Not frozen: the ledger refuses (conflict `mq_not_frozen`).
    return { data: await ctx.services.ledger.setRigFrozen(rig.name, null, ctx.write()) };
  },
  text: (rig) => `▶ rig ${rig.name}: merge queue thawed; verified work lands again.`,
});

/** The rig named, with a repository its queue lands on. */
async function queueRig(ledger: Ledger, raw: string, word: 'freeze' | 'thaw'): Promise<Rig> {
  const name = parseRigName(raw);
  const rig = await ledger.getRig(name);
  if (!rig)
    throw new DomainError('not_found', 'not_found', `rig ${name} not found; see gt rig list`, { id: name });
  if (!rig.repo)
    throw refused(
      'no_repository',
      `rig ${name} has no repository, so no merge queue to ${word}: nothing of it ever lands (its work closes at gt done); see gt rig list`,
    );
  return rig;
}
