import { type MergeRequest, OPEN_MR_STATUSES } from '../../../domain/merge-request.ts';
import { parseRigName } from '../../../domain/rig.ts';
import { flag, optString, reqString } from '../../args.ts';
import { defineCommand } from '../../command.ts';
import { loadMr, type QueueRow, queueRows, rowLine } from './view.ts';

export const gtMqList = defineCommand<QueueRow[]>({
  path: ['gt', 'mq', 'list'],
  summary: 'The merge queue: what is being verified, what waits (in order), what needs a person',
  usage: 'gt mq list [<rig>] [--all]',
  syntax: {
    positionals: [{ name: 'rig' }],
    flags: { all: { type: 'boolean', description: 'merged, rejected and superseded ones too' } },
  },
  mutates: false,
  async run(args, ctx) {
    const rig = optString(args, 'rig');
    const mrs = await ctx.services.ledger.listMergeRequests({
      ...(rig !== undefined && { rig: parseRigName(rig) }),
      ...(!flag(args, 'all') && { status: OPEN_MR_STATUSES }),
    });
    return { data: queueRows(mrs, ctx.services.now()) };
  },
  text: (rows) => (rows.length === 0 ? 'The merge queue is empty.' : rows.map(rowLine).join('\n')),
});

export const gtMqStatus = defineCommand<MergeRequest>({
  path: ['gt', 'mq', 'status'],
  summary: 'One merge request: its state, attempts and the results of its gates',
  usage: 'gt mq status <mr>',
  syntax: { positionals: [{ name: 'mr', required: true }], flags: {} },
  mutates: false,
  run: async (args, ctx) => ({ data: await loadMr(ctx.services.ledger, reqString(args, 'mr')) }),
  text: (mr) =>
    [
      `${mr.id}  ${mr.status}  ${mr.rig}  ${mr.bead_id ?? '-'}  ${mr.branch}@${mr.sha} → ${mr.target}`,
      `attempts ${mr.attempts}${mr.merge_commit ? `  merged at ${mr.merge_commit}` : ''}`,
      ...(mr.reason ? [mr.reason] : []),
      ...mr.gates.map(
        (g) =>
          `  ${g.timed_out ? 'TIMEOUT' : g.exit === 0 ? 'pass' : `exit ${g.exit}`}${(g.runs ?? 1) > 1 ? ` (${g.runs} runs)` : ''}  ${g.command}  (${g.duration_ms} ms)`,
      ),
    ].join('\n'),
});
