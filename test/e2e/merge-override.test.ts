import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditRecord } from '../../src/ledger/port.ts';
import { writePolicy } from '../support/chat-setup.ts';
import { gitRepo, waitFor } from './runner-process.ts';
import { Town } from './town.ts';

type Mr = {
  id: string;
  status: string;
  reason: string;
  version: number;
  merge_commit: string | null;
  gates: Array<{ exit: number | null; excerpt: string }>;
  override: { by: string; reason: string } | null;
};
type Escalation = {
  id: string;
  status: string;
  version: number;
  kind: string;
  bead_id: string | null;
  proposed_actions: string[];
  close_reason: string;
};
type Bead = { id: string; status: string; close_reason: string };

const FOUR = ['merge:retry', 'merge:rework', 'merge:reject', 'merge:land-anyway'];

/**
 * A target that fails its own gate: the refinery proves it by running the gate on the bare tip,
 * holds the work for a person instead of sending it to rework, and only a person whose role names
 * `mq:override` (the owner's `admin` does not imply it) lands it without passing gates.
 */
describe('landing held work anyway when the target itself is broken', () => {
  const town = new Town();
  const dir = mkdtempSync(join(tmpdir(), 'gt-mq-override-'));
  const ids = { bead: '', mr: '', escalation: '', second: '' };
  let repo = '';
  const git = (...args: string[]) =>
    execFileSync('git', ['-C', repo, '-c', 'user.name=t', '-c', 'user.email=t@e', ...args], {
      encoding: 'utf8',
    }).trim();
  /** A branch off main with one commit adding `<name>.txt` (unrelated to what breaks the gate). */
  const branch = (name: string) => {
    const tree = join(dir, `wt-${name}`);
    git('worktree', 'add', '-q', '-b', name, tree, 'main');
    writeFileSync(join(tree, `${name}.txt`), `${name}\n`);
    execFileSync('git', ['-C', tree, 'add', '-A']);
    execFileSync('git', ['-C', tree, '-c', 'user.name=t', '-c', 'user.email=t@e', 'commit', '-qm', name]);
    git('worktree', 'remove', '--force', tree);
  };
  const submit = async (name: string, bead?: string) =>
    (await town.json<Mr>('gt', ['mq', 'submit', name, '--rig', 'alpha', ...(bead ? ['--bead', bead] : [])]))
      .id;
  const mr = (id: string) => town.json<Mr>('gt', ['mq', 'status', id]);
  const until = (id: string, wanted: string) =>
    waitFor(
      async () => (await mr(id)).status === wanted,
      30_000,
      () => `${id} never became ${wanted}: ${town.serviceOutput.slice(-3000)}`,
    );
  const escalations = async () =>
    (await town.json<Escalation[]>('gt', ['escalation', 'list', '--all'])).filter(
      (e) => e.kind === 'merge-failed',
    );
  /** Carol: a named CLI operator whose role names mq:override. */
  const asCarol = (tool: 'gt' | 'bd', args: string[]) =>
    town.run(tool, args, { GT_NATS_CREDS: join(town.home, 'creds', 'operator-carol.json') });

  beforeAll(async () => {
    repo = gitRepo();
    writeFileSync(join(repo, 'broken.txt'), 'left behind\n');
    git('add', 'broken.txt');
    git('commit', '-qm', 'break main');
    const policy = writePolicy(town, {
      roles: {
        'merge-captain': {
          permissions: ['read', 'escalation:approve', 'mq:override'],
          rigs: ['alpha'],
        },
      },
      cli: { users: { operator: ['owner'], carol: ['merge-captain'] } },
    });
    await town.up(['--http-port', '0'], { GT_POLICY_FILE: policy, GT_MQ_POLL_S: '1' });
    // Prints which commit it judged: the held reason must carry the run on main's own tip.
    const gate = 'if [ -f broken.txt ]; then echo "broken.txt on $(git rev-parse HEAD)"; exit 3; fi';
    await town.json('gt', ['rig', 'add', 'alpha', '--prefix', 'al', '--repo', repo, '--gate', gate]);
  }, 60_000);
  afterAll(async () => {
    await town.destroy();
    rmSync(dir, { recursive: true, force: true });
    rmSync(repo, { recursive: true, force: true });
  });

  it('a gate failing on main by itself holds the work with that evidence, never sends it to rework', async () => {
    const tip = git('rev-parse', 'main');
    branch('feature');
    ids.bead = (await town.json<Bead>('bd', ['create', 'a feature', '--rig', 'alpha'])).id;
    ids.mr = await submit('feature', ids.bead);
    const seen = new Set<string>();
    await waitFor(
      async () => seen.add((await mr(ids.mr)).status).has('held'),
      30_000,
      () => `${ids.mr} never held: ${town.serviceOutput.slice(-3000)}`,
    );
    expect(seen).not.toContain('needs-rework');
    const held = await mr(ids.mr);
    expect(held.reason).toMatch(/^gate `.*broken\.txt.*` fails on main at [0-9a-f]{12} too \(exits 3 there/);
    expect(held.reason).toContain(`fails on main at ${tip.slice(0, 12)} too`);
    expect(held.reason).toContain(`broken.txt on ${tip}`); // the run on main's tip, not on the work
    expect(held.gates.at(-1)?.exit).toBe(3);
    expect(held.gates.at(-1)?.excerpt).toMatch(/broken\.txt on [0-9a-f]{40}/);
    expect(held.gates.at(-1)?.excerpt).not.toContain(tip); // the work's own run judged another commit
    expect(git('rev-parse', 'main')).toBe(tip);
    const mine = (await escalations()).filter((e) => e.bead_id === ids.bead);
    expect(mine).toHaveLength(1);
    expect(mine[0]?.status).toBe('open');
    expect(mine[0]?.proposed_actions.slice().sort()).toEqual(FOUR.slice().sort());
    ids.escalation = mine[0]?.id ?? '';
  }, 60_000);

  it('the full operator (owner) may not land it anyway, by either route; nothing changes', async () => {
    const before = await mr(ids.mr);
    const direct = await town.run('gt', ['mq', 'land-anyway', ids.mr, '-r', 'ship it']);
    expect(direct.code).toBe(1);
    expect(direct.stderr).toMatch(/not allowed: .* may not run gt mq land-anyway: it needs mq:override/);
    const resolve = ['escalation', 'resolve', ids.escalation, '--action', 'merge:land-anyway'];
    const decided = await town.run('gt', resolve);
    expect(decided.code).toBe(1);
    expect(decided.stderr).toMatch(/may not run gt escalation resolve so: it needs mq:override/);
    const after = await mr(ids.mr);
    expect([after.status, after.version, after.override]).toEqual(['held', before.version, null]);
    const [e] = (await escalations()).filter((x) => x.id === ids.escalation);
    expect(e?.status).toBe('open');
    const audit = await town.json<AuditRecord[]>('gt', ['audit', '--limit', '5']);
    expect(audit.slice(0, 2).map((a) => [a.verb, a.outcome])).toEqual([
      ['gt escalation resolve', 'refused'],
      ['gt mq land-anyway', 'refused'],
    ]);
  });

  it('an operator holding mq:override lands it from the escalation: merged untested, bead closed, audited', async () => {
    const resolved = await asCarol('gt', [
      'escalation',
      'resolve',
      ids.escalation,
      '--action',
      'merge:land-anyway',
      '--json',
    ]);
    expect(resolved.code, resolved.stderr).toBe(0);
    expect(JSON.parse(resolved.stdout)).toMatchObject({ status: 'closed' });
    await until(ids.mr, 'merged');
    const merged = await mr(ids.mr);
    expect(merged.merge_commit).toMatch(/^[0-9a-f]{40}$/);
    expect(git('rev-parse', 'main')).toBe(merged.merge_commit);
    expect(git('show', '--name-only', '--format=', 'main')).toContain('feature.txt');
    expect(merged.reason).toBe(
      `landed on main at ${merged.merge_commit} without passing gates: landed anyway by carol (decided on escalation for ${ids.bead})`,
    );
    expect(merged.gates).toEqual([]);
    expect(merged.override?.by).toBe('carol');
    const [bead] = await town.json<Bead[]>('bd', ['show', ids.bead]);
    expect(bead).toMatchObject({
      status: 'closed',
      close_reason: `Merged in ${ids.mr} at ${merged.merge_commit}`,
    });
    const audit = await town.json<AuditRecord[]>('gt', ['audit', '--limit', '50']);
    const carols = audit.filter((a) => a.actor === 'carol');
    expect(carols.map((a) => [a.verb, a.outcome, a.source, a.args.action])).toEqual([
      ['gt escalation resolve', 'ok', 'cli:carol', 'merge:land-anyway'],
    ]);
  }, 60_000);

  it('gt mq land-anyway needs a reason and a held merge request; given both, it lands', async () => {
    const tip = git('rev-parse', 'main');
    branch('second');
    ids.second = await submit('second');
    await until(ids.second, 'held');
    expect((await mr(ids.second)).reason).toContain(`fails on main at ${tip.slice(0, 12)} too`);
    const bare = await asCarol('gt', ['mq', 'land-anyway', ids.second]);
    expect(bare.code).toBe(2);
    expect(bare.stderr).toMatch(/say why it may land untested/);
    const notHeld = await asCarol('gt', ['mq', 'land-anyway', ids.mr, '-r', 'again']);
    expect(notHeld.code).toBe(1);
    expect(notHeld.stderr).toMatch(/is merged; only a held merge request lands anyway/);
    expect((await mr(ids.second)).status).toBe('held');
    const landed = await asCarol('gt', ['mq', 'land-anyway', ids.second, '-r', 'main is known broken']);
    expect(landed.code, landed.stderr).toBe(0);
    await until(ids.second, 'merged');
    const merged = await mr(ids.second);
    expect(git('rev-parse', 'main')).toBe(merged.merge_commit);
    expect(git('rev-parse', 'main^')).toBe(tip);
    expect(merged.reason).toMatch(/without passing gates: landed anyway by carol \(main is known broken\)$/);
    expect(merged.gates).toEqual([]);
    const [last] = await town.json<AuditRecord[]>('gt', ['audit', '--limit', '1']);
    expect([last?.actor, last?.verb, last?.outcome, last?.args.reason]).toEqual([
      'carol',
      'gt mq land-anyway',
      'ok',
      'main is known broken',
    ]);
  }, 60_000);
});
