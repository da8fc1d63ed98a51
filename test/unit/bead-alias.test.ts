import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formulaFiles } from '../../src/app/formula-files.ts';
import { bdShow, type ShownBead } from '../../src/commands/bd/show.ts';
import { aliasSplits } from '../../src/commands/bead-ref.ts';
import { CATALOG } from '../../src/commands/catalog.ts';
import { CommandRegistry } from '../../src/commands/registry.ts';
import type { Actor } from '../../src/domain/actor.ts';
import type { Reply } from '../../src/domain/reply.ts';
import { SqliteLedger } from '../../src/ledger/sqlite/sqlite-ledger.ts';

type Run = { root: string; steps: Record<string, string> };
type Shown = { id: string; title: string; status: string; alias?: string };

/** A formula with a plain step, a container with children (one gated), a loop and a dependent. */
const FORMULA = [
  'formula = "aliased"',
  'description = "Ship it"',
  '[[steps]]',
  'id = "design"',
  'title = "Design"',
  '[[steps]]',
  'id = "build"',
  'title = "Build"',
  '[[steps.children]]',
  'id = "backend"',
  'title = "Backend"',
  '[[steps.children]]',
  'id = "review"',
  'title = "Review"',
  '[steps.children.gate]',
  'type = "human"',
  '[[steps]]',
  'id = "shard"',
  'title = "Shard"',
  '[steps.loop]',
  'count = 2',
  '[[steps.loop.body]]',
  'id = "run"',
  'title = "Run"',
  '[[steps]]',
  'id = "ship"',
  'title = "Ship"',
  'needs = ["design"]',
].join('\n');

/**
 * `<root>.<step>` aliases for the beads `gt formula run` cooks, through the command layer over a
 * SQLite ledger file: every bead verb takes them, a real id still wins, an unknown step is told
 * the steps there are, and an agent's own-work check judges the bead the alias names.
 */
