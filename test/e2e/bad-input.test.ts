import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Town } from './town.ts';

/** Issue 2 item 7: every kind of bad input gets a clear error, the right exit code, and changes nothing. */
describe('bad input through the CLI and the API subject', () => {
  const town = new Town();
  let existing = '';
  beforeAll(async () => {
    await town.up();
    existing = (await town.json<{ id: string }>('bd', ['create', 'Existing'])).id;
  }, 30_000);
  afterAll(() => town.destroy());

  const cases: Array<[string, string[], number, RegExp]> = [
    ['empty title', ['create', ''], 2, /title is empty/],
    ['over-long title', ['create', 'x'.repeat(501)], 2, /limit is 500/],
    ['priority out of range', ['create', 'ok', '-p', '7'], 2, /use 0 \(highest\) to 4/],
    ['unknown type', ['create', 'ok', '-t', 'saga'], 2, /unknown type "saga"/],
    ['unknown status', ['list', '--status', 'done-ish'], 2, /unknown status/],
    ['unknown flag', ['create', 'ok', '--colour', 'red'], 2, /unknown flag --colour/],
    ['unknown command', ['frobnicate'], 2, /unknown command/],
    ['unknown id', ['show', 'hq-zzzz'], 1, /not found/],
    ['unknown rig', ['create', 'ok', '--rig', 'ghost'], 1, /rig "ghost" not found/],
    ['operator injection as id', ['show', '{"$gt":""}'], 1, /not a valid bead id/],
    [
      'unknown dependency type',
      ['dep', 'add', 'hq-a', 'hq-b', '--type', 'likes'],
      2,
      /unknown dependency type/,
    ],
  ];

  it.each(cases)('%s', async (_name, args, code, message) => {
    const before = await town.json<unknown[]>('bd', ['list', '--all']);
    const r = await town.run('bd', args);
    expect(r.code).toBe(code);
    expect(r.stderr).toMatch(/^error: /);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
    expect(await town.json('bd', ['list', '--all'])).toEqual(before);
  });

  it('self-dependency', async () => {
    const r = await town.run('bd', ['dep', 'add', existing, existing]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cannot depend on itself/);
  });

  it('malformed JSON and smuggled operators on the API subject get a clear reply', async () => {
    const nc = await town.connectNats();
    try {
      const ask = async (verb: string, body: string) =>
        (await nc.request(`gt.api.${verb}`, body, { timeout: 5000 })).json();
      expect(await ask('bd.create', 'not json')).toMatchObject({
        ok: false,
        error: { code: 'malformed_request' },
      });
      expect(await ask('bd.create', '{"args":{"title":"x"}}')).toMatchObject({
        ok: false,
        error: { code: 'malformed_request', message: expect.stringContaining('actor') },
      });
      const actor = { kind: 'human', id: 'mallory' };
      expect(await ask('bd.create', JSON.stringify({ args: { title: { $gt: '' } }, actor }))).toMatchObject({
        ok: false,
        error: { code: 'bad_argument_type' },
      });
      expect(await ask('bd.show', JSON.stringify({ args: { ids: [{ $ne: null }] }, actor }))).toMatchObject({
        ok: false,
      });
      expect(await ask('bd.list', JSON.stringify({ args: { status: ['open'] }, actor }))).toMatchObject({
        ok: false,
      });
    } finally {
      await nc.close();
    }
    expect((await town.json<unknown[]>('bd', ['list', '--all'])).length).toBe(1);
  });

  it('escalations: unknown severity, unknown or resolved escalation, double ack, cross-rig reassignment', async () => {
    await town.json('gt', ['rig', 'add', 'alpha', '--prefix', 'al']);
    await town.json('gt', ['rig', 'add', 'beta', '--prefix', 'be']);
    const work = (await town.json<{ id: string }>('bd', ['create', 'w', '--rig', 'alpha'])).id;
    await town.json('gt', ['sling', work]);
    const e = (
      await town.json<{ id: string }>('gt', [
        'escalate',
        '-s',
        'medium',
        'stuck',
        '--kind',
        'stuck-agent',
        '--agent',
        'alpha/Toast',
        '--bead',
        work,
      ])
    ).id;
    const listed = async () => JSON.stringify(await town.json('gt', ['escalation', 'list', '--all']));
    const before = await listed();
    const refusals: Array<[string[], number, RegExp]> = [
      [['escalate', '-s', 'urgent', 'x'], 2, /one of low, medium, high, critical/],
      [['escalate', '-s', 'low', 'x', '--kind', 'vibes'], 2, /--kind must be one of/],
      [['escalation', 'resolve', 'hq-zzzz'], 1, /escalation hq-zzzz not found/],
      [['escalation', 'resolve', e, '--action', 'reassign:beta/Toast'], 1, /needs --force/],
      [['escalation', 'resolve', e, '--version', '0'], 1, /changed since version 0/],
    ];
    for (const [args, code, message] of refusals) {
      const r = await town.run('gt', args);
      expect([r.code, r.stderr]).toEqual([code, expect.stringMatching(message)]);
    }
    expect(await listed()).toEqual(before);
    expect((await town.run('gt', ['escalation', 'ack', e])).code).toBe(0);
    const twice = await town.run('gt', ['escalation', 'ack', e]);
    expect([twice.code, twice.stderr]).toEqual([
      1,
      expect.stringMatching(/already acknowledged by e2e-user/),
    ]);
    expect((await town.run('gt', ['escalation', 'resolve', e, '--action', 'acknowledge'])).code).toBe(0);
    const again = await town.run('gt', ['escalation', 'resolve', e]);
    expect([again.code, again.stderr]).toEqual([1, expect.stringMatching(/already resolved/)]);
  }, 60_000);

  it('exit 3 with how to start the service when none runs', async () => {
    const r = await town.run('bd', ['list'], { GT_HOME: `${town.home}/nowhere` });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/start one with `gt up`/);
  });
});
