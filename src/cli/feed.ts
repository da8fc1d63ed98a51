import { DeliverPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connectService } from '../bus/connection.ts';
import { eventsStream } from '../bus/streams.ts';
import { DEFAULT_SUBJECT_PREFIX, eventSubject } from '../bus/subjects.ts';
import { flag, optInt, optString } from '../commands/args.ts';
import { parseWords, type Syntax } from '../commands/syntax.ts';
import { DomainError } from '../domain/errors.ts';
import { parseRigName } from '../domain/rig.ts';
import type { LedgerEvent } from '../ledger/port.ts';
import { discoverConnectAs, discoverNatsUrl } from './discovery.ts';
import { feedLine } from './feed-line.ts';
import { FEED } from './local-verbs.ts';
import { EXIT, type Output } from './output.ts';

const SYNTAX: Syntax = {
  positionals: [],
  flags: {
    json: { type: 'boolean', description: 'one JSON event per line (NDJSON)' },
    rig: { type: 'string', description: 'only events of this rig (`town` for town-level ones)' },
    last: { type: 'string', description: 'replay the last N events of the stream first (default 0)' },
    count: { type: 'string', description: 'exit after N events (scripts)' },
    nats: { type: 'string', description: 'NATS URL (default: GT_NATS_URL or $GT_HOME/runtime.json)' },
    home: { type: 'string', description: 'GT_HOME' },
  },
};

interface FeedOptions {
  json: boolean;
  rig?: string;
  last: number;
  count?: number | undefined;
  flags: { nats?: string; home?: string };
}

function parse(argv: readonly string[]): FeedOptions {
  const args = parseWords(argv, SYNTAX, FEED.usage);
  const rig = optString(args, 'rig');
  return {
    json: flag(args, 'json'),
    ...(rig !== undefined && { rig: rig === 'town' ? 'town' : parseRigName(rig) }),
    last: optInt(args, 'last', 0, 1_000_000) ?? 0,
    ...(optString(args, 'count') !== undefined && { count: optInt(args, 'count', 1, 1_000_000) }),
    flags: {
      ...(optString(args, 'nats') && { nats: optString(args, 'nats') as string }),
      ...(optString(args, 'home') && { home: optString(args, 'home') as string }),
    },
  };
}

/**
 * `gt feed`: follows the events stream (the relay publishes every ledger event there) with an
 * ordered consumer — nothing durable is left behind on the server, and a reconnect resumes
 * without gaps or repeats. It reads NATS directly rather than the command layer because it is a
 * stream, not a request.
 */
export async function runFeed(argv: readonly string[], env: NodeJS.ProcessEnv, io: Output): Promise<number> {
  let o: FeedOptions;
  let natsUrl: string;
  try {
    o = parse(argv);
  } catch (err) {
    if (!(err instanceof DomainError)) throw err;
    io.err(`error: ${err.message}`);
    return EXIT.usage;
  }
  try {
    natsUrl = discoverNatsUrl(o.flags, env);
  } catch (err) {
    io.err(`error: ${(err as Error).message}`);
    return EXIT.unreachable;
  }
  const prefix = env.GT_SUBJECT_PREFIX || DEFAULT_SUBJECT_PREFIX;
  const nc = await connectService(natsUrl, `gt-feed-${process.pid}`, discoverConnectAs(o.flags, env));
  try {
    const stream = eventsStream(prefix);
    const { state } = await (await jetstreamManager(nc)).streams.info(stream);
    const start = Math.max(state.first_seq, state.last_seq - o.last + 1);
    const consumer = await jetstream(nc).consumers.get(stream, {
      filter_subjects: eventSubject(prefix, '*', o.rig ?? '*'),
      ...(o.last > 0
        ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: start }
        : { deliver_policy: DeliverPolicy.New }),
    });
    const messages = await consumer.consume();
    const stop = () => messages.stop();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    if (!o.json) io.err(`following ${stream}${o.rig ? ` (rig ${o.rig})` : ''}; Ctrl-C stops`);
    let seen = 0;
    for await (const m of messages) {
      const event = m.json<LedgerEvent>();
      io.out(o.json ? JSON.stringify(event) : feedLine(event));
      if (o.count !== undefined && ++seen >= o.count) break;
    }
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    return EXIT.ok;
  } catch (err) {
    io.err(`error: ${(err as Error).message}`);
    return EXIT.refused;
  } finally {
    await nc.drain().catch(() => undefined);
  }
}
