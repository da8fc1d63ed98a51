import { createPublicKey, type KeyObject, verify } from 'node:crypto';

/** Ed25519 public keys in SPKI DER are this 12-byte header followed by the 32-byte key. */
const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const WINDOW_S = 300;

export const discordPublicKey = (hex: string): KeyObject =>
  createPublicKey({
    key: Buffer.concat([SPKI_ED25519_PREFIX, Buffer.from(hex, 'hex')]),
    format: 'der',
    type: 'spki',
  });

export type Verdict = 'ok' | 'bad_signature' | 'stale';

/**
 * Discord's request signature (ecosystem.md §2.6): Ed25519 over `timestamp + raw body` with the
 * application's public key. Neither Discord's libraries nor the platform bound the timestamp, so
 * requests more than 5 minutes old or ahead are refused too (replays are caught by interaction id).
 */
export function verifyDiscordRequest(
  key: KeyObject,
  signatureHex: string,
  timestamp: string,
  rawBody: Buffer,
  now: Date = new Date(),
): Verdict {
  const signature = Buffer.from(signatureHex, 'hex');
  if (signature.length !== 64 || !/^\d+$/.test(timestamp)) return 'bad_signature';
  const valid = verify(null, Buffer.concat([Buffer.from(timestamp), rawBody]), key, signature);
  if (!valid) return 'bad_signature';
  return Math.abs(now.getTime() / 1000 - Number(timestamp)) > WINDOW_S ? 'stale' : 'ok';
}
