import { type ConnectionOptions, connect, type NatsConnection } from '@nats-io/transport-node';
import type { NatsCredentials } from './credentials.ts';

/**
 * How a connection authenticates and where its replies arrive: identified callers (agents,
 * runners) use their own inbox prefix, the only one their permissions let them subscribe to.
 */
export interface ConnectAs {
  credentials?: NatsCredentials | undefined;
  inboxPrefix?: string | undefined;
}

const asOptions = (as: ConnectAs): Partial<ConnectionOptions> => ({
  ...(as.credentials && { user: as.credentials.user, pass: as.credentials.pass }),
  ...(as.inboxPrefix && { inboxPrefix: as.inboxPrefix }),
});

/**
 * Opens a NATS connection for a long-lived process: reconnect forever (the default gives up after
 * ~10 attempts and then closes for good) and wait for the first connect instead of failing.
 */
export function connectService(url: string, name: string, as: ConnectAs = {}): Promise<NatsConnection> {
  return connect({
    servers: url.split(','),
    name,
    maxReconnectAttempts: -1,
    waitOnFirstConnect: true,
    reconnectTimeWait: 500,
    ...asOptions(as),
  });
}

const CONNECT_TIMEOUT_MS = 15_000;

/**
 * A client: fail fast when nothing listens (a refused connection fails at once, whatever the
 * timeout). A one-shot CLI call gives up on a lost connection; a session (`gt convoy watch`,
 * `gt demo`) rides out a NATS restart (`reconnect`).
 *
 * The handshake may take CONNECT_TIMEOUT_MS: an agent's `gt` starved of CPU on a saturated machine
 * (its polecat runs at low priority) needed more than the 2 s it had, exited 3 without reaching
 * the service, and the witness then rightly respawned its polecat (fleet benchmark).
 */
export function connectClient(
  url: string,
  name: string,
  as: ConnectAs = {},
  reconnect = false,
): Promise<NatsConnection> {
  return connect({
    servers: url.split(','),
    name,
    timeout: CONNECT_TIMEOUT_MS,
    maxReconnectAttempts: reconnect ? -1 : 0,
    reconnectTimeWait: 500,
    ...asOptions(as),
  });
}
