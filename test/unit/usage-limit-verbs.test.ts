import { describe, expect, it } from 'vitest';
import { townReader } from '../../src/app/town-gauges.ts';
import type { LimitedResult } from '../../src/commands/gt/polecat-limited.ts';
import type { PolecatRow } from '../../src/commands/gt/polecats.ts';
import { gtRigList } from '../../src/commands/gt/rig.ts';
import type { ResumeResult } from '../../src/commands/gt/rig-resume.ts';
import { gtSling, type SlingResult } from '../../src/commands/gt/sling.ts';
import type { Actor } from '../../src/domain/actor.ts';
import type { Bead } from '../../src/domain/bead.ts';
import type { Reply } from '../../src/domain/reply.ts';
import type { Rig } from '../../src/domain/rig.ts';
import type { Signals } from '../../src/domain/witness.ts';
import { liftDuePauses } from '../../src/services/limit-lift.ts';
import { strandedScan } from '../../src/services/stranded-scan.ts';
import { witnessPass } from '../../src/services/witness.ts';
import { useCommands } from './command-harness.ts';

/** Every refusal says what to do (the words of the project's rule). */
const HINT = /\b(use|see|give|run|not found|only|cannot|already)\b/;
const runner = (rig: string): Actor => ({ kind: 'system', id: `runner:${rig}` });
const system = (id: string): Actor => ({ kind: 'system', id });
const MESSAGE = "You've hit your limit · resets 2pm (UTC)";

type Escalation = Bead & { kind: string; severity: string; agent: string | null };

/**
 * The usage-limited verdict through the one command layer over a real SQLite ledger: what a rig
 * runner reports when its agent hit a limit (`gt polecat limited`), the pause dispatch honours,
 * the lift job (`gt rig resume --due`) and the witness's fallback, with the harness's clock.
 */
