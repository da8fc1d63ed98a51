import { describe, expect, it } from 'vitest';
import type { CardRef } from '../../src/chat/card-store.ts';
import type { CardSurface } from '../../src/chat/card-surface.ts';
import {
  type BudgetCardModel,
  budgetCardModel,
  budgetClickCommand,
  budgetRefusalRedraws,
  encodeBudgetClick,
  parseBudgetClick,
} from '../../src/chat/cards/budget-model.ts';
import type { ChatCommands } from '../../src/chat/chat-commands.ts';
import { budgetClick, isBudgetClick } from '../../src/chat/discord/budget-clicks.ts';
import { budgetMessage } from '../../src/chat/discord/budget-message.ts';
import type { DiscordRest } from '../../src/chat/discord/discord-rest.ts';
import type { InteractionDeps, InteractionResponse } from '../../src/chat/discord/interaction-handler.ts';
import { budgetBlocks, budgetText } from '../../src/chat/slack/budget-card.ts';
import { WorkQueue } from '../../src/chat/work-queue.ts';
import type { Actor } from '../../src/domain/actor.ts';
import type { Bead } from '../../src/domain/bead.ts';
import { BUDGET_LABELS, budgetOf, type ConvoyBudget } from '../../src/domain/budget.ts';
import type { ChatPrincipal, Platform } from '../../src/domain/policy.ts';
import type { Reply } from '../../src/domain/reply.ts';
import { NO_ROUTING, type Routing } from '../../src/domain/routing.ts';
import { notifierHarness } from '../support/notifier-harness.ts';
import { useCommands } from './command-harness.ts';

const M = 1_000_000;
const ROUTING: Routing = { ...NO_ROUTING, convoys: { slack: 'C_CONVOYS', discord: '222' } };
const runner: Actor = { kind: 'system', id: 'runner:alpha' };

/** A surface that records budget cards and thread lines (the other kinds post and are forgotten). */
class Recording implements CardSurface {
  readonly budgets: Array<{ op: 'post' | 'edit'; message: string; model: BudgetCardModel }> = [];
  readonly lines: string[] = [];
  private n = 0;
  readonly platform: Platform;
  constructor(platform: Platform) {
    this.platform = platform;
  }
  async postBudget(channel: string, model: BudgetCardModel) {
    const message = `b${++this.n}`;
    this.budgets.push({ op: 'post', message, model });
    return { channel, message };
  }
  async editBudget(ref: CardRef, model: BudgetCardModel) {
    this.budgets.push({ op: 'edit', message: ref.message, model });
  }
  reply = async (_ref: CardRef, text: string) => {
    this.lines.push(text);
    return null;
  };
  posts = () => this.budgets.filter((b) => b.op === 'post');
  /** The budget's lines under the convoy card (the card's other details are not under test). */
  said = () => this.lines.filter((l) => /Budget/.test(l));
  /** The last drawing of the card posted as `message`. */
  card = (message: string) => this.budgets.filter((b) => b.message === message).at(-1)?.model;
  postEscalation = async (): Promise<CardRef> => ({ channel: 'x', message: 'x' });
  editEscalation = async () => {};
  postConvoy = async (channel: string): Promise<CardRef> => ({ channel, message: 'convoy' });
  editConvoy = async () => {};
  postQueue = async (): Promise<CardRef> => ({ channel: 'x', message: 'x' });
  editQueue = async () => {};
  postGate = async (): Promise<CardRef> => ({ channel: 'x', message: 'x' });
  editGate = async () => {};
  postPlan = async (): Promise<CardRef> => ({ channel: 'x', message: 'x' });
  editPlan = async () => {};
  postApproval = async (): Promise<CardRef> => ({ channel: 'x', message: 'x' });
  editApproval = async () => {};
}

const convoyBead = (labels: string[], over: Partial<Bead> = {}) =>
  ({
    id: 'hq-cv-1',
    title: 'Ship <!channel> @everyone',
    status: 'open',
    version: 7,
    close_reason: '',
    description: 'Budget: 1.00',
    labels,
    ...over,
  }) as Bead;
const budget = (labels: string[]) => budgetOf(convoyBead(labels)) as ConvoyBudget;

