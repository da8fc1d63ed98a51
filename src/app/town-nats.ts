import { join } from 'node:path';
import type { NatsCredentials } from '../bus/credentials.ts';
import { startNatsServer } from '../bus/nats-server-process.ts';
import { NatsUsers, type RigSlots } from '../bus/nats-users.ts';
import { namedOperators } from '../domain/policy.ts';
import { polecatNames } from '../domain/sling.ts';
import type { Ledger } from '../ledger/port.ts';
import type { ServiceConfig } from './config.ts';
import type { ShutdownSteps } from './shutdown-steps.ts';

/** The NATS the service uses, how it logs in, and how to keep the users in step with the rigs. */
export interface TownNats {
  url: string;
  credentials: NatsCredentials | undefined;
  /** After a rig is added: its runner and polecat users exist (and work) before this resolves. */
  rigsChanged(): Promise<void>;
}

/**
 * GT_NATS_URL: that server, as it is configured (docs/nats-auth.md gives the equivalent user
 * setup). Otherwise an embedded nats-server whose users are generated from the ledger's rigs
 * (unless GT_NATS_AUTH=off), reloaded whenever a rig is added.
 */
export async function townNats(
  config: ServiceConfig,
  ledger: Ledger,
  undo: ShutdownSteps,
): Promise<TownNats> {
  const unchanged = async () => {};
  if (config.natsUrl) return { url: config.natsUrl, credentials: config.natsLogin, rigsChanged: unchanged };
  const users = config.natsAuth ? NatsUsers.open(config.home, config.subjectPrefix) : null;
  const operators = namedOperators(config.chatPolicy.policy);
  const authorization = users?.sync(await rigSlots(ledger), operators);
  const server = await startNatsServer({
    storeDir: join(config.home, 'nats'),
    ...(authorization && { authorization }),
  });
  undo.add('stopping the embedded nats-server', () => server.stop());
  if (!users) return { url: server.url, credentials: undefined, rigsChanged: unchanged };
  return {
    url: server.url,
    credentials: users.service,
    rigsChanged: async () => server.reconfigure(users.sync(await rigSlots(ledger), operators)),
  };
}

async function rigSlots(ledger: Ledger): Promise<RigSlots[]> {
  return (await ledger.listRigs()).map((r) => ({ rig: r.name, polecats: polecatNames(r.max_polecats) }));
}
