import type { Actor } from '../domain/actor.ts';

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
 * Who a connection speaks for, when that is narrower than "anyone": a polecat (`<rig>/<name>`)
 * or a rig runner. Identified callers send their API requests on `<prefix>.as.<identity>.<verb>`
 * instead of `<prefix>.api.<verb>`, so NATS authorization (nats-permissions.ts) can confine each
 * to its own subjects and the API server knows the caller from the subject, not from the body.
 */
export type Identity = { kind: 'agent'; rig: string; name: string } | { kind: 'runner'; rig: string };

/** Subject tokens a NATS permission can name exactly: no dots, wildcards or spaces. */
const TOKEN = /^[A-Za-z0-9_-]+$/;

const identityTokens = (id: Identity): string =>
  id.kind === 'agent' ? `agent.${id.rig}.${id.name}` : `runner.${id.rig}`;

/** An agent address (`rig/name`) as an identity, or null when it cannot be one (`mayor/`, odd names). */
function agentIdentity(address: string): Identity | null {
  const [rig, name, ...rest] = address.split('/');
  return rig && name && rest.length === 0 && TOKEN.test(rig) && TOKEN.test(name)
    ? { kind: 'agent', rig, name }
    : null;
}

/** A rig runner's actor id is `runner:<rig>`. */
const RUNNER_ACTOR = 'runner:';

/** The identity an actor's requests travel under, if it has one (agents and rig runners). */
export function identityOf(actor: Pick<Actor, 'kind' | 'id'>): Identity | null {
  if (actor.kind === 'agent') return agentIdentity(actor.id);
  const rig =
    actor.kind === 'system' && actor.id.startsWith(RUNNER_ACTOR) && actor.id.slice(RUNNER_ACTOR.length);
  return rig && TOKEN.test(rig) ? { kind: 'runner', rig } : null;
}

export const actorOf = (id: Identity): Actor =>
  id.kind === 'agent'
    ? { kind: 'agent', id: `${id.rig}/${id.name}` }
    : { kind: 'system', id: `${RUNNER_ACTOR}${id.rig}` };

export const identifiedApiSubject = (prefix: string, id: Identity, verb: string): string =>
  `${prefix}.as.${identityTokens(id)}.${verb.split(' ').join('.')}`;

export const identifiedApiWildcard = (prefix: string): string => `${prefix}.as.>`;

/** The inverse of identifiedApiSubject; null for a subject that names no identity. */
export function parseIdentifiedSubject(
  prefix: string,
  subject: string,
): { identity: Identity; verb: string } | null {
  const tokens = subject.slice(`${prefix}.as.`.length).split('.');
  const [kind, rig, name] = tokens;
  if (kind === 'agent' && rig && name && tokens.length > 3)
    return { identity: { kind, rig, name }, verb: tokens.slice(3).join(' ') };
  if (kind === 'runner' && rig && tokens.length > 2)
    return { identity: { kind, rig }, verb: tokens.slice(2).join(' ') };
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

export interface StopOrder {
  stop: string;
  bead: string;
}