describe('the budget card model and its renderers', () => {
  it('offers Extend by the first budget and Stop (confirmed) while used up, nothing after', () => {
    const m = budgetCardModel(
      convoyBead([BUDGET_LABELS.exhausted]),
      budget([BUDGET_LABELS.exhausted]),
      1.2 * M,
      1,
    );
    expect(m).toMatchObject({
      state: 'exhausted',
      headline: 'Budget used up (spent $1.20 of $1.00): no new beads are dispatched; 1 running finishes.',
    });
    expect(m.buttons.map((b) => [b.label, encodeBudgetClick(b.click), b.confirm !== null])).toEqual([
      ['Extend by $1.00', 'budget:hq-cv-1:7:extend:1000000', false],
      ['Stop', 'budget:hq-cv-1:7:stop:0', true],
    ]);
    const ext = ['budget:extended:1.00'];
    expect(budgetCardModel(convoyBead(ext), budget(ext), 1.2 * M, 2)).toMatchObject({
      state: 'extended',
      headline: 'Budget extended to $2.00 ($1.00 + $1.00), spent $1.20 of $2.00.',
      buttons: [],
    });
    // The card of the $1.00 budget, once the convoy is used up again at $2.00: still "extended".
    const again = ['budget:extended:1.00', BUDGET_LABELS.exhausted];
    expect(budgetCardModel(convoyBead(again), budget(again), 2.1 * M, 0, M)).toMatchObject({
      state: 'extended',
      buttons: [],
    });
    expect(budgetCardModel(convoyBead(again), budget(again), 2.1 * M, 0, 2 * M).state).toBe('exhausted');
    const stopped = convoyBead([BUDGET_LABELS.stopped], {
      status: 'closed',
      close_reason: 'Stopped over budget by slack:U1 (spent $1.20 of $1.00)',
    });
    expect(budgetCardModel(stopped, budget([BUDGET_LABELS.stopped]), 1.2 * M, 0)).toMatchObject({
      state: 'stopped',
      headline: 'Stopped — Stopped over budget by slack:U1 (spent $1.20 of $1.00) (spent $1.20 of $1.00).',
      buttons: [],
    });
  });

  it('reads back only the clicks it draws, as the verb with the version', () => {
    expect(parseBudgetClick('budget:hq-cv-1:7:extend:1000000')).toEqual({
      convoy: 'hq-cv-1',
      version: 7,
      action: 'extend',
      micros: M,
    });
    for (const forged of [
      'budget:hq-cv-1:7:extend:0',
      'budget:hq-cv-1:7:stop:5',
      'budget:hq-cv-1:x:stop:0',
      'budget:hq cv:7:stop:0',
      'budget:hq-cv-1:7:land:0',
      'gate:hq-cv-1:7:approve',
      'budget:hq-cv-1:7:stop:0:extra',
    ])
      expect(parseBudgetClick(forged)).toBeNull();
    expect(budgetClickCommand({ convoy: 'hq-cv-1', version: 7, action: 'extend', micros: 1.5 * M })).toEqual({
      verb: 'gt convoy budget',
      args: { convoy: 'hq-cv-1', version: '7', extend: '1.50' },
    });
    expect(budgetClickCommand({ convoy: 'hq-cv-1', version: 7, action: 'stop', micros: 0 }).args).toEqual({
      convoy: 'hq-cv-1',
      version: '7',
      stop: true,
    });
    const refused = (kind: string, code: string) =>
      budgetRefusalRedraws({ ok: false, error: { kind, code, message: '' } } as never);
    expect(refused('conflict', 'stale_version')).toBe(true);
    expect(refused('refused', 'convoy_closed')).toBe(true);
    expect(refused('refused', 'forbidden')).toBe(false);
  });

  it('renders inert on Slack and Discord, with the buttons the model gives', () => {
    const m = budgetCardModel(
      convoyBead([BUDGET_LABELS.exhausted]),
      budget([BUDGET_LABELS.exhausted]),
      1.2 * M,
      0,
    );
    const slack = JSON.stringify(budgetBlocks(m));
    expect(slack).toContain('&lt;!channel&gt;');
    expect(slack).not.toContain('<!channel>');
    const actions = budgetBlocks(m).find((b) => b.type === 'actions') as {
      elements: Array<Record<string, unknown>>;
    };
    expect(actions.elements.map((e) => [e.action_id, e.value, 'confirm' in e])).toEqual([
      ['budget.extend', 'budget:hq-cv-1:7:extend:1000000', false],
      ['budget.stop', 'budget:hq-cv-1:7:stop:0', true],
    ]);
    expect(budgetText(m)).toMatch(/^💸 Convoy hq-cv-1: Budget used up/);
    const discord = budgetMessage(m) as { components: Array<{ components: Array<{ custom_id: string }> }> };
    expect(discord.components[0]?.components.map((c) => c.custom_id)).toEqual([
      'budget:act:budget:hq-cv-1:7:extend:1000000',
      'budget:ask:budget:hq-cv-1:7:stop:0',
    ]);
    expect(JSON.stringify(discord)).not.toMatch(/@everyone/);
    expect(budgetMessage({ ...m, buttons: [], state: 'extended' })).toMatchObject({ components: [] });
  });
});

