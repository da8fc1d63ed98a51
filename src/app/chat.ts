import type { RequestListener } from 'node:http';
import type { NatsConnection } from '@nats-io/transport-node';
import { WebClientEvent } from '@slack/web-api';
import { consumeDurable } from '../bus/durable-consumer.ts';
import { ensureStreams, eventsStream } from '../bus/streams.ts';
import { CardStore } from '../chat/card-store.ts';
import type { CardSurface } from '../chat/card-surface.ts';
import { ChannelQueue } from '../chat/channel-queue.ts';
import { ChatCommands } from '../chat/chat-commands.ts';
import { DiscordCards } from '../chat/discord/discord-cards.ts';
import { DiscordRest } from '../chat/discord/discord-rest.ts';
import { DISCORD_INTERACTIONS_PATH, discordInteractions } from '../chat/discord/interactions.ts';
import { ChatNotifier } from '../chat/notifier.ts';
import { createSlackSurface, SLACK_EVENTS_PATH, type SlackSurface } from '../chat/slack/slack-app.ts';
import { SlackCards } from '../chat/slack/slack-cards.ts';
import { Throttle } from '../chat/throttle.ts';
import { WorkQueue } from '../chat/work-queue.ts';
import type { CommandRegistry } from '../commands/registry.ts';
import type { Ledger } from '../ledger/port.ts';
import type { ChatConfig } from './chat-config.ts';
import type { Logger } from './logger.ts';
import type { ChatPolicy } from './policy-file.ts';

export interface RunningChat {
  routes: Map<string, RequestListener>;
  slack: SlackSurface | null;
  /** Outbound 429s seen, per platform (issue 6 item 7; exported as metrics in issue 7). */
  rateLimited(): Record<string, number>;
  stop(): Promise<void>;
}

const CARD_EDIT_INTERVAL_MS = 2_000;
/** Chat requests doing their work at once; the rest wait, acknowledged (see work-queue.ts). */
const CHAT_WORK_CONCURRENCY = 2;
const SLACK_CHANNEL_SPACING_MS = 1_000;
/** Discord allows about 5 messages per 5 s per channel. */
const DISCORD_CHANNEL_SPACING_MS = 1_000;

export interface ChatDeps {
  config: ChatConfig;
  chatPolicy: ChatPolicy;
  registry: CommandRegistry;
  ledger: Ledger;
  nc: NatsConnection;
  prefix: string;
  log: Logger;
}

/**
 * The chat side of `gt up`: whichever platforms are configured, over the one command layer, and
 * the notifier that keeps their cards in step with the ledger's events. HTTP-mode surfaces hand
 * back the routes the service's HTTP server mounts.
 */
export async function startChat(d: ChatDeps): Promise<RunningChat> {
  const commands = new ChatCommands(d.registry);
  const routes = new Map<string, RequestListener>();
  const remember = (key: string, expiresAt: Date) => d.ledger.recordIdempotencyKey(key, expiresAt);
  const surfaces: CardSurface[] = [];
  const slackQueue = new ChannelQueue(SLACK_CHANNEL_SPACING_MS);
  const work = new WorkQueue(CHAT_WORK_CONCURRENCY);
  const slack = d.config.slack
    ? createSlackSurface(d.config.slack, d.chatPolicy.policy, commands, remember, work, d.log)
    : null;
  if (slack) {
    if (slack.requestListener) routes.set(SLACK_EVENTS_PATH, slack.requestListener);
    slack.client.on(WebClientEvent.RATE_LIMITED, () => slackQueue.countRateLimited());
    surfaces.push(new SlackCards(slack.client, slackQueue));
    await slack.start();
    d.log.info({ mode: d.config.slack?.mode }, 'Slack surface on');
  }
  const discordQueue = new ChannelQueue(DISCORD_CHANNEL_SPACING_MS);
  const discord = d.config.discord ? new DiscordRest(d.config.discord) : null;
  if (d.config.discord && discord) {
    routes.set(
      DISCORD_INTERACTIONS_PATH,
      discordInteractions({ config: d.config.discord, commands, rest: discord, remember, work, log: d.log }),
    );
    surfaces.push(new DiscordCards(discord, discordQueue));
    d.log.info({}, 'Discord surface on (HTTP interactions)');
  }
  const stopNotifier = surfaces.length ? await startNotifier(d, surfaces) : async () => {};
  return {
    routes,
    slack,
    rateLimited: () => ({ slack: slackQueue.rateLimited, discord: discord?.rateLimited ?? 0 }),
    stop: async () => {
      await stopNotifier();
      await slack?.stop();
    },
  };
}

async function startNotifier(d: ChatDeps, surfaces: CardSurface[]): Promise<() => Promise<void>> {
  const onError = (err: unknown) => d.log.error({ err }, 'chat card update failed');
  const throttle = new Throttle(CARD_EDIT_INTERVAL_MS, onError);
  const notifier = new ChatNotifier({
    ledger: d.ledger,
    routing: d.chatPolicy.routing,
    surfaces,
    store: await CardStore.open(d.nc, d.prefix),
    throttle,
  });
  const jsm = await ensureStreams(d.nc, d.prefix);
  const stop = await consumeDurable(
    d.nc,
    jsm,
    eventsStream(d.prefix),
    'chat-notifier',
    `${d.prefix}.evt.>`,
    (m) => notifier.handle(m),
    onError,
    10_000,
    'new', // a first start does not replay history into chat
  );
  return async () => {
    await stop();
    await throttle.flush();
  };
}
