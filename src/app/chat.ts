import type { RequestListener } from 'node:http';
import type { JsMsg } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { WebClientEvent } from '@slack/web-api';
import { backoff, consumeDurable } from '../bus/durable-consumer.ts';
import { NatsCardStore } from '../bus/nats-card-store.ts';
import { ensureStreams, eventsStream, mailStream } from '../bus/streams.ts';
import { gateProgressWildcard } from '../bus/subjects.ts';
import type { CardStore } from '../chat/card-store.ts';
import type { CardSurface } from '../chat/card-surface.ts';
import { approvalClickCommand, parseApprovalClick } from '../chat/cards/approval-model.ts';
import { ChannelQueue } from '../chat/channel-queue.ts';
import { ChatCommands } from '../chat/chat-commands.ts';
import { DiscordCards } from '../chat/discord/discord-cards.ts';
import { DiscordDirect } from '../chat/discord/discord-mail.ts';
import { DiscordRest } from '../chat/discord/discord-rest.ts';
import { connectDiscordGateway, type DiscordGateway } from '../chat/discord/gateway.ts';
import { DISCORD_INTERACTIONS_PATH, discordInteractions } from '../chat/discord/interactions.ts';
import { type DirectMessages, HumanMail } from '../chat/human-mail.ts';
import { ChatNotifier } from '../chat/notifier.ts';
import { APPROVAL_ACTION } from '../chat/slack/approval-card.ts';
import { registerBudgetActions } from '../chat/slack/budget-actions.ts';
import { registerCardClicks } from '../chat/slack/card-clicks.ts';
import { registerPlanActions } from '../chat/slack/plan-actions.ts';
import { createSlackSurface, SLACK_EVENTS_PATH, type SlackSurface } from '../chat/slack/slack-app.ts';
import { SlackCards } from '../chat/slack/slack-cards.ts';
import { registerMailReplies, SlackDirect } from '../chat/slack/slack-mail.ts';
import { Throttle } from '../chat/throttle.ts';
import { WorkQueue } from '../chat/work-queue.ts';
import type { CommandRegistry } from '../commands/registry.ts';
import { parseGateProgress } from '../domain/gate-progress.ts';
import type { Ledger } from '../ledger/port.ts';
import type { ChatConfig } from './chat-config.ts';
import type { ReadinessCheck } from './http-server.ts';
import type { Logger } from './logger.ts';
import type { ServiceMetrics } from './metrics.ts';
import type { ChatPolicy } from './policy-file.ts';

export interface RunningChat {
  routes: Map<string, RequestListener>;
  /** /readyz checks of the chat adapters that hold a connection. */
  checks: ReadinessCheck[];
  slack: SlackSurface | null;
  stop(): Promise<void>;
}

const CARD_EDIT_INTERVAL_MS = 2_000;
/** Chat requests doing their work at once; the rest wait, acknowledged (see work-queue.ts). */
const CHAT_WORK_CONCURRENCY = 2;
/** Slack allows about one message per second per channel; Discord about 5 per 5 s. */
const CHANNEL_SPACING_MS = 1_000;

export interface ChatDeps {
  config: ChatConfig;
  chatPolicy: ChatPolicy;
  registry: CommandRegistry;
  ledger: Ledger;
  nc: NatsConnection;
  prefix: string;
  /** GT_NATS_REPLICAS: copies of the streams and the card store's KV bucket. */
  replicas: number;
  log: Logger;
  metrics: ServiceMetrics;
  /** GT_MQ_MAX_WAIT in ms: merge-queue cards show the queue in the order `gt mq list` does. */
  mqMaxWaitMs?: number;
}

/**
 * The chat side of `gt up`: whichever platforms are configured, over the one command layer; the
 * notifier that keeps their cards in step with the ledger's events; and the courier of mail to
 * people. HTTP-mode surfaces hand back the routes the service's HTTP server mounts.
 */
