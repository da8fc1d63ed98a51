import { expect, it } from 'vitest';
import { type RetentionPolicy, retentionPolicy } from '../../src/domain/retention.ts';
import type { AuditRecord, WriteContext } from '../../src/ledger/port.ts';
import type { ContractState } from './ledger.contract.ts';

const DAY = 86_400_000;
const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const onDay = (day: number): WriteContext => ({ actor: 'tester', now: new Date(T0 + day * DAY) });
/** Compaction day: 45 days after T0, so with 30 days' retention days 0–14 are old. */
const NOW = new Date(T0 + 45 * DAY);
const KEEP_30_DAYS = { eventDays: 30, auditDays: 30 };
/** Batches of two rows, so every sweep takes several steps. */
const policyAt = (marks: number[]): RetentionPolicy => retentionPolicy(KEEP_30_DAYS, marks, NOW, 2);

/** Retention (domain/retention.ts): what compactHistory deletes, and what it must never delete. */
export function registerRetentionContract(s: ContractState): void {
  /** Six beads on days 0–5 (old by NOW), two on days 40 and 41 (recent): eight events. */
  const history = async () => {
    for (const day of [0, 1, 2, 3, 4, 5, 40, 41])
      await s.ledger.createBead({ title: `day ${day}` }, onDay(day));
    const events = await s.ledger.eventsSince(0);
    expect(events).toHaveLength(8);
    return events.map((e) => e.seq);
  };

  it('deletes old events the relay has published, keeps recent ones and every one after its mark', async () => {
    const seqs = await history();
    const mark = seqs[3] as number; // the relay has published the first four
    expect(await s.ledger.compactHistory(policyAt([mark]))).toMatchObject({ events: 3, audit: 0 });
    // What the relay reads from its mark is all there: the unpublished old ones and the recent ones.
    expect((await s.ledger.eventsSince(mark)).map((e) => e.seq)).toEqual(seqs.slice(4));
    // The event at the mark stays too; nothing before it does (a reader resuming there sees the rest).
    expect((await s.ledger.eventsSince(seqs[2] as number)).map((e) => e.seq)).toEqual(seqs.slice(3));
    expect(await s.ledger.compactHistory(policyAt([mark]))).toEqual({ events: 0, audit: 0, keys: 0 });
  });

  it('keeps every event without a known mark, or below the lowest of several', async () => {
    const seqs = await history();
    expect((await s.ledger.compactHistory(policyAt([]))).events).toBe(0);
    expect((await s.ledger.compactHistory(policyAt([seqs[7] as number, seqs[0] as number]))).events).toBe(0);
    expect(
      (await s.ledger.compactHistory(retentionPolicy({ eventDays: 0, auditDays: 0 }, [99], NOW))).events,
    ).toBe(0);
    expect((await s.ledger.eventsSince(0)).map((e) => e.seq)).toEqual(seqs);
  });

  it('never deletes the newest event: new events still follow the mark', async () => {
    for (const day of [0, 1, 2]) await s.ledger.createBead({ title: `day ${day}` }, onDay(day));
    const seqs = (await s.ledger.eventsSince(0)).map((e) => e.seq);
    const last = seqs[2] as number;
    // Everything is old and published; even a mark beyond the log (another ledger's) spares the newest.
    expect((await s.ledger.compactHistory(policyAt([last + 100]))).events).toBe(2);
    expect((await s.ledger.eventsSince(last - 1)).map((e) => e.seq)).toEqual([last]);
    const bead = await s.ledger.createBead({ title: 'after compaction' }, onDay(46));
    const next = await s.ledger.eventsSince(last);
    expect(next.map((e) => [e.type, e.bead_id])).toEqual([['bead_created', bead.id]]);
    expect(next[0]?.seq).toBeGreaterThan(last);
  });

  it('deletes old audit records but the newest it must keep, in batches, idempotently', async () => {
    const base: Omit<AuditRecord, 'at' | 'verb'> = {
      actor: 'alice',
      actor_kind: 'human',
      source: 'cli',
      args: {},
      outcome: 'ok',
    };
    for (const day of [0, 1, 2, 3, 4, 5, 40, 41])
      await s.ledger.appendAudit({ ...base, at: onDay(day).now.toISOString(), verb: `day ${day}` });
    const keeping = (keepNewest: number): RetentionPolicy => {
      const p = policyAt([]);
      return { ...p, audit: { before: (p.audit as { before: string }).before, keepNewest } };
    };
    // The default keeps the newest 10,000 (what `gt audit --limit` may ask for): nothing goes here.
    expect((await s.ledger.compactHistory(policyAt([]))).audit).toBe(0);
    expect(await s.ledger.compactHistory(keeping(3))).toMatchObject({ events: 0, audit: 5 });
    expect((await s.ledger.listAudit(100)).map((r) => r.verb)).toEqual(['day 41', 'day 40', 'day 5']);
    expect((await s.ledger.compactHistory(keeping(3))).audit).toBe(0);
    // Keeping none by count, only the recent ones stay.
    expect((await s.ledger.compactHistory(keeping(0))).audit).toBe(1);
    expect((await s.ledger.listAudit(100)).map((r) => r.verb)).toEqual(['day 41', 'day 40']);
  });

  it('deletes expired idempotency keys and keeps live ones', async () => {
    const future = new Date(Date.now() + 3_600_000);
    expect(await s.ledger.recordIdempotencyKey('live', future)).toBe(true);
    expect(await s.ledger.recordIdempotencyKey('expired', new Date(T0))).toBe(true);
    await s.ledger.compactHistory(policyAt([]));
    expect(await s.ledger.recordIdempotencyKey('live', future)).toBe(false);
  });
}
