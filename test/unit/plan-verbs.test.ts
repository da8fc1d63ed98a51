import { describe, expect, it } from 'vitest';
import type { Actor } from '../../src/domain/actor.ts';
import type { Bead } from '../../src/domain/bead.ts';
import { roundChange } from '../../src/domain/plan.ts';
import { EMPTY_POLICY } from '../../src/domain/policy.ts';
import type { Reply } from '../../src/domain/reply.ts';
import { useCommands } from './command-harness.ts';

const MAYOR: Actor = { kind: 'agent', id: 'mayor/' };
const alice: Actor = { kind: 'human', id: 'alice', operator: 'alice' };
const webOnly: Actor = { kind: 'human', id: 'wendy', operator: 'wendy' };

/**
 * The plan verbs over a real SQLite ledger: a round is what the Mayor runner does (the claim
 * onto the Mayor's hook) followed by the Mayor's own commands, as `mayor/`.
 */
describe('gt plan verbs', () => {
  const h = useCommands(async (h) => {
    await h.ok('gt rig add', { name: 'web', prefix: 'web', 'max-polecats': '3', command: 'true' });
    await h.ok('gt rig add', { name: 'api', prefix: 'api', 'max-polecats': '3', command: 'true' });
    await h.ok('gt mayor config', { command: 'true' });
    h.setPolicy({
      ...EMPTY_POLICY,
      roles: {
        lead: { permissions: ['read', 'bead:write', 'convoy:create', 'convoy:launch'], rigs: ['*'] },
        webplanner: { permissions: ['read', 'convoy:create'], rigs: ['web'] },
      },
      operators: { operator: ['owner'], alice: ['lead'], wendy: ['webplanner'] },
    });
  });
  const { run } = h;
  const as = async <T>(actor: Actor, verb: string, args: unknown): Promise<T> => {
    const r = await run(verb, args, actor);
    if (!r.ok) throw new Error(`${verb}: ${r.error.message}`);
    return r.data as T;
  };
  const bead = async (id: string) => (await h.ledger.getBead(id)) as Bead;
  const startRound = async (id: string, round: number) => {
    const plan = await bead(id);
    const now = h.now();
    const claimed = await h.ledger.claimBead(
      id,
      {
        expect: { status: plan.status, assignee: plan.assignee, version: plan.version },
        set: { status: 'hooked', assignee: 'mayor/', ...roundChange(plan.labels, round, now.toISOString()) },
      },
      { actor: 'mayor-runner', now },
    );
    expect(claimed).not.toBeNull();
  };
  /** A ready plan: the Mayor made two web beads (b needs a) and staged them. */
  const readyPlan = async () => {
    const { plan } = await as<{ plan: string }>(alice, 'gt plan', { goal: ['add search'], rig: ['web'] });
    await startRound(plan, 1);
    const a = (await as<Bead>(MAYOR, 'bd create', { title: 'a', rig: 'web' })).id;
    const b = (await as<Bead>(MAYOR, 'bd create', { title: 'b', rig: 'web' })).id;
    await as(MAYOR, 'bd dep add', { issue: b, 'depends-on': a });
    const { convoy_id } = await as<{ convoy_id: string }>(MAYOR, 'gt convoy stage', { ids: [a, b] });
    await as(MAYOR, 'gt done', {});
    return { plan, convoy: convoy_id, a, b };
  };
  const refused = (r: Reply, code: string, message: RegExp) =>
    expect(r).toMatchObject({ ok: false, error: { code, message: expect.stringMatching(message) } });

  it('two launches at the version seen: one wins, the other is refused and nothing is launched twice', async () => {
    const p = await readyPlan();
    const { version } = await bead(p.convoy);
    const [x, y] = await Promise.all([
      run('gt plan launch', { id: p.convoy, version: String(version) }, alice),
      run('gt plan launch', { id: p.convoy, version: String(version) }, alice),
    ]);
    expect([x, y].filter((r) => r.ok)).toHaveLength(1);
    refused((x.ok ? y : x) as Reply, 'stale_version', /changed|look again/);
    expect((await bead(p.convoy)).status).toBe('open');
    expect((await bead(p.a)).status).toBe('hooked');
    expect((await bead(p.plan)).close_reason).toBe(`Launched by alice as convoy ${p.convoy}`);
  });

  it('a revision and a launch of the same version: whichever comes second is refused', async () => {
    const p = await readyPlan();
    const { version } = await bead(p.convoy);
    await as(alice, 'gt plan revise', { id: p.convoy, message: 'split b', version: String(version) });
    refused(
      await run('gt plan launch', { id: p.convoy, version: String(version) }, alice),
      'plan_queued',
      /waits for the Mayor/,
    );
    const inbox = await as<Array<{ subject: string; body: string }>>(MAYOR, 'gt mail inbox', {});
    expect(inbox).toEqual([
      expect.objectContaining({ subject: `Revise plan ${p.plan} (convoy ${p.convoy})` }),
    ]);
    // The second round re-stages the same convoy: its version moves, so an old card is stale.
    await startRound(p.plan, 2);
    const c = (await as<Bead>(MAYOR, 'bd create', { title: 'c', rig: 'web' })).id;
    await as(MAYOR, 'gt convoy add', { convoy: p.convoy, ids: [c] });
    await as(MAYOR, 'gt convoy stage', { ids: [p.convoy] });
    await as(MAYOR, 'gt done', {});
    refused(
      await run('gt plan launch', { id: p.plan, version: String(version) }, alice),
      'stale_version',
      /changed since you saw it/,
    );
    const view = await as<{ waves: Array<{ beads: unknown[] }>; round: number }>(alice, 'gt plan show', {
      id: p.plan,
    });
    expect(view.round).toBe(2);
    expect(view.waves.flatMap((w) => w.beads)).toHaveLength(3);
  });

  it('discarding while the Mayor works closes what its round made, and the plan', async () => {
    const { plan } = await as<{ plan: string }>(alice, 'gt plan', { goal: ['tidy up'] });
    await startRound(plan, 1);
    const half = (await as<Bead>(MAYOR, 'bd create', { title: 'half', rig: 'api' })).id;
    await as(alice, 'gt plan discard', { id: plan, reason: 'wrong goal' });
    expect(await bead(half)).toMatchObject({
      status: 'closed',
      close_reason: expect.stringMatching(/Discarded by alice: wrong goal/),
    });
    expect((await bead(plan)).close_reason).toBe('Discarded by alice: wrong goal');
    refused(await run('gt done', {}, MAYOR), 'nothing_hooked', /nothing on its hook/);
  });

  it('a revision round that fails keeps the earlier plan for review and says why', async () => {
    const p = await readyPlan();
    await as(alice, 'gt plan revise', { id: p.plan, message: 'more' });
    await startRound(p.plan, 2);
    const extra = (await as<Bead>(MAYOR, 'bd create', { title: 'extra', rig: 'web' })).id;
    await as(MAYOR, 'gt done', { status: 'escalated' });
    expect((await bead(extra)).status).toBe('closed');
    const view = await as<{ state: string; note: string; convoy: { id: string } }>(alice, 'gt plan show', {
      id: p.plan,
    });
    expect(view).toMatchObject({
      state: 'ready',
      convoy: { id: p.convoy },
      note: 'Round 2 failed: the Mayor gave up (gt done --status escalated)',
    });
    expect((await bead(p.a)).status).toBe('open');
  });

  it('gt done refuses a Mayor that staged two convoys, until one holds everything', async () => {
    const { plan } = await as<{ plan: string }>(alice, 'gt plan', { goal: ['two things'] });
    await startRound(plan, 1);
    const a = (await as<Bead>(MAYOR, 'bd create', { title: 'a', rig: 'web' })).id;
    const b = (await as<Bead>(MAYOR, 'bd create', { title: 'b', rig: 'api' })).id;
    const x = (await as<{ convoy_id: string }>(MAYOR, 'gt convoy stage', { ids: [a] })).convoy_id;
    const y = (await as<{ convoy_id: string }>(MAYOR, 'gt convoy stage', { ids: [b] })).convoy_id;
    refused(
      await run('gt done', {}, MAYOR),
      'several_convoys',
      /you staged 2 convoys .*add the others' beads to one/,
    );
    await as(MAYOR, 'gt convoy add', { convoy: x, ids: [b] });
    await as(MAYOR, 'gt done', {});
    expect(await bead(y)).toMatchObject({
      status: 'closed',
      close_reason: `Plan ${plan}: folded into convoy ${x}`,
    });
    expect(
      await as<{ state: string; convoy: { id: string } }>(alice, 'gt plan show', { id: plan }),
    ).toMatchObject({
      state: 'ready',
      convoy: { id: x },
    });
    expect((await bead(b)).status).toBe('open');
  });

  it('asks for the rigs it names: a person planning for one rig cannot ask for the whole town', async () => {
    expect(await as(webOnly, 'gt plan', { goal: ['fix the header'], rig: ['web'] })).toMatchObject({
      state: 'queued',
    });
    refused(
      await run('gt plan', { goal: ['fix everything'] }, webOnly),
      'forbidden',
      /convoy:create on every rig/,
    );
    refused(
      await run('gt plan', { goal: ['fix the api'], rig: ['api'] }, webOnly),
      'forbidden',
      /convoy:create on rig api/,
    );
    const p = await readyPlan();
    refused(await run('gt plan launch', { id: p.convoy }, webOnly), 'forbidden', /needs convoy:launch/);
    refused(
      await run('gt plan launch', { id: p.convoy }, MAYOR),
      'forbidden',
      /agents may not run gt plan launch/,
    );
    refused(
      await run('gt plan', { goal: ['more'] }, { kind: 'agent', id: 'web/Toast' }),
      'forbidden',
      /policy file grants/,
    );
  });

  it('refuses bad input and changes nothing', async () => {
    const before = (await h.ledger.listBeads({ all: true })).length;
    refused(await run('gt plan', { goal: ['  '] }, alice), 'empty_goal', /give the goal in words/);
    refused(await run('gt plan show', { id: 'web-zzz' }, alice), 'not_found', /not found/);
    const { id } = await as<Bead>(alice, 'bd create', { title: 'plain', rig: 'web' });
    refused(await run('gt plan show', { id }, alice), 'not_a_plan', /neither a plan nor a plan's convoy/);
    refused(
      await run('gt mayor config', { runtime: 'claude', command: 'x' }),
      'runtime_and_command',
      /either --runtime or --command/,
    );
    refused(
      await run('gt mayor config', { runtime: 'gemini' }),
      'unknown_runtime',
      /use --runtime claude\|codex/,
    );
    refused(await run('gt mayor config', { command: 'a\nb' }), 'invalid_command', /use one line of shell/);
    refused(await run('gt mayor config', { env: ['SLACK_BOT_TOKEN'] }), 'invalid_env_name', /never reach/);
    const p = await readyPlan();
    refused(
      await run('gt plan revise', { id: p.plan, message: ' ' }, alice),
      'missing_message',
      /give what to change/,
    );
    refused(await run('gt plan stop', { id: p.plan }, alice), 'plan_ready', /waits for a person/);
    expect((await h.ledger.listBeads({ all: true })).length).toBe(before + 1 + 4); // plain + plan, a, b, convoy
  });
});
