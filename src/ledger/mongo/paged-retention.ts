import type { AnyBulkWriteOperation, Collection } from 'mongodb';
import type { RetentionPolicy } from '../../domain/retention.ts';
import { type EventPage, isLive, PAGE_SIZE } from './paged-event-log.ts';

type EventCut = NonNullable<RetentionPolicy['events']>;

/**
 * Compaction of the mongodb mode's event pages (domain/retention.ts). A page's events are numbered
 * by their position, so an old event is not pulled out of its page (that would renumber the rest)
 * but replaced by its id alone (CompactedEvent); a page whose events are all gone is deleted, unless it is the newest page
 * (appends find the open page from the newest one: deleting it would number events from 1 again).
 * The newest event always stays too, as in the other layouts. Each page is one update of its own.
 */
export async function compactPages(
  pages: Collection<EventPage>,
  base: number,
  cut: EventCut,
  batch: number,
): Promise<number> {
  const [newest] = await pages.find({}).sort({ _id: -1 }).limit(1).toArray();
  if (!newest) return 0;
  const newestSeq = base + newest._id * PAGE_SIZE + newest.n;
  const below = Math.min(cut.belowSeq, newestSeq);
  const lastPage = Math.floor((below - base - 1) / PAGE_SIZE);
  let removed = 0;
  for (let from = 0; from <= lastPage; ) {
    const docs = await pages
      .find({ _id: { $gte: from, $lte: lastPage } })
      .sort({ _id: 1 })
      .limit(Math.max(1, Math.floor(batch / PAGE_SIZE)))
      .toArray();
    if (docs.length === 0) break;
    const writes: AnyBulkWriteOperation<EventPage>[] = [];
    for (const page of docs) {
      const gone = expiredPositions(page, base, below, cut.before);
      removed += gone.length;
      const left = page.events.filter((e, i) => isLive(e) && !gone.includes(i)).length;
      if (left === 0 && page.n >= PAGE_SIZE && page._id !== newest._id) {
        writes.push({ deleteOne: { filter: { _id: page._id } } });
      } else if (gone.length > 0) {
        const compacted = Object.fromEntries(
          gone.map((i) => [`events.${i}`, { id: page.events[i]?.id, compacted: true }]),
        );
        writes.push({ updateOne: { filter: { _id: page._id }, update: { $set: compacted } } });
      }
    }
    if (writes.length > 0) await pages.bulkWrite(writes, { ordered: false });
    from = (docs.at(-1)?._id ?? lastPage) + 1;
  }
  return removed;
}

/** Positions of a page's events that the cut removes: logged before `before` and below `below`. */
function expiredPositions(page: EventPage, base: number, below: number, before: string): number[] {
  const gone: number[] = [];
  page.events.forEach((e, i) => {
    const seq = base + page._id * PAGE_SIZE + i + 1;
    if (isLive(e) && seq < below && e.at < before) gone.push(i);
  });
  return gone;
}
