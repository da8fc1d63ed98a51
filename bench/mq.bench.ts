/**
 * Merge queue benchmark (the refinery): submission → landed latency with a trivial gate (target
 * p50 ≤ 1 s: the git work dominates), serial throughput with a 2-second gate over 40 merge
 * requests, and batches against serial with 10 % of the MRs failing: 40 MRs (each a bead and a
 * branch adding its own file), a seeded 4 of them adding a `BAD-*` file the 2-second gate
 * refuses, drained at `--batch 1`, 4 and other sizes, one prefix at a time and with parallel
 * probes (`--parallel K`), in the same run (target: batch 4 ≥ 3× serial; never a failing MR
 * landed; main in queue order). Then parallel speculation with CPU-bound gates (a busy loop,
 * single- and two-threaded): batch 4 at parallel 1 against parallel 2, and batch 1. The engine
 * runs in-process over a real SQLite ledger file and real git repositories (the service adds a
 * ledger event's relay, milliseconds), as the rig's lease holder does.
 *
 *   node bench/mq.bench.ts [--quick] [--seed N] [--batches 1,4,4x2,8x3]
 *
 * Settings measured by default (`BxK`: batch B, K prefixes at once): 1, 4, the size
 * bench/mq-batch-model.ts predicts fewest gate runs for with this seed's failing positions and the
 * best on average over seeds (both one at a time), 4x2, 4x3, 8x3, and the settings with the
 * fewest rounds of gate time for this seed and on average; CPU-bound gates: 20 MRs, 1, 4, 4x2.
 * `--quick`: 12 MRs, 1 failing, settings 1, 4, the seed's best and 4x2; CPU-bound: 10 MRs, 4, 4x2.
 * The full run takes about 10 minutes on 2 cores.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { CATALOG } from '../src/commands/catalog.ts';
import { CommandRegistry } from '../src/commands/registry.ts';
import { MAX_BATCH } from '../src/domain/merge-batch.ts';
import { MAX_PARALLEL, type MergePolicy } from '../src/domain/merge-policy.ts';
import { MERGING_LABEL, type MergeRequest } from '../src/domain/merge-request.ts';
import type { Rig } from '../src/domain/rig.ts';
import { SqliteLedger } from '../src/ledger/sqlite/sqlite-ledger.ts';
import type { LeaderLease } from '../src/services/leader-lease.ts';
import { GateJournal } from '../src/services/refinery/gate-journal.ts';
import { type BatchStats, RigRefinery } from '../src/services/refinery/rig-refinery.ts';
import {
  type BatchRecord,
  batchesOf,
  informationBound,
  type ModelCost,
  meanModelCost,
  modelCost,
  parseGateLog,
  pickFailing,
  searchBudget,
  searchStack,
  seededRandom,
} from './mq-batch-model.ts';
import { mergeResults, writeSection } from './report.ts';
import { describeMachine, percentile, type ResultRow, round } from './stats.ts';

const quick = process.argv.includes('--quick');
const option = (flag: string): string | undefined => {
  const i = process.argv.indexOf(flag);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const LATENCY_MRS = quick ? 10 : 30;
const THROUGHPUT_MRS = quick ? 8 : 40;
const GATE_S = 2;
const BATCH_MRS = quick ? 12 : 40;
const FAILING_SHARE = 0.1;
const TARGET_RATIO = 3;
const SEED = Number(option('--seed') ?? 20261205);
if (!Number.isSafeInteger(SEED)) throw new Error(`--seed ${option('--seed')}: give a whole number`);
const say = (m: string) => process.stderr.write(`${m}\n`);

const dir = mkdtempSync(join(tmpdir(), 'gt-mq-bench-'));
const ledger = new SqliteLedger({ path: join(dir, 'ledger.db') });
await ledger.init();
const registry = new CommandRegistry({ ledger, now: () => new Date() }, CATALOG, (err) => say(String(err)));
const write = () => ({ actor: 'bench', now: new Date() });
/** Command calls of the refinery that were refused (the culprits' rework: reopen, comment, sling). */
const refusedCalls = new Map<string, number>();
const commandCalls = new Map<string, number>();

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

/** A branch off main with one commit (subject: its name) adding its own file and `extra`; returns its SHA. */
function branch(repo: string, name: string, extra: string[] = []): string {
  git(repo, 'checkout', '-q', '-b', name, 'main');
  for (const file of [`${name}.txt`, ...extra]) writeFileSync(join(repo, file), `${name}\n`);
  git(repo, 'add', '-A');
  git(repo, 'commit', '-qm', name);
  git(repo, 'checkout', '-q', 'main');
  return git(repo, 'rev-parse', name);
}

interface Queue {
  rig: Rig;
  refinery: RigRefinery;
  repo: string;
  /** Outcome kinds the refinery recorded, counted. */
  outcomes: Map<string, number>;
  /** What the refinery reported of each batch it verified. */
  batches: BatchStats[];
}

