import type { Actor } from '../domain/actor.ts';
import { MAYOR } from '../domain/agent-address.ts';
import { FULL_OPERATOR } from '../domain/policy.ts';

/**
 * NATS subject names (DESIGN.md §4). Every subject starts with a configurable prefix so two towns
 * can share one NATS server. Variable tokens are validated ids (no dots or wildcards).
 */
export const DEFAULT_SUBJECT_PREFIX = 'gt';

/** `bd dep add` → `gt.api.bd.dep.add` */
export const apiSubject = (prefix: string, verb: string): string =>
  `${prefix}.api.${verb.split(' ').join('.')}`;

export const apiWildcard = (prefix: string): string => `${prefix}.api.>`;

/** The inverse of apiSubject: the verb a request subject names. */
export const verbFromApiSubject = (prefix: string, subject: string): string =>
  subject.slice(`${prefix}.api.`.length).split('.').join(' ');

/**
 * Who a connection speaks for, when that is narrower than "anyone": a polecat or other agent
 * (`<rig>/<name>`), the Mayor, a rig runner, or a CLI operator user the policy file names.
 * Identified callers send their API requests on `<prefix>.as.<identity>.<verb>` instead of
 * `<prefix>.api.<verb>`, so NATS authorization (nats-permissions.ts) can confine each to its own
 * subjects and the API server knows the caller from the subject, not from the body.
 */
export type Identity =
  | { kind: 'agent'; rig: string; name: string }
  | { kind: 'mayor' }
  | { kind: 'runner'; rig: string }
  | { kind: 'operator'; name: string };

/** Subject tokens a NATS permission can name exactly: no dots, wildcards or spaces. */
const TOKEN = /^[A-Za-z0-9_-]+$/;

function identityTokens(id: Identity): string {
  switch (id.kind) {
    case 'agent':
      return `agent.${id.rig}.${id.name}`;
    case 'mayor':
      return 'mayor';
    case 'runner':
      return `runner.${id.rig}`;
    case 'operator':
      return `operator.${id.name}`;
  }
}

/** An agent address (`rig/name`, `mayor/`) as an identity, or null when it cannot be one. */
function agentIdentity(address: string): Identity | null {
  if (address === MAYOR) return { kind: 'mayor' };
  const [rig, name, ...rest] = address.split('/');
  return rig && name && rest.length === 0 && TOKEN.test(rig) && TOKEN.test(name)
    ? { kind: 'agent', rig, name }
    : null;
}

/** A rig runner's actor id is `runner:<rig>`. */
const RUNNER_ACTOR = 'runner:';

/**
 * The identity an actor's requests travel under, if it has one: agents, rig runners and named
 * operators. The town's full operator has none: its user may publish anywhere, so it speaks on
 * the plain `<prefix>.api.<verb>` subjects.
 */
export function identityOf(actor: Pick<Actor, 'kind' | 'id' | 'operator'>): Identity | null {
  if (actor.kind === 'agent') return agentIdentity(actor.id);
  if (actor.kind === 'human')
    return actor.operator && actor.operator !== FULL_OPERATOR && TOKEN.test(actor.operator)
      ? { kind: 'operator', name: actor.operator }
      : null;
  const rig = actor.id.startsWith(RUNNER_ACTOR) && actor.id.slice(RUNNER_ACTOR.length);
  return rig && TOKEN.test(rig) ? { kind: 'runner', rig } : null;
}

export function actorOf(id: Identity): Actor {
  switch (id.kind) {
    case 'agent':
      return { kind: 'agent', id: `${id.rig}/${id.name}` };
    case 'mayor':
      return { kind: 'agent', id: MAYOR };
    case 'runner':
      return { kind: 'system', id: `${RUNNER_ACTOR}${id.rig}` };
    case 'operator':
      return { kind: 'human', id: id.name, operator: id.name };
  }
}

export const identifiedApiSubject = (prefix: string, id: Identity, verb: string): string =>
  `${prefix}.as.${identityTokens(id)}.${verb.split(' ').join('.')}`;

export const identifiedApiWildcard = (prefix: string): string => `${prefix}.as.>`;