describe('readable aliases of formula beads', () => {
  let ledger: SqliteLedger;
  let registry: CommandRegistry;
  let run: Run;
  const operator: Actor = { kind: 'human', id: 'operator', operator: 'operator' };
  const toast: Actor = { kind: 'agent', id: 'alpha/Toast' };
  const exec = (verb: string, args: object = {}, actor: Actor = operator): Promise<Reply> =>
    registry.execute({ verb, args, actor, source: 'cli' });
  // biome-ignore lint/suspicious/noExplicitAny: tests read the JSON shapes they assert on
  const ok = async <T = any>(verb: string, args: object = {}, actor: Actor = operator): Promise<T> => {
    const reply = await exec(verb, args, actor);
    if (!reply.ok) throw new Error(`${verb}: ${reply.error.message}`);
    return reply.data as T;
  };
  const refusal = async (verb: string, args: object, actor: Actor = operator) => {
    const reply = await exec(verb, args, actor);
    if (reply.ok) throw new Error(`${verb} should have been refused`);
    return reply.error;
  };
  const show = async (ref: string) => (await ok<Shown[]>('bd show', { ids: [ref] }))[0] as Shown;
  const bead = (key: string) => run.steps[key] as string;

  beforeEach(async () => {
    const home = mkdtempSync(join(tmpdir(), 'gt-alias-'));
    mkdirSync(join(home, 'formulas'));
    writeFileSync(join(home, 'formulas', 'aliased.formula.toml'), FORMULA);
    ledger = new SqliteLedger({ path: join(home, 'ledger.db') });
    await ledger.init();
    await ledger.addRig({ name: 'alpha', prefix: 'al', repo: home }, { actor: 't', now: new Date() });
    const formulas = formulaFiles({ home, rigs: () => ledger.listRigs() });
    registry = new CommandRegistry({ ledger, now: () => new Date(), formulas }, CATALOG, (err) => {
      throw err;
    });
    run = await ok<Run>('gt formula run', { name: 'aliased' });
  });
  afterEach(() => ledger.close());

  it('bd show takes <root>.<step> at any depth, with dotted steps, and shows the alias', async () => {
    const design = await show(`${run.root}.design`);
    expect(design).toMatchObject({ id: bead('design'), title: 'Design', alias: `${run.root}.design` });
    // Children sit under their container, not the root; loop and gate steps have dots.
    expect((await show(`${run.root}.backend`)).id).toBe(bead('backend'));
    expect((await show(`${run.root}.review.approval`)).id).toBe(bead('review.approval'));
    expect((await show(`${run.root}.shard.iter2.run`)).id).toBe(bead('shard.iter2.run'));
    // A container's children inherit its step label: the alias still names the container.
    expect(await show(`${run.root}.build`)).toMatchObject({ id: bead('build'), alias: `${run.root}.build` });
    expect((await show(bead('backend'))).alias).toBe(`${run.root}.backend`);
    const text = bdShow.text(await ok<ShownBead[]>('bd show', { ids: [`${run.root}.design`] }));
    expect(text.split('\n').slice(0, 2)).toEqual([
      `${bead('design')}: Design`,
      `  alias: ${run.root}.design`,
    ]);
  });

  it('a real id is used as it is, child ids included; the root has no alias', async () => {
    expect(bead('design')).toMatch(/^al-[0-9a-z]+\.\d+$/);
    expect((await show(bead('design'))).id).toBe(bead('design'));
    const root = await show(run.root);
    expect(root.id).toBe(run.root);
    expect(root.alias).toBeUndefined();
    const missing = await refusal('bd show', { ids: ['al-zzzz'] });
    expect(missing.message).toMatch(/"al-zzzz" not found/);
    expect((await refusal('bd close', { ids: ['not an id'] })).message).toMatch(/is not a valid bead id/);
  });

  it('the mutating verbs act on the bead the alias names', async () => {
    const closed = await ok<Shown[]>('bd close', { ids: [`${run.root}.design`], reason: 'done' });
    expect(closed.map((b) => b.id)).toEqual([bead('design')]);
    expect((await show(bead('design'))).status).toBe('closed');
    expect((await show(bead('backend'))).status).toBe('open');
    await ok('bd reopen', { ids: [`${run.root}.design`] });
    await ok('bd update', { id: `${run.root}.backend`, priority: '0' });
    expect((await ledger.getBead(bead('backend')))?.priority).toBe(0);
    await ok('bd label add', { id: `${run.root}.backend`, label: 'api' });
    expect((await ledger.getBead(bead('backend')))?.labels).toContain('api');
    await ok('bd comment', { id: `${run.root}.backend`, text: 'started' });
    expect(await ledger.listComments(bead('backend'))).toHaveLength(1);
    await ok('bd dep add', { issue: `${run.root}.ship`, 'depends-on': `${run.root}.shard.iter1.run` });
    const tree = await ok<Array<{ id: string }>>('bd dep tree', { id: `${run.root}.ship` });
    expect(tree.map((n) => n.id)).toContain(bead('shard.iter1.run'));
    await ok('bd dep remove', { issue: `${run.root}.ship`, 'depends-on': `${run.root}.shard.iter1.run` });
    const children = await ok<Shown[]>('bd list', { parent: `${run.root}.build` });
    expect(children.map((b) => b.id).sort()).toEqual(
      [bead('backend'), bead('review'), bead('review.approval')].sort(),
    );
    const slung = await ok<{ id: string; status: string }>('gt sling', { id: `${run.root}.design` });
    expect(slung).toMatchObject({ id: bead('design'), status: 'hooked' });
    const child = await ok<{ parent: string }>('bd create', { title: 'sub', parent: `${run.root}.build` });
    expect(child.parent).toBe(bead('build'));
  });

  it('an unknown step is refused, naming the root, its steps and the closest one', async () => {
    const e = await refusal('bd show', { ids: [`${run.root}.desgn`] });
    expect(e.message).toContain(`${run.root} has no step "desgn" (did you mean design?)`);
    expect(e.message).toContain(
      'its steps: design, build, backend, review, review.approval, shard.iter1.run',
    );
    expect(e.message).toMatch(/see bd show/);
    const close = await refusal('bd close', { ids: [`${run.root}.nope`] });
    expect(close.message).toContain(`${run.root} has no step "nope"`);
    expect((await show(bead('design'))).status).toBe('open');
    // The alias of a bead that is no formula run, and of a root that does not exist.
    const plain = await ok<{ id: string }>('bd create', { title: 'plain', rig: 'alpha' });
    expect((await refusal('bd show', { ids: [`${plain.id}.design`] })).message).toMatch(
      /is not a formula run .*not found; use a bead id/,
    );
    expect((await refusal('bd show', { ids: ['al-zzzz.design'] })).message).toMatch(/"al-zzzz" not found/);
  });

  it('an agent’s own-work check judges the bead the alias names', async () => {
    const notOwn = await refusal('bd close', { ids: [`${run.root}.design`] }, toast);
    expect(notOwn.code).toBe('forbidden');
    expect(notOwn.message).toContain(`${bead('design')} is not its own`);
    expect((await show(bead('design'))).status).toBe('open');
    await ok('bd update', { id: `${run.root}.design`, assignee: 'alpha/Toast' });
    await ok('bd close', { ids: [`${run.root}.design`] }, toast);
    expect((await show(bead('design'))).status).toBe('closed');
    // Its own bead does not make a sibling its own, and an alias naming nothing is no free pass.
    expect((await refusal('bd update', { id: `${run.root}.backend`, priority: '1' }, toast)).code).toBe(
      'forbidden',
    );
    expect((await refusal('bd label add', { id: `${run.root}.nope`, label: 'x' }, toast)).code).toBe(
      'unknown_step',
    );
  });
});

describe('aliasSplits', () => {
  it('reads <root>.<step> with the longest id first, and nothing that is no alias', () => {
    expect(aliasSplits('hq-12.design')).toEqual([{ root: 'hq-12', step: 'design' }]);
    expect(aliasSplits('hq-12.3.x.y')).toEqual([
      { root: 'hq-12.3', step: 'x.y' },
      { root: 'hq-12', step: '3.x.y' },
    ]);
    expect(aliasSplits('HQ-12.Design')).toEqual([{ root: 'hq-12', step: 'Design' }]);
    expect(aliasSplits('hq-12.')).toEqual([]);
    expect(aliasSplits('design')).toEqual([]);
    expect(aliasSplits('hq-12.a b')).toEqual([]);
    expect(aliasSplits(`hq-12.${'x'.repeat(300)}`)).toEqual([]);
  });
});
