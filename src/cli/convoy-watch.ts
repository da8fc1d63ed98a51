import { flag, list, optInt, optString } from '../commands/args.ts';
import { progressText } from '../commands/gt/convoy/progress.ts';
import { parseWords, type Syntax } from '../commands/syntax.ts';
import type { ConvoyCardModel } from '../domain/convoy-progress.ts';
import { DomainError } from '../domain/errors.ts';
import { ApiSession } from './api-session.ts';
import { discoverNatsUrl } from './discovery.ts';
import { LiveFrame } from './live-frame.ts';
import { WATCH } from './local-verbs.ts';
import { EXIT, type Output } from './output.ts';

const SYNTAX: Syntax = {
  positionals: [{ name: 'convoys', variadic: true }],
  flags: {
    timeout: { type: 'string', description: 'give up after S seconds (exit 1)' },
    json: { type: 'boolean', description: 'one JSON array of progress per change (NDJSON)' },
    nats: { type: 'string', description: 'NATS URL (default: GT_NATS_URL or $GT_HOME/runtime.json)' },
    home: { type: 'string', description: 'GT_HOME' },
  },
};

/** Redraw at most this often while events pour in; and at least this often when none do. */
const DEBOUNCE_MS = 150;
const REFRESH_MS = 2_000;

/**
 * Follows convoys until every one has landed: re-reads their progress (`gt convoy progress`)
 * whenever the ledger publishes an event, and at least every 2 s. Resolves true when all landed,
 * false on timeout or when `stopped` resolves first.
 */
export async function watchConvoys(
  api: ApiSession,
  ids: readonly string[],
  show: (progress: ConvoyCardModel[]) => void,
  o: { timeoutMs?: number; stopped?: Promise<void> } = {},
): Promise<boolean> {
  let wake: () => void = () => {};
  let pending: NodeJS.Timeout | undefined;
  const events = api.onEvents(() => {
    pending ??= setTimeout(() => {
      pending = undefined;
      wake();
    }, DEBOUNCE_MS);
  });
  const deadline = o.timeoutMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + o.timeoutMs;
  let stop = false;
  void o.stopped?.then(() => {
    stop = true;
    wake();
  });
  try {
    while (!stop && Date.now() < deadline) {
      const progress = await api.run<ConvoyCardModel[]>('gt', ['convoy', 'progress', ...ids]);
      show(progress);
      if (progress.every((p) => p.landed)) return true;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(REFRESH_MS, Math.max(0, deadline - Date.now())));
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    return false;
  } finally {
    clearTimeout(pending);
    events.stop();
  }
}

export async function runConvoyWatch(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  io: Output,
): Promise<number> {
  let args: ReturnType<typeof parseWords>;
  try {
    args = parseWords(argv, SYNTAX, WATCH.usage);
  } catch (err) {
    if (!(err instanceof DomainError)) throw err;
    io.err(`error: ${err.message}`);
    return EXIT.usage;
  }
  let api: ApiSession;
  try {
    const nats = optString(args, 'nats');
    const home = optString(args, 'home');
    const natsUrl = discoverNatsUrl({ ...(nats && { nats }), ...(home && { home }) }, env);
    api = await ApiSession.open(natsUrl, env, 'gt-watch', home ? { home } : {});
  } catch (err) {
    io.err(`error: ${(err as Error).message}`);
    return EXIT.unreachable;
  }
  const stopped = new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  try {
    let ids = list(args, 'convoys');
    if (ids.length === 0)
      ids = (await api.run<Array<{ id: string }>>('gt', ['convoy', 'list'])).map((c) => c.id);
    if (ids.length === 0) {
      io.out('No open convoys to watch.');
      return EXIT.ok;
    }
    const frame = new LiveFrame(io.out, Boolean(process.stdout.isTTY) && !flag(args, 'json'));
    const show = (p: ConvoyCardModel[]) =>
      frame.draw(flag(args, 'json') ? JSON.stringify(p) : p.map(progressText).join('\n\n'));
    const timeoutS = optInt(args, 'timeout', 1, 86_400);
    const landed = await watchConvoys(api, ids, show, {
      ...(timeoutS && { timeoutMs: timeoutS * 1000 }),
      stopped,
    });
    if (!landed && timeoutS) io.err(`error: not landed after ${timeoutS} s`);
    return landed ? EXIT.ok : timeoutS ? EXIT.refused : EXIT.ok;
  } catch (err) {
    io.err(`error: ${(err as Error).message}`);
    return err instanceof DomainError && err.kind === 'usage' ? EXIT.usage : EXIT.refused;
  } finally {
    await api.close();
  }
}
