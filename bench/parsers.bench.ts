/**
 * Agent output parsers (issue 18): the runner reads every polecat's stdout as it streams, so it
 * must never be the bottleneck.
 *  - throughput of each preset's parser over a 100 MB stream of the lines its CLI prints (tool
 *    results of a few KB, assistant messages, the odd result line, non-ASCII text), fed in
 *    64 KiB chunks as a pipe delivers them; target ≥ 50 MB/s;
 *  - resident memory and CPU of one rig runner (`gt rig run`, a real process) while 50 polecats
 *    of the `claude` preset (the fake CLI, test/support/fake-agents/claude) stream at once.
 *
 *   node bench/parsers.bench.ts [--quick] (npm run bench:parsers)      (quick: a 10 MB stream, 10 polecats for 5 s)
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { callApi } from '../src/bus/api-client.ts';
import { PRESETS } from '../src/domain/runtimes/index.ts';
import { gitRepo, waitFor } from '../test/e2e/runner-process.ts';
import { Town } from '../test/e2e/town.ts';
import { withFakeAgents } from '../test/support/fake-agents/index.ts';
import { mergeResults, writeSection } from './report.ts';
import { describeMachine, percentile, type ResultRow, round } from './stats.ts';

const quick = process.argv.includes('--quick');
const STREAM_MB = quick ? 10 : 100;
const PASSES = quick ? 3 : 5;
const CHUNK = 64 * 1024;
const TARGET_MB_S = 50;
const AGENTS = quick ? 10 : 50;
const STREAM_SECONDS = quick ? 5 : 20;
const LINES_PER_S = 200;
const say = (m: string) => process.stderr.write(`${m}\n`);

/** Some text as a tool or the model writes it: code, paths, a little non-ASCII. */
const prose = (n: number) =>
  'const total = items.reduce((a, b) => a + b.price, 0); // Σ prices · naïve\\n'
    .repeat(Math.ceil(n / 70))
    .slice(0, n);

/** A turn's worth of lines of each CLI; repeated to the stream's size. */
const TURNS: Record<string, () => string[]> = {
  claude: () => [
    JSON.stringify({
      type: 'assistant',
      message: {
        id: 'msg_1',
        model: 'claude-sonnet-5',
        role: 'assistant',
        content: [{ type: 'tool_use', id: 'toolu_1', name: 'Read', input: { file_path: '/w/src/a.ts' } }],
        usage: {
          input_tokens: 12,
          output_tokens: 90,
          cache_read_input_tokens: 80000,
          cache_creation_input_tokens: 900,
        },
      },
      session_id: 's-1',
    }),
    JSON.stringify({
      type: 'user',
      message: {
        role: 'user',
        content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: prose(6000) }],
      },
      session_id: 's-1',
    }),
    JSON.stringify({
      type: 'assistant',
      message: {
        id: 'msg_2',
        model: 'claude-sonnet-5',
        role: 'assistant',
        content: [{ type: 'text', text: prose(400) }],
        usage: {
          input_tokens: 3,
          output_tokens: 400,
          cache_read_input_tokens: 86000,
          cache_creation_input_tokens: 6000,
        },
      },
      session_id: 's-1',
    }),
  ],
  codex: () => [
    JSON.stringify({
      type: 'item.completed',
      item: {
        id: 'item_1',
        type: 'command_execution',
        command: 'npm test',
        aggregated_output: prose(5000),
        exit_code: 0,
        status: 'completed',
      },
    }),
    JSON.stringify({
      type: 'item.completed',
      item: { id: 'item_2', type: 'agent_message', text: prose(300) },
    }),
    JSON.stringify({
      type: 'turn.completed',
      usage: { input_tokens: 120000, cached_input_tokens: 100000, output_tokens: 900 },
    }),
  ],
  gemini: () => [
    JSON.stringify({
      type: 'tool_result',
      timestamp: '2026-12-05T10:00:00Z',
      tool_id: 't1',
      status: 'success',
      output: prose(5000),
    }),
    JSON.stringify({
      type: 'message',
      timestamp: '2026-12-05T10:00:00Z',
      role: 'assistant',
      content: prose(300),
      delta: true,
    }),
    JSON.stringify({
      type: 'result',
      timestamp: '2026-12-05T10:00:00Z',
      status: 'success',
      stats: {
        input_tokens: 5000,
        output_tokens: 300,
        cached: 4000,
        input: 1000,
        models: { 'gemini-3-pro': { input_tokens: 5000, output_tokens: 300, cached: 4000, input: 1000 } },
      },
    }),
  ],
  opencode: () => [
    JSON.stringify({
      type: 'tool_use',
      timestamp: 1,
      sessionID: 'ses_1',
      part: { type: 'tool', tool: 'read', state: { output: prose(5000) } },
    }),
    JSON.stringify({
      type: 'text',
      timestamp: 1,
      sessionID: 'ses_1',
      part: { type: 'text', text: prose(300) },
    }),
    JSON.stringify({
      type: 'step_finish',
      timestamp: 1,
      sessionID: 'ses_1',
      part: {
        type: 'step-finish',
        reason: 'stop',
        cost: 0.012,
        tokens: { input: 900, output: 120, reasoning: 0, cache: { read: 4000, write: 0 } },
      },
    }),
  ],
  cursor: () => [
    JSON.stringify({
      type: 'tool_call',
      subtype: 'completed',
      call_id: 'c1',
      tool_call: { readToolCall: { result: { success: { content: prose(5000) } } } },
    }),
    JSON.stringify({
      type: 'assistant',
      message: { role: 'assistant', content: [{ type: 'text', text: prose(300) }] },
      session_id: 's-1',
    }),
  ],
  copilot: () => [
    JSON.stringify({
      type: 'tool.execution_complete',
      data: { result: { content: prose(5000) } },
      sessionId: 's-1',
    }),
    JSON.stringify({ type: 'assistant.message', data: { content: prose(300) }, sessionId: 's-1' }),
  ],
};
TURNS.amp = TURNS.claude as () => string[];

