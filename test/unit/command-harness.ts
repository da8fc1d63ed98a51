import { afterEach, beforeEach } from 'vitest';
import { CATALOG } from '../../src/commands/catalog.ts';
import type { CommandServices, LiveDelivery, RepoFacts } from '../../src/commands/command.ts';
import { CommandRegistry } from '../../src/commands/registry.ts';
import type { Actor } from '../../src/domain/actor.ts';
import type { Policy } from '../../src/domain/policy.ts';
import type { Reply } from '../../src/domain/reply.ts';
import { SqliteLedger } from '../../src/ledger/sqlite/sqlite-ledger.ts';

const MAYOR: Actor = { kind: 'human', id: 'mayor' };

/**
 * The command layer over a fresh in-memory SQLite ledger for each test, with a clock that moves
 * one millisecond per call (`advance` jumps it). Unexpected (non-domain) errors fail the test.
 * The returned functions are stable, so a test file can destructure them once.
 */
export function useCommands(setup?: (h: CommandHarness) => Promise<unknown>): CommandHarness {
  const state = { now: 0 } as {
    ledger: SqliteLedger;
    registry: CommandRegistry;
    services: CommandServices;
    now: number;
  };
  // A recording stand-in for the NATS-bound live port: every agent is offline (nudges queue in
  // the ledger), stop orders are recorded for assertions.
  const stops: Array<{ agent: string; bead: string }> = [];
  const live: LiveDelivery = {
    nudge: async () => false,
    heartbeat: async () => undefined,
    observe: async () => ({ process: null, heartbeatAt: null }),
    stop: async (agent, bead) => {
      stops.push({ agent, bead });
    },
  };
  const run = (verb: string, args: unknown = {}, actor: Actor = MAYOR): Promise<Reply> =>
    state.registry.execute({ verb, args, actor, source: 'cli' });
  const h: CommandHarness = {
    get ledger() {
      return state.ledger;
    },
    get registry() {
      return state.registry;
    },
    run,
    async ok(verb, args = {}) {
      const reply = await run(verb, args);
      if (!reply.ok) throw new Error(`${verb}: ${reply.error.message}`);
      return reply.data as never;
    },
    advance: (ms) => {
      state.now += ms;
    },
    now: () => new Date(state.now),
    stops,
    setPolicy: (policy) => {
      state.services.policy = policy;
    },
    setRepos: (repos) => {
      state.services.repos = repos;
    },
  };
  beforeEach(async () => {
    state.ledger = new SqliteLedger({ path: ':memory:' });
    await state.ledger.init();
    state.now = Date.parse('2026-11-22T12:00:00Z');
    stops.length = 0;
    state.services = { ledger: state.ledger, now: () => new Date(state.now++), live };
    state.registry = new CommandRegistry(state.services, CATALOG, (err) => {
      throw err;
    });
    await setup?.(h);
  });
  afterEach(() => state.ledger.close());
  return h;
}

export interface CommandHarness {
  readonly ledger: SqliteLedger;
  readonly registry: CommandRegistry;
  run(verb: string, args?: unknown, actor?: Actor): Promise<Reply>;
  // biome-ignore lint/suspicious/noExplicitAny: tests read the JSON shapes they assert on
  ok<T = any>(verb: string, args?: unknown): Promise<T>;
  advance(ms: number): void;
  /** The harness clock (without moving it). */
  now(): Date;
  /** Stop orders sent to rig runners, oldest first. */
  readonly stops: Array<{ agent: string; bead: string }>;
  /** The chat RBAC policy the command layer checks chat principals against. */
  setPolicy(policy: Policy): void;
  /** What the command layer may ask of git repositories (real git in the tests that need it). */
  setRepos(repos: RepoFacts): void;
}
