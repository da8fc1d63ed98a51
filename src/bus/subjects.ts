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

/** Queue group shared by every service replica answering the API. */
export const API_QUEUE = 'gt-api';

/** Orders to a rig's runners (`{"stop": agent, "bead": id}`): core pub/sub, every runner of the rig hears it. */
export const controlSubject = (prefix: string, rig: string): string => `${prefix}.control.${rig}`;

export interface StopOrder {
  stop: string;
  bead: string;
}
