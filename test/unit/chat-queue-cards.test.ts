import type { JsMsg } from '@nats-io/jetstream';
import { describe, expect, it } from 'vitest';
import type { CardRef } from '../../src/chat/card-store.ts';
import type { CardSurface } from '../../src/chat/card-surface.ts';
import type { QueueCardModel } from '../../src/chat/cards/queue-model.ts';
import type { Platform } from '../../src/domain/policy.ts';
import type { Routing } from '../../src/domain/routing.ts';
import type { LedgerEvent } from '../../src/ledger/port.ts';
import { notifierHarness } from '../support/notifier-harness.ts';
import { useCommands } from './command-harness.ts';

/**
 * The notifier's side of merge-queue cards, over a real ledger with recording surfaces: one card
 * per rig and platform whatever the deliveries, edits in place (throttled), and landed/failed
 * lines in the convoy card's thread, once.
 */

type Call = { op: string; channel: string; model?: QueueCardModel; text?: string };

class Recording implements CardSurface {
  readonly calls: Call[] = [];
  failPosts = 0;
  private n = 0;
  readonly platform: Platform;
  constructor(platform: Platform) {
    this.platform = platform;
  }
  async postQueue(channel: string, model: QueueCardModel) {
    // Another delivery may arrive while the post is on its way.
    await new Promise((r) => setTimeout(r, 5));
    if (this.failPosts-- > 0) throw new Error('platform said no');
    this.calls.push({ op: 'post', channel, model });
    return { channel, message: `m${++this.n}` };
  }
  async editQueue(ref: CardRef, model: QueueCardModel) {
    this.calls.push({ op: 'edit', channel: ref.channel, model });
  }
  async reply(ref: CardRef, text: string) {
    this.calls.push({ op: 'reply', channel: `${ref.channel}/${ref.message}`, text });
    return null;
  }
  postEscalation = async (): Promise<CardRef> => ({ channel: 'x', message: 'x' });
  editEscalation = async () => {};
  async postConvoy(channel: string) {
    this.calls.push({ op: 'convoy', channel });
    return { channel, message: `cv${++this.n}` };
  }
  editConvoy = async () => {};
  postGate = async (): Promise<CardRef> => ({ channel: 'x', message: 'x' });
  editGate = async () => {};
  postApproval = async (): Promise<CardRef> => ({ channel: 'x', message: 'x' });
  editApproval = async () => {};
  postBudget = async (): Promise<CardRef> => ({ channel: 'x', message: 'x' });
  editBudget = async () => {};
  postPlan = async (): Promise<CardRef> => ({ channel: 'x', message: 'x' });
  editPlan = async () => {};
  of = (op: string) => this.calls.filter((c) => c.op === op);
}

const ROUTING: Routing = {
  escalations: [
    {
      rigs: ['alpha'],
      severities: ['critical', 'high'],
      channel: { slack: 'C_ALPHA', discord: '111' },
      mention: { slack: null, discord: null },
    },
    {
      rigs: ['*'],
      severities: ['low'],
      channel: { slack: 'C_LOW', discord: null },
      mention: { slack: null, discord: null },
    },
  ],
  convoys: { slack: 'C_CONVOYS', discord: '222' },
};

