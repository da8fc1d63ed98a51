import { describe, expect, it } from 'vitest';
import type { CardRef } from '../../src/chat/card-store.ts';
import type { CardSurface } from '../../src/chat/card-surface.ts';
import type { PlanCardModel } from '../../src/chat/cards/plan-model.ts';
import type { Actor } from '../../src/domain/actor.ts';
import type { Bead } from '../../src/domain/bead.ts';
import { roundChange } from '../../src/domain/plan.ts';
import type { Platform } from '../../src/domain/policy.ts';
import { NO_ROUTING, type Routing } from '../../src/domain/routing.ts';
import { notifierHarness } from '../support/notifier-harness.ts';
import { useCommands } from './command-harness.ts';

const MAYOR: Actor = { kind: 'agent', id: 'mayor/' };
const ROUTING: Routing = { ...NO_ROUTING, convoys: { slack: 'C_CONVOYS', discord: '222' } };

/** A surface that records plan cards (the other kinds are not under test here). */
class Recording implements CardSurface {
  readonly plans: Array<{ op: 'post' | 'edit'; channel: string; model: PlanCardModel }> = [];
  private n = 0;
  readonly platform: Platform;
  constructor(platform: Platform) {
    this.platform = platform;
  }
  async postPlan(channel: string, model: PlanCardModel) {
    await new Promise((r) => setTimeout(r, 5)); // another delivery may arrive meanwhile
    this.plans.push({ op: 'post', channel, model });
    return { channel, message: `p${++this.n}` };
  }
  async editPlan(ref: CardRef, model: PlanCardModel) {
    this.plans.push({ op: 'edit', channel: ref.channel, model });
  }
  last = () => this.plans.at(-1)?.model;
  of = (op: 'post' | 'edit') => this.plans.filter((p) => p.op === op);
  postEscalation = async (): Promise<CardRef> => ({ channel: 'x', message: 'x' });
  editEscalation = async () => {};
  postConvoy = async (): Promise<CardRef> => ({ channel: 'x', message: 'x' });
  editConvoy = async () => {};
  postQueue = async (): Promise<CardRef> => ({ channel: 'x', message: 'x' });
  editQueue = async () => {};
  postGate = async (): Promise<CardRef> => ({ channel: 'x', message: 'x' });
  editGate = async () => {};
  postApproval = async (): Promise<CardRef> => ({ channel: 'x', message: 'x' });
  editApproval = async () => {};
  postBudget = async (): Promise<CardRef> => ({ channel: 'x', message: 'x' });
  editBudget = async () => {};
  reply = async () => null;
}

/**
 * The notifier's side of plan cards, over a real ledger with recording surfaces: one card per
 * plan in the convoys channel, posted when it is asked for and edited in place (throttled) as
 * the Mayor plans, as its convoy and tracked beads change, and when a refused click asks for it.
 */
