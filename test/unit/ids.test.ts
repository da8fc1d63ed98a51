import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { adaptiveLength, candidateIds, encodeBase36, nextChildId, prefixOf } from '../../src/domain/ids.ts';

const sha256 = (t: string) => createHash('sha256').update(t).digest();
const seed = { prefix: 'gt', title: 't', description: '', actor: 'a', createdAtNs: '1' };

describe('ids', () => {
  it('grows the hash length at the birthday-bound thresholds of beads.md §2.2', () => {
    expect([0, 163, 164, 983, 984, 5898, 5899, 35389, 35390, 212339, 212340].map(adaptiveLength)).toEqual([
      3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8,
    ]);
  });

  it('encodes base36, left-padded to the length', () => {
    expect(encodeBase36(new Uint8Array([0, 1]), 3)).toBe('001');
    expect(encodeBase36(new Uint8Array([255, 255]), 3)).toBe('1ekf'.slice(-3));
  });

  it('yields distinct candidates: ten nonces per length, lengths up to 8', () => {
    const all = [...candidateIds(seed, 0, sha256)];
    expect(all).toHaveLength(60);
    expect(new Set(all).size).toBe(60);
    expect(all[0]).toMatch(/^gt-[0-9a-z]{3}$/);
    expect(all[59]).toMatch(/^gt-[0-9a-z]{8}$/);
  });

  it('numbers children past both the counter and explicit ids, to depth 3', () => {
    expect(nextChildId('gt-a1b', 0, [])).toBe('gt-a1b.1');
    expect(nextChildId('gt-a1b', 2, ['gt-a1b.1'])).toBe('gt-a1b.3');
    expect(nextChildId('gt-a1b', 1, ['gt-a1b.9', 'gt-a1b.9.1'])).toBe('gt-a1b.10');
    expect(nextChildId('gt-a1b.1.2', 0, [])).toBe('gt-a1b.1.2.1');
    expect(() => nextChildId('gt-a1b.1.2.3', 0, [])).toThrow(/3 levels deep/);
  });

  it('finds the prefix of plain, convoy and child ids', () => {
    expect(prefixOf('gt-a1b')).toBe('gt');
    expect(prefixOf('hq-cv-3k9')).toBe('hq-cv');
    expect(prefixOf('gt-a1b.2.1')).toBe('gt');
  });
});