describe('usage limits through the command layer', () => {
  const h = useCommands(async (h) => {
    await h.ok('gt rig add', { name: 'alpha', prefix: 'al', 'max-polecats': '2' });
    await h.ok('gt rig add', { name: 'beta', prefix: 'be' });
  });
  const { run, ok } = h;
  const as = (actor: Actor) => (verb: string, args: Record<string, unknown>) =>
    h.registry.execute({ verb, args, actor, source: 'cron' });
  const bead = async (id: string) => (await h.ledger.getBead(id)) as Bead;
  const rig = async (name: string) => (await h.ledger.getRig(name)) as Rig;
  const slung = async (title: string, rigName = 'alpha') => {
    const id = (await ok<Bead>('bd create', { title, rig: rigName })).id;
    const r = await ok<SlingResult>('gt sling', { id });
    return { id, agent: r.polecat as string, sling: r };
  };
  const inS = (s: number) => new Date(h.now().getTime() + s * 1000).toISOString();
  const limited = (agent: string, id: string, over: Record<string, unknown> = {}, actor = runner('alpha')) =>
    run('gt polecat limited', { agent, bead: id, message: MESSAGE, 'reset-at': inS(7200), ...over }, actor);
  const refusal = (reply: Reply) => {
    if (reply.ok) throw new Error(`expected a refusal, got ${JSON.stringify(reply.data)}`);
    expect(reply.error.message).toMatch(HINT);
    return reply.error;
  };
  const notices = () => ok<Escalation[]>('gt escalation list');
  const waitS = (l: { until: string }) => (Date.parse(l.until) - h.now().getTime()) / 1000;

  it('requeues the bead untouched, frees the slot and pauses the rig until the reset plus jitter, with one notice', async () => {
    const a = await slung('first');
    const b = await slung('second');
    const reset = inS(7200);
    const reply = await limited(a.agent, a.id, { 'reset-at': reset });
    expect(reply.ok).toBe(true);
    const first = (reply as { data: LimitedResult }).data;
    expect(first.paused.map((p) => p.rig)).toEqual(['alpha']);
    const until = Date.parse(first.paused[0]?.usage_limit.until as string);
    expect(until).toBeGreaterThanOrEqual(Date.parse(reset));
    expect(until).toBeLessThan(Date.parse(reset) + 60_000);
    // Back to the queue untouched: open, nobody's, not a respawn; waiting for the pause to lift.
    const requeued = await bead(a.id);
    expect([requeued.status, requeued.assignee]).toEqual(['open', null]);
    expect(requeued.labels.sort()).toEqual(['gt:queued', 'limits:1']);
    expect((await h.ledger.listSlots('alpha')).map((s) => s.bead_id)).toEqual([b.id]);
    expect((await h.ledger.listComments(a.id)).at(-1)?.text).toMatch(
      /usage limit hit by alpha\/\w+: .*not a respawn/,
    );
    const [notice, ...more] = await notices();
    expect(more).toEqual([]);
    expect(notice).toMatchObject({ id: first.notice, kind: 'usage-limit', severity: 'low', agent: a.agent });
    expect(notice?.title).toBe(
      `rig alpha paused: usage limit until ${first.paused[0]?.usage_limit.until} (${MESSAGE})`,
    );
    // The other polecat hits the same wall: the pause holds (no shorter), no second notice.
    const second = await ok<LimitedResult>('gt polecat limited', {
      agent: b.agent,
      bead: b.id,
      message: MESSAGE,
      'reset-at': reset,
    });
    expect(second.notice).toBeNull();
    expect(Date.parse(second.paused[0]?.usage_limit.until as string)).toBeGreaterThanOrEqual(until);
    expect(await notices()).toHaveLength(1);
    expect((await bead(b.id)).labels).not.toContain('respawns:1');
    // Everyone sees it: gt rig list, and new work waits instead of dispatching.
    const list = gtRigList.text(await ok<Rig[]>('gt rig list'));
    expect(list).toMatch(/alpha .*⏸ paused: usage limit until .*You've hit your limit/);
    const c = await slung('third');
    expect(c.sling).toMatchObject({ status: 'queued', polecat: null });
    expect(gtSling.text(c.sling)).toMatch(/^al-\w+ queued: rig alpha is paused: usage limit until /);
    expect((await bead(c.id)).status).toBe('open');
    // Other rigs are not paused.
    expect((await slung('elsewhere', 'beta')).sling.status).toBe('hooked');
  });

  it('keeps a paused rig’s convoys waiting, not stuck: the stranded scan dispatches nothing and reports nothing', async () => {
    const a = await slung('first');
    const b = await slung('second');
    await ok('gt polecat limited', { agent: a.agent, bead: a.id, message: MESSAGE, 'reset-at': inS(600) });
    await ok('gt polecat limited', { agent: b.agent, bead: b.id, message: MESSAGE, 'reset-at': inS(600) });
    const scan = () =>
      strandedScan(
        {
          ledger: h.ledger,
          execute: as(system('stranded-scan')),
          observe: () => ({ process: null, heartbeatAt: null }),
          staleMs: 180_000,
          spawnGraceMs: 60_000,
          maxRespawns: 3,
        },
        h.now(),
      );
    expect(await scan()).toMatchObject({ dispatched: [], stuck: [] });
    expect((await notices()).map((n) => n.kind)).toEqual(['usage-limit']);
    expect([(await bead(a.id)).status, (await bead(b.id)).status]).toEqual(['open', 'open']);
    // Past its time the scan, the safety net, dispatches even before the lift job ran.
    h.advance(661_000);
    expect((await scan()).dispatched.sort()).toEqual([a.id, b.id].sort());
  });

  it('shows the pause on gt polecats and counts it in gt_usage_limited_rigs', async () => {
    const a = await slung('first');
    const b = await slung('second');
    const gauges = townReader(h.ledger, h.registry, () => h.now());
    expect((await gauges()).usageLimitedRigs).toBe(0);
    await ok('gt polecat limited', { agent: a.agent, bead: a.id, message: MESSAGE, 'reset-at': inS(600) });
    const rows = await ok<PolecatRow[]>('gt polecats');
    expect(rows).toMatchObject([
      { address: b.agent, rig_paused: expect.stringMatching(/^rig alpha is paused/) },
    ]);
    expect((await gauges()).usageLimitedRigs).toBe(1);
    h.advance(700_000);
    expect((await gauges()).usageLimitedRigs).toBe(0); // its time has come, lifted or not
  });

  it('refuses bad reports with a hint, changing nothing', async () => {
    const a = await slung('first');
    const before = { bead: await bead(a.id), rig: await rig('alpha') };
    // A runner reports only its own rig's polecats; an agent never.
    refusal(await limited(a.agent, a.id, {}, runner('beta')));
    refusal(await limited(a.agent, a.id, {}, { kind: 'agent', id: a.agent }));
    expect(refusal(await limited(a.agent, a.id, { 'reset-at': 'soon' })).code).toBe('bad_reset_at');
    expect(refusal(await limited(a.agent, a.id, { message: '  ' })).code).toBe('missing_message');
    expect(
      refusal(await run('gt polecat limited', { agent: a.agent, message: MESSAGE }, runner('alpha'))).code,
    ).toBe('missing_argument');
    expect(refusal(await limited('alpha/Nux', a.id)).code).toBe('not_on_hook');
    expect(refusal(await limited(a.agent, a.id, { incarnation: '3' })).code).toBe('stale_report');
    expect(refusal(await limited(a.agent, 'al-zzz')).kind).toBe('not_found');
    expect({ bead: await bead(a.id), rig: await rig('alpha') }).toEqual(before);
    expect(await notices()).toEqual([]);
  });

  it('resumes by itself once the pause is due: lifted, notice retired, the queue fed', async () => {
    const a = await slung('first');
    const queuedLater = (await slung('second')).id;
    await ok('gt polecat limited', { agent: a.agent, bead: a.id, message: MESSAGE, 'reset-at': inS(600) });
    const lift = as(system('usage-limit-lift'));
    const early = await lift('gt rig resume', { name: 'alpha', due: true });
    expect(refusal(early).code).toBe('not_due');
    expect(await liftDuePauses(h.ledger, lift, h.now())).toEqual({ lifted: [], retired: [], skipped: [] });
    h.advance(661_000); // past the reset and any jitter
    const [notice] = await notices();
    const pass = await liftDuePauses(h.ledger, lift, h.now());
    expect(pass).toEqual({ lifted: ['alpha'], retired: [notice?.id], skipped: [] });
    const back = await bead(a.id);
    expect([back.status, back.assignee?.startsWith('alpha/')]).toEqual(['hooked', true]);
    expect(back.labels).toEqual(['limits:1']);
    expect((await bead(queuedLater)).status).toBe('hooked');
    expect((await bead(notice?.id as string)).close_reason).toBe(
      'Retired: the usage-limit pause lifted; dispatch to alpha resumed',
    );
    expect((await rig('alpha')).usage_limit?.lifted_at).not.toBeNull();
    expect(gtRigList.text(await ok<Rig[]>('gt rig list'))).not.toMatch(/paused/);
    expect(await liftDuePauses(h.ledger, lift, h.now())).toEqual({ lifted: [], retired: [], skipped: [] });
    // Nothing to resume now; the audit names the job.
    expect(refusal(await run('gt rig resume', { name: 'alpha' })).code).toBe('not_paused');
    expect((await h.ledger.listAudit(50)).some((r) => r.actor === 'usage-limit-lift')).toBe(true);
  });

  it('lets a person resume early; the lift job leaves a pause made longer meanwhile alone', async () => {
    const a = await slung('first');
    await ok('gt polecat limited', { agent: a.agent, bead: a.id, message: MESSAGE, 'reset-at': inS(3600) });
    const resumed = await ok<ResumeResult>('gt rig resume', { name: 'alpha' });
    expect(resumed.dispatched).toEqual([a.id]);
    expect(resumed.retired).toHaveLength(1);
    // A job that read the pause as due before a new limit made it longer: refused, nothing lifted.
    const again = await bead(a.id);
    expect(
      (await limited(again.assignee as string, a.id, { incarnation: '1', 'reset-at': inS(3600) })).ok,
    ).toBe(true);
    const refused = await as(system('usage-limit-lift'))('gt rig resume', { name: 'alpha', due: true });
    expect(refusal(refused).code).toBe('not_due');
    expect((await rig('alpha')).usage_limit?.lifted_at).toBeNull();
  });

  it('backs off 1, then 2 minutes without a reset time, and starts over once work got through', async () => {
    const a = await slung('first');
    const lift = as(system('usage-limit-lift'));
    const hit = async (incarnation: number) => {
      const agent = (await bead(a.id)).assignee as string;
      const r = await ok<LimitedResult>('gt polecat limited', {
        agent,
        bead: a.id,
        message: 'API Error: Rate limit reached',
        incarnation: String(incarnation),
      });
      const limit = r.paused[0]?.usage_limit as { until: string; backoff_s: number };
      const wait = waitS(limit);
      h.advance((wait + 1) * 1000);
      expect((await liftDuePauses(h.ledger, lift, h.now())).lifted).toEqual(['alpha']);
      return [limit.backoff_s, wait];
    };
    const [b1, w1] = (await hit(0)) as [number, number];
    expect(b1).toBe(60);
    expect(w1).toBeGreaterThanOrEqual(60);
    expect(w1).toBeLessThan(66);
    expect((await hit(1))[0]).toBe(120);
    expect((await hit(2))[0]).toBe(240);
    // The next start spends tokens (a successful run): the wall is new, the backoff starts over.
    const agent = (await bead(a.id)).assignee as string;
    await as(runner('alpha'))('gt usage report', {
      bead: a.id,
      agent,
      rig: 'alpha',
      input: '100',
      output: '10',
      'cache-read': '0',
      'cache-write': '0',
    });
    expect((await hit(3))[0]).toBe(60);
    expect((await bead(a.id)).labels).toEqual(['limits:4']);
  });

  it('pauses every rig sharing the account, with one notice retired when the last one resumes', async () => {
    await ok('gt rig set', { name: 'alpha', account: 'team-claude' });
    const beta = await ok<Rig>('gt rig set', { name: 'beta', account: 'team-claude' });
    expect(beta.account).toBe('team-claude');
    expect(gtRigList.text(await ok<Rig[]>('gt rig list'))).toMatch(/beta .*account team-claude/);
    expect(refusal(await run('gt rig set', { name: 'beta', account: 'two words' })).code).toBe(
      'invalid_account',
    );
    const a = await slung('first');
    const r = await ok<LimitedResult>('gt polecat limited', {
      agent: a.agent,
      bead: a.id,
      message: MESSAGE,
      'reset-at': inS(600),
    });
    expect(r.paused.map((p) => p.rig)).toEqual(['alpha', 'beta']);
    const [notice, ...more] = await notices();
    expect(more).toEqual([]);
    expect(notice?.title).toMatch(/^rigs alpha, beta paused: usage limit until /);
    expect((await slung('on beta', 'beta')).sling).toMatchObject({
      status: 'queued',
      waiting: expect.stringMatching(/^rig beta is paused/),
    });
    h.advance(661_000);
    const pass = await liftDuePauses(h.ledger, as(system('usage-limit-lift')), h.now());
    expect(pass).toEqual({ lifted: ['alpha', 'beta'], retired: [notice?.id], skipped: [] });
    // `--account none`: its own again.
    expect((await ok<Rig>('gt rig set', { name: 'beta', account: 'none' })).account).toBeNull();
  });

  it('the witness never respawns a limited polecat: when the runner’s call failed it asks for the same verdict', async () => {
    const a = await slung('first');
    // Three respawns already: without the limit, this exit would be a crash loop.
    await h.ledger.updateBead(a.id, { add_labels: ['respawns:3'] }, { actor: 't', now: h.now() });
    h.advance(120_000);
    const ago = (s: number) => new Date(h.now().getTime() - s * 1000).toISOString();
    const process: NonNullable<Signals['process']> = {
      bead: a.id,
      alive: false,
      exit_code: 1,
      output_at: ago(2),
      reported_at: ago(1),
      started_at: ago(60),
      incarnation: 3,
      limit: { reset_at: null, message: 'API Error: Rate limit reached' },
    };
    const summary = await witnessPass(
      {
        ledger: h.ledger,
        execute: as(system('witness')),
        observe: (agent) =>
          agent === a.agent ? { process, heartbeatAt: null } : { process: null, heartbeatAt: null },
        thresholds: { spawnGraceMs: 60_000, stallMs: 180_000, maxRespawns: 3 },
        escalateAfterMs: 30_000,
        memory: new Map(),
      },
      h.now(),
    );
    expect(summary.verdicts['usage-limited']).toBe(1);
    expect(summary.actions).toEqual([
      { agent: a.agent, bead: a.id, action: 'requeue-limited', why: expect.stringMatching(/usage limit/) },
    ]);
    expect(h.stops).toEqual([]);
    const back = await bead(a.id);
    expect([back.status, back.labels.sort()]).toEqual(['open', ['gt:queued', 'limits:1', 'respawns:3']]);
    expect((await rig('alpha')).usage_limit?.backoff_s).toBe(60);
    expect((await notices()).map((n) => n.kind)).toEqual(['usage-limit']);
  });
});
