import type { KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import type { CardKind, CardRef, MailThread } from '../domain/chat-card.ts';
import type { Platform } from '../domain/policy.ts';
import { townBucket } from './kv-buckets.ts';

/**
 * Card references in the KV bucket `<prefix>_chat_cards` (key `<platform>.<kind>.<bead id>`),
 * shared by replicas. Losing one only means the next change posts a fresh card: NATS may hold
 * it, because it is not the only copy of anything that matters.
 */
/** The chat card store (chat/card-store.ts) over NATS KV. */
export class NatsCardStore {
  private readonly kv: KV;

  private constructor(kv: KV) {
    this.kv = kv;
  }

  static async open(nc: NatsConnection, prefix: string, replicas: number): Promise<NatsCardStore> {
    return new NatsCardStore(await townBucket(nc, `${prefix}_chat_cards`, replicas));
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
