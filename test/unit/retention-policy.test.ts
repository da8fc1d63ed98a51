import { describe, expect, it } from 'vitest';
import { AUDIT_LIST_MAX, COMPACTION_BATCH, retentionPolicy } from '../../src/domain/retention.ts';
import { cronEverySeconds } from '../../src/domain/schedule.ts';

const NOW = new Date('2026-12-05T03:00:00.000Z');

describe('retention policy', () => {
  it('cuts events and audit at their ages, events only below the lowest consumer mark', () => {
    expect(retentionPolicy({ eventDays: 30, auditDays: 365 }, [900, 700], NOW)).toEqual({
      events: { before: '2026-11-05T03:00:00.000Z', belowSeq: 700 },
      audit: { before: '2025-12-05T03:00:00.000Z', keepNewest: AUDIT_LIST_MAX },
      keysExpiredBy: NOW.toISOString(),
      batch: COMPACTION_BATCH,
    });
  });

  it('keeps every event when no mark is known (or none was published) and when the days are 0', () => {
    expect(retentionPolicy({ eventDays: 30, auditDays: 0 }, [], NOW)).toMatchObject({
      events: null,
      audit: null,
    });
    expect(retentionPolicy({ eventDays: 30, auditDays: 1 }, [0], NOW).events).toBeNull();
    expect(retentionPolicy({ eventDays: 0, auditDays: 1 }, [5], NOW).events).toBeNull();
  });

  it('deletes at least one row per batch', () => {
    expect(retentionPolicy({ eventDays: 1, auditDays: 1 }, [5], NOW, 0).batch).toBe(1);
  });
});

describe('job intervals', () => {
  it('schedules whole hours that divide a day (the daily compaction) and refuses others', () => {
    expect(cronEverySeconds(86_400, 'GT_RETENTION_INTERVAL_S')).toBe('0 0 */24 * * *');
    expect(cronEverySeconds(7_200, 'x')).toBe('0 0 */2 * * *');
    expect(cronEverySeconds(3_600, 'x')).toBe('0 */60 * * * *');
    expect(() => cronEverySeconds(5 * 3_600, 'x')).toThrow(/whole hours that divide a day/);
  });
});