async function queue(
  rigName: string,
  prefix: string,
  gate: string,
  policy: Partial<MergePolicy> = {},
): Promise<Queue> {
  const repo = newRepo(rigName);
  const rig = await ledger.addRig(
    { name: rigName, prefix, repo, merge_policy: { merge: 'mr', gates: [gate], ...policy } },
    write(),
  );
  const outcomes = new Map<string, number>();
  const batches: BatchStats[] = [];
  const refinery = new RigRefinery(rig, { token: () => 1 } as unknown as LeaderLease, {
    ledger,
    execute: async (verb, args) => {
      const reply = await registry.execute({
        verb,
        args,
        actor: { kind: 'system', id: 'refinery' },
        source: 'system',
      });
      commandCalls.set(verb, (commandCalls.get(verb) ?? 0) + 1);
      if (!reply.ok) {
        const key = `${verb}: ${reply.error.code}`;
        refusedCalls.set(key, (refusedCalls.get(key) ?? 0) + 1);
      }
      return reply;
    },
    home: dir,
    log: { info: () => {}, warn: (_o, m) => say(m) },
    now: () => new Date(),
    maxAttempts: 3,
    maxTargetRaces: 3,
    gateEnv: { PATH: process.env.PATH },
    journal: new GateJournal(join(dir, `${rigName}.gates.json`)),
    onOutcome: (_rig, _mr, kind) => outcomes.set(kind, (outcomes.get(kind) ?? 0) + 1),
    onBatch: (_rig, batch) => batches.push(batch),
  });
  return { rig, refinery, repo, outcomes, batches };
}

/** Queues one MR for `name`'s branch; with `bead`, for a bead waiting on its merge as `gt done` leaves it. */
async function submit(
  q: Pick<Queue, 'rig' | 'repo'>,
  name: string,
  o: { bead?: boolean; extra?: string[] } = {},
): Promise<MergeRequest> {
  let beadId: string | null = null;
  if (o.bead) {
    const bead = await ledger.createBead({ title: `work ${name}`, rig: q.rig.name }, write());
    await ledger.updateBead(bead.id, { status: 'blocked', add_labels: [MERGING_LABEL] }, write());
    beadId = bead.id;
  }
  const { mr } = await ledger.submitMergeRequest(
    {
      id: `${q.rig.prefix}-mr-${name}`,
      rig: q.rig.name,
      bead_id: beadId,
      polecat: null,
      branch: name,
      sha: branch(q.repo, name, o.extra),
      target: 'main',
      priority: 2,
    },
    write(),
  );
  return mr;
}

// 1. Latency: one MR at a time, a trivial gate.
say(`latency: ${LATENCY_MRS} merge requests, gate \`true\`…`);
const fast = await queue('fast', 'fas', 'true');
const latency: number[] = [];
for (let i = 0; i < LATENCY_MRS + 2; i++) {
  const t0 = performance.now();
  await submit(fast, `l${i}`);
  await fast.refinery.wake();
  if (i >= 2) latency.push(performance.now() - t0);
}
const landedFast = (await ledger.listMergeRequests({ rig: 'fast', status: ['merged'] })).length;
if (landedFast !== LATENCY_MRS + 2) throw new Error(`only ${landedFast} of ${LATENCY_MRS + 2} landed`);

// 2. Serial throughput: every MR queued at once, a 2-second gate, one MR at a time (batch 1).
say(`throughput: ${THROUGHPUT_MRS} merge requests, a ${GATE_S} s gate, batch 1…`);
const slow = await queue('slow', 'slo', `sleep ${GATE_S}`, { batch: 1 });
for (let i = 0; i < THROUGHPUT_MRS; i++) await submit(slow, `t${i}`);
const t0 = performance.now();
await slow.refinery.wake();
const seconds = (performance.now() - t0) / 1000;
const landedSlow = (await ledger.listMergeRequests({ rig: 'slow', status: ['merged'] })).length;
if (landedSlow !== THROUGHPUT_MRS) throw new Error(`only ${landedSlow} of ${THROUGHPUT_MRS} landed`);
const perHour = round((THROUGHPUT_MRS / seconds) * 3600, 0);
const overhead = round((seconds / THROUGHPUT_MRS - GATE_S) * 1000, 0);

// 3. Batches against serial, 10 % of the MRs failing (seeded); 4. the same with CPU-bound gates.

/** A batch size and how many of a failing batch's prefixes are verified at once (`--parallel`). */
interface Setting {
  batch: number;
  parallel: number;
}
const settingName = (s: Setting) =>
  s.parallel === 1 ? `batch ${s.batch}` : `batch ${s.batch} × parallel ${s.parallel}`;
/** Its part of a bench/results.json row name: batch4, batch4_parallel2. */
const settingKey = (s: Setting) =>
  s.parallel === 1 ? `batch${s.batch}` : `batch${s.batch}_parallel${s.parallel}`;
const sameSetting = (a: Setting, b: Setting) => a.batch === b.batch && a.parallel === b.parallel;
const uniqueSettings = (list: Setting[]) =>
  list
    .filter((s, i) => list.findIndex((t) => sameSetting(s, t)) === i)
    .sort((a, b) => a.parallel - b.parallel || a.batch - b.batch);

/** `--batches 1,4,4x2,8x3`: sizes, each with `xK` for K prefixes at once (default 1). */
function parseSettings(raw: string): Setting[] {
  return raw.split(',').map((token) => {
    const [batch, parallel = '1'] = token.trim().toLowerCase().split('x');
    const s = { batch: Number(batch), parallel: Number(parallel) };
    const ok =
      Number.isInteger(s.batch) &&
      s.batch >= 1 &&
      s.batch <= MAX_BATCH &&
      Number.isInteger(s.parallel) &&
      s.parallel >= 1 &&
      s.parallel <= MAX_PARALLEL;
    if (!ok)
      throw new Error(
        `--batches ${raw}: sizes from 1 to ${MAX_BATCH}, each with xK for K from 1 to ${MAX_PARALLEL} prefixes at once, e.g. --batches 1,4,4x2,8x3`,
      );
    return s;
  });
}

