import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { expect, it } from 'vitest';
import { LEGACY_MERGE_POLICY } from '../../src/domain/rig.ts';
import { SqliteLedger } from '../../src/ledger/sqlite/sqlite-ledger.ts';

it('opens a ledger file created before acceptance_criteria existed, and adds the column', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gt-migrate-'));
  const path = join(dir, 'ledger.db');
  const ctx = { actor: 't', now: new Date() };
  const first = new SqliteLedger({ path });
  await first.init();
  const old = await first.createBead({ title: 'from before' }, ctx);
  await first.close();
  const raw = new DatabaseSync(path);
  raw.exec('ALTER TABLE beads DROP COLUMN acceptance_criteria');
  raw.close();
  const again = new SqliteLedger({ path });
  await again.init();
  expect((await again.getBead(old.id))?.acceptance_criteria).toBe('');
  expect((await again.createBead({ title: 'new', acceptance_criteria: 'ok' }, ctx)).acceptance_criteria).toBe(
    'ok',
  );
  await again.close();
  rmSync(dir, { recursive: true, force: true });
});

it('opens a ledger file created before rigs had env, and reads old rigs as passing nothing', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gt-migrate-'));
  const path = join(dir, 'ledger.db');
  const ctx = { actor: 't', now: new Date() };
  const first = new SqliteLedger({ path });
  await first.init();
  await first.addRig({ name: 'old', prefix: 'od', env: ['ANTHROPIC_API_KEY'] }, ctx);
  await first.close();
  const raw = new DatabaseSync(path);
  raw.exec('ALTER TABLE rigs DROP COLUMN env');
  raw.close();
  const again = new SqliteLedger({ path });
  await again.init();
  expect(await again.getRig('old')).toMatchObject({ name: 'old', prefix: 'od', env: [] });
  const added = await again.addRig({ name: 'new', prefix: 'nw', env: ['OPENAI_API_KEY'] }, ctx);
  expect(await again.getRig('new')).toEqual(added);
  expect(added.env).toEqual(['OPENAI_API_KEY']);
  await again.close();
  rmSync(dir, { recursive: true, force: true });
});

it('opens a ledger file from before merge requests: old rigs read as the legacy policy, MRs work', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gt-migrate-'));
  const path = join(dir, 'ledger.db');
  const ctx = { actor: 't', now: new Date() };
  const first = new SqliteLedger({ path });
  await first.init();
  await first.addRig({ name: 'old', prefix: 'od', repo: '/srv/old.git' }, ctx);
  await first.close();
  const raw = new DatabaseSync(path);
  raw.exec('ALTER TABLE rigs DROP COLUMN merge_policy');
  raw.exec('DROP TABLE merge_requests');
  raw.close();
  const again = new SqliteLedger({ path });
  await again.init();
  // What the rig did before rigs had a policy (its beads closed at gt done), not the new default.
  expect((await again.getRig('old'))?.merge_policy).toEqual(LEGACY_MERGE_POLICY);
  const added = await again.addRig(
    { name: 'new', prefix: 'nw', repo: '/srv/new.git', merge_policy: { gates: [] } },
    ctx,
  );
  expect(await again.getRig('new')).toEqual(added);
  expect(added.merge_policy).toMatchObject({ merge: 'mr', gates: [] });
  const input = {
    id: 'od-mr-1',
    rig: 'old',
    bead_id: null,
    polecat: null,
    branch: 'b',
    sha: 'a'.repeat(40),
    target: 'main',
    priority: 2,
  };
  const { mr } = await again.submitMergeRequest(input, ctx);
  expect(await again.getMergeRequest(mr.id)).toEqual(mr);
  await again.close();
  rmSync(dir, { recursive: true, force: true });
});

it('opens a ledger file from before merge queues could be frozen: old rigs read as not frozen', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gt-migrate-'));
  const path = join(dir, 'ledger.db');
  const ctx = { actor: 't', now: new Date('2026-11-22T10:00:00.000Z') };
  const first = new SqliteLedger({ path });
  await first.init();
  await first.addRig({ name: 'old', prefix: 'od', repo: '/srv/old.git' }, ctx);
  await first.close();
  const raw = new DatabaseSync(path);
  raw.exec('ALTER TABLE rigs DROP COLUMN mq_frozen');
  raw.close();
  const again = new SqliteLedger({ path });
  await again.init();
  try {
    expect((await again.getRig('old'))?.mq_frozen).toBeNull();
    const freeze = { by: 'alice', reason: 'release', at: ctx.now.toISOString() };
    expect((await again.setRigFrozen('old', freeze, ctx)).mq_frozen).toEqual(freeze);
    expect((await again.getRig('old'))?.mq_frozen).toEqual(freeze);
  } finally {
    await again.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

it('opens a ledger file from before usage records: the table is added, old beads take usage', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gt-migrate-'));
  const path = join(dir, 'ledger.db');
  const ctx = { actor: 'runner:old', now: new Date('2026-11-22T10:00:00.000Z') };
  const first = new SqliteLedger({ path });
  await first.init();
  await first.addRig({ name: 'old', prefix: 'od' }, ctx);
  const bead = await first.createBead({ title: 'from before', rig: 'old' }, ctx);
  await first.close();
  const raw = new DatabaseSync(path);
  raw.exec('DROP TABLE usage_records');
  raw.close();
  const again = new SqliteLedger({ path });
  await again.init();
  try {
    expect(await again.usageTotals({}, null)).toEqual([]);
    const usage = { input_tokens: 10, output_tokens: 1, cache_read_tokens: 0, cache_write_tokens: 0 };
    const report = {
      bead: bead.id,
      convoy: null,
      rig: 'old',
      agent: 'old/Toast',
      usage: { ...usage, model: null, cost_usd: 0.5 },
      cumulative: true,
      session: 's',
    };
    expect(await again.recordUsage(report, ctx)).toMatchObject({ bead: bead.id, cost_usd: 0.5 });
    expect(await again.usageTotals({ rig: 'old' }, null)).toMatchObject([
      { cost_micros: 500_000, reports: 1 },
    ]);
  } finally {
    await again.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