/** `mb` MB of a CLI's lines, a final result every ~100 turns (as `\n`-terminated JSON lines). */
function streamOf(cli: string, mb: number): string {
  const turn = `${(TURNS[cli] as () => string[])().join('\n')}\n`;
  const result =
    cli === 'claude' || cli === 'amp'
      ? `${JSON.stringify({ type: 'result', subtype: 'success', is_error: false, result: 'done', session_id: 's-1', total_cost_usd: 0.42, modelUsage: { 'claude-sonnet-5': { inputTokens: 30, outputTokens: 2600, cacheReadInputTokens: 95000, cacheCreationInputTokens: 9500, costUSD: 0.42 } } })}\n`
      : '';
  const block = turn.repeat(100) + result;
  const text = block.repeat(Math.ceil((mb * 1e6) / block.length));
  return text.slice(0, text.lastIndexOf('\n', mb * 1e6) + 1); // whole lines, just under `mb` MB
}

interface ParseRun {
  mbPerS: number[];
  chunkMs: number[];
  events: number;
}

function measure(cli: string, text: string): ParseRun {
  const preset = PRESETS.find((p) => p.id === cli);
  if (!preset) throw new Error(`no preset ${cli}`);
  const run: ParseRun = { mbPerS: [], chunkMs: [], events: 0 };
  const bytes = Buffer.byteLength(text);
  for (let pass = 0; pass < PASSES; pass++) {
    const parser = preset.parser({ now: () => new Date() });
    let events = 0;
    const started = performance.now();
    for (let at = 0; at < text.length; at += CHUNK) {
      const t = performance.now();
      events += parser.push(text.slice(at, at + CHUNK)).length;
      run.chunkMs.push(performance.now() - t);
    }
    events += parser.end().length;
    run.mbPerS.push(bytes / 1e6 / ((performance.now() - started) / 1000));
    run.events = events;
  }
  return run;
}

const rows: ResultRow[] = [];
const parserLines: string[] = [];
for (const preset of PRESETS) {
  const text = streamOf(preset.id, STREAM_MB);
  const mb = Buffer.byteLength(text) / 1e6;
  say(`${preset.id}: parsing ${mb.toFixed(0)} MB × ${PASSES}…`);
  const run = measure(preset.id, text);
  const median = round(percentile(run.mbPerS, 50), 0);
  // The slow tail: what one 64 KiB chunk at the 99th percentile of parse time amounts to.
  const p99 = round(CHUNK / 1e6 / (percentile(run.chunkMs, 99) / 1000), 0);
  const met = median >= TARGET_MB_S;
  rows.push({
    name: `parsers.${preset.id}_throughput`,
    value: median,
    unit: 'MB/s',
    target: `>= ${TARGET_MB_S} MB/s`,
    met,
    median,
    p99,
  });
  parserLines.push(
    `| ${preset.id} | ${mb.toFixed(0)} MB, ${run.events} events | ${median} MB/s | ${p99} MB/s | ≥ ${TARGET_MB_S} MB/s | ${met ? 'yes' : '**no**'} |`,
  );
  say(`  median ${median} MB/s, p99 chunk ${p99} MB/s, ${run.events} events`);
}

/** VmRSS (MiB) and CPU seconds (user + system) of a process, from /proc. */
function sample(pid: number): { rssMiB: number; cpuS: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return {
    rssMiB: Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024,
    cpuS: (Number(stat[11]) + Number(stat[12])) / 100, // utime, stime in clock ticks (USER_HZ 100)
  };
}