export async function startChat(d: ChatDeps): Promise<RunningChat> {
  const routes = new Map<string, RequestListener>();
  const checks: ReadinessCheck[] = [];
  if (!d.config.slack && !d.config.discord) return { routes, checks, slack: null, stop: async () => {} };
  const commands = new ChatCommands(d.registry);
  const remember = (key: string, expiresAt: Date) => d.ledger.recordIdempotencyKey(key, expiresAt);
  const work = new WorkQueue(CHAT_WORK_CONCURRENCY);
  const store = await NatsCardStore.open(d.nc, d.prefix, d.replicas);
  const surfaces: CardSurface[] = [];
  const direct: DirectMessages[] = [];
  const slackQueue = new ChannelQueue(CHANNEL_SPACING_MS);
  // A plan card's click refused as out of date redraws the card; the notifier doing it starts
  // after the surfaces it draws on.
  let notifier: ChatNotifier | null = null;
  const redrawPlan = (id: string) => notifier?.redrawPlan(id);
  const redrawBudget = (id: string) => notifier?.redrawBudget(id);
  const slack = d.config.slack
    ? createSlackSurface(d.config.slack, d.chatPolicy.policy, commands, remember, work, d.log, (code) =>
        d.metrics.chatApiErrors.inc({ platform: 'slack', code }),
      )
    : null;
  if (slack) {
    registerMailReplies(slack.app, { commands, directory: slack.directory, store, remember, work });
    registerPlanActions(slack.app, {
      commands,
      directory: slack.directory,
      remember,
      work,
      redraw: redrawPlan,
    });
    // Budget cards (gt convoy budget --extend|--stop), as the clicking person.
    registerBudgetActions(slack.app, {
      commands,
      directory: slack.directory,
      remember,
      work,
      redraw: redrawBudget,
    });
    // Permission requests' cards (gt approval allow|deny), as the clicking person.
    registerCardClicks(
      slack.app,
      APPROVAL_ACTION,
      (v) => {
        const click = parseApprovalClick(v);
        return click && approvalClickCommand(click);
      },
      { commands, directory: slack.directory, remember, work },
    );
    if (slack.requestListener) routes.set(SLACK_EVENTS_PATH, slack.requestListener);
    checks.push({ name: 'slack', check: async () => healthy(slack.health()) });
    slack.client.on(WebClientEvent.RATE_LIMITED, () => d.metrics.chatRateLimited.inc({ platform: 'slack' }));
    surfaces.push(new SlackCards(slack.client, slackQueue));
    direct.push(new SlackDirect(slack.client));
    await slack.start();
    d.log.info({ mode: d.config.slack?.mode }, 'Slack surface on');
  }
  const discord = d.config.discord
    ? new DiscordRest(
        d.config.discord,
        () => d.metrics.chatRateLimited.inc({ platform: 'discord' }),
        (code) => d.metrics.chatApiErrors.inc({ platform: 'discord', code }),
      )
    : null;
  let gateway: DiscordGateway | null = null;
  if (d.config.discord && discord) {
    const interactions = { commands, rest: discord, remember, work, store, redrawPlan, redrawBudget };
    if (d.config.discord.mode === 'gateway') {
      const session = await connectDiscordGateway({
        ...interactions,
        botToken: d.config.discord.botToken,
        log: d.log,
      });
      gateway = session;
      checks.push({ name: 'discord', check: async () => healthy(session.health()) });
    } else
      routes.set(
        DISCORD_INTERACTIONS_PATH,
        discordInteractions({ ...interactions, publicKey: d.config.discord.publicKey, log: d.log }),
      );
    surfaces.push(new DiscordCards(discord, new ChannelQueue(CHANNEL_SPACING_MS)));
    direct.push(new DiscordDirect(discord));
    d.log.info({ mode: d.config.discord.mode }, 'Discord surface on');
  }
  const started = await startNotifier(d, surfaces, store);
  notifier = started.notifier;
  const humanMail = new HumanMail(d.chatPolicy.people, direct, store);
  const stopMail = await follow(
    d,
    mailStream(d.prefix),
    'chat-mail',
    `${d.prefix}.mail.human.>`,
    (m) => humanMail.handle(m),
    'all',
  );
  return {
    routes,
    checks,
    slack,
    stop: async () => {
      await stopMail();
      await started.stop();
      await slack?.stop();
      await gateway?.stop();
    },
  };
}

/** A post the platform keeps refusing is retried ever less often, at most every 5 minutes. */
const CHAT_RETRY_DELAY = backoff(5 * 60_000);

async function startNotifier(
  d: ChatDeps,
  surfaces: CardSurface[],
  store: CardStore,
): Promise<{ notifier: ChatNotifier; stop: () => Promise<void> }> {
  const throttle = new Throttle(CARD_EDIT_INTERVAL_MS, (err) =>
    d.log.error({ err }, 'chat card edit failed'),
  );
  const notifier = new ChatNotifier({
    ledger: d.ledger,
    routing: d.chatPolicy.routing,
    surfaces,
    store,
    throttle,
    ...(d.mqMaxWaitMs !== undefined && { mqMaxWaitMs: d.mqMaxWaitMs }),
  });
  // A first start does not replay the town's history into chat.
  const stop = await follow(
    d,
    eventsStream(d.prefix),
    'chat-notifier',
    `${d.prefix}.evt.>`,
    (m) => notifier.handle(m),
    'new',
  );
  const progress = d.nc.subscribe(gateProgressWildcard(d.prefix), {
    callback: (err, msg) => {
      const p = err ? null : parseGateProgress(safeJson(msg.string()));
      if (p) notifier.progress(p);
    },
  });
  return {
    notifier,
    stop: async () => {
      progress.unsubscribe();
      await stop();
      await throttle.flush();
    },
  };
}

function healthy(state: string): void {
  if (state !== 'ok') throw new Error(state);
}

/** A durable consumer shared by the replicas (each message handled by one), retried on failure. */
async function follow(
  d: ChatDeps,
  stream: string,
  durable: string,
  subject: string,
  handle: (m: JsMsg) => Promise<void>,
  startAt: 'all' | 'new',
): Promise<() => Promise<void>> {
  const jsm = await ensureStreams(d.nc, d.prefix, d.replicas);
  const onError = (err: unknown, deliveries: number) =>
    d.log.error(
      { err, deliveries },
      `${durable} failed; it will be retried in ${CHAT_RETRY_DELAY(deliveries) / 1000} s`,
    );
  return consumeDurable(d.nc, jsm, stream, durable, subject, handle, onError, {
    ackWaitMs: 10_000,
    startAt,
    retryDelayMs: CHAT_RETRY_DELAY,
  });
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