/** The setting of `candidates` the model gives the fewest rounds (then runs, then the smallest). */
function fewestRounds(candidates: Setting[], cost: (s: Setting) => ModelCost): Setting {
  return candidates.reduce((best, s) => {
    const [a, b] = [cost(s), cost(best)];
    return a.rounds < b.rounds || (a.rounds === b.rounds && a.runs < b.runs) ? s : best;
  });
}

const FAILING_COUNT = Math.round(BATCH_MRS * FAILING_SHARE);
const failingAt = pickFailing(BATCH_MRS, FAILING_COUNT, seededRandom(SEED));
const failingSet = new Set(failingAt);
const sizes = Array.from({ length: MAX_BATCH }, (_, i) => i + 1);
const allSettings = [1, 2, 3, 4]
  .filter((p) => p <= MAX_PARALLEL)
  .flatMap((parallel) => sizes.map((batch) => ({ batch, parallel })));
const seedCost = (s: Setting) => modelCost(BATCH_MRS, failingSet, s.batch, s.parallel);
const meanCosts = new Map(
  allSettings.map((s) => [settingKey(s), meanModelCost(BATCH_MRS, FAILING_COUNT, s.batch, s.parallel)]),
);
const meanCost = (s: Setting) => meanCosts.get(settingKey(s)) as ModelCost;
const oneAtATime = allSettings.filter((s) => s.parallel === 1);
/** Parallel 1: the size the model says needs the fewest gate runs for this seed, and on average. */
const modelBest = fewestRounds(oneAtATime, seedCost);
const meanBest = fewestRounds(oneAtATime, meanCost);
/** Any setting: the fewest rounds of gate time for this seed, and on average. */
const modelBestAll = fewestRounds(allSettings, seedCost);
const meanBestAll = fewestRounds(allSettings, meanCost);
const one = (batch: number, parallel = 1): Setting => ({ batch, parallel });
const settings = uniqueSettings([
  one(1),
  ...(option('--batches')
    ? parseSettings(option('--batches') as string)
    : quick
      ? [one(4), modelBest, one(4, 2)]
      : [one(4), modelBest, meanBest, one(4, 2), one(4, 3), one(8, 3), modelBestAll, meanBestAll]),
]);
const GATE_WORK = `sleep ${GATE_S}`;
say(
  `batches: ${BATCH_MRS} MRs, ${FAILING_COUNT} failing (seed ${SEED}: positions ${failingAt.map((i) => i + 1).join(', ')} in queue order), ` +
    `a ${GATE_S} s gate, ${settings.map(settingName).join('; ')}; the model's best for this seed: ${settingName(modelBest)} one at a time, ${settingName(modelBestAll)} in all`,
);

/** A queue to drain: how many MRs, which of them fail, and what the gate does between its timestamps. */
interface Workload {
  /** Letters naming its rigs (and their prefixes). */
  stem: string;
  n: number;
  failing: ReadonlySet<number>;
  work: string;
}

interface BatchRun {
  setting: Setting;
  workload: Workload;
  seconds: number;
  landed: number;
  perHour: number;
  gateRuns: number;
  bareTargetRuns: number;
  /** Rounds of gate time: runs at the same time count once, a bare-target run is one. */
  rounds: number;
  /** Each gate run's own time (its work, between its timestamps), in seconds. */
  gateSeconds: number[];
  model: ModelCost;
  batches: BatchRecord[];
  /** Failing MRs whose work is on main (by file or commit subject): must be none. */
  failingOnMain: string[];
  orderRespected: boolean;
  /** Seconds from the start of the drain to each passing MR's landing. */
  landedAfter: number[];
  outcomes: Map<string, number>;
  /** The refinery's own account: batches verified and their verifications (gate runs on stacks). */
  refinery: { batches: number; failed: number; verifications: number };
  failingStatuses: Map<string, number>;
  failingBeads: Map<string, number>;
  passingBeadsClosed: number;
}

/**
 * The gate: logs each run (the target's tip, the tree's commit, commits stacked on the tip, BAD
 * files, when its work started and ended) as it ends, does its work, and refuses any tree
 * holding a BAD-* file.
 */
const gateScript = (log: string, work: string) =>
  `w="$(git rev-parse refs/heads/main) $(git rev-parse HEAD) $(git rev-list --count refs/heads/main..HEAD) $(ls -d BAD-* 2>/dev/null | wc -l)"; ` +
  `s=$(date +%s%3N); ${work}; e=$(date +%s%3N); echo "$w $s $e" >> '${log}'; ! ls -d BAD-* >/dev/null 2>&1`;

