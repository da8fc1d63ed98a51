import { type KV, Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Platform } from '../domain/policy.ts';

/** Where a card was posted, so later changes edit it in place. */
export interface CardRef {
  channel: string;
  /** Slack message `ts`, or Discord message id. */
  message: string;
  /** Escalations: how many re-escalations the posted ping announced (a new bump pings again). */
  reescalations?: number;
  /** Discord: the thread started on the card for its details. */
  thread?: string;
}

export type CardKind = 'esc' | 'convoy' | 'mail';

/** A chat message that carried mail to a person: a reply under it answers that mail. */
export interface MailThread {
  mail_id: string;
  from: string;
  subject: string;
}

/**
 * Card references in the KV bucket `<prefix>_chat_cards` (key `<platform>.<kind>.<bead id>`),
 * shared by replicas. Losing one only means the next change posts a fresh card: NATS may hold
 * it, because it is not the only copy of anything that matters.
 */
export class CardStore {
  private readonly kv: KV;

  private constructor(kv: KV) {
    this.kv = kv;
  }

  static async open(nc: NatsConnection, prefix: string): Promise<CardStore> {
    return new CardStore(await new Kvm(nc).create(`${prefix}_chat_cards`, { history: 1 }));
  }

  async get(platform: Platform, kind: CardKind, id: string): Promise<CardRef | null> {
    const e = await this.kv.get(`${platform}.${kind}.${id}`);
    return e && e.operation === 'PUT' && e.length > 0 ? e.json<CardRef>() : null;
  }

  async put(platform: Platform, kind: CardKind, id: string, ref: CardRef): Promise<void> {
    await this.kv.put(`${platform}.${kind}.${id}`, JSON.stringify(ref));
  }

  async putThread(platform: Platform, ref: CardRef, thread: MailThread): Promise<void> {
    await this.kv.put(`${platform}.thread.${ref.channel}.${ref.message}`, JSON.stringify(thread));
  }

  async mailThread(platform: Platform, channel: string, message: string): Promise<MailThread | null> {
    const e = await this.kv.get(`${platform}.thread.${channel}.${message}`);
    return e && e.operation === 'PUT' && e.length > 0 ? e.json<MailThread>() : null;
  }

  /**
   * Claims the right to post a card (a create that fails when the key exists): of two replicas
   * seeing the same new escalation, one posts. `release` gives the claim back if posting failed.
   */
  async claim(
    platform: Platform,
    kind: CardKind,
    id: string,
  ): Promise<{ release: () => Promise<void> } | null> {
    const key = `${platform}.${kind}.${id}`;
    try {
      await this.kv.create(key, '');
    } catch {
      return null;
    }
    return { release: () => this.kv.delete(key) };
  }
}
