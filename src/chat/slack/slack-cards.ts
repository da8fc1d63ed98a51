import type { KnownBlock, WebClient } from '@slack/web-api';
import type { ConvoyCardModel } from '../../domain/convoy-progress.ts';
import type { CardRef } from '../card-store.ts';
import type { CardSurface } from '../card-surface.ts';
import type { ApprovalCardModel } from '../cards/approval-model.ts';
import type { BudgetCardModel } from '../cards/budget-model.ts';
import type { EscalationCardModel } from '../cards/escalation-model.ts';
import type { GateCardModel } from '../cards/gate-model.ts';
import type { PlanCardModel } from '../cards/plan-model.ts';
import type { QueueCardModel } from '../cards/queue-model.ts';
import type { ChannelQueue } from '../channel-queue.ts';
import { approvalBlocks, approvalText } from './approval-card.ts';
import { budgetBlocks, budgetText } from './budget-card.ts';
import { convoyBlocks, convoyText } from './convoy-card.ts';
import { type Block, escalationBlocks, escalationText } from './escalation-card.ts';
import { escapeText } from './format.ts';
import { gateBlocks, gateText } from './gate-card.ts';
import { planBlocks, planText } from './plan-card.ts';
import { queueBlocks, queueText } from './queue-card.ts';

/** Cards on Slack: `chat.postMessage` to post (through the per-channel queue), `chat.update` to edit. */
export class SlackCards implements CardSurface {
  readonly platform = 'slack' as const;
  private readonly client: WebClient;
  private readonly queue: ChannelQueue;

  constructor(client: WebClient, queue: ChannelQueue) {
    this.client = client;
    this.queue = queue;
  }

  postEscalation(channel: string, m: EscalationCardModel, mention: string | null): Promise<CardRef> {
    return this.post(channel, escalationText(m), escalationBlocks(m, mention));
  }

  async editEscalation(ref: CardRef, m: EscalationCardModel): Promise<void> {
    await this.edit(ref, escalationText(m), escalationBlocks(m, null));
  }

  postConvoy(channel: string, m: ConvoyCardModel): Promise<CardRef> {
    return this.post(channel, convoyText(m), convoyBlocks(m));
  }

  async editConvoy(ref: CardRef, m: ConvoyCardModel): Promise<void> {
    await this.edit(ref, convoyText(m), convoyBlocks(m));
  }

  postQueue(channel: string, m: QueueCardModel): Promise<CardRef> {
    return this.post(channel, queueText(m), queueBlocks(m));
  }

  async editQueue(ref: CardRef, m: QueueCardModel): Promise<void> {
    await this.edit(ref, queueText(m), queueBlocks(m));
  }

  postGate(channel: string, m: GateCardModel): Promise<CardRef> {
    return this.post(channel, gateText(m), gateBlocks(m));
  }

  async editGate(ref: CardRef, m: GateCardModel): Promise<void> {
    await this.edit(ref, gateText(m), gateBlocks(m));
  }

  postPlan(channel: string, m: PlanCardModel): Promise<CardRef> {
    return this.post(channel, planText(m), planBlocks(m));
  }

  async editPlan(ref: CardRef, m: PlanCardModel): Promise<void> {
    await this.edit(ref, planText(m), planBlocks(m));
  }

  postApproval(channel: string, m: ApprovalCardModel): Promise<CardRef> {
    return this.post(channel, approvalText(m), approvalBlocks(m));
  }

  async editApproval(ref: CardRef, m: ApprovalCardModel): Promise<void> {
    await this.edit(ref, approvalText(m), approvalBlocks(m));
  }

  postBudget(channel: string, m: BudgetCardModel): Promise<CardRef> {
    return this.post(channel, budgetText(m), budgetBlocks(m));
  }

  async editBudget(ref: CardRef, m: BudgetCardModel): Promise<void> {
    await this.edit(ref, budgetText(m), budgetBlocks(m));
  }

  /** `text` is plain (it quotes titles and reasons as written): shown as typed. */
  async reply(ref: CardRef, text: string): Promise<null> {
    await this.queue.run(ref.channel, () =>
      this.client.chat.postMessage({
        channel: ref.channel,
        thread_ts: ref.message,
        text: escapeText(text),
        reply_broadcast: false,
      }),
    );
    return null;
  }

  private async post(channel: string, text: string, blocks: Block[]): Promise<CardRef> {
    const r = await this.queue.run(channel, () =>
      this.client.chat.postMessage({ channel, text, blocks: known(blocks) }),
    );
    return { channel: r.channel ?? channel, message: r.ts as string };
  }

  private async edit(ref: CardRef, text: string, blocks: Block[]): Promise<void> {
    await this.queue.run(ref.channel, () =>
      this.client.chat.update({ channel: ref.channel, ts: ref.message, text, blocks: known(blocks) }),
    );
  }
}

/** Our renderers build Block Kit as plain JSON (snapshot-tested against Slack's limits). */
const known = (blocks: Block[]): KnownBlock[] => blocks as unknown as KnownBlock[];
