import type { App } from '@slack/bolt';
import { DomainError } from '../../domain/errors.ts';
import type { ChatCommands } from '../chat-commands.ts';
import { splitWords } from '../words.ts';
import type { WorkQueue } from '../work-queue.ts';
import type { SlackDirectory } from './directory.ts';
import { commandAnswer } from './format.ts';
import { isFirstDelivery, REPLAYED, type Remember } from './request-guard.ts';

/**
 * `/gt` and `/bd`: acknowledged at once (Slack allows 3 s; the work may take longer), then —
 * in turn, through the work queue — run through the command layer, then answered on the response URL — in the channel when the command
 * changed shared state, only to the caller otherwise.
 */
export function registerSlashCommands(
  app: App,
  commands: ChatCommands,
  directory: SlackDirectory,
  remember: Remember,
  work: WorkQueue,
): void {
  for (const root of ['gt', 'bd'] as const) {
    app.command(`/${root}`, async ({ command, ack, respond, context }) => {
      await ack();
      await work.run(async () => {
        if (!(await isFirstDelivery(context, remember))) {
          await respond({ response_type: 'ephemeral', text: REPLAYED });
          return;
        }
        let text: string;
        let inChannel = false;
        try {
          const principal = await directory.principal(command.user_id, command.user_name);
          // Slack sends text as a string; anything else (a signed JSON body with an object) is no words.
          const typed = typeof command.text === 'string' ? command.text : '';
          const answer = await commands.runWords(root, splitWords(typed), principal);
          text = answer.text;
          inChannel = answer.public;
        } catch (err) {
          if (!(err instanceof DomainError)) throw err;
          text = `error: ${err.message}`;
        }
        await respond({ response_type: inChannel ? 'in_channel' : 'ephemeral', text: commandAnswer(text) });
      });
    });
  }
}
