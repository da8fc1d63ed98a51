import { usageError } from './errors.ts';

/**
 * Bead ids: `<prefix>-<base36>` (beads.md §2.2). The hash of the bead's content and creation
 * time is encoded in base36 and cut to a length that grows with the number of ids under the
 * prefix, so small rigs get short ids (`gt-a1b`) and collisions stay unlikely (≤ 25 %) at scale.
 * The domain stays pure: the caller passes the SHA-256 function and tries the candidates in
 * order until one is free (the store's unique key is the real arbiter).
 */

export const MIN_HASH_LENGTH = 3;
export const MAX_HASH_LENGTH = 8;
const MAX_COLLISION_PROBABILITY = 0.25;
const NONCES_PER_LENGTH = 10;

/** Smallest length whose birthday-bound collision probability stays under the limit. */
export function adaptiveLength(existing: number): number {
  for (let length = MIN_HASH_LENGTH; length < MAX_HASH_LENGTH; length++) {
    const p = 1 - Math.exp(-(existing * existing) / (2 * 36 ** length));
    if (p <= MAX_COLLISION_PROBABILITY) return length;
  }
  return MAX_HASH_LENGTH;
}

const BYTES_FOR_LENGTH: Record<number, number> = { 3: 2, 4: 3, 5: 4, 6: 4, 7: 5, 8: 5 };

export function encodeBase36(digest: Uint8Array, length: number): string {
  const bytes = BYTES_FOR_LENGTH[length] ?? 5;
  let value = 0n;
  for (let i = 0; i < bytes; i++) value = (value << 8n) | BigInt(digest[i] ?? 0);
  return value.toString(36).padStart(length, '0').slice(-length);
}

export interface IdSeed {
  prefix: string;
  title: string;
  description: string;
  actor: string;
  /** Creation time in nanoseconds (as a decimal string, to stay exact). */
  createdAtNs: string;
}

/** Candidate ids in the order to try: lengths from the adaptive one up to 8, ten nonces each. */
export function* candidateIds(seed: IdSeed, existing: number, sha256: (text: string) => Uint8Array) {
  for (let length = adaptiveLength(existing); length <= MAX_HASH_LENGTH; length++) {
    for (let nonce = 0; nonce < NONCES_PER_LENGTH; nonce++) {
      const digest = sha256([seed.title, seed.description, seed.actor, seed.createdAtNs, nonce].join('|'));
      yield `${seed.prefix}-${encodeBase36(digest, length)}`;
    }
  }
}

/** The prefix of a bead id: everything before its final hyphen-separated hash (`hq-cv-3k9` → `hq-cv`). */
export const prefixOf = (id: string): string => id.slice(0, id.split('.')[0]?.lastIndexOf('-'));

export const CONVOY_PREFIX = 'hq-cv';
export const TOWN_PREFIX = 'hq';

/** Convoys live in the town whatever rig they track (`hq-cv-…`); other beads take their rig's prefix. */
export const idPrefixFor = (issueType: string | undefined, rigPrefix: string): string =>
  issueType === 'convoy' ? CONVOY_PREFIX : rigPrefix;
export const MAX_CHILD_DEPTH = 3;

/**
 * Hierarchical child ids (`gt-a1b.3`): one more than the larger of the parent's counter and the
 * highest child number already present, so children created with explicit ids are never reused
 * (upstream beads#728/#4750).
 */
export function nextChildId(parentId: string, counter: number, existingChildIds: readonly string[]): string {
  if (parentId.split('.').length > MAX_CHILD_DEPTH) {
    throw usageError(
      'too_deep',
      `${parentId} is already ${MAX_CHILD_DEPTH} levels deep; attach the bead higher up`,
    );
  }
  const highest = existingChildIds
    .map((id) => id.slice(parentId.length + 1))
    .filter((rest) => /^[0-9]+$/.test(rest))
    .reduce((max, n) => Math.max(max, Number(n)), 0);
  return `${parentId}.${Math.max(counter, highest) + 1}`;
}
