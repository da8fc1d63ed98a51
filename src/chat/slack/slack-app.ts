import type { RequestListener } from 'node:http';
import { App, LogLevel, SocketModeReceiver } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { Logger } from 'pino';
import type { Policy } from '../../domain/policy.ts';
import { gateClickCommand, parseGateClick } from '../cards/gate-model.ts';
import { clickCommand, parseClick } from '../cards/queue-buttons.ts';
import type { ChatCommands } from '../chat-commands.ts';
import type { SlackConfig } from '../platform-config.ts';
import type { WorkQueue } from '../work-queue.ts';
import { boltLogger } from './bolt-logger.ts';
import { registerCardClicks } from './card-clicks.ts';
import { CountingWebClient, type OnSlackError } from './counting-client.ts';
import { SlackDirectory } from './directory.ts';
import { EarlyAckReceiver } from './early-ack-receiver.ts';
import { registerEscalationActions } from './escalation-actions.ts';
import { GATE_ACTION } from './gate-card.ts';
import { QUEUE_ACTION } from './queue-card.ts';
import type { Remember } from './request-guard.ts';
import { registerSlashCommands } from './slash-commands.ts';

export interface SlackSurface {
  client: WebClient;
  directory: SlackDirectory;
  /** HTTP mode: the handler for `/slack/events` on the service's HTTP server. */
  requestListener: RequestListener | null;
  /** Extra listeners (buttons, modals) register here before `start`. */
  app: App;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** For /readyz: 'ok', or why Slack cannot reach us now (Socket Mode disconnected). */
  health(): string;
}

export const SLACK_EVENTS_PATH = '/slack/events';

/**
 * The Slack surface through Bolt (issue 6 item 1): Socket Mode or HTTP, by configuration. In
 * HTTP mode the receiver (early-ack-receiver.ts: v0 signature, 5-minute window both ways, an
 * immediate acknowledgement) is mounted on the service's own HTTP server (one port).
 */
export function createSlackSurface(
  config: SlackConfig,
  policy: Policy,
  commands: ChatCommands,
  remember: Remember,
  work: WorkQueue,
  log: Logger,
  onApiError: OnSlackError = () => {},
): SlackSurface {
  const clientOptions = {
    slackApiUrl: config.apiUrl.endsWith('/') ? config.apiUrl : `${config.apiUrl}/`,
    // Escalations 30 minutes late are useless (ecosystem.md §1.8): give up after about 5.
    retryConfig: { retries: 5, factor: 2, minTimeout: 1000, maxTimeout: 60_000 },
  };
  const common = {
    token: config.botToken,
    // No auth.test round trip at start; we listen to commands and actions only, never to messages.
    tokenVerificationEnabled: false,
    // Without both ids Bolt 5.1 calls auth.test before EVERY request (its singleAuthorization
    // overwrites its own cache each call): an extra Web API round trip per command and click.
    // They only serve ignoreSelf and mention matching, which we do not use.
    botId: '',
    botUserId: '',
    ignoreSelf: false,
    // Our logger, not Bolt's console: what Bolt logs (errors holding the token) is redacted too.
    logger: boltLogger(log),
    logLevel: LogLevel.WARN,
    clientOptions,
  };
  let receiver: EarlyAckReceiver | null = null;
  let socketState = 'Socket Mode not connected yet';
  let app: App;
  if (config.mode === 'http') {
    receiver = new EarlyAckReceiver(config.signingSecret, (err) => log.warn({ err }, 'Slack request failed'));
    app = new App({ ...common, receiver });
  } else {
    // The Socket Mode client opens its connection with its own Web API client: point it too.
    // Socket Mode ignores logLevel when given a logger: the level is set on the logger itself.
    const socketLog = boltLogger(log, 'slack-socket-mode');
    socketLog.setLevel(LogLevel.WARN);
    const socket = new SocketModeReceiver({
      appToken: config.appToken as string,
      logger: socketLog,
      installerOptions: { clientOptions },
    });
    app = new App({ ...common, receiver: socket });
    socket.client.on('connected', () => {
      socketState = 'ok';
    });
    for (const state of ['disconnected', 'reconnecting'])
      socket.client.on(state, () => {
        socketState = `Socket Mode ${state}`;
      });
  }
  // A listener that throws: one line through our (redacting) logger. Bolt's default handler logs
  // with its console logger and rethrows, so the receiver logged the same failure a second time;
  // the request is acknowledged either way (the early ack, or the receiver's fallback).
  app.error(async (error) => {
    const { original } = error as { original?: unknown };
    log.error(
      { err: original instanceof Error ? original : error, code: error.code },
      'Slack listener failed',
    );
  });
  // Bolt keeps a Web API client pool per workspace in a plain object indexed by the payload's team
  // id: team_id "constructor" or "__proto__" found Object.prototype's members there and the request
  // failed before any listener ran, unanswered (found by fuzzing). Without a prototype they are keys.
  const pools = (app as unknown as { clients?: unknown }).clients;
  if (typeof pools === 'object' && pools !== null) Object.setPrototypeOf(pools, null);
  app.use(async ({ body, next }) => {
    const b = body as { api_app_id?: string; team_id?: string; team?: { id?: string } };
    const team = b.team_id ?? b.team?.id;
    if ((config.appId && b.api_app_id !== config.appId) || (config.teamId && team !== config.teamId)) {
      log.warn({ app: b.api_app_id, team }, 'Slack request from another app or workspace ignored');
      return;
    }
    await next();
  });
  // Our outbound calls go through a client that counts failures (Bolt keeps its own for acks).
  // Its warnings (retries, rate limits) go through our logger too; a WebClient given a logger
  // leaves its level alone, so it is set here.
  const webLog = boltLogger(log, 'slack-web-api');
  webLog.setLevel(LogLevel.WARN);
  const client = new CountingWebClient(config.botToken, { ...clientOptions, logger: webLog }, onApiError);
  const directory = new SlackDirectory(client, policy);
  registerSlashCommands(app, commands, directory, remember, work);
  registerEscalationActions(app, commands, directory, remember, work);
  // Merge-queue cards (gt mq …) and human gates' cards (gt gate approve).
  const clicks = { commands, directory, remember, work };
  registerCardClicks(
    app,
    QUEUE_ACTION,
    (v) => {
      const click = parseClick(v);
      return click && clickCommand(click);
    },
    clicks,
  );
  registerCardClicks(
    app,
    GATE_ACTION,
    (v) => {
      const click = parseGateClick(v);
      return click && gateClickCommand(click);
    },
    clicks,
  );
  return {
    app,
    client,
    directory,
    requestListener: receiver ? receiver.requestListener : null,
    start: async () => {
      if (config.mode === 'socket') await app.start();
    },
    stop: async () => {
      if (config.mode === 'socket') await app.stop();
    },
    // In HTTP mode Slack calls us: ready as soon as the HTTP server is.
    health: () => (config.mode === 'socket' ? socketState : 'ok'),
  };
}
