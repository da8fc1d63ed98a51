import { connect, type NatsConnection } from '@nats-io/transport-node';

/**
 * Opens a NATS connection for a long-lived process: reconnect forever (the default gives up after
 * ~10 attempts and then closes for good) and wait for the first connect instead of failing.
 */
export function connectService(url: string, name: string): Promise<NatsConnection> {
  return connect({
    servers: url.split(','),
    name,
    maxReconnectAttempts: -1,
    waitOnFirstConnect: true,
    reconnectTimeWait: 500,
  });
}

/** A short-lived client (a CLI call): fail fast when nothing listens. */
export function connectClient(url: string, name: string): Promise<NatsConnection> {
  return connect({ servers: url.split(','), name, maxReconnectAttempts: 0, timeout: 2000 });
}
