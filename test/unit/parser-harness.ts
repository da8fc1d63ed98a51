import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import { expect } from 'vitest';
import type { AgentEvent, OutputParser } from '../../src/domain/agent-output.ts';
import { commandLine, presetFor } from '../../src/domain/runtimes/index.ts';
import { FAKE_AGENTS, withFakeAgents } from '../support/fake-agents/index.ts';
import { fuzzOptions } from '../support/fuzz.ts';

/** Shared by the parser tests: the fake agents' real output, fed to parsers in any chunking. */
export const FAKES = FAKE_AGENTS;
const ROOT = resolve(import.meta.dirname, '../..');
const promptFile = join(mkdtempSync(join(tmpdir(), 'gt-parser-')), 'prompt.md');
writeFileSync(promptFile, '# A bead\n\nDo the thing.\n');

export interface FakeRun {
  stdout: string;
  stderr: string;
  code: number | null;
  signal: NodeJS.Signals | null;
}

/**
 * Runs a preset's own command line (as a rig runner would) with the fake CLIs first on PATH:
 * the preset's flags meet a fake that checks them, and the output is what the parser will read.
 */
export function runFake(preset: string, scenario: string, env: Record<string, string> = {}): FakeRun {
  const p = presetFor(preset);
  if (!p) throw new Error(`no preset ${preset}`);
  const r = spawnSync('bash', ['-c', commandLine(p)], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    env: {
      PATH: withFakeAgents(),
      HOME: process.env.HOME,
      GT_PROMPT_FILE: promptFile,
      FAKE_SCENARIO: scenario,
      FAKE_SESSION: 's-1',
      ...env,
    },
  });
  return { stdout: r.stdout, stderr: r.stderr, code: r.status, signal: r.signal };
}

/** All events of `text` fed at the given cut points (none: in one piece), then the end. */
export function parseChunks(parser: OutputParser, text: string, cuts: readonly number[] = []): AgentEvent[] {
  const at = [...new Set(cuts.map((c) => Math.max(0, Math.min(text.length, c))))].sort((a, b) => a - b);
  const events: AgentEvent[] = [];
  let from = 0;
  for (const cut of [...at, text.length]) {
    events.push(...parser.push(text.slice(from, cut)));
    from = cut;
  }
  events.push(...parser.end());
  return events;
}

/** The same stream in random chunks gives the same events as in one piece. */
export function expectChunkingIrrelevant(make: () => OutputParser, text: string, numRuns = 40): void {
  const whole = parseChunks(make(), text);
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 0, max: text.length }), { maxLength: 30 }), (cuts) => {
      expect(parseChunks(make(), text, cuts)).toEqual(whole);
    }),
    fuzzOptions(numRuns),
  );
}

export const ofKind = <K extends AgentEvent['kind']>(events: AgentEvent[], kind: K) =>
  events.filter((e): e is Extract<AgentEvent, { kind: K }> => e.kind === kind);
