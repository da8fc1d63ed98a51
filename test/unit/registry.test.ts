import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CATALOG } from '../../src/commands/catalog.ts';
import { CommandRegistry } from '../../src/commands/registry.ts';
import type { Actor } from '../../src/domain/actor.ts';
import { SqliteLedger } from '../../src/ledger/sqlite/sqlite-ledger.ts';

const alice: Actor = { kind: 'human', id: 'alice' };
const polecat: Actor = { kind: 'agent', id: 'alpha/Toast' };

describe('command registry', () => {
  let ledger: SqliteLedger;
  let registry: CommandRegistry;
  let unexpected: unknown[];
  beforeEach(async () => {
    ledger = new SqliteLedger({ path: ':memory:' });
    await ledger.init();
    unexpected = [];
    let t = Date.parse('2026-11-22T12:00:00Z');
    registry = new CommandRegistry({ ledger, now: () => new Date(t++) }, CATALOG, (err) =>
      unexpected.push(err),
    );
  });
  afterEach(() => ledger.close());

  const run = (verb: string, args: unknown, actor = alice) =>
    registry.execute({ verb, args, actor, source: 'cli' });

  it('runs a verb and audits it with the actor and source', async () => {
    const reply = await run('bd create', { title: 'Fix', priority: '1', labels: ['ui'] });
    expect(reply).toMatchObject({
      ok: true,
      data: { title: 'Fix', priority: 1, labels: ['ui'], created_by: 'alice' },
    });
    const [audit] = await ledger.listAudit(5);
    expect(audit).toMatchObject({
      verb: 'bd create',
      actor: 'alice',
      actor_kind: 'human',
      source: 'cli',
      outcome: 'ok',
    });
  });

  it('audits refusals too, and a refusal changes nothing', async () => {
    const reply = await run('bd create', { title: '', priority: '9' });
    expect(reply).toMatchObject({ ok: false, error: { kind: 'usage', code: 'invalid_title' } });
    expect(await ledger.listBeads({ all: true })).toEqual([]);
    const [audit] = await ledger.listAudit(5);
    expect(audit).toMatchObject({ outcome: 'refused', message: expect.stringContaining('title is empty') });
  });

  it('does not audit reads', async () => {
    await run('bd list', {});
    expect(await ledger.listAudit(5)).toEqual([]);
  });

  it('agents may work beads (in their own rig by default) but not reshape the town', async () => {
    await run('gt rig add', { name: 'alpha', prefix: 'al' });
    expect(await run('bd create', { title: 'found a bug' }, polecat)).toMatchObject({
      ok: true,
      data: { rig: 'alpha', created_by: 'alpha/Toast' },
    });
    expect(await run('gt rig add', { name: 'x', prefix: 'x' }, polecat)).toMatchObject({
      ok: false,
      error: { code: 'forbidden', message: expect.stringContaining("it is a person's decision (admin)") },
    });
    expect((await ledger.listRigs()).map((r) => r.name)).toEqual(['alpha']);
  });

  it('refuses unknown verbs, unknown arguments and injected operators without touching the ledger', async () => {
    expect(await run('bd explode', {})).toMatchObject({ ok: false, error: { code: 'unknown_command' } });
    expect(await run('bd show', { ids: [{ $gt: '' }] })).toMatchObject({
      ok: false,
      error: { code: 'bad_argument_type' },
    });
    expect(await run('bd show', { ids: ['{"$gt":""}'] })).toMatchObject({
      ok: false,
      error: { kind: 'refused' },
    });
    expect(await run('bd list', { $where: '1' })).toMatchObject({
      ok: false,
      error: { code: 'unknown_argument' },
    });
    expect(unexpected).toEqual([]);
  });

  it('audits a refusal of arguments nested 10,000 deep or megabytes long with a short preview (found by fuzzing)', async () => {
    const deep = JSON.parse(`${'['.repeat(10_000)}${']'.repeat(10_000)}`);
    expect(await run('bd create', deep)).toMatchObject({ ok: false, error: { code: 'malformed_args' } });
    expect(await run('bd create', { title: [{ $gt: 'x'.repeat(1_000_000) }] })).toMatchObject({
      ok: false,
      error: { code: 'bad_argument_type' },
    });
    const [big, nested] = await ledger.listAudit(2);
    expect(nested?.args).toEqual({
      unchecked: expect.stringMatching(/^(\[\[\[.*…|\(not representable as JSON\))$/),
    });
    expect(String(big?.args.unchecked).length).toBeLessThanOrEqual(501);
    expect(unexpected).toEqual([]);
  });

  it('audits a long text argument by its start and length (a plan graph can be megabytes)', async () => {
    const graph = JSON.stringify({ nodes: [{ key: 'a', title: 'x'.repeat(10_000) }], edges: [] });
    await run('bd create', { graph, 'dry-run': true });
    const [audit] = await ledger.listAudit(1);
    expect(audit?.args).toMatchObject({
      'dry-run': true,
      graph: `${graph.slice(0, 500)}… (${graph.length} characters)`,
    });
  });

  it('partial success of multi-id close: closes what it can, reports the rest', async () => {
    const a = await ledger.createBead({ title: 'A' }, { actor: 'x', now: new Date() });
    const b = await ledger.createBead({ title: 'B' }, { actor: 'x', now: new Date() });
    await ledger.addDependency(b.id, a.id, 'blocks', { actor: 'x', now: new Date() });
    const reply = await run('bd close', { ids: [b.id, a.id] });
    expect(reply).toMatchObject({ ok: true, data: [{ id: a.id, status: 'closed' }] });
    expect(reply.ok && reply.errors?.[0]).toContain('blocked by open issues');
    const none = await run('bd close', { ids: ['hq-nope'] });
    expect(none).toMatchObject({ ok: false, error: { code: 'all_failed' } });
  });

  it('dep add names the cycle it refuses', async () => {
    const [a, b] = [
      await ledger.createBead({ title: 'A' }, { actor: 'x', now: new Date() }),
      await ledger.createBead({ title: 'B' }, { actor: 'x', now: new Date() }),
    ];
    await run('bd dep add', { issue: a.id, 'depends-on': b.id });
    const reply = await run('bd dep add', { issue: b.id, 'depends-on': a.id });
    expect(reply).toMatchObject({
      ok: false,
      error: { code: 'cycle', message: expect.stringContaining(`${b.id} → ${a.id} → ${b.id}`) },
    });
  });

  it('answers "unavailable" (retry) when the ledger classes the failure as an outage, though its ping answers again', async () => {
    const lost = new Error('connection to the database closed');
    // The real ledger, except that creating fails the way a dropped connection does.
    const flaky = (outage: boolean) =>
      new Proxy(ledger, {
        get(target, prop, receiver) {
          if (prop === 'createBead') return () => Promise.reject(lost);
          if (prop === 'isUnavailableError') return (err: unknown) => outage && err === lost;
          return Reflect.get(target, prop, receiver);
        },
      });
    const execute = (l: SqliteLedger) =>
      new CommandRegistry({ ledger: l, now: () => new Date() }, CATALOG, (err) =>
        unexpected.push(err),
      ).execute({ verb: 'bd create', args: { title: 'Fix' }, actor: alice, source: 'cli' });
    expect(await execute(flaky(true))).toMatchObject({ ok: false, error: { kind: 'unavailable' } });
    expect(await execute(flaky(false))).toMatchObject({ ok: false, error: { kind: 'internal' } });
    // The outage is not audited (the ledger could not take it); the internal error is.
    expect((await ledger.listAudit(5)).map((a) => a.outcome)).toEqual(['error']);
  });
});
