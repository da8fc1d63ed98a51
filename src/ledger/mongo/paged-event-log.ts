import type { Collection } from 'mongodb';
import type { LedgerEvent } from '../port.ts';
import type { EventDoc, PendingEvent } from './documents.ts';
import { type EventLog, type InsertEventLog, storedFields, toLedgerEvent } from './event-log.ts';
import { notImplemented } from './indexes.ts';

/** Events per page: small enough that a relay poll re-reading the open page stays cheap. */
export const PAGE_SIZE = 64;
const MAX_APPEND_ATTEMPTS = 100;

export type PagedEvent = Omit<EventDoc, '_id' | 'seq'> & { id: string };

/**
 * What retention leaves of an event (paged-retention.ts): its id only. The position still numbers
 * the rest of the page, and the id keeps the unique index whole (a null element would index as a
 * null key, and two pages holding one would collide).
 */
export interface CompactedEvent {
  id: string;
  compacted: true;
}

export const isLive = (e: PagedEvent | CompactedEvent): e is PagedEvent => !('compacted' in e);

/** One page of the log: `events[i]` has seq `base + _id * PAGE_SIZE + i + 1`. */
export interface EventPage {
  _id: number;
  /** How many events the page holds (the filter that keeps a full page closed). */
  n: number;
  events: Array<PagedEvent | CompactedEvent>;
}

const isDuplicateKey = (err: unknown) => (err as { code?: number }).code === 11000;

/**
 * The event log of the mongodb mode: events appended to pages ("bucket pattern"). Appending is ONE
 * update of the open page — `$push` the event and `$inc` its count, only while the page has room
 * and does not hold the event yet (`findOneAndUpdate`, which answers the count: the append that
 * fills a page moves this process on to the next) — and MongoDB applies it atomically to that one document, so the
 * page's array order IS the log order: a seq is taken and the event made visible in the same
 * step. Hence no holes and no "n + 1 visible before n" (the compat log must wait out gaps); a page
 * is opened (upsert) only after its predecessor was seen full. Replaces "read the highest seq, then
 * insert" (two round trips and retries under load) with one round trip.
 *
 * Idempotent by event id: within a page the filter refuses a second copy; across pages a unique
 * index on `events.id` does on MongoDB (FerretDB does not enforce uniqueness across documents;
 * this mode's races are only tested on MongoDB). After a switch from compat mode the pages continue
 * after the old log (`base`), which is still read for the seqs up to it.
 */
export class PagedEventLog implements EventLog {
  private readonly pages: Collection<EventPage>;
  private readonly legacy: InsertEventLog | null;
  readonly base: number;
  /** Where this process appends next: a hint, corrected when the page turns out full. */
  private page = 0;
  private projectAfterUpdate = true;

  constructor(pages: Collection<EventPage>, base: number, legacy: InsertEventLog | null) {
    this.pages = pages;
    this.base = base;
    this.legacy = legacy;
  }

  async init(): Promise<void> {
    this.page = await this.lastPage();
  }

  async append(pending: PendingEvent): Promise<void> {
    const { id, event } = storedFields(pending);
    const entry: PagedEvent = { id, ...event, published_at: new Date() };
    for (let attempt = 0; attempt < MAX_APPEND_ATTEMPTS; attempt++) {
      try {
        const page = await this.pushOnto(this.page, entry);
        // The append that fills a page turns the hint, so the next one opens the next page directly.
        if (page && page.n >= PAGE_SIZE) this.page = page._id + 1;
        return;
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
      }
      if (await this.collided(id)) return;
    }
    throw new Error(`could not append event ${id}: the event log is too busy`);
  }

  /** One atomic append to page `page` (opened if absent); answers its count (and `_id`) after. */
  private async pushOnto(page: number, entry: PagedEvent): Promise<Pick<EventPage, '_id' | 'n'> | null> {
    const filter = { _id: page, n: { $lt: PAGE_SIZE }, 'events.id': { $ne: entry.id } };
    const update = { $push: { events: entry }, $inc: { n: 1 } };
    // Only the count is wanted back; FerretDB (where this mode's tests also run) cannot project here.
    const projection = this.projectAfterUpdate ? { projection: { n: 1 } } : {};
    try {
      return await this.pages.findOneAndUpdate(filter, update, {
        upsert: true,
        returnDocument: 'after',
        ...projection,
      });
    } catch (err) {
      if (!this.projectAfterUpdate || !notImplemented(err)) throw err;
      this.projectAfterUpdate = false;
      return this.pushOnto(page, entry);
    }
  }

  /**
   * After an append collided with an existing page: true when the event is logged already; else
   * the hint moves on if the page is full (never before: a later page must not open while an
   * earlier one has room), and the caller tries again.
   */
  private async collided(id: string): Promise<boolean> {
    const page = await this.pages.findOne({ _id: this.page }, { projection: { n: 1, 'events.id': 1 } });
    if (page?.events.some((e) => e.id === id)) return true;
    if (page && page.n >= PAGE_SIZE) {
      this.page = Math.max(this.page + 1, await this.lastPage());
      return false;
    }
    // Another writer opened the page at the same moment, or (MongoDB's unique index) another page holds it.
    return (await this.published([id])).size > 0;
  }

  async published(ids: readonly string[]): Promise<Set<string>> {
    const wanted = new Set(ids);
    const found = new Set<string>();
    const pages = await this.pages
      .find({ 'events.id': { $in: [...ids] } }, { projection: { 'events.id': 1 } })
      .toArray();
    for (const page of pages) for (const e of page.events) if (wanted.has(e.id)) found.add(e.id);
    return found;
  }

  async since(seq: number, limit: number): Promise<LedgerEvent[]> {
    if (this.legacy && seq < this.base) {
      const old = (await this.legacy.since(seq, Math.min(limit, this.base - seq))).filter(
        (e) => e.seq <= this.base,
      );
      const reached = (old.at(-1)?.seq ?? seq) === this.base;
      return reached && old.length < limit
        ? [...old, ...(await this.since(this.base, limit - old.length))]
        : old;
    }
    const offset = Math.max(0, seq - this.base);
    const first = Math.floor(offset / PAGE_SIZE);
    const pages = await this.pages
      .find({ _id: { $gte: first } })
      .sort({ _id: 1 })
      .limit(Math.ceil(limit / PAGE_SIZE) + 1)
      .toArray();
    const events: LedgerEvent[] = [];
    for (const page of pages) {
      page.events.forEach((e, i) => {
        const at = this.base + page._id * PAGE_SIZE + i + 1;
        if (isLive(e) && at > seq && events.length < limit) events.push(toLedgerEvent(e, at));
      });
    }
    return events;
  }

  private async lastPage(): Promise<number> {
    const [last] = await this.pages
      .find({}, { projection: { _id: 1 } })
      .sort({ _id: -1 })
      .limit(1)
      .toArray();
    return last?._id ?? 0;
  }
}
