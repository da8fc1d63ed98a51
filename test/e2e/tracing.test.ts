import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gitRepo, RunnerProcess, waitFor } from './runner-process.ts';
import { Town } from './town.ts';
import { type CollectedSpan, OtlpCollector } from './tracing-collector.ts';

type Bead = { id: string };

/**
 * One trace per command (issue 19 item 3), with real processes: `bd close` (the CLI), the service
 * (command layer, ledger write, relay, feeder, dispatcher) and the rig runner all export to an
 * OTLP receiver of the test. Closing a bead feeds the next bead of its convoy to a polecat: the
 * whole chain, up to the polecat's own `bd` call (its CLI runs no tracer: it only passes the
 * TRACEPARENT it was started with), must be one trace.
 */
describe('tracing: bd close → feed → dispatch → polecat start is one trace', () => {
  const town = new Town();
  const repo = gitRepo();
  let collector: OtlpCollector;
  let runner: RunnerProcess | undefined;
  let otel: Record<string, string>;

  beforeAll(async () => {
    collector = await OtlpCollector.start();
    otel = { OTEL_EXPORTER_OTLP_ENDPOINT: collector.endpoint, OTEL_BSP_SCHEDULE_DELAY: '100' };
    await town.up(['--http-port', '0'], otel);
    // The polecat calls the service once with its own identity, then exits.
    await town.json('gt', [
      'rig',
      'add',
      'alpha',
      '--prefix',
      'al',
      '--repo',
      repo,
      '--command',
      'bd show "$GT_BEAD"',
    ]);
    await town.json('gt', ['rig', 'add', 'beta', '--prefix', 'be']);
    runner = await RunnerProcess.start(town, 'alpha', [], otel);
  }, 60_000);

  afterAll(async () => {
    await runner?.stop();
    await town.destroy();
    await collector?.close();
    rmSync(repo, { recursive: true, force: true });
  });

  it('links every hop by parent, from the CLI span to the polecat’s call', async () => {
    // `first` waits in beta (no runner there); `second`, in alpha, waits for it.
    const first = (await town.json<Bead>('bd', ['create', 'First', '--rig', 'beta'])).id;
    const second = (await town.json<Bead>('bd', ['create', 'Second', '--rig', 'alpha'])).id;
    await town.json('bd', ['dep', 'add', second, first]);
    await town.json('gt', ['convoy', 'launch', first, second, '--force']); // cross-rig on purpose
    const closed = await town.run('bd', ['close', first], otel);
    expect(closed.code, closed.stderr).toBe(0);

    const spans = collector.spans;
    const polecatCall = () =>
      spans.find((s) => s.name === 'bd show' && String(s.attributes['gt.actor']).startsWith('alpha/'));
    await waitFor(
      () => polecatCall() !== undefined,
      30_000,
      () => `${runner?.output}\n${spans.map((s) => `${s.service} ${s.name}`).join('\n')}`,
    );
    const root = spans.find((s) => s.service === 'gastown-ops-cli' && s.name === 'bd close');
    expect(root, 'the CLI exported its span').toBeDefined();
    const trace = spans.filter((s) => s.traceId === root?.traceId);
    const named = (service: string, name: string) =>
      trace.find((s) => s.service === service && s.name === name);
    for (const [service, name] of [
      ['gastown-ops', 'bd close'],
      ['gastown-ops', 'publish bead_closed'],
      ['gastown-ops', 'convoy-feeder'],
      ['gastown-ops', 'gt sling'],
      ['gastown-ops', 'publish bead_claimed'],
      ['gastown-ops', 'dispatcher'],
      ['gastown-ops-runner', 'runner-alpha'],
      ['gastown-ops-runner', 'polecat start'],
      ['gastown-ops', 'bd show'],
    ] as const)
      expect(named(service, name), `${service}: ${name}`).toBeDefined();
    expect(named('gastown-ops-runner', 'polecat start')?.attributes['gt.bead']).toBe(second);

    // Walking up from the polecat's call by parent ids reaches the CLI's span: one chain.
    const byId = new Map(trace.map((s) => [s.spanId, s]));
    const path: string[] = [];
    let at: CollectedSpan | undefined = polecatCall();
    while (at) {
      path.push(`${at.service}:${at.name}`);
      at = at.parentSpanId ? byId.get(at.parentSpanId) : undefined;
    }
    expect(path).toEqual([
      'gastown-ops:bd show',
      'gastown-ops-runner:polecat start',
      'gastown-ops-runner:runner-alpha',
      'gastown-ops:dispatcher',
      'gastown-ops:publish bead_claimed',
      'gastown-ops:gt sling',
      'gastown-ops:convoy-feeder',
      'gastown-ops:publish bead_closed',
      'gastown-ops:bd close',
      'gastown-ops-cli:bd close',
    ]);
    // Span attributes are names and ids from a fixed list: never a command's arguments or texts.
    const allowed = new Set([
      'gt.verb',
      'gt.source',
      'gt.actor',
      'gt.outcome',
      'gt.event',
      'gt.seq',
      'gt.bead',
    ]);
    for (const k of ['gt.agent', 'gt.deliveries', 'messaging.destination']) allowed.add(k);
    const keys = new Set(spans.flatMap((s) => Object.keys(s.attributes)));
    expect([...keys].filter((k) => !allowed.has(k))).toEqual([]);
  }, 60_000);
});
