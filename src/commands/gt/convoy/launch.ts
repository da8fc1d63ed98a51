import type { Bead } from '../../../domain/bead.ts';
import { DomainError, refused } from '../../../domain/errors.ts';
import type { Ledger, WriteContext } from '../../../ledger/port.ts';
import { flag, list } from '../../args.ts';
import { type CommandContext, defineCommand } from '../../command.ts';
import { sling } from '../sling.ts';
import { type StageResult, stage } from './stage.ts';
import { loadConvoy } from './tracked.ts';

export interface LaunchResult {
  convoy_id: string;
  status: 'open';
  waves: number;
  dispatched: Array<{ id: string; rig: string; ok: boolean; error?: string }>;
}

/**
 * `gt convoy launch`: stage if needed, then open the convoy and sling every bead of wave 1 —
 * on every input path (upstream only dispatched on the staged-convoy path, convoy.md §3.16).
 * Every refusal happens before the status changes: a parked rig never leaves an open convoy
 * with nothing dispatched, and an open convoy is never staged again into a duplicate.
 */
export async function launch(
  ledger: Ledger,
  rawIds: readonly string[],
  force: boolean,
  ctx: WriteContext,
): Promise<LaunchResult> {
  const only = rawIds.length === 1 ? await ledger.getBead((rawIds[0] as string).toLowerCase()) : null;
  if (only?.issue_type === 'convoy') refuseLaunched(only);
  const plan = await stage(ledger, rawIds, undefined, ctx);
  const convoy = await loadConvoy(ledger, plan.convoy_id);
  refuseLaunched(convoy);
  if (plan.status === 'staged_warnings' && !force) {
    const categories = [...new Set(plan.warnings.map((w) => w.category))].join(', ');
    throw refused(
      'has_warnings',
      `convoy ${convoy.id} has warnings (${categories}); review with gt convoy stage ${convoy.id}, then launch with --force`,
    );
  }
  const parked = plan.warnings.filter((w) => w.category === 'blocked-rig');
  if (parked.length > 0)
    throw refused('rig_parked', `cannot launch: ${parked.map((w) => w.message).join('; ')}`);
  await ledger.updateBead(convoy.id, { status: 'open' }, ctx);
  return {
    convoy_id: convoy.id,
    status: 'open',
    waves: plan.waves.length,
    dispatched: await dispatchWaveOne(ledger, plan, ctx),
  };
}

function refuseLaunched(convoy: Bead): void {
  if (convoy.status === 'open')
    throw refused(
      'already_launched',
      `convoy ${convoy.id} is already launched; see gt convoy status ${convoy.id}`,
    );
  if (convoy.status === 'closed')
    throw refused('convoy_closed', `convoy ${convoy.id} is closed; add work to reopen it (gt convoy add)`);
}

async function dispatchWaveOne(
  ledger: Ledger,
  plan: StageResult,
  ctx: WriteContext,
): Promise<LaunchResult['dispatched']> {
  const results: LaunchResult['dispatched'] = [];
  for (const id of plan.waves[0]?.issues ?? []) {
    try {
      const r = await sling(ledger, id, undefined, false, ctx);
      results.push({ id, rig: r.rig, ok: true });
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      results.push({ id, rig: (await ledger.getBead(id))?.rig ?? '', ok: false, error: err.message });
    }
  }
  return results;
}

export const gtConvoyLaunch = defineCommand<LaunchResult>({
  path: ['gt', 'convoy', 'launch'],
  summary: 'Open a convoy and sling its first wave; later waves are fed as blockers close',
  usage: 'gt convoy launch <convoy | epic | id…> [--force]',
  syntax: {
    positionals: [{ name: 'ids', required: true, variadic: true }],
    flags: { force: { type: 'boolean', short: 'f', description: 'launch despite staging warnings' } },
  },
  mutates: true,
  run: async (args, ctx: CommandContext) => ({
    data: await launch(ctx.services.ledger, list(args, 'ids'), flag(args, 'force'), ctx.write()),
  }),
  text: (r) =>
    [
      `Convoy launched: ${r.convoy_id} (status: open), ${r.waves} wave(s)`,
      ...r.dispatched.map(
        (d) => `  ${d.ok ? '✓' : '✗'} ${d.id} (rig: ${d.rig})${d.error ? `  error: ${d.error}` : ''}`,
      ),
      `Monitor: gt convoy status ${r.convoy_id}`,
    ].join('\n'),
});
