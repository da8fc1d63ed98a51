import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BUILTIN_FORMULAS, formulaFiles } from '../../src/app/formula-files.ts';
import { CATALOG } from '../../src/commands/catalog.ts';
import type { FormulaRow, FormulaView } from '../../src/commands/gt/formula.ts';
import { type FormulaRun, gtFormulaRun } from '../../src/commands/gt/formula-run.ts';
import { CommandRegistry } from '../../src/commands/registry.ts';
import type { Reply } from '../../src/domain/reply.ts';
import { SqliteLedger } from '../../src/ledger/sqlite/sqlite-ledger.ts';

/**
 * `gt formula list|show` over real files on the search path: the town's own first, then each
 * rig's repository, then the built-ins; the first of a name wins; a broken file is listed with
 * its error; a missing one suggests the closest names.
 */
describe('gt formula list and show', () => {
  let ledger: SqliteLedger;
  let registry: CommandRegistry;
  let home = '';
  let repo = '';
  const write = (dir: string, file: string, text: string) => {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, file), text);
  };
  const run = (verb: string, args: object = {}): Promise<Reply> =>
    registry.execute({
      verb,
      args,
      actor: { kind: 'human', id: 'operator', operator: 'operator' },
      source: 'cli',
    });

  beforeEach(async () => {
    home = mkdtempSync(join(tmpdir(), 'gt-formulas-'));
    repo = mkdtempSync(join(tmpdir(), 'gt-formulas-repo-'));
    ledger = new SqliteLedger({ path: join(home, 'ledger.db') });
    await ledger.init();
    await ledger.addRig({ name: 'alpha', prefix: 'al', repo }, { actor: 't', now: new Date() });
    const formulas = formulaFiles({ home, rigs: () => ledger.listRigs() });
    registry = new CommandRegistry({ ledger, now: () => new Date(), formulas }, CATALOG, (err) => {
      throw err;
    });
  });
  afterEach(() => ledger.close());

  it('lists the town’s, the rigs’ and the built-in formulas, the first of a name winning, broken ones with why', async () => {
    write(
      join(home, 'formulas'),
      'feature.formula.toml',
      'formula = "feature"\ndescription = "ours"\n[[steps]]\nid = "a"\ntitle = "A"\n',
    );
    write(
      join(repo, '.beads', 'formulas'),
      'deploy.formula.json',
      '{"formula": "deploy", "steps": [{"id": "d", "title": "D"}]}',
    );
    write(join(repo, '.beads', 'formulas'), 'broken.formula.toml', 'formula = "broken"\n[[steps]\n');
    const reply = await run('gt formula list');
    expect(reply.ok).toBe(true);
    const rows = (reply as { data: FormulaRow[] }).data;
    const by = new Map(rows.map((r) => [r.name, r]));
    expect(by.get('feature')).toMatchObject({ source: 'town', description: 'ours', steps: 1 });
    expect(by.get('deploy')).toMatchObject({ source: 'rig alpha', steps: 1, error: null });
    expect(by.get('broken')?.error).toMatch(/line 2/);
    expect(by.get('release')).toMatchObject({
      source: 'built-in',
      path: join(BUILTIN_FORMULAS, 'release.formula.toml'),
    });
  });

  it('shows a formula’s variables and its steps with the defaults; a missing one suggests names', async () => {
    const shown = await run('gt formula show', { name: 'feature' });
    expect(shown.ok).toBe(true);
    const view = (shown as { data: FormulaView }).data;
    expect(view.source).toBe('built-in');
    expect(view.variables.map((v) => v.name)).toEqual(['feature', 'docs']);
    expect(view.expanded?.steps.map((st) => st.id)).toEqual([
      'design',
      'approve-design',
      'implement',
      'test',
      'docs',
    ]);
    expect(view.expanded?.description).toBe('Deliver the feature');
    const missing = await run('gt formula show', { name: 'featur' });
    expect(missing).toMatchObject({
      ok: false,
      error: { code: 'formula_not_found', message: expect.stringMatching(/did you mean feature/) },
    });
  });

  it('says which variables a formula needs before it can show its steps', async () => {
    write(
      join(home, 'formulas'),
      'needy.formula.toml',
      'formula = "needy"\n[vars.component]\nrequired = true\n[[steps]]\nid = "a"\ntitle = "Fix {{component}}"\n',
    );
    const view = (await run('gt formula show', { name: 'needy' })) as { data: FormulaView };
    expect(view.data.expanded).toBeNull();
    expect(view.data.needs).toMatch(/missing required variables: component/);
  });

  type Run = {
    root: string;
    convoy_id: string;
    beads: string[];
    steps: Record<string, string>;
    status: string;
    waves: Array<{ wave: number; issues: string[] }>;
    launched: boolean;
    warnings: Array<{ category: string }>;
  };
  const show = async (id: string) =>
    ((await run('bd show', { ids: [id] })) as { data: Array<Record<string, unknown>> }).data[0] as {
      id: string;
      title: string;
      status: string;
      issue_type: string;
      description: string;
      parent: string | null;
      labels: string[];
    };

  it('runs a formula: a root epic recording it, a bead per step, needs as edges, a staged convoy', async () => {
    const reply = await run('gt formula run', { name: 'feature', var: ['feature=search', 'docs=no'] });
    expect(reply.ok).toBe(true);
    const r = (reply as { data: Run }).data;
    expect(Object.keys(r.steps)).toEqual(['design', 'approve-design', 'implement', 'test']); // docs=no: no docs step
    // The JSON answer is the contract's (CLI-CONTRACT.md `{convoy_id, root, beads:[ids], waves:[…]}`),
    // with the step map, status, warnings, launched and plan besides — and nothing else.
    const json = JSON.parse(JSON.stringify(r)) as Record<string, unknown>;
    expect(Object.keys(json).sort()).toEqual([
      'beads',
      'convoy_id',
      'formula',
      'launched',
      'plan',
      'root',
      'status',
      'steps',
      'warnings',
      'waves',
    ]);
    expect(json).toMatchObject({
      formula: 'feature',
      convoy_id: expect.any(String),
      root: expect.any(String),
    });
    expect(r.beads).toEqual(['design', 'approve-design', 'implement', 'test'].map((k) => r.steps[k]));
    expect(r.beads).toEqual(Object.values(r.steps));
    expect(new Set(r.beads).size).toBe(4);
    // Staging waves slingable work only: implement and test wait on the person's decision.
    expect(r.waves).toEqual([{ wave: 1, issues: [r.steps.design] }]);
    expect(gtFormulaRun.text((reply as { data: FormulaRun }).data)).toContain(
      `feature: 4 step(s) under ${r.root}; convoy ${r.convoy_id} staged (staged_warnings), 1 wave(s)`,
    );
    const root = await show(r.root);
    expect(root).toMatchObject({ issue_type: 'epic', title: 'Deliver search', labels: ['formula:feature'] });
    expect(root.description).toMatch(
      /Formula: feature\nVersion: 1\nHash: [0-9a-f]{64}\nVar feature: search\nVar docs: no/,
    );
    const approve = await show(r.steps['approve-design'] as string);
    expect(approve).toMatchObject({ issue_type: 'decision', parent: r.root });
    expect(approve.labels).toContain('formula-step:approve-design');
    const implement = r.steps.implement as string;
    const deps = (await ledger.dependenciesOf(implement)).filter((d) => d.type === 'blocks');
    expect(deps.map((d) => d.depends_on_id)).toEqual([r.steps['approve-design']]);
    // Staged, not launched: the person's decision gates implement (a warning that says so).
    expect(r).toMatchObject({ launched: false, status: 'staged_warnings' });
    expect(r.warnings.map((w) => w.category)).toContain('gated');
    expect((await show(r.convoy_id)).status).toBe('staged_warnings');
    // The convoy tracks the gate too, and staging it again keeps it: it lands only once approved.
    const trackedBy = async (id: string) =>
      (await ledger.dependentsOf(id)).filter((d) => d.type === 'tracks').map((d) => d.issue_id);
    expect(await trackedBy(r.steps['approve-design'] as string)).toEqual([r.convoy_id]);
    const restaged = (await run('gt convoy stage', { ids: [r.convoy_id] })) as { data: { waves: unknown } };
    expect(r.waves).toEqual(restaged.data.waves); // the waves exactly as gt convoy stage gives them
    expect(await trackedBy(r.steps['approve-design'] as string)).toEqual([r.convoy_id]);
  });

  it('--launch opens the convoy at once: gated steps wait for the decision, the first wave goes', async () => {
    const r = ((await run('gt formula run', { name: 'feature', launch: true })) as { data: Run }).data;
    expect(r).toMatchObject({ launched: true, status: 'open' });
    expect((await show(r.steps.design as string)).status).toBe('hooked');
    expect((await show(r.steps.implement as string)).status).toBe('open');
    expect((await show(r.steps['approve-design'] as string)).status).toBe('open'); // a person's, never slung
  });

  it('refuses bad input before writing anything', async () => {
    const before = (await ledger.listBeads({ all: true })).length;
    const cases: Array<[object, RegExp]> = [
      [{ name: 'feature', var: ['featur=x'] }, /unknown variable.*feature, docs|declared.*feature/i],
      [{ name: 'feature', var: ['docs=maybe'] }, /docs.*(yes|no)/],
      [{ name: 'feature', var: ['novalue'] }, /write --var name=value/],
      [{ name: 'feature', rig: 'nowhere' }, /no rig nowhere/],
      [{ name: 'nosuch' }, /no formula "nosuch"/],
    ];
    for (const [args, message] of cases) {
      const reply = await run('gt formula run', args);
      expect(reply, JSON.stringify(args)).toMatchObject({
        ok: false,
        error: { message: expect.stringMatching(message) },
      });
    }
    expect((await ledger.listBeads({ all: true })).length).toBe(before);
  });

  it('a human gate: listed, refused while it waits on its work, approved once (a second approval is told)', async () => {
    write(
      join(home, 'formulas'),
      'reviewed.formula.toml',
      'formula = "reviewed"\n[[steps]]\nid = "build"\ntitle = "Build"\n[steps.gate]\ntype = "human"\n[[steps]]\nid = "ship"\ntitle = "Ship"\nneeds = ["build"]\n',
    );
    const r = ((await run('gt formula run', { name: 'reviewed' })) as { data: Run }).data;
    const gate = r.steps['build.approval'] as string;
    const gates = (await run('gt gate list')) as { data: Array<{ id: string; ready: boolean }> };
    expect(gates.data).toEqual([expect.objectContaining({ id: gate, ready: false })]);
    expect(await run('gt gate approve', { id: gate })).toMatchObject({
      ok: false,
      error: { code: 'gate_not_ready', message: expect.stringContaining(r.steps.build as string) },
    });
    expect((await ledger.dependenciesOf(r.steps.ship as string)).map((d) => d.depends_on_id)).toContain(gate);
    await run('bd close', { ids: [r.steps.build] });
    const seen = (await show(gate)) as unknown as { version: number };
    const approved = await run('gt gate approve', {
      id: gate,
      message: 'looks right',
      version: String(seen.version),
    });
    expect(approved).toMatchObject({
      ok: true,
      data: { status: 'closed', close_reason: 'Approved by operator: looks right' },
    });
    expect(await run('gt gate approve', { id: gate })).toMatchObject({
      ok: false,
      error: { code: 'gate_closed' },
    });
    expect((await run('gt gate list')) as { data: unknown[] }).toMatchObject({ data: [] });
    expect(await run('gt gate approve', { id: r.steps.ship })).toMatchObject({
      ok: false,
      error: { code: 'not_a_gate' },
    });
  });
});