async function runnerUnderLoad(): Promise<{
  idle: number;
  peak: number;
  cpu: number;
  reports: number;
  seconds: number;
}> {
  const town = new Town();
  const repo = gitRepo();
  let runner: ChildProcess | null = null;
  try {
    await town.up(['--http-port', '0'], { GT_LOG_LEVEL: 'error' });
    const env = {
      FAKE_SCENARIO: 'stream',
      FAKE_STREAM_SECONDS: String(STREAM_SECONDS),
      FAKE_STREAM_LINES_PER_S: String(LINES_PER_S),
      FAKE_THEN: 'gt done',
    };
    await town.json('gt', [
      'rig',
      'add',
      'bench',
      '--prefix',
      'bn',
      '--repo',
      repo,
      '--merge',
      'local',
      '--runtime',
      'claude',
      '--max-polecats',
      String(AGENTS),
      ...Object.keys(env).flatMap((n) => ['--env', n]),
    ]);
    let out = '';
    const child = spawn(
      process.execPath,
      [resolve(import.meta.dirname, '../bin/gt.mjs'), 'rig', 'run', 'bench'],
      {
        env: town.env({ ...env, PATH: withFakeAgents() }),
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    runner = child;
    child.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
    });
    await waitFor(
      () => out.includes('ready'),
      15_000,
      () => out,
    );
    const pid = child.pid as number;
    const idle = sample(pid);
    const nc = await town.connectNats();
    const api = async (verb: string, args: Record<string, unknown>) => {
      const reply = await callApi(nc, 'gt', { verb, args, actor: { kind: 'human', id: 'bench' } });
      if (!reply.ok) throw new Error(`${verb}: ${reply.error.message}`);
      return reply.data as { id: string };
    };
    const ids = await Promise.all(
      Array.from({ length: AGENTS }, (_, i) => api('bd create', { title: `stream ${i}`, rig: 'bench' })),
    );
    const started = Date.now();
    await Promise.all(ids.map(({ id }) => api('gt sling', { id })));
    await nc.close();
    let peak = idle.rssMiB;
    const exited = () => (out.match(/ exited \(code/g) ?? []).length;
    while (exited() < AGENTS && Date.now() - started < (STREAM_SECONDS + 60) * 1000) {
      peak = Math.max(peak, sample(pid).rssMiB);
      await new Promise((r) => setTimeout(r, 250));
    }
    const seconds = (Date.now() - started) / 1000;
    const cpu = (sample(pid).cpuS - idle.cpuS) / seconds;
    const costs = await town.json<{ by: unknown[] }>('gt', ['costs', '--rig', 'bench']);
    return { idle: idle.rssMiB, peak, cpu, reports: costs.by.length, seconds };
  } finally {
    runner?.kill('SIGTERM');
    await town.destroy();
    rmSync(repo, { recursive: true, force: true });
  }
}

say(`runner: ${AGENTS} claude polecats streaming ${LINES_PER_S} lines/s for ${STREAM_SECONDS} s…`);
const load = await runnerUnderLoad();
const mbPerS = (AGENTS * LINES_PER_S * 420) / 1e6; // an assistant line of the fake is ~420 bytes
rows.push(
  {
    name: `parsers.runner_rss_${AGENTS}_agents`,
    value: round(load.peak, 0),
    unit: 'MiB',
    target: null,
    met: null,
  },
  {
    name: `parsers.runner_cpu_${AGENTS}_agents`,
    value: round(load.cpu * 100, 1),
    unit: '% of one core',
    target: null,
    met: null,
  },
);
say(
  `  idle ${round(load.idle, 0)} MiB, peak ${round(load.peak, 0)} MiB, cpu ${round(load.cpu * 100, 1)} %, ${load.reports} beads booked`,
);

writeSection(
  'BENCHMARKS.md',
  'parsers',
  [
    '## Agent output parsers (`npm run bench:parsers`)',
    '',
    `Machine: ${describeMachine()}. Date: ${new Date().toISOString().slice(0, 10)}.${quick ? ' **Quick mode.**' : ''} Each preset's parser (src/domain/runtimes/) over a generated stream of its CLI's lines (tool results of ~5 KB, assistant messages, the odd usage or result line, some non-ASCII), fed in 64 KiB chunks, ${PASSES} passes. Median: whole-stream throughput, median pass; p99: one chunk at the 99th percentile of parse time, as MB/s.`,
    '',
    '| parser | stream | median | p99 | target | met |',
    '|---|---|---|---|---|---|',
    ...parserLines,
    '',
    `Runner under load: one \`gt rig run\` process with ${AGENTS} polecats of the \`claude\` preset (the fake CLI), each streaming ${LINES_PER_S} stream-json lines/s (about ${mbPerS.toFixed(1)} MB/s in all) for ${STREAM_SECONDS} s, parsed as they come and reported with \`gt usage report\`: RSS ${round(load.idle, 0)} MiB idle, **${round(load.peak, 0)} MiB peak**; CPU ${round(load.cpu * 100, 1)} % of one core over ${load.seconds.toFixed(0)} s (spawning, worktrees and \`gt done\` included); ${load.reports} of ${AGENTS} beads booked. No target set.`,
  ].join('\n'),
);
mergeResults('bench/results.json', rows);
console.log(JSON.stringify(rows, null, 2));
process.exit(0);
