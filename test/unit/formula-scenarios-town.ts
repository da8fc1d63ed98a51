import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { formulaFiles } from '../../src/app/formula-files.ts';
import { CATALOG } from '../../src/commands/catalog.ts';
import { CommandRegistry } from '../../src/commands/registry.ts';
import type { Actor } from '../../src/domain/actor.ts';
import type { Reply } from '../../src/domain/reply.ts';
import type { LedgerEvent } from '../../src/ledger/port.ts';
import { SqliteLedger } from '../../src/ledger/sqlite/sqlite-ledger.ts';
import { ConvoyFeeder, FEEDER } from '../../src/services/convoy-feeder.ts';

export const OPERATOR: Actor = { kind: 'human', id: 'operator', operator: 'operator' };

/** One service's view of the town: its own connection to the ledger file, registry and feeder. */
export interface Replica {
  readonly ledger: SqliteLedger;
  run(verb: string, args?: object, actor?: Actor): Promise<Reply>;
  readonly feeder: ConvoyFeeder;
}

/**
 * The command layer over a real SQLite ledger file in a fresh town directory per test, rig
 * `alpha` (its repository a directory of its own), and the formula search path of a running
 * town (`$GT_HOME/formulas`, the rig's `.beads/formulas`, the built-ins). `replica()` opens a
 * second connection to the same file, as a second `gt up` would. Everything is closed and
 * removed after each test.
 */
export function useFormulaTown() {
  const state = { home: '', repo: '', main: null as Replica | null, opened: [] as SqliteLedger[] };
  const open = async (): Promise<Replica> => {
    const ledger = new SqliteLedger({ path: join(state.home, 'ledger.db') });
    await ledger.init();
    state.opened.push(ledger);
    const formulas = formulaFiles({ home: state.home, rigs: () => ledger.listRigs() });
    const registry = new CommandRegistry({ ledger, now: () => new Date(), formulas }, CATALOG, (err) => {
      throw err;
    });
    const feeder = new ConvoyFeeder(ledger, (verb, args) =>
      registry.execute({ verb, args, actor: FEEDER, source: 'system' }),
    );
    return {
      ledger,
      run: (verb, args = {}, actor = OPERATOR) => registry.execute({ verb, args, actor, source: 'cli' }),
      feeder,
    };
  };
  const main = (): Replica => state.main as Replica;
  const town = {
    get home() {
      return state.home;
    },
    get repo() {
      return state.repo;
    },
    get ledger() {
      return main().ledger;
    },
    get feeder() {
      return main().feeder;
    },
    run: (verb: string, args: object = {}, actor: Actor = OPERATOR) => main().run(verb, args, actor),
    // biome-ignore lint/suspicious/noExplicitAny: tests read the JSON shapes they assert on
    async ok<T = any>(verb: string, args: object = {}, actor: Actor = OPERATOR): Promise<T> {
      const reply = await main().run(verb, args, actor);
      if (!reply.ok) throw new Error(`${verb}: ${reply.error.message}`);
      return reply.data as T;
    },
    /** A formula file in a directory of the search path (default: the town's). */
    write(file: string, text: string, dir = join(state.home, 'formulas')) {
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, file), text);
    },
    async show(id: string): Promise<Shown> {
      return (await town.ok<Shown[]>('bd show', { ids: [id] }))[0] as Shown;
    },
    /** Ids `bd ready` lists in rig alpha. */
    async ready(): Promise<string[]> {
      return (await town.ok<Array<{ id: string }>>('bd ready', { rig: 'alpha' })).map((b) => b.id);
    },
    /** The ledger's latest `bead_closed` event of a bead, as the feeder receives it. */
    async lastClose(id: string): Promise<LedgerEvent> {
      const events = await main().ledger.eventsSince(0, 1_000_000);
      return events.filter((e) => e.type === 'bead_closed' && e.bead_id === id).at(-1) as LedgerEvent;
    },
    /** `bd close` by the operator, then the feeder handles the close's event. */
    async closeAndFeed(id: string): Promise<void> {
      await town.ok('bd close', { ids: [id] });
      await main().feeder.onClosed(await town.lastClose(id));
    },
    replica: open,
  };
  beforeEach(async () => {
    state.home = mkdtempSync(join(tmpdir(), 'gt-scenarios-'));
    state.repo = join(state.home, 'repo');
    mkdirSync(state.repo);
    state.main = await open();
    await state.main.ledger.addRig(
      { name: 'alpha', prefix: 'al', repo: state.repo },
      { actor: 'test', now: new Date() },
    );
  });
  afterEach(async () => {
    for (const l of state.opened.splice(0)) await l.close();
    rmSync(state.home, { recursive: true, force: true });
  });
  return town;
}

export interface Shown {
  id: string;
  title: string;
  description: string;
  status: string;
  issue_type: string;
  assignee: string | null;
  labels: string[];
  parent: string | null;
  close_reason: string;
  is_blocked: boolean;
  version: number;
}

/** What `gt formula run` replies. */
export interface Run {
  formula: string;
  root: string;
  convoy_id: string;
  /** The steps' bead ids, in step order. */
  beads: string[];
  /** Each step's bead by step id. */
  steps: Record<string, string>;
  /** The convoy's waves, as `gt convoy stage` gives them. */
  waves: Array<{ wave: number; issues: string[] }>;
  status: string;
  launched: boolean;
  warnings: Array<{ category: string; message: string }>;
}

/** TOML `[[steps]]` tables, one per argument. */
export const steps = (...s: string[]): string => s.map((x) => `[[steps]]\n${x}\n`).join('');
