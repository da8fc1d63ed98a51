import { usageError } from '../../domain/errors.ts';
import { parseLabel } from '../../domain/validation.ts';
import type { Comment } from '../../ledger/port.ts';
import { reqString } from '../args.ts';
import { resolveBeadRef } from '../bead-ref.ts';
import { defineCommand } from '../command.ts';
import { refuseBudgetChange, refuseEscalationDecision } from './lifecycle-guard.ts';

export const bdComment = defineCommand<Comment>({
  path: ['bd', 'comment'],
  summary: 'Add a comment to a bead',
  usage: 'bd comment <id> <text>',
  syntax: {
    positionals: [
      { name: 'id', required: true },
      { name: 'text', required: true },
    ],
    flags: {},
  },
  mutates: true,
  async run(args, ctx) {
    const text = reqString(args, 'text');
    if (text.trim() === '') throw usageError('empty_comment', 'the comment is empty; write some text');
    const id = await resolveBeadRef(ctx.services.ledger, reqString(args, 'id'));
    return { data: await ctx.services.ledger.addComment(id, text, ctx.write()) };
  },
  text: (c) => `commented on ${c.issue_id}`,
});

type LabelChange = { status: 'added' | 'removed'; issue_id: string; label: string };

const labelSyntax = {
  positionals: [
    { name: 'id', required: true },
    { name: 'label', required: true },
  ],
  flags: {},
};

const labelVerb = (add: boolean) =>
  defineCommand<LabelChange>({
    path: ['bd', 'label', add ? 'add' : 'remove'],
    summary: add ? 'Add a label to a bead' : 'Remove a label from a bead',
    usage: `bd label ${add ? 'add' : 'remove'} <id> <label>`,
    syntax: labelSyntax,
    mutates: true,
    async run(args, ctx) {
      const id = await resolveBeadRef(ctx.services.ledger, reqString(args, 'id'));
      const label = parseLabel(reqString(args, 'label'));
      await refuseEscalationDecision(ctx, id, `label ${add ? 'add' : 'remove'}`);
      await refuseBudgetChange(ctx, id, { labels: [label] }, `label ${add ? 'add' : 'remove'}`);
      await ctx.services.ledger.updateBead(
        id,
        add ? { add_labels: [label] } : { remove_labels: [label] },
        ctx.write(),
      );
      return { data: { status: add ? 'added' : 'removed', issue_id: id, label } };
    },
    text: (c) => `${c.status} label ${c.label} ${add ? 'to' : 'from'} ${c.issue_id}`,
  });

export const bdLabelAdd = labelVerb(true);
export const bdLabelRemove = labelVerb(false);
