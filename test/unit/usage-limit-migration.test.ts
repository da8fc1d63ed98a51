import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { expect, it } from 'vitest';
import { buildRig } from '../../src/domain/rig.ts';
import { type RigDoc, rigFromDoc } from '../../src/ledger/mongo/documents.ts';
import { SqliteLedger } from '../../src/ledger/sqlite/sqlite-ledger.ts';

const LIMIT = {
  until: '2026-11-22T12:00:00.000Z',
  reason: 'limit',
  backoff_s: 60,
  by: 'old/Toast',
  at: '2026-11-22T11:59:00.000Z',
  lifted_at: null,
};

it('opens a ledger file from before usage-limit pauses: old rigs read as unpaused, on their own account', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gt-migrate-'));
  const path = join(dir, 'ledger.db');
  const ctx = { actor: 't', now: new Date('2026-11-22T10:00:00.000Z') };
  const first = new SqliteLedger({ path });
  await first.init();
  await first.addRig({ name: 'old', prefix: 'od', repo: '/srv/old.git' }, ctx);
  await first.close();
  const raw = new DatabaseSync(path);
  raw.exec('ALTER TABLE rigs DROP COLUMN usage_limit');
  raw.exec('ALTER TABLE rigs DROP COLUMN account');
  raw.close();
  const again = new SqliteLedger({ path });
  await again.init();
  try {
    const old = await again.getRig('old');
    expect([old?.usage_limit, old?.account]).toEqual([null, null]);
    expect((await again.setRigUsageLimit('old', LIMIT, old?.version ?? 0, ctx))?.usage_limit).toEqual(LIMIT);
    expect((await again.setRigAccount('old', 'team', ctx)).account).toBe('team');
  } finally {
    await again.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

it('reads a rig document from before usage-limit pauses as unpaused, on its own account', () => {
  const { name, account: _a, usage_limit: _u, ...fields } = buildRig({ name: 'old', prefix: 'od' }, LIMIT.at);
  const doc = { _id: name, ...fields, outbox: [], rev: 1 } as RigDoc;
  expect(rigFromDoc(doc)).toMatchObject({ name: 'old', account: null, usage_limit: null });
  expect(rigFromDoc({ ...doc, account: 'team', usage_limit: LIMIT })).toMatchObject({
    account: 'team',
    usage_limit: LIMIT,
  });
});
