import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startPolecat } from '../../src/agent/polecat-process.ts';

/** A polecat's stdout reaches the runner's reader as it streams, whole characters and all. */
describe('a polecat’s output as it streams', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gt-polecat-output-'));
  const env = { PATH: process.env.PATH ?? '', GT_POLECAT_NICE: '0' };

  it('hands stdout to onOutput decoded — a character split across writes arrives whole — and logs both streams', async () => {
    const chunks: string[] = [];
    const log = join(dir, 'a.log');
    // "·" is two bytes (c2 b7): the first goes out, a pause, then the second.
    const p = startPolecat(
      "printf 'one \\302'; sleep 0.2; printf '\\267 two\\n'; echo oops >&2",
      dir,
      env,
      log,
      { onOutput: (c) => chunks.push(c) },
    );
    expect(await p.exited).toEqual({ code: 0, signal: null });
    expect(chunks.length).toBeGreaterThanOrEqual(2);
    expect(chunks.join('')).toBe('one · two\n');
    expect(chunks.every((c) => !c.includes('\uFFFD'))).toBe(true);
    const logged = readFileSync(log, 'utf8');
    expect(logged).toContain('one · two');
    expect(logged).toContain('oops');
  });

  it('keeps running the polecat when the reader throws', async () => {
    const p = startPolecat('echo a; sleep 0.1; echo b', dir, env, join(dir, 'b.log'), {
      onOutput: () => {
        throw new Error('reader bug');
      },
    });
    expect(await p.exited).toEqual({ code: 0, signal: null });
    expect(readFileSync(join(dir, 'b.log'), 'utf8')).toMatch(/a\nb\n/);
  });
});