/**
 * The notifier's side, over a real ledger with recording surfaces: the convoy's budget labels
 * move as the runner reports spend; each threshold gets one line under the convoy card, a used-up
 * budget one card per budget, edited in place as it is extended and stopped.
 */
describe('budget cards from ledger events', () => {
  const h = useCommands((h) => h.ok('gt rig add', { name: 'alpha', prefix: 'al', 'max-polecats': '8' }));

  function setup() {
    const slack = new Recording('slack');
    const discord = new Recording('discord');
    return { slack, discord, ...notifierHarness(h.ledger, [slack, discord], ROUTING) };
  }
  const spend = async (id: string, usd: string) => {
    const b = (await h.ledger.getBead(id)) as Bead;
    const args = {
      bead: id,
      agent: b.assignee,
      rig: 'alpha',
      input: '1',
      output: '1',
      'cache-read': '0',
      'cache-write': '0',
    };
    expect((await h.run('gt usage report', { ...args, cost: usd }, runner)).ok).toBe(true);
  };

  it('warns once, posts one card per used-up budget, and edits it as it is extended and stopped', async () => {
    const { slack, discord, errors, deliver } = setup();
    const ids: string[] = [];
    for (let i = 0; i < 8; i++)
      ids.push((await h.ok<Bead>('bd create', { title: `b${i}`, rig: 'alpha' })).id);
    const convoy = (await h.ok<{ id: string }>('gt convoy create', { words: ['Spend', ...ids], budget: '1' }))
      .id;
    for (const id of ids) await h.ok('gt sling', { id });
    await deliver();
    for (const id of ids.slice(0, 3)) await spend(id, '0.30');
    await deliver();
    await deliver(true); // every event again: a redelivery, or another replica
    for (const s of [slack, discord]) {
      expect(s.said()).toEqual([
        `⚠ Budget: convoy ${convoy} has spent 80 % of its $1.00 budget ($0.90 so far); at 100 % no new beads are dispatched`,
      ]);
      expect(s.posts()).toEqual([]);
    }
    await spend(ids[3] as string, '0.30');
    await deliver();
    await deliver(true);
    for (const s of [slack, discord]) {
      expect(s.said()).toHaveLength(2);
      expect(s.said()[1]).toMatch(
        /^⛔ Budget used up: convoy .* has spent its \$1\.00 budget \(\$1\.20 so far\)/,
      );
      expect(s.posts()).toHaveLength(1);
      expect(s.card('b1')).toMatchObject({ state: 'exhausted', running: 8 });
      expect(s.card('b1')?.buttons.map((b) => b.label)).toEqual(['Extend by $1.00', 'Stop']);
    }
    const at = (await h.ledger.getBead(convoy)) as Bead;
    await h.ok('gt convoy budget', { convoy, extend: '1', version: String(at.version) });
    await deliver();
    expect(slack.card('b1')).toMatchObject({ state: 'extended', buttons: [] });
    // Used up again at $2.00: a new card (it notifies), the first one stays as it was.
    // Past both thresholds of the new budget before chat sees it: both lines still, in order.
    for (const id of ids.slice(4, 7)) await spend(id, '0.30');
    await deliver();
    expect(slack.said().slice(2)).toEqual([
      expect.stringMatching(/^⚠ Budget: .* 80 % of its \$2\.00 budget \(\$2\.10 so far\)/),
      expect.stringMatching(/^⛔ Budget used up: .* its \$2\.00 budget \(\$2\.10 so far\)/),
    ]);
    expect(slack.posts()).toHaveLength(2);
    expect(slack.card('b2')).toMatchObject({ state: 'exhausted', budget_usd: 2, spent_usd: 2.1 });
    expect(slack.card('b1')).toMatchObject({ state: 'extended', buttons: [] });
    await h.ok('gt convoy budget', { convoy, stop: true });
    await deliver();
    for (const s of [slack, discord])
      expect(s.card('b2')).toMatchObject({
        state: 'stopped',
        headline: expect.stringMatching(/^Stopped — Stopped over budget by mayor/),
        buttons: [],
      });
    expect(errors).toEqual([]);
  });

  it('redraws a card a refused click found out of date', async () => {
    const { slack, notifier, deliver } = setup();
    const id = (await h.ok<Bead>('bd create', { title: 'x', rig: 'alpha' })).id;
    const convoy = (await h.ok<{ id: string }>('gt convoy create', { words: ['One', id], budget: '0.5' })).id;
    await h.ok('gt sling', { id });
    await spend(id, '0.60');
    await deliver();
    const drawn = slack.budgets.length;
    notifier.redrawBudget(convoy);
    await deliver();
    expect(slack.budgets.length).toBe(drawn + 1);
    expect(slack.budgets.at(-1)).toMatchObject({ op: 'edit', message: 'b1' });
  });
});