describe('merge-queue cards from ledger events', () => {
  const h = useCommands(async (h) => {
    await h.ok('gt rig add', { name: 'alpha', prefix: 'al', repo: '/srv/alpha' });
    await h.ok('gt rig add', { name: 'beta', prefix: 'be', repo: '/srv/beta' });
  });
  const write = () => ({ actor: 'refinery', now: h.now() });

  function setup() {
    const slack = new Recording('slack');
    const discord = new Recording('discord');
    return {
      slack,
      discord,
      ...notifierHarness(h.ledger, [slack, discord], ROUTING, { mqMaxWaitMs: 60_000 }),
    };
  }
  const msg = (e: LedgerEvent) => ({ json: () => e }) as unknown as JsMsg;
  const submit = (id: string, rig = 'alpha', bead: string | null = null) =>
    h.ledger.submitMergeRequest(
      {
        id,
        rig,
        bead_id: bead,
        polecat: null,
        branch: `polecat/${id}`,
        sha: 'a'.repeat(40),
        target: 'main',
        priority: 2,
      },
      write(),
    );
  const move = async (id: string, status: 'verifying' | 'merged' | 'needs-rework', set: object = {}) => {
    const mr = await h.ledger.getMergeRequest(id);
    return h.ledger.updateMergeRequest(
      id,
      { expect: { status: mr?.status ?? 'queued', version: mr?.version ?? 0 }, set: { status, ...set } },
      write(),
    );
  };

  it('posts one card per rig and platform, then edits it in place as the MR moves', async () => {
    const { slack, discord, errors, deliver } = setup();
    await submit('al-mr-1');
    await deliver();
    expect(slack.of('post').map((c) => [c.channel, c.model?.queue.map((q) => q.id)])).toEqual([
      ['C_ALPHA', ['al-mr-1']],
    ]);
    expect(discord.of('post').map((c) => c.channel)).toEqual(['111']);
    await move('al-mr-1', 'verifying');
    await deliver();
    expect(
      slack
        .of('edit')
        .at(-1)
        ?.model?.verifying.map((v) => v.id),
    ).toEqual(['al-mr-1']);
    await move('al-mr-1', 'merged', { merge_commit: 'b'.repeat(40), merged_at: h.now().toISOString() });
    await deliver();
    const last = slack.of('edit').at(-1)?.model;
    expect([last?.verifying, last?.queue, last?.landed.map((l) => [l.id, l.sha])]).toEqual([
      [],
      [],
      [['al-mr-1', 'bbbbbbbb']],
    ]);
    expect(discord.of('edit').at(-1)?.model).toEqual(last);
    expect(slack.of('post')).toHaveLength(1);
    expect(discord.of('post')).toHaveLength(1);
    expect(errors).toEqual([]);
  });

  it('does not duplicate the card for a redelivered event, nor for two deliveries at once', async () => {
    const { slack, discord, notifier, deliver, throttle } = setup();
    await submit('al-mr-1');
    const [event] = (await h.ledger.eventsSince(0)).filter((e) => e.type === 'mr_submitted');
    await Promise.all([
      notifier.handle(msg(event as LedgerEvent)),
      notifier.handle(msg(event as LedgerEvent)),
    ]);
    await deliver(true);
    await deliver(true);
    await throttle.flush();
    expect(slack.of('post')).toHaveLength(1);
    expect(discord.of('post')).toHaveLength(1);
    expect(slack.of('edit').length).toBeGreaterThan(0);
  });

  it('posts again after a failed post (the claim is given back), and edits the card of a freeze', async () => {
    const { slack, deliver } = setup();
    slack.failPosts = 1;
    await submit('al-mr-1');
    await expect(deliver()).rejects.toThrow('platform said no');
    await deliver(true);
    expect(slack.of('post')).toHaveLength(1);
    await h.ok('gt mq freeze', { rig: 'alpha', reason: 'release' });
    await deliver();
    expect(slack.of('edit').at(-1)?.model).toMatchObject({
      frozen: { reason: 'release' },
      buttons: [{ label: 'Thaw' }],
    });
  });

  it('posts nothing for a rig whose escalations route nowhere on that platform', async () => {
    const { slack, discord, deliver } = setup();
    await submit('be-mr-1', 'beta');
    await deliver();
    expect([...slack.calls, ...discord.calls]).toEqual([]);
  });

  it('tells the convoy card’s thread what landed or failed, once, and never the channel', async () => {
    const { slack, discord, store, deliver } = setup();
    const one = (await h.ok<{ id: string }>('bd create', { title: 'one', rig: 'alpha' })).id;
    const two = (await h.ok<{ id: string }>('bd create', { title: 'two', rig: 'alpha' })).id;
    const convoy = (await h.ok<{ id: string }>('gt convoy create', { words: ['work', one, two] })).id;
    await deliver(); // its card: posted once per platform
    expect(slack.of('convoy').map((c) => c.channel)).toEqual(['C_CONVOYS']);
    expect(await store.get('slack', 'convoy', convoy)).toEqual({ channel: 'C_CONVOYS', message: 'cv1' });
    const discordCard = await store.get('discord', 'convoy', convoy);
    await submit('al-mr-1', 'alpha', one);
    await submit('al-mr-2', 'alpha', two);
    await move('al-mr-1', 'verifying');
    await move('al-mr-1', 'merged', { merge_commit: 'c'.repeat(40), merged_at: h.now().toISOString() });
    await move('al-mr-2', 'verifying');
    await move('al-mr-2', 'needs-rework', { reason: 'gate `make` exit 2\nlong log' });
    await deliver();
    await deliver(true); // everything delivered again
    expect(slack.of('reply').map((c) => [c.channel, c.text])).toEqual([
      ['C_CONVOYS/cv1', `✓ al-mr-1 polecat/al-mr-1 (${one}) landed on main at cccccccc`],
      ['C_CONVOYS/cv1', `✗ al-mr-2 polecat/al-mr-2 (${two}) sent back for rework: gate \`make\` exit 2`],
    ]);
    expect(discord.of('reply').map((c) => c.channel)).toEqual(Array(2).fill(`222/${discordCard?.message}`));
    // In the channels: the merge-queue card and the convoy card, nothing else.
    for (const s of [slack, discord]) expect(s.of('post').length + s.of('convoy').length).toBe(2);
  });
});
