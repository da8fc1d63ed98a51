import type { ConvoyCardModel } from '../domain/convoy-progress.ts';
import type { Platform } from '../domain/policy.ts';
import type { CardRef } from './card-store.ts';
import type { ApprovalCardModel } from './cards/approval-model.ts';
import type { BudgetCardModel } from './cards/budget-model.ts';
import type { EscalationCardModel } from './cards/escalation-model.ts';
import type { GateCardModel } from './cards/gate-model.ts';
import type { PlanCardModel } from './cards/plan-model.ts';
import type { QueueCardModel } from './cards/queue-model.ts';

/**
 * What the notifier needs from a chat platform: post a card (a new message, which notifies) and
 * edit it in place (which does not), plus quiet details in the card's thread.
 */
export interface CardSurface {
  readonly platform: Platform;
  postEscalation(channel: string, m: EscalationCardModel, mention: string | null): Promise<CardRef>;
  editEscalation(ref: CardRef, m: EscalationCardModel): Promise<void>;
  postConvoy(channel: string, m: ConvoyCardModel): Promise<CardRef>;
  editConvoy(ref: CardRef, m: ConvoyCardModel): Promise<void>;
  /** A rig's living merge-queue card: posted once, then edited in place. */
  postQueue(channel: string, m: QueueCardModel): Promise<CardRef>;
  editQueue(ref: CardRef, m: QueueCardModel): Promise<void>;
  /** A human gate's card (Approve while open): posted once when ready, edited when it closes. */
  postGate(channel: string, m: GateCardModel): Promise<CardRef>;
  editGate(ref: CardRef, m: GateCardModel): Promise<void>;
  /** A plan's card (Launch, Revise…, Discard while it waits): posted when asked for, then edited. */
  postPlan(channel: string, m: PlanCardModel): Promise<CardRef>;
  editPlan(ref: CardRef, m: PlanCardModel): Promise<void>;
  /** An agent's permission request (Allow once, Always allow for rig R, Deny): posted once, edited when decided. */
  postApproval(channel: string, m: ApprovalCardModel): Promise<CardRef>;
  editApproval(ref: CardRef, m: ApprovalCardModel): Promise<void>;
  /** A convoy's budget used up (Extend by $X, Stop): posted once per budget, edited when decided. */
  postBudget(channel: string, m: BudgetCardModel): Promise<CardRef>;
  editBudget(ref: CardRef, m: BudgetCardModel): Promise<void>;
  /**
   * A detail line under the card, not broadcast; returns the ref when it changed (a new thread).
   * `text` is plain text quoting what people and agents wrote: the surface makes it inert.
   */
  reply(ref: CardRef, text: string): Promise<CardRef | null>;
}
