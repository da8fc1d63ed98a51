import type { CardKind, CardRef, MailThread } from '../domain/chat-card.ts';
import type { Platform } from '../domain/policy.ts';

export type { CardKind, CardRef, MailThread } from '../domain/chat-card.ts';

/**
 * Where chat keeps its card references, shared by replicas (bus/nats-card-store.ts keeps them in
 * NATS KV). Losing one only means the next change posts a fresh card.
 */
export interface CardStore {
  get(platform: Platform, kind: CardKind, id: string): Promise<CardRef | null>;
  put(platform: Platform, kind: CardKind, id: string, ref: CardRef): Promise<void>;
  putThread(platform: Platform, ref: CardRef, thread: MailThread): Promise<void>;
  mailThread(platform: Platform, channel: string, message: string): Promise<MailThread | null>;
  /**
   * Claims the right to post a card (a create that fails when the key exists): of two replicas
   * seeing the same new escalation, one posts. `release` gives the claim back if posting failed.
   */
  claim(platform: Platform, kind: CardKind, id: string): Promise<{ release: () => Promise<void> } | null>;
}
