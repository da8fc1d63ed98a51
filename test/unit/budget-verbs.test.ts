import { describe, expect, it } from 'vitest';
import type { BudgetResult } from '../../src/commands/gt/convoy/budget.ts';
import { gtConvoyStatus } from '../../src/commands/gt/convoy/status.ts';
import type { Actor } from '../../src/domain/actor.ts';
import type { Bead } from '../../src/domain/bead.ts';
import { BUDGET_LABELS } from '../../src/domain/budget.ts';
import type { HookView } from '../../src/domain/hook.ts';
import { EMPTY_POLICY, type Policy } from '../../src/domain/policy.ts';
import type { Reply } from '../../src/domain/reply.ts';
import { useCommands } from './command-harness.ts';

/** Every refusal says what to do. */
const HINT = /\b(use|see|give|run|not found|only|cannot|already|check|look again)\b/;
const runner: Actor = { kind: 'system', id: 'runner:alpha' };
const person = (id: string): Actor => ({ kind: 'human', id, operator: id });
const policy: Policy = {
  ...EMPTY_POLICY,
  roles: {
    spender: { permissions: ['read', 'budget:extend'], rigs: ['alpha'] },
    planner: { permissions: ['read', 'bead:write', 'convoy:create', 'convoy:launch', 'sling'], rigs: ['*'] },
  },
  operators: { operator: ['owner'], sam: ['spender'], pat: ['planner'] },
};

const refusal = (reply: Reply) => {
  if (reply.ok) throw new Error(`expected a refusal, got ${JSON.stringify(reply.data)}`);
  expect(reply.error.message).toMatch(HINT);
  return reply.error;
};

/**
 * Convoy budgets through the one command layer over a real SQLite ledger: `--budget` on
 * create and stage, the spend a runner reports moving the convoy to warned and exhausted once
 * each, dispatch refused while it is used up, and `gt convoy budget --extend|--stop` by
 * compare-and-swap — bad input, stale versions and people without `budget:extend` change nothing.
 */