async function batchRun(w: Workload, setting: Setting): Promise<BatchRun> {
  const { batch, parallel } = setting;
  const name = `${w.stem}-b${batch}p${parallel}`;
  const log = join(dir, `${name}.gate-runs`);
  const q = await queue(name, `${w.stem}b${batch}p${parallel}`, gateScript(log, w.work), { batch, parallel });
  const passing: MergeRequest[] = [];
  const failing: MergeRequest[] = [];
  for (let i = 0; i < w.n; i++) {
    const mrName = `m${String(i).padStart(2, '0')}`;
    const bad = w.failing.has(i);
    const mr = await submit(q, mrName, { bead: true, extra: bad ? [`BAD-${mrName}`] : [] });
    (bad ? failing : passing).push(mr);
  }
  say(`  ${settingName(setting)}: draining ${w.n} MRs…`);
  const started = Date.now();
  const t = performance.now();
  const final = await drain(q, passing, failing);
  const secs = (performance.now() - t) / 1000;

  const byId = new Map(final.map((m) => [m.id, m]));
  const landedAfter = passing.map((m) => (Date.parse(byId.get(m.id)?.merged_at ?? '') - started) / 1000);
  const files = git(q.repo, 'ls-tree', '-r', '--name-only', 'main').split('\n');
  const subjects = git(q.repo, 'log', '--reverse', '--format=%s', 'main').split('\n').slice(1);
  const failingOnMain = failing
    .map((m) => m.branch)
    .filter((b) => files.includes(`BAD-${b}`) || files.includes(`${b}.txt`) || subjects.includes(b));
  const orderRespected = subjects.join(' ') === passing.map((m) => m.branch).join(' ');
  const runs = parseGateLog(existsSync(log) ? readFileSync(log, 'utf8') : '');
  const batches = batchesOf(runs);
  const count = (values: string[]) => {
    const m = new Map<string, number>();
    for (const v of values) m.set(v, (m.get(v) ?? 0) + 1);
    return m;
  };
  const beads = await Promise.all([...passing, ...failing].map((m) => ledger.getBead(m.bead_id as string)));
  const failingIds = new Set(failing.map((m) => m.bead_id));
  return {
    setting,
    workload: w,
    seconds: secs,
    landed: passing.length,
    perHour: (passing.length / secs) * 3600,
    gateRuns: runs.length,
    bareTargetRuns: runs.filter((r) => r.stacked === 0).length,
    rounds: batches.reduce((n, b) => n + b.rounds + b.bareTarget, 0),
    gateSeconds: runs.map((r) => ((r.end ?? 0) - (r.start ?? 0)) / 1000),
    model: modelCost(w.n, w.failing, batch, parallel),
    batches,
    failingOnMain,
    orderRespected,
    landedAfter,
    outcomes: q.outcomes,
    refinery: {
      batches: q.batches.length,
      failed: q.batches.filter((b) => b.failed).length,
      verifications: q.batches.reduce((n, b) => n + b.verifications, 0),
    },
    failingStatuses: count(failing.map((m) => byId.get(m.id)?.status ?? 'missing')),
    failingBeads: count(
      beads
        .filter((b) => b && failingIds.has(b.id))
        .map((b) => `${b?.status}${b?.assignee ? ' (assigned)' : ''}`),
    ),
    passingBeadsClosed: beads.filter((b) => b && !failingIds.has(b.id) && b.status === 'closed').length,
  };
}

/**
 * Wakes the queue until every passing MR is merged and every failing one is in rework (or held
 * for a person); a wake resolves once the refinery's passes end with nothing left to take.
 */
async function drain(q: Queue, passing: MergeRequest[], failing: MergeRequest[]): Promise<MergeRequest[]> {
  for (let wakes = 1; ; wakes++) {
    await q.refinery.wake();
    const mrs = await ledger.listMergeRequests({ rig: q.rig.name });
    const status = new Map(mrs.map((m) => [m.id, m.status]));
    const done =
      passing.every((m) => status.get(m.id) === 'merged') &&
      failing.every((m) => ['needs-rework', 'held'].includes(status.get(m.id) ?? ''));
    if (done) return mrs;
    const waiting = mrs.filter((m) => m.status === 'queued' || m.status === 'verifying').length;
    if (waiting === 0 || wakes >= 5) {
      const wrong = mrs
        .filter((m) =>
          failing.some((f) => f.id === m.id)
            ? !['needs-rework', 'held'].includes(m.status)
            : m.status !== 'merged',
        )
        .map((m) => `${m.id} ${m.status}: ${m.reason ?? ''}`);
      throw new Error(`${q.rig.name}: the queue stopped short of the expected end:\n${wrong.join('\n')}`);
    }
  }
}

async function drainAll(w: Workload, list: Setting[]): Promise<BatchRun[]> {
  const out: BatchRun[] = [];
  for (const s of list) {
    const r = await batchRun(w, s);
    out.push(r);
    say(
      `  ${settingName(s)}: ${round(r.seconds, 1)} s, ${round(r.perHour, 0)} MRs/h, ${r.gateRuns} gate runs in ${r.rounds} rounds ` +
        `(model ${r.model.runs} in ${r.model.rounds}), gate run median ${round(percentile(r.gateSeconds, 50), 2)} s, ` +
        `${r.failingOnMain.length} failing on main, order ${r.orderRespected ? 'kept' : 'BROKEN'}`,
    );
  }
  return out;
}

const batchLoad: Workload = { stem: 'ba', n: BATCH_MRS, failing: failingSet, work: GATE_WORK };
const results = await drainAll(batchLoad, settings);

