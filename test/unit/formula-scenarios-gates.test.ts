import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUILTIN_FORMULAS } from '../../src/app/formula-files.ts';
import type { FormulaView } from '../../src/commands/gt/formula.ts';
import { expandFormula, FormulaError, parseFormula } from '../../src/domain/formula/index.ts';
import { type Run, steps, useFormulaTown } from './formula-scenarios-town.ts';

/**
 * Reference formulas.md §8, scenarios 21, 23, 27, 29, 35 and 37, through the command layer over a
 * real ledger file and the town's formula search path (docs/plans.md "Test scenarios").
 */
describe('formula scenarios: gates, flags, lookup', () => {
  const town = useFormulaTown();
  const { ok, run, show, ready } = town;

  it('§8 #21 a human gate holds what needs its step until a person approves; gates are beads any list shows', async () => {
    // Both spellings: a gate after work (`[steps.gate]`) and a step that is itself the decision.
    town.write(
      'approved.formula.toml',
      [
        'formula = "approved"',
        steps(
          'id = "build"\ntitle = "Build"\n[steps.gate]\ntype = "human"',
          'id = "ship"\ntitle = "Ship"\nneeds = ["build"]',
          'id = "sign"\ntitle = "Sign the release"\ntype = "human"\nneeds = ["ship"]',
          'id = "announce"\ntitle = "Announce"\nneeds = ["sign"]',
        ),
      ].join('\n'),
    );
    const r = await ok<Run>('gt formula run', { name: 'approved' });
    const [build, approval, ship, sign, announce] = [
      'build',
      'build.approval',
      'ship',
      'sign',
      'announce',
    ].map((k) => r.steps[k] as string);
    expect((await show(approval as string)).issue_type).toBe('decision');
    expect((await show(sign as string)).issue_type).toBe('decision');
    // Only the work with nothing before it is ready; the gate waits on its work, and what the
    // gate holds waits on the gate. The root epic is a container, never ready.
    expect(await ready()).toEqual([build]);
    // Unlike bd, a gate is not hidden from the default list: it is a bead (`-t decision` picks
    // the gates out, `gt gate list` is the person's view).
    const listed = (await ok<Array<{ id: string }>>('bd list', { rig: 'alpha' })).map((b) => b.id);
    expect(listed).toEqual(expect.arrayContaining([r.root, build, approval, ship, sign, announce]));
    const decisions = await ok<Array<{ id: string }>>('bd list', { rig: 'alpha', type: 'decision' });
    expect(decisions.map((b) => b.id).sort()).toEqual([approval, sign].sort());

    await ok('bd close', { ids: [build] });
    // Its work done, the gate is a person's turn: `bd ready` lists it (no polecat is ever given
    // a decision) and `gt gate list` says READY; ship still waits.
    expect(await ready()).toEqual([approval]);
    expect(await ok('gt gate list')).toEqual([
      expect.objectContaining({ id: approval, ready: true }),
      expect.objectContaining({ id: sign, ready: false }),
    ]);
    await ok('gt gate approve', { id: approval, message: 'built right' });
    expect(await ready()).toEqual([ship]);

    await ok('bd close', { ids: [ship] });
    expect(await ready()).toEqual([sign]);
    expect(await run('gt gate approve', { id: announce })).toMatchObject({
      ok: false,
      error: { code: 'not_a_gate' },
    });
    expect(await ok('gt gate approve', { id: sign })).toMatchObject({
      status: 'closed',
      close_reason: 'Approved by operator',
    });
    expect(await ready()).toEqual([announce]);
  });

  it('§8 #37 steps needing one defined later; a gated step fans out to three, ready only once the gate closes', async () => {
    // gh:run is refused (#23): the gate here is a person's. The verify steps come first in the file.
    town.write(
      'fanout.formula.toml',
      [
        'formula = "fanout"',
        steps(
          ...['npm', 'pypi', 'github'].map(
            (k) => `id = "verify-${k}"\ntitle = "Verify ${k}"\nneeds = ["release"]`,
          ),
          'id = "release"\ntitle = "Release"\n[steps.gate]\ntype = "human"',
        ),
      ].join('\n'),
    );
    const r = await ok<Run>('gt formula run', { name: 'fanout' });
    const verify = ['npm', 'pypi', 'github'].map((k) => r.steps[`verify-${k}`] as string);
    expect(await ready()).toEqual([r.steps.release]);
    await ok('bd close', { ids: [r.steps.release] });
    expect(await ready()).toEqual([r.steps['release.approval']]);
    await ok('gt gate approve', { id: r.steps['release.approval'] });
    expect((await ready()).sort()).toEqual([...verify].sort());
  });

  it('§8 #23 gh:run and gh:pr gates are refused at load; such a file is listed broken and runs nothing', async () => {
    const ghRun = `formula = "released"\n${steps('id = "tag"\ntitle = "Tag"', 'id = "ci"\ntitle = "Wait for CI"\nneeds = ["tag"]\n[steps.gate]\ntype = "gh:run"\nid = "release.yml"\ntimeout = "30m"')}`;
    const refusal = (text: string) => {
      try {
        parseFormula(text, 'released.formula.toml');
      } catch (err) {
        expect(err).toBeInstanceOf(FormulaError);
        return (err as FormulaError).message;
      }
      throw new Error('expected a refusal');
    };
    expect(refusal(ghRun)).toContain(
      'not supported: gate type "gh:run" at steps[1].gate; supported gate types: human, timer',
    );
    expect(refusal(ghRun.replace('gh:run', 'gh:pr'))).toContain(
      'not supported: gate type "gh:pr" at steps[1].gate; supported gate types: human, timer',
    );
    town.write('released.formula.toml', ghRun);
    const rows = await ok<Array<{ name: string; error: string | null }>>('gt formula list');
    expect(rows.find((f) => f.name === 'released')?.error).toContain('not supported: gate type "gh:run"');
    const before = (await town.ledger.listBeads({ all: true })).length;
    expect(await run('gt formula run', { name: 'released', launch: true })).toMatchObject({
      ok: false,
      error: { code: 'formula_broken', message: expect.stringContaining('gate type "gh:run"') },
    });
    expect((await town.ledger.listBeads({ all: true })).length).toBe(before);
  });

  it('§8 #27 phase = "vapor" is read and kept; nothing acts on it: the run is an ordinary persistent one', async () => {
    const text = `formula = "vapory"\nphase = "vapor"\npour = true\n${steps('id = "a"\ntitle = "A"')}`;
    const { formula, warnings } = parseFormula(text, 'vapory.formula.toml');
    expect(formula).toMatchObject({ phase: 'vapor', pour: true });
    expect(warnings).toEqual([]);
    town.write('vapory.formula.toml', text);
    const r = await ok<Run>('gt formula run', { name: 'vapory' });
    expect(await show(r.root)).toMatchObject({ issue_type: 'epic', labels: ['formula:vapory'] });
    expect((await show(r.steps.a as string)).status).toBe('open');
    // No wisps, so no squash or burn: those verbs do not exist here.
    expect(await run('bd mol squash', { id: r.root })).toMatchObject({
      ok: false,
      error: { code: 'unknown_command' },
    });
  });

  it('§8 #29 interactive = true is read and kept, and not used: the step is slung like any other', async () => {
    const text = `formula = "paired"\n${steps('id = "pair"\ntitle = "Pair on the design"\ninteractive = true', 'id = "solo"\ntitle = "Write the tests"')}`;
    const { formula } = parseFormula(text, 'paired.formula.toml');
    expect(formula.steps[0]?.interactive).toBe(true);
    expect(expandFormula(formula, {}, { maxSteps: 10 }).steps[0]?.interactive).toBe(true);
    town.write('paired.formula.toml', text);
    const r = await ok<Run>('gt formula run', { name: 'paired', launch: true });
    // No session of a person to hook it to (Gas Town hooks every ready step there, all or
    // nothing): both go to polecats. Work for a person is written `type = "human"` instead.
    for (const key of ['pair', 'solo'])
      expect(await show(r.steps[key] as string)).toMatchObject({
        issue_type: 'task',
        status: 'hooked',
        assignee: expect.stringMatching(/^alpha\//),
      });
  });

  it('§8 #35 the first directory on the search path wins a name; in one directory .formula.toml beats .formula.json', async () => {
    const one = (name: string, description: string) =>
      `formula = "${name}"\ndescription = "${description}"\n${steps('id = "a"\ntitle = "A"')}`;
    // The town's feature shadows the built-in one; the rig's release shadows the built-in one.
    town.write('feature.formula.toml', one('feature', 'the town’s own feature'));
    town.write(
      'feature.formula.toml',
      one('feature', 'the rig’s feature'),
      join(town.repo, '.beads', 'formulas'),
    );
    town.write(
      'release.formula.toml',
      one('release', 'the rig’s release'),
      join(town.repo, '.beads', 'formulas'),
    );
    const feature = await ok<FormulaView>('gt formula show', { name: 'feature' });
    expect(feature).toMatchObject({ source: 'town', description: 'the town’s own feature' });
    const release = await ok<FormulaView>('gt formula show', { name: 'release' });
    expect(release).toMatchObject({ source: 'rig alpha', description: 'the rig’s release' });
    const bug = await ok<FormulaView>('gt formula show', { name: 'bug-triage' });
    expect(bug).toMatchObject({
      source: 'built-in',
      path: join(BUILTIN_FORMULAS, 'bug-triage.formula.toml'),
    });
    const ran = await ok<Run>('gt formula run', { name: 'feature' });
    expect((await show(ran.root)).title).toBe('the town’s own feature');

    // One directory, both spellings: the TOML file is the formula, whatever the JSON says.
    town.write(
      'pair.formula.json',
      JSON.stringify({ formula: 'pair', description: 'json', steps: [{ id: 'j', title: 'J' }] }),
    );
    town.write('pair.formula.toml', one('pair', 'toml'));
    const pair = await ok<FormulaView>('gt formula show', { name: 'pair' });
    expect(pair).toMatchObject({
      description: 'toml',
      path: join(town.home, 'formulas', 'pair.formula.toml'),
    });
    expect(Object.keys((await ok<Run>('gt formula run', { name: 'pair' })).steps)).toEqual(['a']);
  });
});
