/**
 * Merge queue benchmark (the refinery): submission → landed latency with a trivial gate (target
 * p50 ≤ 1 s: the git work dominates) and serial throughput with a 2-second gate over 40 merge
 * requests (recorded; batching raises it). The engine runs in-process over a real SQLite ledger
 * file and a real git repository (the service adds a ledger event's relay, milliseconds), one
 * merge request after another as the rig's lease holder does.
 *
 *   node bench/mq.bench.ts [--quick]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CATALOG } from '../src/commands/catalog.ts';
import { CommandRegistry } from '../src/commands/registry.ts';
import type { Rig } from '../src/domain/rig.ts';
import { SqliteLedger } from '../src/ledger/sqlite/sqlite-ledger.ts';
import type { LeaderLease } from '../src/services/leader-lease.ts';
import { GateJournal } from '../src/services/refinery/gate-journal.ts';
import { RigRefinery } from '../src/services/refinery/rig-refinery.ts';
import { mergeResults, writeSection } from './report.ts';
import { describeMachine, percentile, type ResultRow, round } from './stats.ts';

const quick = process.argv.includes('--quick');
const LATENCY_MRS = quick ? 10 : 30;
const THROUGHPUT_MRS = quick ? 8 : 40;
const GATE_S = 2;
const say = (m: string) => process.stderr.write(`${m}\n`);

const dir = mkdtempSync(join(tmpdir(), 'gt-mq-bench-'));
const ledger = new SqliteLedger({ path: join(dir, 'ledger.db') });
await ledger.init();
const registry = new CommandRegistry({ ledger, now: () => new Date() }, CATALOG, (err) => say(String(err)));
const write = () => ({ actor: 'bench', now: new Date() });

function newRepo(name: string): string {
  const repo = join(dir, name);
  execFileSync('git', ['init', '-q', '-b', 'main', repo]);
  git(repo, 'commit', '-q', '--allow-empty', '-m', 'initial');
  return repo;
}
const git = (repo: string, ...args: string[]) =>
  execFileSync('git', ['-C', repo, '-c', 'user.name=b', '-c', 'user.email=b@e', ...args], {
    encoding: 'utf8',
  }).trim();

/** A branch off main with one commit of its own file; returns its SHA. */
function branch(repo: string, name: string): string {
  git(repo, 'checkout', '-q', '-b', name, 'main');
  writeFileSync(join(repo, `${name}.txt`), `${name}\n`);
  git(repo, 'add', '-A');
  git(repo, 'commit', '-qm', name);
  git(repo, 'checkout', '-q', 'main');
  return git(repo, 'rev-parse', name);
}

async function queue(
  rigName: string,
  gate: string,
): Promise<{ rig: Rig; refinery: RigRefinery; repo: string }> {
  const repo = newRepo(rigName);
  const rig = await ledger.addRig(
    { name: rigName, prefix: rigName.slice(0, 3), repo, merge_policy: { merge: 'mr', gates: [gate] } },
    write(),
  );
  const refinery = new RigRefinery(rig, { token: () => 1 } as unknown as LeaderLease, {
    ledger,
    execute: (verb, args) =>
      registry.execute({ verb, args, actor: { kind: 'system', id: 'refinery' }, source: 'system' }),
    home: dir,
    log: { info: () => {}, warn: (_o, m) => say(m) },
    now: () => new Date(),
    maxAttempts: 3,
    maxTargetRaces: 3,
    gateEnv: { PATH: process.env.PATH },
    journal: new GateJournal(join(dir, `${rigName}.gates.json`)),
  });
  return { rig, refinery, repo };
}

const submit = (rig: Rig, repo: string, name: string) =>
  ledger.submitMergeRequest(
    {
      id: `${rig.prefix}-mr-${name}`,
      rig: rig.name,
      bead_id: null,
      polecat: null,
      branch: name,
      sha: branch(repo, name),
      target: 'main',
      priority: 2,
    },
    write(),
  );

// 1. Latency: one MR at a time, a trivial gate.
say(`latency: ${LATENCY_MRS} merge requests, gate \`true\`…`);
const fast = await queue('fast', 'true');
const latency: number[] = [];
for (let i = 0; i < LATENCY_MRS + 2; i++) {
  const t0 = performance.now();
  await submit(fast.rig, fast.repo, `l${i}`);
  await fast.refinery.wake();
  if (i >= 2) latency.push(performance.now() - t0);
}
const landedFast = (await ledger.listMergeRequests({ rig: 'fast', status: ['merged'] })).length;
if (landedFast !== LATENCY_MRS + 2) throw new Error(`only ${landedFast} of ${LATENCY_MRS + 2} landed`);

// 2. Serial throughput: every MR queued at once, a 2-second gate.
say(`throughput: ${THROUGHPUT_MRS} merge requests, a ${GATE_S} s gate…`);
const slow = await queue('slow', `sleep ${GATE_S}`);
for (let i = 0; i < THROUGHPUT_MRS; i++) await submit(slow.rig, slow.repo, `t${i}`);
const t0 = performance.now();
await slow.refinery.wake();
const seconds = (performance.now() - t0) / 1000;
const landedSlow = (await ledger.listMergeRequests({ rig: 'slow', status: ['merged'] })).length;
if (landedSlow !== THROUGHPUT_MRS) throw new Error(`only ${landedSlow} of ${THROUGHPUT_MRS} landed`);
const perHour = round((THROUGHPUT_MRS / seconds) * 3600, 0);
const overhead = round((seconds / THROUGHPUT_MRS - GATE_S) * 1000, 0);

const median = round(percentile(latency, 50), 0);
const p99 = round(percentile(latency, 99), 0);
const rows: ResultRow[] = [
  {
    name: 'mq.submission_to_landed',
    value: median,
    unit: 'ms',
    target: 'p50 <= 1000 ms',
    met: median <= 1000,
    median,
    p99,
  },
  { name: 'mq.serial_throughput_2s_gate', value: perHour, unit: 'MRs/h', target: null, met: null },
];
writeSection(
  'BENCHMARKS.md',
  'mq',
  [
    '## Merge queue (`npm run bench:mq`)',
    '',
    `Machine: ${describeMachine()}. Date: ${new Date().toISOString().slice(0, 10)}.${quick ? ' **Quick mode.**' : ''} The refinery engine in-process over a SQLite ledger file and a git repository (local, non-bare, \`main\` checked out); rebase style; one merge request at a time as the rig's lease holder runs them.`,
    '',
    '| measure | size | median | p99 | target | met |',
    '|---|---|---|---|---|---|',
    `| submission → landed (gate \`true\`): verify in a scratch worktree, gate, CAS on main, bead/branch bookkeeping | ${LATENCY_MRS} MRs after 2 warm-ups | ${median} ms | ${p99} ms | p50 ≤ 1 s | ${median <= 1000 ? 'yes' : '**no**'} |`,
    `| serial throughput with a ${GATE_S} s gate | ${THROUGHPUT_MRS} MRs queued at once, landed in ${round(seconds, 1)} s | ${perHour} MRs/h | — | recorded (batching raises it) | n/a |`,
    '',
    `Overhead per MR beyond the gate: ${overhead} ms (scratch worktree, cherry-pick, update-ref, ledger writes).`,
  ].join('\n'),
);
mergeResults('bench/results.json', rows);
console.log(JSON.stringify(rows, null, 2));
await ledger.close();
rmSync(dir, { recursive: true, force: true });
