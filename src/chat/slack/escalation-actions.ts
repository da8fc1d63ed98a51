import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import { DomainError } from '../../domain/errors.ts';
import { parseResolution } from '../../domain/resolution.ts';
import type { ChatCommands } from '../chat-commands.ts';
import type { WorkQueue } from '../work-queue.ts';
import type { SlackDirectory } from './directory.ts';
import { ESCALATION_ACTION, parseButtonValue } from './escalation-card.ts';
import { commandAnswer } from './format.ts';
import { isFirstDelivery, REPLAYED, type Remember } from './request-guard.ts';

const PICK_VIEW = 'esc.pick';

/**
 * Clicks on escalation cards (issue 6 item 4). A click is a command like any other: `gt
 * escalation ack|resolve` with the version the card was rendered at, run as the clicking user, so
 * the policy, the compare-and-swap and the audit all apply. A refusal (not allowed, stale, already
 * decided) gets an ephemeral explanation; success needs no answer, because the card itself is
 * rewritten from the ledger's event. "Reassign to…" opens a dialog to name another polecat.
 */
export function registerEscalationActions(
  app: App,
  commands: ChatCommands,
  directory: SlackDirectory,
  remember: Remember,
  work: WorkQueue,
): void {
  app.action<BlockAction<ButtonAction>>(
    ESCALATION_ACTION,
    async ({ ack, body, action, respond, context }) => {
      await ack();
      const value = parseButtonValue(action.value ?? '');
      if (!value) return;
      if (value.action === 'pick') {
        // A trigger id expires within seconds: open the dialog before anything slow.
        await directory.client.views.open({
          trigger_id: body.trigger_id,
          view: pickView(value, body.channel?.id ?? ''),
        });
        return;
      }
      await work.run(async () => {
        if (!(await isFirstDelivery(context, remember))) {
          await respond({ response_type: 'ephemeral', replace_original: false, text: REPLAYED });
          return;
        }
        const principal = await directory.principal(body.user.id, body.user.username);
        const answer =
          value.action === 'ack'
            ? await commands.run('gt escalation ack', { id: value.id, version: value.version }, principal)
            : await commands.run(
                'gt escalation resolve',
                { id: value.id, action: value.action, version: value.version },
                principal,
              );
        if (!answer.reply?.ok)
          await respond({
            response_type: 'ephemeral',
            replace_original: false,
            text: commandAnswer(answer.text),
          });
      });
    },
  );

  app.view(PICK_VIEW, async ({ ack, body, view }) => {
    const [id = '', version = '', channel = ''] = view.private_metadata.split(':');
    const address = view.state.values.target?.address?.value?.trim() ?? '';
    const force = (view.state.values.force?.force?.selected_options ?? []).length > 0;
    try {
      if (parseResolution(`reassign:${address}`).type !== 'reassign') throw new Error();
    } catch (err) {
      const message = err instanceof DomainError ? err.message : 'write <rig>/<polecat>, e.g. alpha/Nux';
      await ack({ response_action: 'errors', errors: { target: message } });
      return;
    }
    await ack();
    await work.run(async () => {
      const principal = await directory.principal(body.user.id, body.user.name);
      const answer = await commands.run(
        'gt escalation resolve',
        { id, version, action: `reassign:${address}`, ...(force ? { force: true } : {}) },
        principal,
      );
      if (!answer.reply?.ok && channel)
        await directory.client.chat.postEphemeral({
          channel,
          user: body.user.id,
          text: commandAnswer(answer.text),
        });
    });
  });
}

function pickView(value: { id: string; version: string }, channel: string) {
  return {
    type: 'modal' as const,
    callback_id: PICK_VIEW,
    private_metadata: `${value.id}:${value.version}:${channel}`,
    title: { type: 'plain_text' as const, text: 'Reassign' },
    submit: { type: 'plain_text' as const, text: 'Reassign' },
    close: { type: 'plain_text' as const, text: 'Cancel' },
    blocks: [
      {
        type: 'input' as const,
        block_id: 'target',
        label: { type: 'plain_text' as const, text: `Give ${value.id}'s bead to` },
        element: {
          type: 'plain_text_input' as const,
          action_id: 'address',
          placeholder: { type: 'plain_text' as const, text: 'rig/polecat, e.g. alpha/Nux' },
        },
      },
      {
        type: 'input' as const,
        block_id: 'force',
        optional: true,
        label: { type: 'plain_text' as const, text: 'Another rig' },
        element: {
          type: 'checkboxes' as const,
          action_id: 'force',
          options: [
            { text: { type: 'plain_text' as const, text: 'allow a polecat of another rig' }, value: 'force' },
          ],
        },
      },
    ],
  };
}
