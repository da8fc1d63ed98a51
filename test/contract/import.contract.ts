import { expect, it } from 'vitest';
import { refusal } from './dependency.contract.ts';
import type { ContractState } from './ledger.contract.ts';

/** `bd import`'s one ledger method: a replayed bead gets the updated_at its file gives. */
export function registerImportContract(s: ContractState): void {
  it('restores an imported bead’s updated_at, moving its version, with no event', async () => {
    const bead = await s.ledger.createBead({ id: 'hq-imp1', title: 'imported' }, s.ctx());
    const events = (await s.ledger.eventsSince(0)).length;
    await s.ledger.restoreUpdatedAt(bead.id, '2025-01-02T03:04:05.678Z');
    const after = await s.ledger.getBead(bead.id);
    expect(after).toEqual({ ...bead, updated_at: '2025-01-02T03:04:05.678Z', version: bead.version + 1 });
    expect((await s.ledger.eventsSince(0)).length).toBe(events);
    // The next write compares against the moved version, not the stale one.
    expect((await s.ledger.updateBead(bead.id, { title: 'renamed' }, s.ctx())).title).toBe('renamed');
    expect((await refusal(s.ledger.restoreUpdatedAt('hq-nope', '2025-01-01T00:00:00.000Z'))).kind).toBe(
      'not_found',
    );
  });

  it('pages every bead in id order after a cursor, whatever its status, one rig when asked', async () => {
    await s.ledger.addRig({ name: 'pg', prefix: 'pg' }, s.ctx());
    for (const id of ['pg-b', 'hq-z', 'pg-a', 'pg-c.1', 'pg-c'])
      await s.ledger.createBead({ id, title: id, rig: id.startsWith('pg') ? 'pg' : null }, s.ctx());
    await s.ledger.closeBead('pg-b', { force: true }, s.ctx());
    const ids = async (after: string | null, limit: number, rig?: string) =>
      (await s.ledger.beadsAfter(after, limit, rig)).map((b) => b.id);
    expect(await ids(null, 10)).toEqual(['hq-z', 'pg-a', 'pg-b', 'pg-c', 'pg-c.1']);
    expect(await ids(null, 2)).toEqual(['hq-z', 'pg-a']);
    expect(await ids('pg-a', 2)).toEqual(['pg-b', 'pg-c']);
    expect(await ids('pg-c.1', 2)).toEqual([]);
    expect(await ids(null, 10, 'pg')).toEqual(['pg-a', 'pg-b', 'pg-c', 'pg-c.1']);
    expect((await s.ledger.beadsAfter('pg-a', 1))[0]).toEqual(await s.ledger.getBead('pg-b'));
  });
}
