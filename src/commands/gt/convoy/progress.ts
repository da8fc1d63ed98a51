import type { Bead } from '../../../domain/bead.ts';
import {
  type ConvoyCardModel,
  convoyCardModel,
  plannedWaves,
  progressBar,
} from '../../../domain/convoy-progress.ts';
import { costText } from '../../../domain/usage-costs.ts';
import type { Ledger } from '../../../ledger/port.ts';
import { list } from '../../args.ts';
import { defineCommand } from '../../command.ts';
import { edgesOf } from './stage-input.ts';
import { convoyCost } from './status.ts';
import { loadConvoy, trackedBeads } from './tracked.ts';

/**
 * A convoy's progress by wave — what the chat cards and `gt convoy watch` show: waves (done,
 * running), and the tracked beads split into running, blocked, ready and done.
 */
export async function convoyProgress(ledger: Ledger, convoy: Bead): Promise<ConvoyCardModel> {
  const tracked = await trackedBeads(ledger, convoy.id);
  const cost = await convoyCost(ledger, convoy.id);
  if (tracked.length === 0) return convoyCardModel(convoy, tracked, [], cost);
  return convoyCardModel(convoy, tracked, plannedWaves(tracked, await edgesOf(ledger, tracked)), cost);
}

export function progressText(p: ConvoyCardModel): string {
  const lines = [
    `🚚 ${p.id}: ${p.title}  ${p.landed ? 'landed' : p.status}`,
    `   ${progressBar(p.completed, p.total)}`,
  ];
  if (p.cost) lines.push(`   ${costText(p.cost)}`);
  for (const w of p.waves)
    lines.push(
      `   wave ${w.wave}  ${progressBar(w.done, w.total, 10)}${w.running > 0 ? `  ▶ ${w.running} running` : ''}`,
    );
  const names = (items: ConvoyCardModel['running']) =>
    items.map((i) => `${i.id}${i.assignee ? ` @${i.assignee}` : ''}`).join(', ');
  if (p.running.length > 0) lines.push(`   running: ${names(p.running)}`);
  if (p.merging.length > 0) lines.push(`   merging: ${names(p.merging)}`);
  if (p.ready.length > 0) lines.push(`   ready:   ${names(p.ready)}`);
  if (p.blocked.length > 0) lines.push(`   blocked: ${names(p.blocked)}`);
  return lines.join('\n');
}

export const gtConvoyProgress = defineCommand<ConvoyCardModel[]>({
  path: ['gt', 'convoy', 'progress'],
  summary: 'Progress of convoys by wave: done, running, ready and blocked beads',
  usage: 'gt convoy progress <convoy>…',
  syntax: { positionals: [{ name: 'convoys', variadic: true, required: true }], flags: {} },
  mutates: false,
  async run(args, ctx) {
    const views: ConvoyCardModel[] = [];
    for (const id of list(args, 'convoys'))
      views.push(await convoyProgress(ctx.services.ledger, await loadConvoy(ctx.services.ledger, id)));
    return { data: views };
  },
  text: (data) => data.map(progressText).join('\n\n'),
});
