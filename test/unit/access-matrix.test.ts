import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hasScopeResolver } from '../../src/commands/access/scopes.ts';
import { CATALOG } from '../../src/commands/catalog.ts';
import { verbName } from '../../src/commands/command.ts';
import { ACCESS, type VerbAccess } from '../../src/domain/access-matrix.ts';
import { authorize, type Principal } from '../../src/domain/authorization.ts';
import { EXPLICIT_ONLY, OWNER, type Role } from '../../src/domain/permissions.ts';
import { EMPTY_POLICY } from '../../src/domain/policy.ts';

/**
 * The permission matrix walked verb by verb and actor kind by actor kind: every verb of the
 * catalog has an explicit rule for every kind, the rules keep the promises of docs/security.md,
 * and the table printed there is the table in the code.
 */
const verbs = CATALOG.map(verbName);
const KINDS = ['person', 'agent', 'runner', 'system'] as const;
const VALUES: Record<(typeof KINDS)[number], readonly string[]> = {
  person: [],
  agent: ['allow', 'own', 'grant', 'never'],
  runner: ['allow', 'own-rig', 'never'],
  system: ['allow', 'never'],
};

const person = (roles: Role[]): Principal => ({ kind: 'person', name: 'p', roles });
const agent = (roles: Role[] = []): Principal => ({
  kind: 'agent',
  address: 'alpha/Toast',
  rig: 'alpha',
  roles,
});
const everything: Role = { permissions: ['admin'], rigs: ['*'] };

/** The decision for a principal whose objects are (or are not) its own, in rig alpha. */
const decide = (verb: string, who: Principal, own: boolean) =>
  authorize(
    verb,
    ACCESS[verb] as VerbAccess,
    who,
    { rigs: ['alpha'], notOwn: own ? null : 'not its own' },
    EMPTY_POLICY,
  );

describe('the access matrix', () => {
  it('has a rule for every verb of the catalog, and no rule for a verb that does not exist', () => {
    expect(Object.keys(ACCESS).sort()).toEqual([...verbs].sort());
  });

  it.each(verbs)('%s: an explicit rule for every actor kind', (verb) => {
    const rule = ACCESS[verb] as VerbAccess;
    expect(rule.permission).toMatch(/^[a-z:-]+$/);
    for (const kind of KINDS.filter((k) => k !== 'person')) expect(VALUES[kind]).toContain(rule[kind]);
    // "Own work" must be looked at: a verb agents may run on their own objects has a scope resolver.
    if (rule.agent === 'own' || rule.runner === 'own-rig') expect(hasScopeResolver(verb)).toBe(true);
  });

  it.each(verbs)('%s: decided for every actor kind as the matrix says', (verb) => {
    const rule = ACCESS[verb] as VerbAccess;
    // The owner holds everything but what a role must name (EXPLICIT_ONLY: landing untested work).
    const explicit = EXPLICIT_ONLY.includes(rule.permission);
    expect(decide(verb, person([OWNER]), false) === null).toBe(!explicit);
    if (explicit)
      expect(decide(verb, person([{ permissions: [rule.permission], rigs: ['alpha'] }]), false)).toBeNull();
    expect(decide(verb, person([]), true)).toMatch(/it needs/);
    expect(decide(verb, { kind: 'system', name: 'witness' }, false) === null).toBe(rule.system === 'allow');
    const runner = decide(verb, { kind: 'runner', rig: 'alpha' }, false) === null;
    expect(runner).toBe(rule.runner !== 'never');
    expect(decide(verb, agent(), true) === null).toBe(rule.agent === 'allow' || rule.agent === 'own');
    expect(decide(verb, agent(), false) === null).toBe(rule.agent === 'allow');
    // A role the policy file gives an agent (the Mayor's) extends it — except to people's decisions.
    expect(decide(verb, agent([everything]), false) === null).toBe(rule.agent !== 'never');
  });

  it('keeps the promises of docs/security.md', () => {
    const agentMay = verbs.filter((v) => ACCESS[v]?.agent !== 'never');
    for (const decision of ['gt escalation resolve', 'gt escalation retire', 'gt escalation ack', 'gt audit'])
      expect(agentMay).not.toContain(decision);
    for (const control of ['gt polecat stop', 'gt polecat respawn', 'gt polecat release', 'gt rig add'])
      expect(ACCESS[control]?.agent).toBe('never');
    expect(verbs.filter((v) => ACCESS[v]?.runner !== 'never').sort()).toEqual([
      'gt hook',
      'gt polecat limited',
      'gt rig list',
      'gt usage report',
    ]);
    expect(ACCESS['gt escalation resolve']?.system).toBe('never');
  });

  it('lands untested work only for a role that names mq:override, never for admin alone', () => {
    const resolve = ACCESS['gt escalation resolve'] as VerbAccess;
    const landAnyway = { rigs: ['alpha'], alsoNeeds: 'mq:override' as const };
    const approver: Role = { permissions: ['escalation:approve'], rigs: ['alpha'] };
    const overrider: Role = { permissions: ['mq:override'], rigs: ['alpha'] };
    const decideAs = (roles: Role[], scope: object) =>
      authorize('gt escalation resolve', resolve, person(roles), scope as never, EMPTY_POLICY);
    expect(decideAs([OWNER], landAnyway)).toMatch(/needs mq:override on rig alpha as well/);
    expect(decideAs([approver], landAnyway)).toMatch(/needs mq:override/);
    expect(decideAs([overrider], landAnyway)).toMatch(/needs escalation:approve/);
    expect(decideAs([approver, overrider], landAnyway)).toBeNull();
    expect(decideAs([OWNER, { permissions: ['mq:override'], rigs: ['beta'] }], landAnyway)).toMatch(
      /mq:override on rig alpha/,
    );
    expect(decideAs([OWNER], { rigs: ['alpha'] })).toBeNull(); // any other decision: the owner's
  });

  it('is the table docs/security.md prints', () => {
    const doc = readFileSync(join(import.meta.dirname, '../../docs/security.md'), 'utf8');
    const rows = verbs.map((v) => {
      const r = ACCESS[v] as VerbAccess;
      const permission = r.extra ? `${r.permission} (some uses: + ${r.extra})` : r.permission;
      return `| \`${v}\` | ${permission} | ${r.agent} | ${r.runner} | ${r.system} |`;
    });
    expect(doc).toContain(
      ['| verb | people (permission) | agent | runner | system |', '|---|---|---|---|---|', ...rows].join(
        '\n',
      ),
    );
  });
});
