import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { describe, expect, it } from 'vitest';
import { gtRigList } from '../../src/commands/gt/rig.ts';
import { gtRigSet } from '../../src/commands/gt/rig-set.ts';
import { parseWords } from '../../src/commands/syntax.ts';
import { gateRetries } from '../../src/domain/merge-policy.ts';
import { LEGACY_MERGE_POLICY, type Rig } from '../../src/domain/rig.ts';
import { SqliteLedger } from '../../src/ledger/sqlite/sqlite-ledger.ts';
import { runGates } from '../../src/services/refinery/gate-runner.ts';
import { useCommands } from './command-harness.ts';

/**
 * `--gate-retries N` on `gt rig add` / `gt rig set`: a per-rig count of reruns for a flaky gate,
 * stored in the merge policy, shown by `gt rig list`; bad values are refused and change nothing,
 * and policies stored before the field existed read as 0 (no reruns).
 */
describe('gt rig add / set --gate-retries', () => {
  const h = useCommands();
  const rigAdd = (more: Record<string, unknown> = {}) =>
    h.run('gt rig add', { name: 'alpha', prefix: 'al', repo: '/srv/alpha.git', gate: ['npm test'], ...more });

  it('stores the count, and gt rig list shows it beside the gates and their timeout', async () => {
    expect(await rigAdd({ 'gate-retries': '2' })).toMatchObject({ ok: true });
    const [alpha] = await h.ok<Rig[]>('gt rig list');
    expect(alpha?.merge_policy).toEqual({
      merge: 'mr',
      gates: ['npm test'],
      gate_timeout_s: 900,
      gate_retries: 2,
      merge_style: 'rebase',
    });
    expect(gtRigList.text([alpha as Rig])).toContain('merge mr · gates: npm test (15m, 2 retries) · rebase');
  });

  it('leaves it out by default and for 0: a failing gate fails at once', async () => {
    await rigAdd();
    await h.ok('gt rig add', { name: 'beta', prefix: 'be', repo: '/srv/b.git', 'gate-retries': '0' });
    for (const rig of await h.ok<Rig[]>('gt rig list')) {
      expect(rig.merge_policy).not.toHaveProperty('gate_retries');
      expect(gateRetries(rig.merge_policy)).toBe(0);
    }
  });

  it('refuses --gate-retries 9, x and the like with what to give, and adds nothing', async () => {
    for (const bad of ['9', 'x', '-1', '1.5', '']) {
      const reply = await rigAdd({ 'gate-retries': bad });
      expect(reply, bad).toMatchObject({
        ok: false,
        error: {
          kind: 'usage',
          code: 'invalid_gate_retries',
          message: expect.stringContaining(`--gate-retries ${JSON.stringify(bad)}: give how many times`),
        },
      });
      if (!reply.ok) expect(reply.error.message).toMatch(/from 0 .* to 5, e\.g\. --gate-retries 2/);
    }
    expect(await h.ledger.listRigs()).toEqual([]);
    expect(await h.ledger.eventsSince(0)).toEqual([]);
  });

  it('gt rig set --gate-retries 2 changes only that field; 0 takes it back; bad values change nothing', async () => {
    await rigAdd({ 'gate-timeout': '90s', 'merge-style': 'squash' });
    const before = (await h.ledger.getRig('alpha')) as Rig;
    const set = await h.ok<Rig>('gt rig set', { name: 'alpha', 'gate-retries': '2' });
    expect(set).toEqual({
      ...before,
      merge_policy: { ...before.merge_policy, gate_retries: 2 },
      version: before.version + 1,
    });
    expect(gtRigSet.text(set)).toBe(
      'rig alpha: merge mr · gates: npm test (2m, 2 retries) · squash · batch 4',
    );
    const events = (await h.ledger.eventsSince(0)).filter((e) => e.type === 'rig_updated');
    expect(events).toHaveLength(1);
    expect(events[0]?.data).toEqual({ merge_policy: set.merge_policy });

    // Other fields keep the count.
    const gated = await h.ok<Rig>('gt rig set', { name: 'alpha', gate: ['make check'] });
    expect(gated.merge_policy).toEqual({ ...set.merge_policy, gates: ['make check'] });

    for (const bad of ['6', 'two']) {
      const reply = await h.run('gt rig set', { name: 'alpha', 'gate-retries': bad });
      expect(reply).toMatchObject({ ok: false, error: { kind: 'usage', code: 'invalid_gate_retries' } });
    }
    expect(await h.ledger.getRig('alpha')).toEqual(gated);

    const none = await h.ok<Rig>('gt rig set', { name: 'alpha', 'gate-retries': '0' });
    expect(none.merge_policy).toEqual({ ...before.merge_policy, gates: ['make check'] });
    expect(none.merge_policy).not.toHaveProperty('gate_retries');
    expect(none.version).toBe(gated.version + 1);
    const seen = (await h.ledger.eventsSince(0)).length;
    expect((await h.ok<Rig>('gt rig set', { name: 'alpha', 'gate-retries': '0' })).version).toBe(
      none.version,
    );
    expect((await h.ledger.eventsSince(0)).length).toBe(seen);
  });

  it('names the flag in the usage of both verbs and when gt rig set is given nothing', async () => {
    const words = parseWords(['alpha', '--gate-retries', '3'], gtRigSet.syntax, gtRigSet.usage);
    expect(words['gate-retries']).toBe('3');
    expect(gtRigSet.usage).toContain('[--gate-retries N]');
    await rigAdd();
    expect(await h.run('gt rig set', { name: 'alpha' })).toMatchObject({
      ok: false,
      error: { code: 'nothing_to_set', message: expect.stringContaining('--gate-retries') },
    });
  });
});