describe('plan cards from ledger events', () => {
  const h = useCommands(async (h) => {
    await h.ok('gt rig add', { name: 'web', prefix: 'web', command: 'true' });
    await h.ok('gt mayor config', { command: 'true' });
  });
  const as = async <T>(actor: Actor, verb: string, args: unknown): Promise<T> => {
    const r = await h.run(verb, args, actor);
    if (!r.ok) throw new Error(`${verb}: ${r.error.message}`);
    return r.data as T;
  };
  const bead = async (id: string) => (await h.ledger.getBead(id)) as Bead;

  function setup() {
    const slack = new Recording('slack');
    const discord = new Recording('discord');
    return { slack, discord, ...notifierHarness(h.ledger, [slack, discord], ROUTING) };
  }

  /** What the Mayor runner and the Mayor do in a round: the hook, two beads (b needs a), staged. */
  async function plan(goal: string) {
    const { plan } = await h.ok<{ plan: string }>('gt plan', { goal: [goal], rig: ['web'] });
    return plan;
  }
  async function round(id: string, n: number, make: () => Promise<void>) {
    const p = await bead(id);
    const now = h.now();
    await h.ledger.claimBead(
      id,
      {
        expect: { status: p.status, assignee: p.assignee, version: p.version },
        set: { status: 'hooked', assignee: 'mayor/', ...roundChange(p.labels, n, now.toISOString()) },
      },
      { actor: 'mayor-runner', now },
    );
    await make();
    await as(MAYOR, 'gt done', {});
  }
  const firstRound = async (id: string) => {
    const ids = { a: '', b: '', convoy: '' };
    await round(id, 1, async () => {
      ids.a = (await as<Bead>(MAYOR, 'bd create', { title: 'a', rig: 'web' })).id;
      ids.b = (await as<Bead>(MAYOR, 'bd create', { title: 'b', rig: 'web' })).id;
      await as(MAYOR, 'bd dep add', { issue: ids.b, 'depends-on': ids.a });
      ids.convoy = (
        await as<{ convoy_id: string }>(MAYOR, 'gt convoy stage', { ids: [ids.a, ids.b] })
      ).convoy_id;
    });
    return ids;
  };

  it('posts one card when the plan is asked for, and edits it in place as the Mayor plans and stages', async () => {
    const { slack, discord, errors, deliver } = setup();
    const id = await plan('add search');
    await deliver();
    expect(slack.of('post').map((p) => [p.channel, p.model.state, p.model.headline])).toEqual([
      ['C_CONVOYS', 'queued', 'The Mayor is planning (round 1)…'],
    ]);
    expect(discord.of('post').map((p) => p.channel)).toEqual(['222']);
    const { a, b, convoy } = await firstRound(id);
    await deliver();
    const ready = slack.last();
    expect(ready).toMatchObject({
      state: 'ready',
      convoy: { id: convoy, version: (await bead(convoy)).version },
    });
    expect(ready?.waves.map((w) => w.beads.map((x) => [x.id, x.needs]))).toEqual([[[a, []]], [[b, [a]]]]);
    expect(ready?.buttons.map((x) => x.click.action)).toEqual(['launch', 'revise', 'discard']);
    expect(discord.last()).toEqual(ready);
    // A bead the staged convoy tracks changes: the card follows.
    await as(MAYOR, 'bd update', { id: a, title: 'a, renamed' });
    await deliver();
    expect(slack.last()?.waves[0]?.beads[0]?.title).toBe('a, renamed');
    // Redelivered events post nothing new.
    await deliver(true);
    expect(slack.of('post')).toHaveLength(1);
    expect(discord.of('post')).toHaveLength(1);
    expect(errors).toEqual([]);
  });

  it('shows a revision at work, then the re-staged convoy at its new version', async () => {
    const { slack, deliver } = setup();
    const id = await plan('add search');
    const { convoy } = await firstRound(id);
    await deliver();
    const before = (await bead(convoy)).version;
    await h.ok('gt plan revise', { id: convoy, message: 'also the docs', version: String(before) });
    await deliver();
    expect(slack.last()).toMatchObject({
      state: 'queued',
      headline: 'The Mayor is planning (round 2)…',
      buttons: [],
    });
    await round(id, 2, async () => {
      const c = (await as<Bead>(MAYOR, 'bd create', { title: 'c', rig: 'web' })).id;
      await as(MAYOR, 'gt convoy add', { convoy, ids: [c] });
      await as(MAYOR, 'gt convoy stage', { ids: [convoy] });
    });
    await deliver();
    const after = slack.last();
    expect(after?.state).toBe('ready');
    expect(after?.waves.flatMap((w) => w.beads)).toHaveLength(3);
    expect(after?.buttons[0]?.click.version).toBe((await bead(convoy)).version);
    expect(after?.buttons[0]?.click.version).not.toBe(before);
    expect(slack.of('post')).toHaveLength(1);
  });

  it('redraws the card when a click found it out of date, and says how a plan ended', async () => {
    const { slack, notifier, throttle, deliver } = setup();
    const id = await plan('tidy the footer');
    const { convoy } = await firstRound(id);
    await deliver();
    const edits = slack.of('edit').length;
    notifier.redrawPlan(id);
    await throttle.flush();
    expect(slack.of('edit')).toHaveLength(edits + 1);
    expect(slack.last()?.state).toBe('ready');
    await h.ok('gt plan discard', { id: convoy, reason: 'not now' });
    await deliver();
    expect(slack.last()).toMatchObject({
      state: 'discarded',
      headline: 'Discarded by mayor: not now',
      buttons: [],
      waves: [],
    });
  });

  it('posts nothing for a plan that ended before its first event was seen', async () => {
    const { slack, deliver } = setup();
    const id = await plan('never mind');
    await h.ok('gt plan discard', { id });
    await deliver();
    expect(slack.plans).toEqual([]);
  });
});
