import type { CardKind, CardRef, CardStore, MailThread } from '../../src/chat/card-store.ts';
import type { Platform } from '../../src/domain/policy.ts';

/** The card store in memory, for tests of a notifier (claims behave as the NATS KV store's do). */
export class MemoryStore implements CardStore {
  readonly refs = new Map<string, CardRef | null>();
  async get(p: Platform, k: CardKind, id: string) {
    return this.refs.get(`${p}.${k}.${id}`) ?? null;
  }
  async put(p: Platform, k: CardKind, id: string, ref: CardRef) {
    this.refs.set(`${p}.${k}.${id}`, ref);
  }
  async putThread(_p: Platform, _r: CardRef, _t: MailThread) {}
  async mailThread() {
    return null;
  }
  async claim(p: Platform, k: CardKind, id: string) {
    const key = `${p}.${k}.${id}`;
    if (this.refs.has(key)) return null;
    this.refs.set(key, null);
    return { release: async () => void this.refs.delete(key) };
  }
}
