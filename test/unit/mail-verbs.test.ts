import { describe, expect, it } from 'vitest';
import type { Actor } from '../../src/domain/actor.ts';
import { useCommands } from './command-harness.ts';

type Mail = {
  id: string;
  from: string;
  to: string;
  subject: string;
  thread_id: string;
  read_by: string | null;
  acked_by: string | null;
};

/** gt mail over the ledger (comms-supervision.md §1), spawn scoping and landing mail. */
describe('gt mail', () => {
  const h = useCommands((h) => h.ok('gt rig add', { name: 'alpha', prefix: 'al', 'max-polecats': '2' }));
  const { run, ok } = h;
  const toast: Actor = { kind: 'agent', id: 'alpha/Toast' };
  const nux: Actor = { kind: 'agent', id: 'alpha/Nux' };
  const inbox = async (actor: Actor) => {
    const reply = await run('gt mail inbox', {}, actor);
    if (!reply.ok) throw new Error(reply.error.message);
    return (reply.data as Mail[]).map((m) => m.subject);
  };

  it('sends, lists, reads, acks, archives and threads', async () => {
    const [sent] = await ok<Mail[]>('gt mail send', { to: 'alpha/Toast', subject: 'hello', message: 'body' });
    expect(sent).toMatchObject({ from: 'human:mayor', to: 'alpha/Toast', subject: 'hello' });
    expect(await inbox(toast)).toEqual(['hello']);
    expect(await inbox(nux)).toEqual([]);
    expect(await run('gt mail read', { id: sent?.id }, nux)).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    expect(await run('gt mail inbox', { agent: 'alpha/Toast' }, nux)).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    expect(await run('gt mail read', { id: sent?.id }, toast)).toMatchObject({
      ok: true,
      data: { read_by: 'alpha/Toast' },
    });
    expect(await run('gt mail inbox', { unread: true }, toast)).toMatchObject({ ok: true, data: [] });
    const reply = await run(
      'gt mail send',
      { to: 'mayor/', subject: 're: hello', 'reply-to': sent?.id },
      toast,
    );
    expect(reply).toMatchObject({ ok: true, data: [{ from: 'alpha/Toast', thread_id: sent?.id }] });
    expect((await ok<Mail[]>('gt mail thread', { id: sent?.id })).map((m) => m.subject)).toEqual([
      'hello',
      're: hello',
    ]);
    expect(await run('gt mail ack', { id: sent?.id }, toast)).toMatchObject({
      ok: true,
      data: { acked_by: 'alpha/Toast' },
    });
    await run('gt mail archive', { id: sent?.id }, toast);
    expect(await inbox(toast)).toEqual([]);
  });

  it('refuses unknown recipients and bad input, storing nothing', async () => {
    const codes = async (args: Record<string, unknown>) => {
      const r = await run('gt mail send', { subject: 's', ...args });
      return r.ok ? 'ok' : r.error.code;
    };
    expect(await codes({ to: 'ghost/Toast' })).toBe('unknown_recipient');
    expect(await codes({ to: 'alpha/Bob' })).toBe('unknown_recipient');
    expect(await codes({ to: 'not an address' })).toBe('invalid_address');
    expect(await codes({ to: 'alpha/Toast', subject: '' })).toBe('missing_subject');
    expect(await codes({ to: 'alpha/Toast', message: 'x'.repeat(64 * 1024 + 1) })).toBe('body_too_long');
    expect(await codes({ to: 'alpha/Toast', priority: 'asap' })).toBe('invalid_priority');
    expect(await codes({ to: 'alpha/Toast', 'reply-to': 'nope' })).toBe('not_found');
    expect(await codes({ to: 'alpha/witness' })).toBe('ok');
    expect(await codes({ to: 'alice', human: true })).toBe('ok');
    expect(await h.ledger.listMail(['alpha/Toast'], { archived: true })).toEqual([]);
  });

  it('a group reaches the witness and the polecats at work; expired mail disappears', async () => {
    const id = (await ok<{ id: string }>('bd create', { title: 'w', rig: 'alpha' })).id;
    await ok('gt sling', { id });
    const sent = await ok<Mail[]>('gt mail send', { to: '@alpha', subject: 'all hands', ttl: '30m' });
    expect(sent.map((m) => m.to)).toEqual(['alpha/witness', 'alpha/Toast']);
    expect(await inbox(toast)).toEqual(['all hands']);
    h.advance(31 * 60_000);
    expect(await inbox(toast)).toEqual([]);
  });

  it('mail to a polecat’s previous incarnation is not delivered to the next one (gastown#909)', async () => {
    const first = (await ok<{ id: string }>('bd create', { title: 'first', rig: 'alpha' })).id;
    await ok('gt sling', { id: first });
    await ok('gt mail send', { to: 'alpha/Toast', subject: 'about first' });
    expect(await inbox(toast)).toEqual(['about first']);
    await run('gt done', {}, toast);
    const second = (await ok<{ id: string }>('bd create', { title: 'second', rig: 'alpha' })).id;
    expect(await ok('gt sling', { id: second })).toMatchObject({ polecat: 'alpha/Toast' });
    expect(await inbox(toast)).toEqual([]);
  });

  it('a landing mails the owner and the --notify address once', async () => {
    const id = (await ok<{ id: string }>('bd create', { title: 'w', rig: 'alpha' })).id;
    const convoy = await ok<{ id: string }>('gt convoy create', {
      words: ['Ship', id],
      notify: 'alpha/witness',
    });
    await ok('bd close', { ids: [id] });
    expect(await ok('gt convoy check')).toEqual({ closed: [convoy.id], open: [] });
    expect(await ok('gt convoy check', { convoy: convoy.id })).toEqual({ closed: [], open: [] });
    const landed = (await h.ledger.listMail(['human:mayor', 'alpha/witness'], {})).map((m) => [
      m.to,
      m.subject,
    ]);
    expect(landed.sort()).toEqual([
      ['alpha/witness', '🚚 Convoy landed: Ship'],
      ['human:mayor', '🚚 Convoy landed: Ship'],
    ]);
  });

  it('queues nudges for an offline agent, at most 50, dropping (and reporting) the oldest', async () => {
    let dropped: string[] = [];
    for (let i = 0; i < 52; i++) {
      const r = await ok<{ queued: string[]; dropped: string[] }>('gt nudge', {
        to: 'alpha/Toast',
        message: `n${i}`,
      });
      expect(r.queued).toEqual(['alpha/Toast']);
      dropped = [...dropped, ...r.dropped];
    }
    expect(dropped).toHaveLength(2);
    const beat = await run('gt heartbeat', {}, toast);
    const nudges = (beat as { data: { nudges: Array<{ message: string }> } }).data.nudges.map(
      (n) => n.message,
    );
    expect(nudges).toHaveLength(50);
    expect(nudges[0]).toBe('n2');
    expect(await run('gt nudge', { to: 'alpha/Toast', message: '' })).toMatchObject({
      ok: false,
      error: { code: 'invalid_nudge' },
    });
  });
});
