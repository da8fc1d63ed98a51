/**
 * A recording server in its own process (for benchmarks: the service's answers must not compete
 * with the measuring client for one event loop). Prints its URL; GET /__count?prefix=P answers
 * how many requests to P it has seen.
 */
import { RecordingServer } from '../test/support/recording-server.ts';

const server = new RecordingServer();
server.answer((r) =>
  r.path === '/__count'
    ? { body: { count: server.requests.filter((x) => !x.path.startsWith('/__')).length } }
    : undefined,
);
await server.start();
process.stdout.write(`${server.url}\n`);
