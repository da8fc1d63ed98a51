import type { JsMsg } from '@nats-io/jetstream';
import type { CardSurface } from '../../src/chat/card-surface.ts';
import { ChatNotifier } from '../../src/chat/notifier.ts';
import { Throttle } from '../../src/chat/throttle.ts';
import type { Routing } from '../../src/domain/routing.ts';
import type { Ledger } from '../../src/ledger/port.ts';
import { MemoryStore } from './memory-card-store.ts';

/**
 * The chat notifier over a real ledger, with the surfaces a test records: `deliver` hands it
 * every event written since the last call (`again`: the ones before too), as the event stream
 * would, and waits for the throttled card edits.
 */
export function notifierHarness(
  ledger: Ledger,
  surfaces: CardSurface[],
  routing: Routing,
  options: { mqMaxWaitMs?: number } = {},
) {
  const store = new MemoryStore();
  const errors: unknown[] = [];
  const throttle = new Throttle(20, (err) => errors.push(err));
  const notifier = new ChatNotifier({ ledger, routing, surfaces, store, throttle, ...options });
  let seen = 0;
  const deliver = async (again = false) => {
    const events = await ledger.eventsSince(again ? 0 : seen);
    seen = events.at(-1)?.seq ?? seen;
    for (const e of events) await notifier.handle({ json: () => e } as unknown as JsMsg);
    await throttle.flush();
  };
  return { store, errors, throttle, notifier, deliver };
}
