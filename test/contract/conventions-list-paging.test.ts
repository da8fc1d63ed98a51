import { afterEach, describe, expect, inject, it } from 'vitest';
import { CATALOG } from '../../src/commands/catalog.ts';
import { CommandRegistry } from '../../src/commands/registry.ts';
import type { Bead } from '../../src/domain/bead.ts';
import type { Reply } from '../../src/domain/reply.ts';
import type { Ledger, WriteContext } from '../../src/ledger/port.ts';
import { SqliteLedger } from '../../src/ledger/sqlite/sqlite-ledger.ts';
import { NOT_TESTED } from '../support/mongo-targets.ts';
import { ids } from './harness.ts';
import { mongoFixture } from './mongo-target.ts';

/**
 * `bd list --limit N --after ID`: a town with more open beads than one NATS message carries lists
 * them page by page. Each page continues strictly after the cursor bead in the listing's order
 * (priority, newest first, id), on both adapters, ties in priority and creation time included.
 */
const targets: Array<{ name: string; open: () => Promise<{ ledger: Ledger; cleanup(): Promise<void> }> }> = [
  {
    name: 'sqlite',
    open: async () => {
      const ledger = new SqliteLedger({ path: ':memory:' });
      await ledger.init();
      return { ledger, cleanup: async () => ledger.close() };
    },
  },
  ...inject('mongoTargets').map((t) => ({
    name: `mongo (${t.name})`,
    open: () => mongoFixture(t.uri, 'paging'),
  })),
];
if (targets.length === 1) describe('bd list paging: mongo', () => it.skip(NOT_TESTED, () => {}));

const PRIORITIES = [0, 2, 2, 4] as const;

/** 13 beads over three priorities; several share a creation time, so the id breaks ties. */
async function seed(ledger: Ledger): Promise<Bead[]> {
  const at = (ms: number): WriteContext => ({
    actor: 'tester',
    now: new Date(Date.parse('2026-12-01T10:00:00Z') + ms),
  });
  const made: Bead[] = [];
  for (let i = 0; i < 13; i++)
    made.push(await ledger.createBead({ title: `b${i}`, priority: PRIORITIES[i % 4] ?? 2 }, at(i % 3)));
  return made;
}

for (const target of targets) {
  describe(`bd list paging: ${target.name}`, () => {
    let cleanup: (() => Promise<void>) | undefined;
    afterEach(async () => {
      await cleanup?.();
    });
    const open = async () => {
      const f = await target.open();
      cleanup = f.cleanup;
      const registry = new CommandRegistry({ ledger: f.ledger, now: () => new Date() }, CATALOG, (err) => {
        throw err;
      });
      const run = (args: Record<string, unknown>): Promise<Reply> =>
        registry.execute({ verb: 'bd list', args, actor: { kind: 'human', id: 'u' }, source: 'cli' });
      return { ledger: f.ledger, run };
    };

    it('pages of --limit, each --after the last id of the one before, list every bead once, in order', async () => {
      const { ledger, run } = await open();
      await seed(ledger);
      const whole = ids(await ledger.listBeads({}));
      expect(whole).toHaveLength(13);
      const paged: string[] = [];
      let after: string | undefined;
      for (let page = 0; page < 10; page++) {
        const reply = await run({ limit: '4', ...(after ? { after } : {}) });
        if (!reply.ok) throw new Error(reply.error.message);
        const got = ids(reply.data as Bead[]);
        expect(got.length).toBeLessThanOrEqual(4);
        paged.push(...got);
        if (got.length < 4) break;
        after = got.at(-1);
      }
      expect(paged).toEqual(whole);
    });

    it('a cursor bead closed between pages still marks the place', async () => {
      const { ledger, run } = await open();
      const made = await seed(ledger);
      const first = await run({ limit: '5' });
      if (!first.ok) throw new Error(first.error.message);
      const cursor = (first.data as Bead[])[4] as Bead;
      await ledger.closeBead(cursor.id, {}, { actor: 'tester', now: new Date() });
      const rest = await run({ after: cursor.id });
      if (!rest.ok) throw new Error(rest.error.message);
      const stillOpen = made.length - 1;
      expect(ids(first.data as Bead[]).length + ids(rest.data as Bead[]).length - 1).toBe(stillOpen);
      expect(ids(rest.data as Bead[])).not.toContain(cursor.id);
    });

    it('refuses a bad limit or an unknown cursor, saying which', async () => {
      const { ledger, run } = await open();
      await seed(ledger);
      expect(await run({ limit: '0' })).toMatchObject({
        ok: false,
        error: {
          code: 'bad_number',
          message: expect.stringContaining('--limit must be a whole number from 1'),
        },
      });
      expect(await run({ after: 'zz-nope' })).toMatchObject({
        ok: false,
        error: { code: 'not_found', message: expect.stringContaining('bd list --all') },
      });
    });
  });
}