// 4. Parallel speculation with CPU-bound gates: a busy loop of fixed work (calibrated to about
// CPU_GATE_S alone on an idle machine), single-threaded, and two of them at once (a test runner
// using both cores); batch 4 one prefix at a time against two at once (and batch 1).
const CPU_GATE_S = 1.5;
const CPU_MRS = quick ? 10 : 20;
const CPU_FAILING = Math.max(1, Math.round(CPU_MRS * FAILING_SHARE));
const cpuFailingAt = pickFailing(CPU_MRS, CPU_FAILING, seededRandom(SEED));
const cpuFailing = new Set(cpuFailingAt);
const busy = (n: number) => `node -e 'let x=0;for(let i=0;i<${n};i++)x=(x*31+i)|0;if(x===1)console.log(x)'`;
const timeShell = (command: string) => {
  const t = performance.now();
  execFileSync('bash', ['-c', command], { stdio: 'ignore' });
  return (performance.now() - t) / 1000;
};
say(`CPU-bound gates: calibrating a busy loop to about ${CPU_GATE_S} s…`);
const probeLoop = 1e8;
const loopN = Math.round((probeLoop * CPU_GATE_S) / timeShell(busy(probeLoop)) / 1e6) * 1e6;
const cpuKinds = [
  { stem: 'ca', label: 'single-threaded', threads: 1, work: busy(loopN) },
  { stem: 'cb', label: 'two-threaded', threads: 2, work: `${busy(loopN)} & ${busy(loopN)} & wait` },
].map((k) => ({
  ...k,
  /** Wall time of one run alone on the idle machine: the median of three. */
  alone: percentile([timeShell(k.work), timeShell(k.work), timeShell(k.work)], 50),
}));
const cpuSettings = quick ? [one(4), one(4, 2)] : [one(1), one(4), one(4, 2)];
say(
  `CPU-bound gates: ${CPU_MRS} MRs, ${CPU_FAILING} failing (seed ${SEED}: positions ${cpuFailingAt.map((i) => i + 1).join(', ')}), ` +
    `a loop of ${loopN} iterations (${cpuKinds.map((k) => `${k.label} ${round(k.alone, 2)} s alone`).join(', ')}); ${cpuSettings.map(settingName).join('; ')}`,
);
const cpuRuns: { kind: (typeof cpuKinds)[number]; runs: BatchRun[] }[] = [];
for (const kind of cpuKinds) {
  say(` ${kind.label} gate:`);
  cpuRuns.push({
    kind,
    runs: await drainAll({ stem: kind.stem, n: CPU_MRS, failing: cpuFailing, work: kind.work }, cpuSettings),
  });
}

// The report.
const serial = results.find((r) => r.setting.batch === 1) as BatchRun;
const ratio = (r: BatchRun) => r.perHour / serial.perHour;
const four = results.find((r) => sameSetting(r.setting, one(4)));
const bestOf = (list: BatchRun[]) => list.reduce((a, r) => (ratio(r) > ratio(a) ? r : a));
const best = bestOf(results);
const bestSerialQueue = bestOf(results.filter((r) => r.setting.parallel === 1));
const everyRun = [...results, ...cpuRuns.flatMap((c) => c.runs)];
const failingLanded = everyRun.reduce((n, r) => n + r.failingOnMain.length, 0);
const orderBroken = everyRun.filter((r) => !r.orderRespected).length;
const metText = (met: boolean) => (met ? 'met' : '**not met**');
const yesNo = (ok: boolean) => (ok ? 'yes' : '**no**');
const fmtCounts = (m: Map<string, number>) => [...m].map(([k, v]) => `${v} ${k}`).join(', ') || 'none';

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** What the searches of the failing stacks took, and what parallel probes cost on passing ones. */
function searchText(r: BatchRun): string {
  const { batch, parallel } = r.setting;
  if (batch === 1) return '—';
  const failed = r.batches.filter((b) => b.culprit !== null);
  const multi = failed.filter((b) => b.size > 1);
  const budgetKept = multi.every((b) => b.rounds - 1 <= searchBudget(b.size, parallel).rounds);
  const maxRounds = Math.max(0, ...multi.map((b) => b.rounds - 1));
  const untested = failed.reduce((n, b) => n + (b.size - (b.culprit as number) - 1), 0);
  const modeled = r.batches.every((b) => {
    const m = searchStack(b.size, b.culprit ?? -1, parallel);
    return m.runs === b.stackRuns && m.rounds === b.rounds;
  });
  const sentBack = `${plural(untested, 'MR')} sent back untested; every stack as the model searches it: ${yesNo(modeled)}`;
  const searchRuns = multi.reduce((n, b) => n + b.stackRuns - 1, 0);
  if (parallel === 1)
    return `${plural(multi.length, 'stack')} bisected in ${plural(searchRuns, 'run')} (at most ${maxRounds} per stack; within ⌈log2 n⌉: ${yesNo(budgetKept)}); ${sentBack}`;
  const searchRounds = multi.reduce((n, b) => n + b.rounds - 1, 0);
  const besidePassing = r.batches.filter((b) => b.culprit === null).reduce((n, b) => n + b.stackRuns - 1, 0);
  return (
    `${plural(multi.length, 'stack')} searched in ${plural(searchRounds, 'more round')} (${plural(searchRuns, 'run')} beside the whole stack's; ` +
    `at most ${maxRounds} more per stack; within the search's worst case at ${parallel}: ${yesNo(budgetKept)}); ` +
    `${plural(besidePassing, 'run')} beside passing stacks; ${sentBack}`
  );
}

function batchRow(r: BatchRun): string {
  const landTimes = `${round(percentile(r.landedAfter, 50), 1)} s / ${round(percentile(r.landedAfter, 99), 1)} s`;
  const verifications = r.gateRuns - r.bareTargetRuns;
  // The gate's own log against the refinery's account (onBatch): they should agree.
  const counted =
    r.refinery.verifications === verifications ? '' : ` (the refinery counted ${r.refinery.verifications})`;
  const grouped = r.refinery.batches === r.batches.length ? '' : ` (gate log: ${r.batches.length})`;
  const runs = `${r.gateRuns} = ${verifications} verifications${counted} + ${r.bareTargetRuns} on bare main; model ${r.model.runs}`;
  const batches = `${r.refinery.batches}${grouped}: ${r.refinery.batches - r.refinery.failed} passed, ${r.refinery.failed} failed`;
  return `| ${r.setting.batch} | ${r.setting.parallel} | ${round(r.seconds, 1)} s | ${round(r.perHour, 0)} | **${round(ratio(r), 2)}×** | ${runs} | ${round(r.gateRuns / r.landed, 2)} | ${r.rounds}; model ${r.model.rounds} | ${batches} | ${searchText(r)} | ${landTimes} |`;
}

