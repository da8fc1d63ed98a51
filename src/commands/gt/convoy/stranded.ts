import { isDispatchable, type StrandedReason, strandedReason } from '../../../domain/stranded.ts';
import { defineCommand } from '../../command.ts';
import { trackedBeads } from './tracked.ts';

export interface StrandedConvoy {
  convoy_id: string;
  title: string;
  tracked_count: number;
  ready_count: number;
  ready_issues: string[];
  reason: StrandedReason;
}

export const gtConvoyStranded = defineCommand<StrandedConvoy[]>({
  path: ['gt', 'convoy', 'stranded'],
  summary: 'Open convoys that are not progressing: ready work waiting, empty, or stuck',
  usage: 'gt convoy stranded',
  syntax: { positionals: [], flags: {} },
  mutates: false,
  async run(_args, ctx) {
    const ledger = ctx.services.ledger;
    const rigs = new Map((await ledger.listRigs()).map((r) => [r.name, r]));
    const stranded: StrandedConvoy[] = [];
    for (const convoy of await ledger.listBeads({ issue_type: 'convoy', status: ['open'] })) {
      const tracked = await trackedBeads(ledger, convoy.id);
      const ready = tracked.filter((b) => isDispatchable(b, rigs));
      const reason = strandedReason(tracked, ready);
      if (!reason) continue;
      stranded.push({
        convoy_id: convoy.id,
        title: convoy.title,
        tracked_count: tracked.length,
        ready_count: ready.length,
        ready_issues: ready.map((b) => b.id),
        reason,
      });
    }
    return { data: stranded };
  },
  text: (rows) =>
    rows.length === 0
      ? 'No stranded convoys found.'
      : [
          `⚠ Found ${rows.length} stranded convoy(s):`,
          ...rows.map((r) =>
            r.reason === 'empty'
              ? `  ${r.convoy_id}: ${r.title} — empty (0 tracked issues)`
              : r.reason === 'stuck'
                ? `  ${r.convoy_id}: ${r.title} — ${r.tracked_count} tracked, none ready or running`
                : `  ${r.convoy_id}: ${r.title} — ready: ${r.ready_issues.join(', ')} (of ${r.tracked_count})`,
          ),
        ].join('\n'),
});
