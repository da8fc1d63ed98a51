import { MAYOR } from '../domain/agent-address.ts';
import { dispatchStream, livenessBucket, mailDurable, mailStream } from './streams.ts';
import {
  controlSubject,
  dispatchSubject,
  heartbeatSubject,
  type Identity,
  identifiedApiSubject,
  inboxPrefixFor,
  mailSubject,
  nudgeSubject,
} from './subjects.ts';

/**
 * What each NATS user may do, in nats-server's permission syntax. The kinds of user:
 *  - the service and the town's operator: everything (they run the command layer and the CLI);
 *  - a named operator (policy file `cli.users`): its own API subject and reply inbox — the
 *    command layer decides what its roles allow;
 *  - a rig runner: its rig's dispatch queue, its rig's process reports, its own API subject;
 *  - an agent (one polecat slot `<rig>/<name>`, or the Mayor): its own mail consumer, nudges,
 *    heartbeats and API subject, replies to its own inbox — nothing of anyone else's.
 * JetStream is reached through `$JS.API.*` request subjects, so confining a consumer means naming
 * the consumer (and, for creation, its filter subject) in the allowed subject. Consumer creation
 * uses the subject form that carries the filter (`CONSUMER.CREATE.<stream>.<name>.<filter>`,
 * nats-server ≥ 2.9), which the server checks against the request body: an agent cannot create
 * "its" consumer over someone else's mail.
 */
export interface Permissions {
  publish: { allow: string[] };
  subscribe: { allow: string[] };
  /** May answer requests it received (nudges), on the reply subject only. */
  allow_responses?: boolean;
}

export function permissionsFor(prefix: string, identity: Identity): Permissions {
  switch (identity.kind) {
    case 'agent':
      return agentPermissions(prefix, identity);
    case 'mayor':
      return mayorPermissions(prefix);
    case 'runner':
      return runnerPermissions(prefix, identity.rig);
    case 'operator':
      return {
        publish: { allow: [apiRequests(prefix, identity)] },
        subscribe: { allow: [`${inboxPrefixFor(prefix, identity)}.>`] },
      };
  }
}

/** Using one durable consumer: read its state, create it over `filter`, pull and acknowledge. */
function consumerUse(stream: string, durable: string, filter: string): string[] {
  return [
    `$JS.API.CONSUMER.INFO.${stream}.${durable}`,
    `$JS.API.CONSUMER.CREATE.${stream}.${durable}.${filter}`,
    `$JS.API.CONSUMER.MSG.NEXT.${stream}.${durable}`,
    `$JS.ACK.${stream}.${durable}.>`,
  ];
}

function agentPermissions(prefix: string, id: Extract<Identity, { kind: 'agent' }>): Permissions {
  const address = `${id.rig}/${id.name}`;
  return {
    publish: {
      allow: [
        apiRequests(prefix, id),
        heartbeatSubject(prefix, id.rig, id.name),
        '$JS.API.INFO',
        ...consumerUse(mailStream(prefix), mailDurable(address), mailSubject(prefix, address)),
      ],
    },
    subscribe: { allow: [`${inboxPrefixFor(prefix, id)}.>`, nudgeSubject(prefix, address)] },
    allow_responses: true,
  };
}

/** Like a polecat's, under the Mayor's own subjects (no heartbeat subject: no runner watches it). */
function mayorPermissions(prefix: string): Permissions {
  const id: Identity = { kind: 'mayor' };
  return {
    publish: {
      allow: [
        apiRequests(prefix, id),
        '$JS.API.INFO',
        ...consumerUse(mailStream(prefix), mailDurable(MAYOR), mailSubject(prefix, MAYOR)),
      ],
    },
    subscribe: { allow: [`${inboxPrefixFor(prefix, id)}.>`, nudgeSubject(prefix, MAYOR)] },
    allow_responses: true,
  };
}

function runnerPermissions(prefix: string, rig: string): Permissions {
  const id: Identity = { kind: 'runner', rig };
  const bucket = `KV_${livenessBucket(prefix)}`;
  return {
    publish: {
      allow: [
        apiRequests(prefix, id),
        heartbeatSubject(prefix, rig, '*'),
        '$JS.API.INFO',
        `$JS.API.STREAM.INFO.${dispatchStream(prefix)}`,
        ...consumerUse(dispatchStream(prefix), `runner-${rig}`, dispatchSubject(prefix, rig)),
        // Its polecats' process reports: written under the rig's keys, read back after a restart.
        `$KV.${livenessBucket(prefix)}.${rig}.*`,
        `$JS.API.STREAM.INFO.${bucket}`,
        // Reads name the key in the body, not the subject: any process report may be read (pids
        // and agent names, no secrets); writes stay confined to the rig's keys above.
        `$JS.API.DIRECT.GET.${bucket}.$KV.${livenessBucket(prefix)}.${rig}.*`,
        `$JS.API.STREAM.MSG.GET.${bucket}`,
        // No consumer on the bucket: a restarted runner reads its rig's slot keys one by one, so
        // it cannot create, read or delete anyone's consumer (the service's watch included).
      ],
    },
    subscribe: { allow: [`${inboxPrefixFor(prefix, id)}.>`, controlSubject(prefix, rig)] },
  };
}

/** Every verb, on the identity's own API subject (the API server refuses a claimed other actor). */
const apiRequests = (prefix: string, id: Identity): string => identifiedApiSubject(prefix, id, '>');
