import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CATALOG } from '../../src/commands/catalog.ts';
import { CommandRegistry } from '../../src/commands/registry.ts';
import { MERGING_LABEL, type MergeRequest } from '../../src/domain/merge-request.ts';
import { SqliteLedger } from '../../src/ledger/sqlite/sqlite-ledger.ts';
import type { LeaderLease } from '../../src/services/leader-lease.ts';
import { GateJournal } from '../../src/services/refinery/gate-journal.ts';
import { type RefineryDeps, RigRefinery } from '../../src/services/refinery/rig-refinery.ts';
import { gitRepo, waitFor } from './runner-process.ts';

/**
 * The refinery resuming after a death between its steps (reference/refinery.md §11, 24–25), on a
 * real SQLite ledger and a real git repository: the service died after the target moved but
 * before the MR was recorded, or after the record but before the bead closed. A new holder of
 * the rig's lease finishes the job exactly once: no second commit on the target, one merged
 * record, the bead closed `Merged in …`.
 */
describe('refinery recovery between steps', () => {
  const home = mkdtempSync(join(tmpdir(), 'gt-recovery-'));
  let repo = '';
  let ledger: SqliteLedger;
  let registry: CommandRegistry;
  const write = () => ({ actor: 'test', now: new Date() });
  const git = (...args: string[]) =>
    execFileSync('git', ['-C', repo, '-c', 'user.name=t', '-c', 'user.email=t@e', ...args], {
      encoding: 'utf8',
    }).trim();

  beforeEach(async () => {
    repo = gitRepo();
    ledger = new SqliteLedger({ path: join(mkdtempSync(join(tmpdir(), 'gt-recovery-db-')), 'ledger.db') });
    await ledger.init();
    registry = new CommandRegistry({ ledger, now: () => new Date() }, CATALOG, (err) => {
      throw err;
    });
    await ledger.addRig(
      { name: 'alpha', prefix: 'al', repo, merge_policy: { merge: 'mr', gates: [] } },
      write(),
    );
  });
  afterEach(() => ledger.close());

  /** A bead waiting in the queue, its branch one commit ahead of main, its MR `verifying` (a holder was at it). */
  async function inFlight(name = 'work', subject = 'the work'): Promise<MergeRequest> {
    const bead = await ledger.createBead({ title: 'w', rig: 'alpha' }, write());
    await ledger.updateBead(bead.id, { status: 'blocked', add_labels: [MERGING_LABEL] }, write());
    git('checkout', '-q', '-b', name, 'main');
    writeFileSync(join(repo, `${name}.txt`), `${name}\n`);
    git('add', '-A');
    git('commit', '-qm', subject);
    git('checkout', '-q', 'main');
    const { mr } = await ledger.submitMergeRequest(
      {
        id: `al-mr-${name}`,
        rig: 'alpha',
        bead_id: bead.id,
        polecat: null,
        branch: name,
        sha: git('rev-parse', name),
        target: 'main',
        priority: 2,
      },
      write(),
    );
    const verifying = await ledger.updateMergeRequest(
      mr.id,
      { expect: { status: 'queued', version: mr.version }, set: { status: 'verifying', attempts: 1 } },
      write(),
    );
    return verifying as MergeRequest;
  }

  const refinery = async (log: RefineryDeps['log'] = { info: () => {}, warn: () => {} }) =>
    new RigRefinery(
      (await ledger.getRig('alpha')) as NonNullable<Awaited<ReturnType<SqliteLedger['getRig']>>>,
      { token: () => 1 } as unknown as LeaderLease,
      {
        ledger,
        execute: (verb, args) =>
          registry.execute({ verb, args, actor: { kind: 'system', id: 'refinery' }, source: 'system' }),
        home,
        log,
        now: () => new Date(),
        maxAttempts: 3,
        maxTargetRaces: 3,
        gateEnv: { PATH: process.env.PATH },
        journal: new GateJournal(join(home, 'alpha.gates.json')),
      },
    );

  it('died after moving the target, before recording: recorded as merged, nothing landed twice', async () => {
    const mr = await inFlight();
    git('merge', '--ff-only', '-q', 'work'); // the move that happened before the death
    const before = git('rev-parse', 'main');
    await (await refinery()).wake();
    const after = await ledger.getMergeRequest(mr.id);
    expect(after).toMatchObject({ status: 'merged', merge_commit: before });
    expect(git('rev-parse', 'main')).toBe(before);
    expect(
      git('log', '--format=%s', 'main')
        .split('\n')
        .filter((s) => s === 'the work'),
    ).toHaveLength(1);
    const bead = await ledger.getBead(mr.bead_id as string);
    expect(bead).toMatchObject({ status: 'closed', close_reason: `Merged in ${mr.id} at ${before}` });
  });

  it('died after recording, before closing the bead: the bead is closed, once', async () => {
    const mr = await inFlight();
    git('merge', '--ff-only', '-q', 'work');
    const tip = git('rev-parse', 'main');
    await ledger.updateMergeRequest(
      mr.id,
      { expect: { status: 'verifying', version: mr.version }, set: { status: 'merged', merge_commit: tip } },
      write(),
    );
    await (await refinery()).wake();
    const bead = await ledger.getBead(mr.bead_id as string);
    expect(bead).toMatchObject({ status: 'closed', close_reason: `Merged in ${mr.id} at ${tip}` });
    const closes = (await ledger.eventsSince(0, 1000)).filter(
      (e) => e.type === 'bead_closed' && e.bead_id === bead?.id,
    );
    expect(closes).toHaveLength(1);
  });

  it('died in the middle of verifying, nothing moved: queued again, then landed once', async () => {
    const mr = await inFlight();
    const tip = git('rev-parse', 'main');
    await (await refinery()).wake();
    const after = await ledger.getMergeRequest(mr.id);
    expect(after?.status).toBe('merged');
    expect(git('rev-list', '--count', `${tip}..main`)).toBe('1');
  });

  it('died mid-batch after landing the verified prefix: the prefix recorded once, the rest landed after', async () => {
    // A batch of three: the stack's first two were rebased onto main and landed in one move, then
    // the service died during the bisection's bookkeeping, every member still `verifying`.
    const batch = [
      await inFlight('one', 'one'),
      await inFlight('two', 'two'),
      await inFlight('three', 'three'),
    ];
    git('cherry-pick', 'one', 'two');
    const prefix = git('rev-parse', 'main');
    await (await refinery()).wake();
    const after = await Promise.all(batch.map((mr) => ledger.getMergeRequest(mr.id)));
    expect(after.map((mr) => mr?.status)).toEqual(['merged', 'merged', 'merged']);
    expect(git('log', '--reverse', '--format=%s', 'main').split('\n').slice(1)).toEqual([
      'one',
      'two',
      'three',
    ]);
    expect(git('rev-parse', 'main~1')).toBe(prefix);
    for (const mr of batch) {
      const closes = (await ledger.eventsSince(0, 1000)).filter(
        (e) => e.type === 'bead_closed' && e.bead_id === mr.bead_id,
      );
      expect(closes).toHaveLength(1);
    }
  });

  it('a pass that runs long says once which step it is at; an idle queue says nothing', async () => {
    await ledger.setRigMergePolicy('alpha', { gates: ['sleep 2'] }, write());
    const said: { step: string }[] = [];
    const queue = await refinery({
      info: (o, msg) => msg.includes('still running') && said.push(o as { step: string }),
      warn: () => {},
    });
    queue.reportSlowPass(0);
    expect(said).toEqual([]);
    const mr = await inFlight();
    const pass = queue.wake();
    // Polled as the service's poll does: once the gate runs, the pass is at its verification.
    await waitFor(() => {
      queue.reportSlowPass(300);
      return said.length > 0;
    }, 10_000);
    queue.reportSlowPass(300);
    await pass;
    expect(said).toEqual([
      expect.objectContaining({
        rig: 'alpha',
        step: expect.stringMatching(/^(recovering interrupted merges|verifying al-mr-work)$/),
      }),
    ]);
    expect((await ledger.getMergeRequest(mr.id))?.status).toBe('merged');
  }, 20_000);
});
