import type { RequestListener } from 'node:http';
import { ChatCommands } from '../chat/chat-commands.ts';
import { createSlackSurface, SLACK_EVENTS_PATH, type SlackSurface } from '../chat/slack/slack-app.ts';
import type { CommandRegistry } from '../commands/registry.ts';
import type { Ledger } from '../ledger/port.ts';
import type { ChatConfig } from './chat-config.ts';
import type { Logger } from './logger.ts';
import type { ChatPolicy } from './policy-file.ts';

export interface RunningChat {
  routes: Map<string, RequestListener>;
  slack: SlackSurface | null;
  stop(): Promise<void>;
}

/**
 * The chat side of `gt up`: whichever platforms are configured, over the one command layer.
 * HTTP-mode surfaces hand back the routes the service's HTTP server mounts.
 */
export async function startChat(
  config: ChatConfig,
  chatPolicy: ChatPolicy,
  registry: CommandRegistry,
  ledger: Ledger,
  log: Logger,
): Promise<RunningChat> {
  const remember = (key: string, expiresAt: Date) => ledger.recordIdempotencyKey(key, expiresAt);
  const commands = new ChatCommands(registry);
  const routes = new Map<string, RequestListener>();
  const slack = config.slack
    ? createSlackSurface(config.slack, chatPolicy.policy, commands, remember, log)
    : null;
  if (slack?.requestListener) routes.set(SLACK_EVENTS_PATH, slack.requestListener);
  await slack?.start();
  if (slack) log.info({ mode: config.slack?.mode }, 'Slack surface on');
  return {
    routes,
    slack,
    stop: async () => {
      await slack?.stop();
    },
  };
}
