import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { permissionsFor } from '../../src/bus/nats-permissions.ts';
import {
  actorOf,
  controlSubject,
  dispatchSubject,
  heartbeatSubject,
  identifiedApiSubject,
  identityOf,
  inboxPrefixFor,
  mailSubject,
  nudgeSubject,
  parseIdentifiedSubject,
} from '../../src/bus/subjects.ts';

const DOC = readFileSync(join(import.meta.dirname, '../../docs/nats-auth.md'), 'utf8');

/** The quoted subjects of one user's entry in the docs' example (after `user: "<user>"`). */
function documentedSubjects(user: string, list: 'publish' | 'subscribe'): string[] {
  const entry = DOC.slice(DOC.indexOf(`{ user: "${user}"`)).split('\n{ user:')[0] as string;
  const block = entry.slice(entry.indexOf(`${list}: {`)).split(']')[0] as string;
  return [...block.matchAll(/"([^"]+)"/g)].map((m) => m[1] as string);
}

describe('NATS permissions', () => {
  it('docs/nats-auth.md shows exactly what the code grants', () => {
    const runner = permissionsFor('gt', { kind: 'runner', rig: 'alpha' });
    const agent = permissionsFor('gt', { kind: 'agent', rig: 'alpha', name: 'Toast' });
    expect(documentedSubjects('runner:alpha', 'publish')).toEqual(runner.publish.allow);
    expect(documentedSubjects('runner:alpha', 'subscribe')).toEqual(runner.subscribe.allow);
    expect(documentedSubjects('agent:alpha/Toast', 'publish')).toEqual(agent.publish.allow);
    expect(documentedSubjects('agent:alpha/Toast', 'subscribe')).toEqual(agent.subscribe.allow);
    expect(agent.allow_responses).toBe(true);
    expect(runner.allow_responses).toBeUndefined();
  });

  it('an agent may publish only on its own API subject and its own inbox is where it reads', () => {
    const agent = permissionsFor('gt', { kind: 'agent', rig: 'alpha', name: 'Toast' });
    expect(agent.publish.allow.filter((s) => s.startsWith('gt.'))).toEqual([
      'gt.as.agent.alpha.Toast.>',
      'gt.hb.alpha.Toast',
    ]);
    expect(agent.subscribe.allow).toContain(
      `${inboxPrefixFor('gt', { kind: 'agent', rig: 'alpha', name: 'Toast' })}.>`,
    );
    expect(JSON.stringify(agent)).not.toMatch(/DURABLE|STREAM\.(CREATE|UPDATE|DELETE)|dispatch/);
  });

  it('a runner uses one consumer, its rig’s dispatch queue, and none of the liveness bucket', () => {
    const runner = permissionsFor('gt', { kind: 'runner', rig: 'alpha' });
    expect(runner.publish.allow.filter((s) => s.includes('.CONSUMER.'))).toEqual([
      '$JS.API.CONSUMER.INFO.GT_DISPATCH.runner-alpha',
      '$JS.API.CONSUMER.CREATE.GT_DISPATCH.runner-alpha.gt.dispatch.alpha',
      '$JS.API.CONSUMER.MSG.NEXT.GT_DISPATCH.runner-alpha',
    ]);
    expect(JSON.stringify(runner)).not.toMatch(/DELETE|DURABLE|STREAM\.(CREATE|UPDATE|PURGE)/);
  });

  it('grants exactly the subjects the service uses for that agent and runner: one set of builders', () => {
    const agent = permissionsFor('gt', { kind: 'agent', rig: 'alpha', name: 'Toast' });
    expect(agent.publish.allow).toContain(heartbeatSubject('gt', 'alpha', 'Toast'));
    expect(agent.publish.allow.some((s) => s.endsWith(`.${mailSubject('gt', 'alpha/Toast')}`))).toBe(true);
    expect(agent.subscribe.allow).toContain(nudgeSubject('gt', 'alpha/Toast'));
    const runner = permissionsFor('gt', { kind: 'runner', rig: 'alpha' });
    expect(runner.subscribe.allow).toContain(controlSubject('gt', 'alpha'));
    expect(runner.publish.allow.some((s) => s.endsWith(`.${dispatchSubject('gt', 'alpha')}`))).toBe(true);
    expect(runner.publish.allow).toContain(heartbeatSubject('gt', 'alpha', '*'));
  });

  it('identified subjects round-trip, and only token-safe identities get one', () => {
    for (const actor of [
      { kind: 'agent' as const, id: 'alpha/Toast' },
      { kind: 'agent' as const, id: 'mayor/' },
      { kind: 'system' as const, id: 'runner:alpha' },
    ]) {
      const identity = identityOf(actor);
      expect(identity).not.toBeNull();
      if (!identity) continue;
      const parsed = parseIdentifiedSubject('gt', identifiedApiSubject('gt', identity, 'gt mail inbox'));
      expect(parsed).toEqual({ identity, verb: 'gt mail inbox' });
      expect(actorOf(identity)).toEqual(actor);
    }
    for (const actor of [
      { kind: 'agent' as const, id: 'alpha/To.ast' },
      { kind: 'agent' as const, id: 'a/b/c' },
      { kind: 'system' as const, id: 'runner:' },
      { kind: 'human' as const, id: 'alice' },
    ])
      expect(identityOf(actor)).toBeNull();
    expect(parseIdentifiedSubject('gt', 'gt.as.agent.alpha')).toBeNull();
    expect(parseIdentifiedSubject('gt', 'gt.as.nobody.alpha.x.y')).toBeNull();
  });
});
