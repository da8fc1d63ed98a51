import { randomUUID } from 'node:crypto';
import type { Collection } from 'mongodb';
import type { Bead } from '../../domain/bead.ts';
import type { Comment, WriteContext } from '../port.ts';
import type { CommentDoc } from './documents.ts';
import type { Outbox } from './outbox.ts';
import { ofBead, pendingEvent } from './pending-event.ts';

export type { CommentDoc } from './documents.ts';

const toComment = (d: CommentDoc): Comment => ({
  id: d._id,
  issue_id: d.issue_id,
  author: d.author,
  text: d.text,
  created_at: d.created_at,
});

/**
 * Comments: the comment and its `comment_added` event are one insert (the event in the comment's
 * own outbox), so commenting never contends with claims and transitions on the bead document.
 */
export class CommentStore {
  private readonly comments: Collection<CommentDoc>;
  private readonly outbox: Outbox;

  constructor(comments: Collection<CommentDoc>, outbox: Outbox) {
    this.comments = comments;
    this.outbox = outbox;
  }

  /** `bead` was just read: the caller has checked that it exists. */
  async add(bead: Bead, text: string, ctx: WriteContext): Promise<Comment> {
    const id = randomUUID();
    const event = pendingEvent('comment_added', ctx, ofBead(bead), { comment_id: id });
    const doc: CommentDoc = {
      _id: id,
      issue_id: bead.id,
      author: ctx.actor,
      text,
      created_at: ctx.now.toISOString(),
      rev: 1,
      outbox: [event],
    };
    await this.comments.insertOne(doc);
    await this.outbox.flush('comments', id, [event]);
    return toComment(doc);
  }

  async list(beadId: string): Promise<Comment[]> {
    const docs = await this.comments.find({ issue_id: beadId }).sort({ created_at: 1, _id: 1 }).toArray();
    return docs.map(toComment);
  }
}
