import { type JetStreamClient, type JsMsg, jetstream } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { dispatchSubject } from '../bus/streams.ts';
import { traceHeaders } from '../bus/trace-headers.ts';
import type { LedgerEvent } from '../ledger/port.ts';

/** What a rig runner receives on `gt.dispatch.<rig>`. */
export interface DispatchMessage {
  bead_id: string;
  rig: string;
  polecat: string;
  /** Ledger sequence of the claim: a runner can tell a stale dispatch from the current one. */
  claim_seq: number;
}

/**
 * Turns every claim (`bead_claimed` to a polecat) into a message on its rig's work queue. It
 * follows the event stream rather than the sling call, so a crash between the claim and the
 * publish still dispatches; the message id makes a replayed claim a duplicate JetStream drops.
 */
export class Dispatcher {
  private readonly js: JetStreamClient;
  private readonly prefix: string;

  constructor(nc: NatsConnection, prefix: string) {
    this.js = jetstream(nc);
    this.prefix = prefix;
  }

  async handle(msg: JsMsg): Promise<void> {
    const event = msg.json<LedgerEvent>();
    const assignee = typeof event.data.assignee === 'string' ? event.data.assignee : '';
    // The polecat's own rig runs it: normally the bead's rig, another one after a forced reassignment.
    const [rig, name, extra] = assignee.split('/');
    if (
      event.data.status !== 'hooked' ||
      !event.rig ||
      !rig ||
      !name ||
      extra !== undefined ||
      !event.bead_id
    )
      return;
    const message: DispatchMessage = { bead_id: event.bead_id, rig, polecat: assignee, claim_seq: event.seq };
    // The claim's trace (this handler's span) goes on to the runner in the message's headers.
    const headers = traceHeaders();
    await this.js.publish(dispatchSubject(this.prefix, rig), JSON.stringify(message), {
      msgID: `dispatch-${event.bead_id}-${event.seq}`,
      ...(headers && { headers }),
    });
  }
}