describe('convoy budgets through the command layer', () => {
  const ids: string[] = [];
  const h = useCommands(async (h) => {
    await h.ok('gt rig add', { name: 'alpha', prefix: 'al', 'max-polecats': '8' });
    ids.length = 0;
    for (let i = 1; i <= 6; i++)
      ids.push((await h.ok<Bead>('bd create', { title: `a${i}`, rig: 'alpha' })).id);
  });
  const { run, ok } = h;
  const bead = async (id: string) => (await h.ledger.getBead(id)) as Bead;
  const convoyCount = async () => (await h.ledger.listBeads({ issue_type: 'convoy', all: true })).length;
  /** What alpha's runner sends after a polecat spent `usd` on `id` (a session of its own). */
  const spend = async (id: string, usd: string) => {
    const b = await bead(id);
    const reply = await run(
      'gt usage report',
      {
        bead: id,
        agent: b.assignee ?? 'alpha/Toast',
        rig: 'alpha',
        input: '100',
        output: '10',
        'cache-read': '0',
        'cache-write': '0',
        cost: usd,
        session: `s-${id}`,
        cumulative: true,
      },
      runner,
    );
    expect(reply.ok).toBe(true);
  };
  const budgetConvoy = async (usd = '1') =>
    (
      await ok<{ id: string; budget_usd: number }>('gt convoy create', {
        words: ['Spend', ...ids],
        budget: usd,
      })
    ).id;

  it('gt convoy create --budget keeps it in the Budget field; a bad amount creates nothing', async () => {
    const made = await ok('gt convoy create', { words: ['Ship', ids[0]], budget: '12.50' });
    expect(made).toMatchObject({ title: 'Ship', budget_usd: 12.5, tracked: [ids[0]] });
    expect((await bead(made.id)).description).toMatch(/^Budget: 12\.50$/m);
    expect((await ok('gt convoy create', { words: ['Free', ids[1]] })).budget_usd).toBeNull();
    const before = await convoyCount();
    for (const budget of ['0', '-3', 'ten', '1e9', '5000000']) {
      const e = refusal(await run('gt convoy create', { words: ['Bad', ids[2]], budget }));
      expect(e).toMatchObject({ kind: 'usage', code: 'bad_amount' });
      expect(e.message).toMatch(/give a number above 0/);
    }
    expect(await convoyCount()).toBe(before);
  });

  it('gt convoy stage --budget stages with it, re-stages it, and refuses it once launched', async () => {
    const staged = await ok('gt convoy stage', { ids: ids.slice(0, 2), budget: '2.5' });
    expect(staged).toMatchObject({ staged: true, status: 'staged_ready', budget_usd: 2.5 });
    const again = await ok('gt convoy stage', { ids: ids.slice(0, 2), budget: '3' });
    expect(again).toMatchObject({ convoy_id: staged.convoy_id, budget_usd: 3 });
    expect((await bead(staged.convoy_id)).description).toMatch(/^Budget: 3\.00$/m);
    expect(refusal(await run('gt convoy stage', { ids: ids.slice(0, 2), budget: 'x' })).code).toBe(
      'bad_amount',
    );
    await ok('gt convoy launch', { ids: [staged.convoy_id] });
    const launched = await bead(staged.convoy_id);
    const e = refusal(await run('gt convoy stage', { ids: [staged.convoy_id], budget: '9' }));
    expect(e.message).toMatch(/already launched: its budget only grows, with gt convoy budget/);
    expect((await bead(staged.convoy_id)).version).toBe(launched.version);
    // Without --budget the plan is shown as before, with the budget it has.
    expect(await ok('gt convoy stage', { ids: [staged.convoy_id] })).toMatchObject({
      staged: false,
      budget_usd: 3,
    });
  });

  it('warns once at 80 %, is exhausted at 100 %, and then refuses to dispatch its beads', async () => {
    const convoy = await budgetConvoy('1');
    for (const id of ids.slice(0, 3)) await ok('gt sling', { id });
    await spend(ids[0] as string, '0.30');
    await spend(ids[1] as string, '0.30');
    expect((await bead(convoy)).labels).toEqual([]);
    await spend(ids[2] as string, '0.30');
    const warned = await bead(convoy);
    expect(warned.labels).toEqual([BUDGET_LABELS.warned]);
    await spend(ids[2] as string, '0.30'); // the same totals again: nothing new, nothing moves
    expect((await bead(convoy)).version).toBe(warned.version);
    // Under the budget still: the fourth goes out, and the runner caps it at what is left.
    expect(await ok('gt sling', { id: ids[3] })).toMatchObject({ status: 'hooked' });
    const b4 = await bead(ids[3] as string);
    const hook = await ok<HookView>('gt hook', { agent: b4.assignee });
    expect(hook.prompt?.budget_remaining_usd).toBeCloseTo(0.1, 9);
    await spend(ids[3] as string, '0.30');
    const out = await bead(convoy);
    expect(out.labels).toEqual([BUDGET_LABELS.exhausted]);
    expect(await ok('gt costs', { convoy })).toMatchObject({ total_usd: 1.2 });
    // The fifth is refused, forced or not, and stays as it was.
    const before = await bead(ids[4] as string);
    for (const force of [false, true]) {
      const e = refusal(await run('gt sling', { id: ids[4], force }));
      expect(e.code).toBe('over_budget');
      expect(e.message).toBe(
        `${ids[4]} is not dispatched: convoy ${convoy} has used its budget (spent $1.20 of $1.00); run gt convoy budget ${convoy} --extend USD to resume it, or --stop to close it`,
      );
    }
    expect(await bead(ids[4] as string)).toEqual(before);
    expect((await bead(convoy)).version).toBe(out.version);
  });

  it('refuses dispatch by the spend itself, before any report marked it', async () => {
    const convoy = await budgetConvoy('0.5');
    await ok('gt sling', { id: ids[0] });
    // Spend booked without the watch (a report whose threshold was never marked).
    await h.ledger.recordUsage(
      {
        bead: ids[0] as string,
        convoy,
        rig: 'alpha',
        agent: 'alpha/Toast',
        usage: {
          input_tokens: 1,
          output_tokens: 1,
          cache_read_tokens: 0,
          cache_write_tokens: 0,
          model: null,
          cost_usd: 0.5,
        },
        cumulative: false,
        session: null,
      },
      { actor: 'runner:alpha', now: h.now() },
    );
    expect(refusal(await run('gt sling', { id: ids[1] })).code).toBe('over_budget');
    expect((await bead(convoy)).labels).toEqual([]); // a refusal writes nothing
  });

  async function exhausted(): Promise<{ convoy: string; version: number }> {
    const convoy = await budgetConvoy('1');
    for (const id of ids.slice(0, 4)) await ok('gt sling', { id });
    for (const id of ids.slice(0, 4)) await spend(id, '0.30');
    const c = await bead(convoy);
    expect(c.labels).toEqual([BUDGET_LABELS.exhausted]);
    return { convoy, version: c.version };
  }

  it('extends by compare-and-swap: dispatch resumes at once; a stale or double click changes nothing', async () => {
    const { convoy, version } = await exhausted();
    // Too little to cover the spend: refused, nothing changes.
    const small = refusal(await run('gt convoy budget', { convoy, extend: '0.1', version: String(version) }));
    expect(small.code).toBe('extension_too_small');
    expect((await bead(convoy)).version).toBe(version);
    const r = await ok<BudgetResult>('gt convoy budget', { convoy, extend: '1', version: String(version) });
    expect(r).toMatchObject({
      action: 'extend',
      status: 'open',
      state: 'ok',
      budget_usd: 2,
      extended_usd: 1,
      spent_usd: 1.2,
      dispatched: [
        { id: ids[4], ok: true, status: 'hooked' },
        { id: ids[5], ok: true, status: 'hooked' },
      ],
    });
    const after = await bead(convoy);
    expect(after.labels).toEqual(['budget:extended:1.00']);
    // The same click again (double, or from a card drawn before): refused, nothing changes.
    const stale = refusal(await run('gt convoy budget', { convoy, extend: '1', version: String(version) }));
    expect(stale).toMatchObject({ kind: 'conflict', code: 'stale_version' });
    expect(await bead(convoy)).toEqual(after);
    // From the command line, without a version: at the version read.
    expect(await ok<BudgetResult>('gt convoy budget', { convoy, extend: '0.25' })).toMatchObject({
      budget_usd: 2.25,
      extended_usd: 1.25,
      dispatched: [],
    });
  });

  it('gt convoy status shows the budget, the spend and where it stands', async () => {
    const { convoy } = await exhausted();
    const status = await ok<{ budget: unknown }>('gt convoy status', { convoy });
    expect(status.budget).toEqual({ budget_usd: 1, spent_usd: 1.2, state: 'exhausted' });
    const text = gtConvoyStatus.text(status as never);
    expect(text).toContain('budget $1.20 of $1.00 (exhausted)');
  });

  it('a polecat that stopped at its budget is not respawned: its bead waits in the queue until Extend (T12)', async () => {
    const { convoy, version } = await exhausted();
    const b = await bead(ids[0] as string);
    const agent = b.assignee as string;
    await ok('gt polecat respawn', { agent, reason: 'exited (code 1) without gt done' });
    const back = await bead(b.id);
    expect(back).toMatchObject({ status: 'open', assignee: null });
    expect(back.labels.filter((l) => l.startsWith('respawns:'))).toEqual([]);
    const note = (await h.ledger.listComments(b.id)).at(-1)?.text;
    expect(note).toMatch(/back to the queue, not respawned: .*budget/);
    const r = await ok<BudgetResult>('gt convoy budget', { convoy, extend: '1', version: String(version) });
    expect(r.dispatched).toEqual(
      expect.arrayContaining([expect.objectContaining({ id: b.id, ok: true, status: 'hooked' })]),
    );
  });

  it('stops: closed with a reason, running beads finish; --hard stops their polecats; a second stop changes nothing', async () => {
    const { convoy, version } = await exhausted();
    const soft = await ok<BudgetResult>('gt convoy budget', { convoy, stop: true, version: String(version) });
    expect(soft).toMatchObject({
      action: 'stop',
      status: 'closed',
      state: 'stopped',
      close_reason: 'Stopped over budget by mayor (spent $1.20 of $1.00)',
      stopped: [],
    });
    expect(h.stops).toEqual([]);
    expect((await bead(ids[0] as string)).status).toBe('hooked'); // it finishes
    const closed = await bead(convoy);
    const again = refusal(
      await run('gt convoy budget', { convoy, stop: true, version: String(closed.version) }),
    );
    expect(again.message).toMatch(/is already closed \(Stopped over budget by mayor/);
    expect(await bead(convoy)).toEqual(closed);
    expect(refusal(await run('gt convoy budget', { convoy, extend: '5' })).message).toMatch(
      /is closed .* cannot be extended — add work to reopen it/,
    );
    // Its beads are not dispatched any more (no open convoy feeds them) — and a hard stop:
    const other = await ok<{ id: string }>('bd create', { title: 'x', rig: 'alpha' });
    const hard = await ok<{ id: string }>('gt convoy create', { words: ['Hard', other.id], budget: '1' });
    await ok('gt sling', { id: other.id });
    const running = await bead(other.id);
    const r = await ok<BudgetResult>('gt convoy budget', {
      convoy: hard.id,
      stop: true,
      hard: true,
      reason: 'enough',
    });
    expect(r).toMatchObject({
      close_reason: 'Stopped over budget by mayor: enough',
      stopped: [{ agent: running.assignee, bead: other.id }],
    });
    expect(h.stops).toEqual([{ agent: running.assignee, bead: other.id }]);
    expect((await h.ledger.listComments(other.id)).map((c) => c.text)).toEqual([
      `stopped ${running.assignee}: convoy ${hard.id} was stopped over its budget`,
    ]);
  });

  it('refuses bad input with what to do, changing nothing', async () => {
    const { convoy, version } = await exhausted();
    const free = (await ok<{ id: string }>('gt convoy create', { words: ['Free', ids[5]] })).id;
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ convoy }, /give --extend USD or --stop/],
      [{ convoy, extend: '1', stop: true }, /either --extend USD or --stop, not both/],
      [{ convoy, extend: '1', hard: true }, /--hard only goes with --stop/],
      [{ convoy, extend: '1', reason: 'why' }, /-r only goes with --stop/],
      [{ convoy, extend: 'lots' }, /--extend "lots" is not an amount of dollars; give/],
      [{ convoy, extend: '1', version: 'v2' }, /--version "v2" is not a version; give/],
      [{ convoy, extend: '1', version: String(version - 1) }, /changed since version/],
      [{ convoy: free, extend: '1' }, /has no budget; .*see gt convoy create\|stage --budget USD/],
      [{ convoy: 'hq-cv-nope', stop: true }, /not found/],
    ];
    for (const [args, message] of cases)
      expect(refusal(await run('gt convoy budget', args)).message).toMatch(message);
    // loadConvoy's own refusal (shared by the convoy verbs) says what convoy ids look like.
    expect(await run('gt convoy budget', { convoy: ids[0], extend: '1' })).toMatchObject({
      ok: false,
      error: { message: expect.stringMatching(/is not a convoy/) },
    });
    expect((await bead(convoy)).version).toBe(version);
  });

  it('cannot be forged with bd: budget labels and the Budget field are the budget verbs’ own', async () => {
    const { convoy, version } = await exhausted();
    const c = await bead(convoy);
    for (const [verb, args] of [
      ['bd label remove', { id: convoy, label: BUDGET_LABELS.exhausted }],
      ['bd label add', { id: convoy, label: 'budget:extended:100' }],
      ['bd update', { id: convoy, 'remove-label': [BUDGET_LABELS.exhausted] }],
      ['bd update', { id: convoy, description: c.description.replace('Budget: 1.00', 'Budget: 100') }],
    ] as const) {
      const e = refusal(await run(verb, args));
      expect(e).toMatchObject({ code: 'budget_lifecycle' });
      expect(e.message).toMatch(/budget cannot be changed with bd .*; use gt convoy budget/);
    }
    expect((await bead(convoy)).version).toBe(version);
    // The rest of a convoy's description and labels stay bd's.
    await ok('bd label add', { id: convoy, label: 'team:web' });
    await ok('bd update', { id: convoy, description: `Ship the search page\n${c.description}` });
    expect(await bead(convoy)).toMatchObject({ labels: [BUDGET_LABELS.exhausted, 'team:web'] });
  });

  it('is a person’s decision with budget:extend in every rig of the convoy, never an agent’s', async () => {
    const { convoy, version } = await exhausted();
    h.setPolicy(policy);
    const pat = refusal(await run('gt convoy budget', { convoy, extend: '1' }, person('pat')));
    expect(pat).toMatchObject({
      code: 'forbidden',
      message: expect.stringMatching(/it needs budget:extend/),
    });
    const b4 = await bead(ids[3] as string);
    const agent = refusal(
      await run('gt convoy budget', { convoy, extend: '1' }, { kind: 'agent', id: b4.assignee as string }),
    );
    expect(agent.code).toBe('forbidden');
    expect(refusal(await run('gt convoy budget', { convoy, stop: true }, runner)).code).toBe('forbidden');
    expect((await bead(convoy)).version).toBe(version);
    expect(await run('gt convoy budget', { convoy, extend: '1' }, person('sam'))).toMatchObject({ ok: true });
  });
});
