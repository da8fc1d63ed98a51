import { usageError } from './errors.ts';

/**
 * Mail between agents and people (comms-supervision.md §1). The ledger is the system of record;
 * the transport only carries and wakes.
 */
export const MAIL_PRIORITIES = ['urgent', 'high', 'normal', 'low'] as const;
export type MailPriority = (typeof MAIL_PRIORITIES)[number];
export const MAX_SUBJECT = 200;
export const MAX_BODY = 64 * 1024;

export interface Mail {
  id: string;
  from: string;
  to: string;
  subject: string;
  body: string;
  priority: MailPriority;
  thread_id: string;
  reply_to: string | null;
  /**
   * For mail to a polecat: the bead that incarnation was working on when the mail was sent.
   * A later polecat reusing the name does not see it (upstream gastown#909).
   */
  to_spawn: string | null;
  created_at: string;
  expires_at: string | null;
  read_at: string | null;
  read_by: string | null;
  acked_at: string | null;
  acked_by: string | null;
  archived: boolean;
}

/** A parsed recipient. `group` expands to the rig's agents at send time. */
export type Address =
  | { kind: 'mayor'; address: 'mayor/' }
  | { kind: 'agent'; address: string; rig: string; name: string }
  | { kind: 'group'; rig: string }
  | { kind: 'human'; address: string };

const TOKEN = /^[A-Za-z][A-Za-z0-9_-]{0,39}$/;
const RIG = /^[a-z][a-z0-9_-]{0,39}$/;
export const RIG_ROLES = ['witness', 'refinery'] as const;

export function parseAddress(raw: string, human: boolean): Address {
  const text = raw.trim();
  if (human) {
    if (!TOKEN.test(text.replace(/^human:/, ''))) throw badAddress(raw);
    return { kind: 'human', address: `human:${text.replace(/^human:/, '')}` };
  }
  if (text === 'mayor' || text === 'mayor/') return { kind: 'mayor', address: 'mayor/' };
  if (text.startsWith('@') && RIG.test(text.slice(1))) return { kind: 'group', rig: text.slice(1) };
  if (text.startsWith('human:') && TOKEN.test(text.slice(6))) return { kind: 'human', address: text };
  const [rig, name, extra] = text.split('/');
  if (extra !== undefined || !rig || !name || !RIG.test(rig) || !TOKEN.test(name)) throw badAddress(raw);
  return { kind: 'agent', address: `${rig}/${name}`, rig, name };
}

const badAddress = (raw: string) =>
  usageError(
    'invalid_address',
    `${JSON.stringify(raw)} is not a mail address; use <rig>/<name>, <rig>/witness, mayor/, @<rig>, or --human <id>`,
  );

export function parsePriority(raw: string | undefined): MailPriority {
  const p = (raw ?? 'normal').toLowerCase();
  if ((MAIL_PRIORITIES as readonly string[]).includes(p)) return p as MailPriority;
  throw usageError('invalid_priority', `--priority must be one of ${MAIL_PRIORITIES.join(', ')}`);
}

export function parseSubject(raw: string | undefined): string {
  const s = (raw ?? '').trim();
  if (s === '') throw usageError('missing_subject', 'give the mail a subject with -s "…"');
  if (s.length > MAX_SUBJECT)
    throw usageError('subject_too_long', `the subject exceeds ${MAX_SUBJECT} characters`);
  return s;
}

export function parseBody(raw: string | undefined): string {
  const body = raw ?? '';
  if (new TextEncoder().encode(body).length > MAX_BODY) {
    throw usageError(
      'body_too_long',
      `the body exceeds ${MAX_BODY / 1024} KiB; attach a file path or a bead id instead`,
    );
  }
  return body;
}

/** `30m`, `2h`, `1d` → milliseconds. */
export function parseTtl(raw: string | undefined): number | null {
  if (raw === undefined) return null;
  const m = /^(\d{1,6})(m|h|d)$/.exec(raw.trim());
  if (!m) throw usageError('invalid_ttl', `--ttl ${JSON.stringify(raw)} must look like 30m, 2h or 7d`);
  return Number(m[1]) * { m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 'm' | 'h' | 'd'];
}

/** What an inbox shows: addressed to the agent, not expired, and (for polecats) to this incarnation. */
export function visibleTo(mail: Mail, agent: string, currentSpawn: string | null, now: string): boolean {
  if (mail.to !== agent) return false;
  if (mail.expires_at !== null && mail.expires_at <= now) return false;
  return mail.to_spawn === null || mail.to_spawn === currentSpawn;
}

/** The subject of a reply: `Re: <subject>`, never `Re: Re: …`, within the subject limit. */
export const replySubject = (subject: string): string =>
  (subject.startsWith('Re: ') ? subject : `Re: ${subject}`).slice(0, MAX_SUBJECT);

/** Who a message is for: its sender and its recipient (mail admins aside). */
export const isPartyTo = (mail: Pick<Mail, 'from' | 'to'>, address: string): boolean =>
  mail.from === address || mail.to === address;
