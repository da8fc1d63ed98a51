/** Chat card references: plain data the chat port (chat/card-store.ts) stores. */

/** Where a card was posted, so later changes edit it in place. */
export interface CardRef {
  channel: string;
  /** Slack message `ts`, or Discord message id. */
  message: string;
  /** Escalations: how many re-escalations the posted ping announced (a new bump pings again). */
  reescalations?: number;
  /** Discord: the thread started on the card for its details. */
  thread?: string;
  /** Budget cards: the budget (micros) the card was posted for; an extended convoy's old card stays "extended". */
  level?: number;
}

/** `budget`: a convoy's budget card (keyed by the convoy; `<convoy>.<micros>` claims one per budget). */
export type CardKind = 'esc' | 'convoy' | 'mail' | 'mq' | 'gate' | 'plan' | 'approval' | 'budget';

/** A chat message that carried mail to a person: a reply under it answers that mail. */
export interface MailThread {
  mail_id: string;
  from: string;
  subject: string;
}