/** Verdict on parallel speculation for one kind of gate: parallel 2 over parallel 1 at batch 4. */
function speculation(runs: BatchRun[]) {
  const p1 = runs.find((r) => sameSetting(r.setting, one(4)));
  const p2 = runs.find((r) => sameSetting(r.setting, one(4, 2)));
  if (!p1 || !p2) return null;
  const gain = p2.perHour / p1.perHour;
  const word = gain >= 1.05 ? 'pays' : gain <= 0.95 ? 'costs' : 'makes no measurable difference';
  return { p1, p2, gain, word };
}

function cpuRow(kind: (typeof cpuKinds)[number], r: BatchRun, runs: BatchRun[]): string {
  const b1 = runs.find((x) => x.setting.batch === 1);
  const p1 = runs.find((x) => sameSetting(x.setting, one(r.setting.batch)));
  const vsSerial = b1 ? `${round(r.perHour / b1.perHour, 2)}×` : '—';
  const vsP1 = p1 && r.setting.parallel > 1 ? `**${round(r.perHour / p1.perHour, 2)}×**` : '—';
  const safe = r.failingOnMain.length === 0 && r.orderRespected;
  return `| ${kind.label} | ${r.setting.batch} | ${r.setting.parallel} | ${round(r.seconds, 1)} s | ${round(r.perHour, 0)} | ${vsSerial} | ${vsP1} | ${r.gateRuns}; model ${r.model.runs} | ${round(r.gateRuns / r.landed, 2)} | ${r.rounds}; model ${r.model.rounds} | ${round(percentile(r.gateSeconds, 50), 2)} s / ${round(Math.max(...r.gateSeconds), 2)} s | ${yesNo(safe)} |`;
}

const bound = informationBound(BATCH_MRS, FAILING_COUNT);
const serialRuns = meanCost(one(1)).runs;
const boundRatio = serialRuns / bound;
const meanRatio = (s: Setting) => round(meanCost(one(1)).rounds / meanCost(s).rounds, 2);
const verdicts = cpuRuns.map((c) => ({ kind: c.kind, v: speculation(c.runs) }));
const batchRows: ResultRow[] = [
  ...(four
    ? [
        {
          name: 'mq.batch4_over_serial_10pct_failing',
          value: round(ratio(four), 2),
          unit: 'x',
          target: `>= ${TARGET_RATIO}x`,
          met: ratio(four) >= TARGET_RATIO,
        },
      ]
    : []),
  {
    name: 'mq.best_batch_over_serial_10pct_failing',
    value: round(ratio(best), 2),
    unit: `x (${settingName(best.setting)})`,
    target: `>= ${TARGET_RATIO}x`,
    met: ratio(best) >= TARGET_RATIO,
  },
  ...results.map((r) => ({
    name: `mq.throughput_10pct_failing_${settingKey(r.setting)}`,
    value: round(r.perHour, 0),
    unit: 'MRs/h',
    target: null,
    met: null,
  })),
  ...results.map((r) => ({
    name: `mq.gate_runs_per_landed_${settingKey(r.setting)}`,
    value: round(r.gateRuns / r.landed, 2),
    unit: 'runs/MR',
    target: null,
    met: null,
  })),
  ...verdicts.flatMap(({ kind, v }) =>
    v
      ? [
          {
            name: `mq.cpu_gate_${kind.threads}thread_parallel2_over_parallel1_batch4`,
            value: round(v.gain, 2),
            unit: 'x',
            target: null,
            met: null,
          },
        ]
      : [],
  ),
  {
    name: 'mq.failing_mrs_landed',
    value: failingLanded,
    unit: 'MRs',
    target: '= 0',
    met: failingLanded === 0,
  },
  {
    name: 'mq.landing_order_violations',
    value: orderBroken,
    unit: 'runs',
    target: '= 0',
    met: orderBroken === 0,
  },
];

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
  ...batchRows,
];
const allOutcomes = new Map<string, number>();
for (const r of results) for (const [k, v] of r.outcomes) allOutcomes.set(k, (allOutcomes.get(k) ?? 0) + v);
const parallelRuns = results.filter((r) => r.setting.parallel > 1);
const cpuText = (() => {
  const [single, multi] = verdicts.map((x) => x.v);
  const pct = (g: number) => `${g >= 1 ? '+' : '−'}${round(Math.abs(g - 1) * 100, 0)} %`;
  const lines = verdicts.map(({ kind, v }) =>
    v
      ? `${kind.label} gate: batch 4 × parallel 2 drained in ${round(v.p2.seconds, 1)} s against ${round(v.p1.seconds, 1)} s at parallel 1 (${pct(v.gain)} throughput: it ${v.word}); its gate runs took ${round(percentile(v.p2.gateSeconds, 50), 2)} s at the median against ${round(percentile(v.p1.gateSeconds, 50), 2)} s one at a time`
      : `${kind.label} gate: not measured at both settings`,
  );
  const singlePays = single !== null && single !== undefined && single.word === 'pays';
  const multiPays = multi !== null && multi !== undefined && multi.word === 'pays';
  const conclusion =
    singlePays && !multiPays
      ? `On this ${cpus().length}-core machine parallel speculation pays when the gate leaves a core idle — a sleep, a wait on I/O or a service, a single-threaded runner — and not when the gate already uses both cores: two probes at once then share the cores and each takes about twice as long, so a round costs what two rounds did, and the speculative run beside every passing stack is pure cost.`
      : singlePays && multiPays
        ? `On this ${cpus().length}-core machine parallel speculation paid for both kinds of gate in this run.`
        : `On this ${cpus().length}-core machine parallel speculation did not pay for a CPU-bound gate in this run (it pays only with the sleep gate above, which leaves the cores idle).`;
  const defaultText = multiPays
    ? 'The numbers would allow `parallel` 2 by default; we keep 1 all the same: a rig whose gate uses every core pays for it, and the rig sets it knowing its gate.'
    : `\`parallel\` stays 1 by default: the refinery cannot tell what a rig's gate does with the cores, and a gate that uses them all (most test runners) gets slower with it. A rig whose gate is single-threaded or waits on I/O may set \`gt rig set <rig> --parallel 2\` (no more probes than cores it leaves idle on the machine).`;
  const sleepBest =
    best.setting.parallel > 1
      ? ` The ${round(ratio(best), 2)}× of ${settingName(best.setting)} with the sleep gate above is therefore a figure for gates that leave the cores idle; one prefix at a time (the default) the best measured is ${settingName(bestSerialQueue.setting)}, ${round(ratio(bestSerialQueue), 2)}×, under the ${round(boundRatio, 2)}× any one-at-a-time queue can reach here on average.`
      : '';
  return { lines, conclusion: conclusion + sleepBest, defaultText };
})();