/** The inverse of identifiedApiSubject; null for a subject that names no identity. */
export function parseIdentifiedSubject(
  prefix: string,
  subject: string,
): { identity: Identity; verb: string } | null {
  const tokens = subject.slice(`${prefix}.as.`.length).split('.');
  const [kind, first, second] = tokens;
  const verbFrom = (n: number) => tokens.slice(n).join(' ');
  if (kind === 'agent' && first && second && tokens.length > 3)
    return { identity: { kind, rig: first, name: second }, verb: verbFrom(3) };
  if (kind === 'mayor' && tokens.length > 1) return { identity: { kind }, verb: verbFrom(1) };
  if (kind === 'runner' && first && tokens.length > 2)
    return { identity: { kind, rig: first }, verb: verbFrom(2) };
  if (kind === 'operator' && first && tokens.length > 2)
    return { identity: { kind, name: first }, verb: verbFrom(2) };
  return null;
}

/**
 * The reply inbox prefix of an identified connection: its requests' replies arrive under it, and
 * its permissions let it subscribe there only — never to another caller's replies.
 */
export const inboxPrefixFor = (prefix: string, id: Identity): string =>
  `_INBOX.${prefix}.${identityTokens(id)}`;

/** Queue group shared by every service replica answering the API. */
export const API_QUEUE = 'gt-api';

/** Orders to a rig's runners (`{"stop": agent, "bead": id}`): core pub/sub, every runner of the rig hears it. */
export const controlSubject = (prefix: string, rig: string): string => `${prefix}.control.${rig}`;

/** The gate a rig's merge queue runs now (domain/gate-progress.ts); the service's own subject. */
export const gateProgressSubject = (prefix: string, rig: string): string => `${prefix}.mq.progress.${rig}`;
export const gateProgressWildcard = (prefix: string): string => `${prefix}.mq.progress.*`;

export interface StopOrder {
  stop: string;
  bead: string;
}

/**
 * The rest of the town's subjects, built here and nowhere else: the NATS permissions of each
 * user (nats-permissions.ts) are derived from these same builders, so what a polecat may publish
 * and what the service listens on cannot drift apart.
 */

/** An address's last two tokens: `<rig>/<name>` → `rig.name`; `mayor/` → `town.mayor`; `human:<id>` → `human.id`. */
function addressTokens(address: string): string {
  if (address === 'mayor/') return 'town.mayor';
  const [kind, id] = address.includes(':') ? address.split(':') : address.split('/');
  return `${kind}.${id}`;
}

/** `<rig>/<name>` → `gt.mail.<rig>.<name>`; `mayor/` → `gt.mail.town.mayor`; `human:<id>` → `gt.mail.human.<id>`. */
export const mailSubject = (prefix: string, address: string): string =>
  `${prefix}.mail.${addressTokens(address)}`;
/** `<rig>/<name>` → `gt.nudge.<rig>.<name>`, and so on as mail. */
export const nudgeSubject = (prefix: string, address: string): string =>
  `${prefix}.nudge.${addressTokens(address)}`;
/** A polecat's process reports and heartbeats; `name` may be `*` (a runner writes its rig's). */
export const heartbeatSubject = (prefix: string, rig: string, name: string): string =>
  `${prefix}.hb.${rig}.${name}`;
/** A ledger event: `<prefix>.evt.<type>.<rig|town>`; `type`/`rig` may be `*` in a filter. */
export const eventSubject = (prefix: string, type: string, rig: string | null): string =>
  `${prefix}.evt.${type}.${rig ?? 'town'}`;
/** Every event of one type, whatever its rig (a durable consumer's filter). */
export const eventTypeFilter = (prefix: string, type: string): string => `${prefix}.evt.${type}.>`;
export const dispatchSubject = (prefix: string, rig: string): string => `${prefix}.dispatch.${rig}`;
/** What each stream stores. */
export const STREAM_SUBJECTS = {
  events: (prefix: string) => `${prefix}.evt.>`,
  dispatch: (prefix: string) => `${prefix}.dispatch.>`,
  mail: (prefix: string) => `${prefix}.mail.>`,
};