describe('budget card clicks on Discord', () => {
  const principal: ChatPrincipal = { platform: 'discord', user: '1001', groups: [] };
  function harness(reply: Reply) {
    const ran: Array<{ verb: string; args: unknown }> = [];
    const followUps: unknown[] = [];
    const redrawn: string[] = [];
    const responses: InteractionResponse[] = [];
    const d = {
      commands: {
        run: async (verb: string, args: unknown) => {
          ran.push({ verb, args });
          return { text: reply.ok ? 'ok' : 'error: changed since version 7', public: false, verb, reply };
        },
      } as unknown as ChatCommands,
      rest: {
        followUp: async (_t: string, body: unknown) => void followUps.push(body),
      } as unknown as DiscordRest,
      remember: async () => true,
      work: new WorkQueue(1),
      store: {} as InteractionDeps['store'],
      redrawBudget: (id: string) => void redrawn.push(id),
    } satisfies InteractionDeps;
    const click = (customId: string) =>
      budgetClick(
        d,
        { id: '1', type: 3, token: 't', data: { custom_id: customId } },
        principal,
        async (r) => void responses.push(r),
      );
    return { click, ran, followUps, redrawn, responses };
  }

  it('extends at once, asks before Stop, and refuses values it never drew', async () => {
    const h = harness({ ok: true, data: {} });
    expect(isBudgetClick('budget:act:budget:hq-cv-1:7:extend:1000000')).toBe(true);
    await h.click('budget:act:budget:hq-cv-1:7:extend:1000000');
    await h.click('budget:ask:budget:hq-cv-1:7:stop:0');
    expect(JSON.stringify(h.responses[1])).toContain('budget:yes:budget:hq-cv-1:7:stop:0');
    await h.click('budget:yes:budget:hq-cv-1:7:stop:0');
    for (const forged of [
      'budget:act:budget:hq-cv-1:7:stop:0', // Stop never runs unconfirmed
      'budget:yes:budget:hq-cv-1:7:extend:1000000',
      'budget:act:budget:hq-cv-1:7:extend:0',
      'budget:act:budget:hq-cv-1:x:extend:1',
    ])
      await h.click(forged);
    expect(h.responses.slice(3).map((r) => (r.data as { content?: string }).content)).toEqual(
      Array(4).fill('unknown button'),
    );
    expect(h.ran).toEqual([
      { verb: 'gt convoy budget', args: { convoy: 'hq-cv-1', version: '7', extend: '1.00' } },
      { verb: 'gt convoy budget', args: { convoy: 'hq-cv-1', version: '7', stop: true } },
    ]);
    expect(h.followUps).toEqual([]);
  });

  it('explains a refusal privately and redraws a card found out of date', async () => {
    const h = harness({ ok: false, error: { kind: 'conflict', code: 'stale_version', message: 'changed' } });
    await h.click('budget:act:budget:hq-cv-1:7:extend:1000000');
    expect(h.followUps).toEqual([{ flags: 64, content: 'error: changed since version 7' }]);
    expect(h.redrawn).toEqual(['hq-cv-1']);
  });
});
