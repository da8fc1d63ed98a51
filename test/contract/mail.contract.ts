import { expect, it } from 'vitest';
import type { Nudge } from '../../src/domain/nudge.ts';
import { mailFixture as mail } from '../support/mail-fixture.ts';
import type { ContractState } from './ledger.contract.ts';

/** Mail storage: the system of record behind gt mail. */
export function registerMailContract(s: ContractState): void {
  it('stores mail with its event, lists by recipient, keeps threads', async () => {
    await s.ledger.putMail(mail('m1', { created_at: '2026-11-22T10:00:01.000Z' }), s.ctx());
    await s.ledger.putMail(
      mail('m2', { created_at: '2026-11-22T10:00:02.000Z', reply_to: 'm1', thread_id: 'm1', to: 'mayor/' }),
      s.ctx(),
    );
    await s.ledger.putMail(mail('m3', { created_at: '2026-11-22T10:00:03.000Z', to: 'beta/Nux' }), s.ctx());
    expect((await s.ledger.listMail(['alpha/Toast'], {})).map((m) => m.id)).toEqual(['m1']);
    expect((await s.ledger.listMail(['alpha/Toast', 'mayor/'], {})).map((m) => m.id)).toEqual(['m1', 'm2']);
    expect((await s.ledger.mailThread('m1')).map((m) => m.id)).toEqual(['m1', 'm2']);
    expect(await s.ledger.getMail('m2')).toEqual(
      mail('m2', { created_at: '2026-11-22T10:00:02.000Z', reply_to: 'm1', thread_id: 'm1', to: 'mayor/' }),
    );
    const events = (await s.ledger.eventsSince(0)).filter((e) => e.type === 'mail_sent');
    expect(events.map((e) => e.data.mail_id)).toEqual(['m1', 'm2', 'm3']);
  });

  it('read and ack receipts keep the first reader; archived mail leaves the inbox', async () => {
    await s.ledger.putMail(mail('m1'), s.ctx());
    const read = await s.ledger.markMail('m1', { read: true }, s.ctx('alpha/Toast'));
    expect(read).toMatchObject({ read_by: 'alpha/Toast', acked_at: null });
    const again = await s.ledger.markMail('m1', { read: true, acked: true }, s.ctx('someone-else'));
    expect(again).toMatchObject({ read_by: 'alpha/Toast', read_at: read.read_at, acked_by: 'someone-else' });
    await s.ledger.markMail('m1', { archived: true }, s.ctx());
    expect(await s.ledger.listMail(['alpha/Toast'], {})).toEqual([]);
    expect((await s.ledger.listMail(['alpha/Toast'], { archived: true })).map((m) => m.archived)).toEqual([
      true,
    ]);
    await expect(s.ledger.markMail('nope', { read: true }, s.ctx())).rejects.toThrow(/not found/);
  });
}

const nudge = (id: string, at: number, over: Partial<Nudge> = {}): Nudge => ({
  id,
  to: 'alpha/Toast',
  from: 'mayor/',
  message: `wake ${id}`,
  urgent: false,
  created_at: new Date(Date.parse('2026-11-22T10:00:00Z') + at).toISOString(),
  expires_at: new Date(Date.parse('2026-11-22T10:30:00Z') + at).toISOString(),
  ...over,
});

/** Queued nudges: bounded per agent, handed out once, expired ones dropped. */
export function registerNudgeContract(s: ContractState): void {
  it('keeps at most N pending nudges per agent, dropping the oldest', async () => {
    for (let i = 0; i < 4; i++)
      expect(await s.ledger.queueNudge(nudge(`n${i}`, i * 1000), 3)).toEqual(i === 3 ? ['n0'] : []);
    await s.ledger.queueNudge(nudge('other', 0, { to: 'alpha/Nux' }), 3);
    const taken = await s.ledger.takeNudges('alpha/Toast', new Date('2026-11-22T10:10:00Z'));
    expect(taken.map((n) => n.id)).toEqual(['n1', 'n2', 'n3']);
    expect(await s.ledger.takeNudges('alpha/Toast', new Date('2026-11-22T10:10:00Z'))).toEqual([]);
    expect(
      (await s.ledger.takeNudges('alpha/Nux', new Date('2026-11-22T10:10:00Z'))).map((n) => n.id),
    ).toEqual(['other']);
  });

  it('drops expired nudges and hands each one to one taker only', async () => {
    await s.ledger.queueNudge(nudge('old', 0), 50);
    await s.ledger.queueNudge(
      nudge('urgent', 1000, { urgent: true, expires_at: '2026-11-22T12:00:00.000Z' }),
      50,
    );
    const second = await s.fx.reopen();
    const late = new Date('2026-11-22T11:00:00Z');
    const [a, b] = await Promise.all([
      s.ledger.takeNudges('alpha/Toast', late),
      second.takeNudges('alpha/Toast', late),
    ]);
    expect([...a, ...b].map((n) => n.id)).toEqual(['urgent']);
    expect([...a, ...b][0]).toMatchObject({ urgent: true, message: 'wake urgent', from: 'mayor/' });
    await second.close();
  });
}