describe('merge policies stored before gate_retries existed', () => {
  it('read as 0: shown without retries, run a failing gate once, and take a count by gt rig set', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gt-gate-retries-'));
    const path = join(dir, 'ledger.db');
    const ctx = { actor: 't', now: new Date() };
    try {
      const first = new SqliteLedger({ path });
      await first.init();
      await first.addRig({ name: 'old', prefix: 'od', repo: '/srv/old.git' }, ctx);
      await first.addRig({ name: 'older', prefix: 'or', repo: '/srv/older.git' }, ctx);
      await first.close();
      // The rows as they were written then: a policy without the field, and none at all.
      const raw = new DatabaseSync(path);
      raw
        .prepare('UPDATE rigs SET merge_policy = ? WHERE name = ?')
        .run('{"merge":"mr","gates":["exit 1"],"gate_timeout_s":60,"merge_style":"rebase"}', 'old');
      raw.prepare('UPDATE rigs SET merge_policy = NULL WHERE name = ?').run('older');
      raw.close();

      const ledger = new SqliteLedger({ path });
      await ledger.init();
      try {
        const old = (await ledger.getRig('old')) as Rig;
        const older = (await ledger.getRig('older')) as Rig;
        expect(older.merge_policy).toEqual(LEGACY_MERGE_POLICY);
        expect([gateRetries(old.merge_policy), gateRetries(older.merge_policy)]).toEqual([0, 0]);
        expect(gtRigList.text([old])).toContain('merge mr · gates: exit 1 (1m) · rebase');

        // What the refinery passes for such a rig (`retries: policy.gate_retries`): no rerun.
        const counter = join(dir, 'runs');
        const { passed, results } = await runGates(
          [{ name: 'gate 1', command: `echo x >> ${counter}; exit 1` }],
          {
            cwd: dir,
            timeoutMs: 30_000,
            env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
            retries: old.merge_policy.gate_retries,
          },
        );
        expect(passed).toBe(false);
        expect(results).toMatchObject([{ exit: 1, runs: 1 }]);

        // Setting 0 on it is no change (no write); a count is stored beside what was there.
        expect(await ledger.setRigMergePolicy('old', { gate_retries: 0 }, ctx)).toEqual(old);
        const set = await ledger.setRigMergePolicy('old', { gate_retries: 1 }, ctx);
        expect(set.merge_policy).toEqual({ ...old.merge_policy, gate_retries: 1 });
        expect(set.version).toBe(old.version + 1);
      } finally {
        await ledger.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