writeSection(
  'BENCHMARKS.md',
  'mq',
  [
    '## Merge queue (`npm run bench:mq`)',
    '',
    `Machine: ${describeMachine()}. Date: ${new Date().toISOString().slice(0, 10)}.${quick ? ' **Quick mode.**' : ''} The refinery engine in-process over a SQLite ledger file and git repositories (local, non-bare, \`main\` checked out); rebase style; as the rig's lease holder runs it.`,
    '',
    '| measure | size | median | p99 | target | met |',
    '|---|---|---|---|---|---|',
    `| submission → landed (gate \`true\`): verify in a scratch worktree, gate, CAS on main, bead/branch bookkeeping | ${LATENCY_MRS} MRs after 2 warm-ups | ${median} ms | ${p99} ms | p50 ≤ 1 s | ${median <= 1000 ? 'yes' : '**no**'} |`,
    `| serial throughput (batch 1) with a ${GATE_S} s gate, all passing | ${THROUGHPUT_MRS} MRs queued at once, landed in ${round(seconds, 1)} s | ${perHour} MRs/h | — | recorded | n/a |`,
    '',
    `Overhead per MR beyond the gate, serially: ${overhead} ms (scratch worktree, cherry-pick, update-ref, ledger writes).`,
    '',
    `### Batches against serial, 10 % failing`,
    '',
    `${BATCH_MRS} MRs queued at once, each with a bead (\`blocked\`, \`${MERGING_LABEL}\`, as \`gt done\` leaves it) and a branch adding its own file; ${FAILING_COUNT} of them (seed ${SEED}, positions ${failingAt.map((i) => i + 1).join(', ')} in queue order) also ${FAILING_COUNT === 1 ? 'adds' : 'add'} a \`BAD-*\` file. The gate (a ${GATE_S} s sleep; it logs each run with its start and end) refuses a tree holding one, so such an MR fails alone and in any stack holding it. Each setting drains its own rig and repository, one after another in the same run; the drain ends when every passing MR is merged and every failing one is in rework. Throughput counts the ${BATCH_MRS - FAILING_COUNT} landed MRs. "Parallel": the rig's \`--parallel\`, prefixes of a stack verified at once, each in a worktree of its own (the first round verifies the whole stack and parallel − 1 shorter prefixes beside it, passing or not; a failing stack's search goes on splitting what is left in parallel + 1). "On bare main": the run that follows a failure of an MR first in its stack (or alone), to tell a broken target from broken work. "Rounds": rounds of gate time, runs that overlap counting once (from the gate's log). "Model": what bench/mq-batch-model.ts predicts for these failing positions. "Batches": as the refinery reported them (\`onBatch\`); search figures come from the gate's log.`,
    '',
    '| batch | parallel | drained in | landed MRs/h | vs batch 1 | gate runs | gate runs per landed MR | rounds | batches | search | time to land, median / p99 |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
    ...results.map(batchRow),
    '',
    '| target | result | met |',
    '|---|---|---|',
    ...(four
      ? [
          `| batch 4 ≥ ${TARGET_RATIO}× batch 1 (throughput, same run; parallel 1, the default) | ${round(ratio(four), 2)}× | ${metText(ratio(four) >= TARGET_RATIO)} |`,
        ]
      : []),
    ...(bestSerialQueue !== best
      ? [
          `| best size one prefix at a time (${settingName(bestSerialQueue.setting)}) ≥ ${TARGET_RATIO}× batch 1 | ${round(ratio(bestSerialQueue), 2)}× | ${metText(ratio(bestSerialQueue) >= TARGET_RATIO)} |`,
        ]
      : []),
    `| best setting measured (${settingName(best.setting)}) ≥ ${TARGET_RATIO}× batch 1 | ${round(ratio(best), 2)}× | ${metText(ratio(best) >= TARGET_RATIO)} |`,
    `| no failing MR on main (ls-tree and log of main, every setting, CPU-bound gates below included) | ${failingLanded} landed | ${yesNo(failingLanded === 0)} |`,
    `| main in queue order: its commits are exactly the passing MRs in submission order (every setting, CPU-bound gates below included) | ${orderBroken === 0 ? 'every setting' : `${orderBroken} settings out of order`} | ${yesNo(orderBroken === 0)} |`,
    '',
    `Outcomes recorded, all settings: ${fmtCounts(allOutcomes)}. Failing MRs ended ${fmtCounts(serial.failingStatuses)} (batch 1; ${results.every((r) => (r.failingStatuses.get('needs-rework') ?? 0) === FAILING_COUNT) ? 'the same at every setting' : results.map((r) => `${settingName(r.setting)}: ${fmtCounts(r.failingStatuses)}`).join('; ')}); their beads ${fmtCounts(serial.failingBeads)} after the rework's reopen, comment and \`gt sling\` (no runner here: the slung bead waits on a polecat slot); passing beads closed: ${results.map((r) => `${r.passingBeadsClosed}/${r.landed}`).join(', ')}. Refused command calls: ${fmtCounts(refusedCalls)} (of ${fmtCounts(commandCalls)}, CPU-bound runs included).`,
    '',
    `Why the ratio stops where it does one prefix at a time: the gate is a ${GATE_S} s sleep, so cores do not bound it; rounds of gate time do. Serially the queue needs one run per MR plus one on bare main per failing MR (${BATCH_MRS} + ${FAILING_COUNT}). A stack holding a failing MR costs its own run, up to ⌈log2 n⌉ bisection runs (plus one on bare main when the culprit heads the stack), and lands only the members before the culprit; the rest are stacked again. Over 1,000 seeds the model gives, as rounds of batch 1 over the setting's: ${[2, 4, 8, 16].map((b) => `batch ${b}: ${meanRatio(one(b))}×`).join(', ')}; best ${settingName(meanBest)}: ${meanRatio(meanBest)}×. Whatever the batching, a queue running one gate at a time needs on average at least log2 C(${BATCH_MRS}, ${FAILING_COUNT}) = ${round(bound, 1)} runs (each run answers pass or fail, and the end names which ${FAILING_COUNT} of the ${BATCH_MRS} fail, one of C(${BATCH_MRS}, ${FAILING_COUNT}) sets): at most ${round(boundRatio, 2)}× batch 1's ${serialRuns} runs${boundRatio < TARGET_RATIO ? `, short of ${TARGET_RATIO}×` : ''}. Parallel probes get past that bound by spending runs for rounds: K runs at once answer in one round of gate time what one at a time takes up to log2(K + 1) rounds to. The model's means over 1,000 seeds, rounds of batch 1 over the setting's (gate runs per landed MR): ${[one(4, 2), one(4, 3), one(8, 3), one(8, 4), one(16, 4)].map((s) => `${settingName(s)}: ${meanRatio(s)}× (${round(meanCost(s).runs / (BATCH_MRS - FAILING_COUNT), 2)})`).join(', ')}; best ${settingName(meanBestAll)}: ${meanRatio(meanBestAll)}×.${parallelRuns.length > 0 ? ` Measured here: ${parallelRuns.map((r) => `${settingName(r.setting)} ${round(ratio(r), 2)}× (${round(r.gateRuns / r.landed, 2)} gate runs per landed MR)`).join(', ')} — a sleep leaves both cores idle, so K sleeps at once cost one round; CPU-bound gates below are the real test.` : ''} Wall time adds about ${overhead} ms of git and ledger work per MR serially, and each parallel probe a worktree of its own.`,
    '',
    '### Parallel speculation',
    '',
    `Does verifying prefixes at once pay on this machine (${cpus().length} cores)? The same drain with CPU-bound gates: ${CPU_MRS} MRs, ${CPU_FAILING} failing (seed ${SEED}, positions ${cpuFailingAt.map((i) => i + 1).join(', ')}), one after another in the same run as the rows above. The gate does fixed work, a Node busy loop of ${loopN.toLocaleString('en-US')} iterations calibrated to about ${CPU_GATE_S} s: single-threaded (one loop; ${round(cpuKinds[0]?.alone ?? 0, 2)} s alone on the idle machine, the median of 3), and two-threaded (two loops at once, as a test runner using both cores; ${round(cpuKinds[1]?.alone ?? 0, 2)} s alone). Gates run at nice 10 as the refinery starts them; the refinery's own git and ledger work shares the cores. "Gate run": each run's own time between its timestamps, median / max.`,
    '',
    '| gate | batch | parallel | drained in | landed MRs/h | vs batch 1 | parallel K vs 1 | gate runs | gate runs per landed MR | rounds | gate run, median / max | no failing MR landed, order kept |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...cpuRuns.flatMap((c) => c.runs.map((r) => cpuRow(c.kind, r, c.runs))),
    '',
    ...cpuText.lines.map((l) => `- ${l}.`),
    '',
    `${cpuText.conclusion} ${cpuText.defaultText}`,
  ].join('\n'),
);
// Per-setting rows of an earlier run with other settings would linger: this run's replace them.
const perSetting =
  /^mq\.((throughput_10pct_failing|gate_runs_per_landed)_batch\d+(_parallel\d+)?|cpu_gate_\dthread_parallel2_over_parallel1_batch4)$/;
if (existsSync('bench/results.json')) {
  const kept = (JSON.parse(readFileSync('bench/results.json', 'utf8')) as ResultRow[]).filter(
    (r) => !perSetting.test(r.name),
  );
  writeFileSync('bench/results.json', `${JSON.stringify(kept, null, 2)}\n`);
}
mergeResults('bench/results.json', rows);
console.log(JSON.stringify(rows, null, 2));
await ledger.close();
rmSync(dir, { recursive: true, force: true });
say(`bench:mq done in ${round(process.uptime(), 0)} s`);
if (failingLanded > 0 || orderBroken > 0) {
  say(`!! ${failingLanded} failing MRs landed, ${orderBroken} settings out of queue order`);
  process.exitCode = 1;
}
