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
import { approvalMessage } from './approval-message.ts';
import { budgetMessage } from './budget-message.ts';
import { convoyMessage } from './convoy-message.ts';
import type { DiscordRest } from './discord-rest.ts';
import { escalationMessage } from './escalation-message.ts';
import { gateMessage } from './gate-message.ts';
import { inertText } from './inert.ts';
import { planMessage } from './plan-message.ts';
import { queueMessage } from './queue-message.ts';

/** Cards on Discord: channel messages posted and edited with the bot token; details in a thread. */
export class DiscordCards implements CardSurface {
  readonly platform = 'discord' as const;
  private readonly rest: DiscordRest;
  private readonly queue: ChannelQueue;

  constructor(rest: DiscordRest, queue: ChannelQueue) {
    this.rest = rest;
    this.queue = queue;
  }

  async postEscalation(channel: string, m: EscalationCardModel, mention: string | null): Promise<CardRef> {
    const posted = await this.queue.run(channel, () =>
      this.rest.post(channel, escalationMessage(m, mention)),
    );
    return { channel, message: posted.id };
  }

  async editEscalation(ref: CardRef, m: EscalationCardModel): Promise<void> {
    const { allowed_mentions: _, ...body } = escalationMessage(m, null);
    await this.queue.run(ref.channel, () =>
      this.rest.edit(ref.channel, ref.message, { ...body, allowed_mentions: { parse: [] } }),
    );
  }

  async postConvoy(channel: string, m: ConvoyCardModel): Promise<CardRef> {
    const posted = await this.queue.run(channel, () => this.rest.post(channel, convoyMessage(m)));
    return { channel, message: posted.id };
  }

  async editConvoy(ref: CardRef, m: ConvoyCardModel): Promise<void> {
    await this.queue.run(ref.channel, () => this.rest.edit(ref.channel, ref.message, convoyMessage(m)));
  }

  async postQueue(channel: string, m: QueueCardModel): Promise<CardRef> {
    const posted = await this.queue.run(channel, () => this.rest.post(channel, queueMessage(m)));
    return { channel, message: posted.id };
  }

  async editQueue(ref: CardRef, m: QueueCardModel): Promise<void> {
    await this.queue.run(ref.channel, () => this.rest.edit(ref.channel, ref.message, queueMessage(m)));
  }

  async postGate(channel: string, m: GateCardModel): Promise<CardRef> {
    const posted = await this.queue.run(channel, () => this.rest.post(channel, gateMessage(m)));
    return { channel, message: posted.id };
  }

  async editGate(ref: CardRef, m: GateCardModel): Promise<void> {
    await this.queue.run(ref.channel, () => this.rest.edit(ref.channel, ref.message, gateMessage(m)));
  }

  async postPlan(channel: string, m: PlanCardModel): Promise<CardRef> {
    const posted = await this.queue.run(channel, () => this.rest.post(channel, planMessage(m)));
    return { channel, message: posted.id };
  }

  async editPlan(ref: CardRef, m: PlanCardModel): Promise<void> {
    await this.queue.run(ref.channel, () => this.rest.edit(ref.channel, ref.message, planMessage(m)));
  }

  async postApproval(channel: string, m: ApprovalCardModel): Promise<CardRef> {
    const posted = await this.queue.run(channel, () => this.rest.post(channel, approvalMessage(m)));
    return { channel, message: posted.id };
  }

  async editApproval(ref: CardRef, m: ApprovalCardModel): Promise<void> {
    await this.queue.run(ref.channel, () => this.rest.edit(ref.channel, ref.message, approvalMessage(m)));
  }

  async postBudget(channel: string, m: BudgetCardModel): Promise<CardRef> {
    const posted = await this.queue.run(channel, () => this.rest.post(channel, budgetMessage(m)));
    return { channel, message: posted.id };
  }

  async editBudget(ref: CardRef, m: BudgetCardModel): Promise<void> {
    await this.queue.run(ref.channel, () => this.rest.edit(ref.channel, ref.message, budgetMessage(m)));
  }

  /** `text` is plain (it quotes titles and reasons as written): shown as typed. */
  async reply(ref: CardRef, text: string): Promise<CardRef | null> {
    const thread = ref.thread ?? (await this.rest.startThread(ref.channel, ref.message, 'details'));
    await this.queue.run(thread, () =>
      this.rest.post(thread, { content: inertText(text).slice(0, 2000), allowed_mentions: { parse: [] } }),
    );
    return ref.thread ? null : { ...ref, thread };
  }
}
