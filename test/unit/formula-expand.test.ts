import { describe, expect, it } from 'vitest';
import { expandFormula, type Formula, FormulaError, parseFormula } from '../../src/domain/formula/index.ts';

/** Expansion: vars, substitution, conditions, children, loops, extends, compose.expand, cap. */
const f = (text: string, file = 't.formula.toml'): Formula => parseFormula(text, file).formula;
const expand = (
  formula: Formula,
  vars: Record<string, string> = {},
  library: Formula[] = [],
  maxSteps = 2000,
) => expandFormula(formula, vars, { maxSteps, resolve: (n) => library.find((x) => x.name === n) ?? null });
const refusal = (run: () => unknown) => {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(FormulaError);
    return err as FormulaError;
  }
  throw new Error('expected a FormulaError');
};
const steps = (...s: string[]) => s.map((x) => `[[steps]]\n${x}\n`).join('');

// §1.9 example.
const SHIP = f(`formula = "ship-feature"
description = "Ship {{feature}} to {{env}}"
[vars]
env = "staging"
[vars.feature]
required = true
[vars.notify]
default = "no"
${steps(
  'id = "design"\ntitle = "Design {{feature}}"',
  'id = "api"\ntitle = "Build API for {{feature}}"\nneeds = ["design"]',
  'id = "ui"\ntitle = "Build UI for {{feature}}"\nneeds = ["design"]',
  'id = "approve"\ntitle = "Approve {{feature}}"\nneeds = ["api", "ui"]\n[steps.gate]\ntype = "human"\ntimeout = "24h"',
  'id = "announce"\ntitle = "Announce {{feature}}"\nneeds = ["approve"]\ncondition = "{{notify}} == yes"',
)}`);

describe('expandFormula: the §1.9 example', () => {
  it('drops announce by default and substitutes (§8 #1)', () => {
    const x = expand(SHIP, { feature: 'x' });
    expect(x.steps.map((s) => s.id)).toEqual(['design', 'api', 'ui', 'approve']);
    expect(x.description).toBe('Ship x to staging');
    expect(x.vars).toEqual({ env: 'staging', feature: 'x', notify: 'no' });
    expect(x.steps[3]).toMatchObject({
      title: 'Approve x',
      needs: ['api', 'ui'],
      gate: { type: 'human', timeout: '24h' },
    });
  });
  it('keeps announce with notify=yes (§8 #2)', () => {
    const x = expand(SHIP, { feature: 'x', notify: 'yes' });
    expect(x.steps.at(-1)).toMatchObject({ id: 'announce', needs: ['approve'] });
  });
  it('refuses a missing required var with a hint (§8 #3)', () => {
    expect(refusal(() => expand(SHIP)).message).toContain(
      'missing required variables: feature; pass --var feature=<value>',
    );
  });
  it('refuses an unknown --var listing the declared ones (§8 #5)', () => {
    const e = refusal(() => expand(SHIP, { fetaure: 'x' }));
    expect(e.message).toContain(
      'unknown variable fetaure; formula "ship-feature" declares: env, feature, notify',
    );
  });
});

describe('expandFormula: variables', () => {
  it('applies defaults, including "" (§8 #4), and requires referenced vars without default', () => {
    const x = expand(f(`formula = "x"\n[vars]\ne = ""\n[vars.o]\n${steps('id = "a"\ntitle = "[{{e}}]"')}`));
    expect(x.steps[0]?.title).toBe('[]');
    const e = refusal(() =>
      expand(f(`formula = "x"\n[vars.a]\n[vars.b]\n${steps('id = "a"\ntitle = "{{a}} {{b}}"')}`)),
    );
    expect(e.message).toContain('missing required variables: a, b; pass --var a=<value> --var b=<value>');
  });
  it('enforces enum and pattern (§8 #6)', () => {
    const formula = f('formula = "x"\n[vars.k]\nenum = ["a", "b"]\n[vars.v]\npattern = \'\\d+\'\n');
    expect(refusal(() => expand(formula, { k: 'c' })).message).toContain('allowed values: a, b');
    expect(refusal(() => expand(formula, { v: '12x' })).message).toContain('does not match pattern \\d+');
    expect(expand(formula, { k: 'b', v: '12' }).vars).toEqual({ k: 'b', v: '12' });
  });
  it('leaves undeclared and Go-template placeholders verbatim (§8 #7)', () => {
    const x = expand(f(`formula = "x"\n${steps('id = "a"\ntitle = "{{undeclared}} {{.leg.id}} {target}"')}`));
    expect(x.steps[0]?.title).toBe('{{undeclared}} {{.leg.id}} {target}');
  });
});

describe('expandFormula: conditions', () => {
  const cond = (c: string, vars: Record<string, string>) =>
    expand(f(`formula = "x"\n[vars]\nv = ""\n${steps(`id = "a"\ntitle = "A"\ncondition = "${c}"`)}`), vars)
      .steps.length;
  it.each([
    ['{{v}}', 'yes', 1],
    ['{{v}}', 'Off', 0],
    ['!{{v}}', '0', 1],
    ['!{{v}}', 'x', 0],
    ["{{v}} == 'x'", 'x', 1],
    ['{{v}} != x', 'x', 0],
  ])('%s with v=%s keeps %i step', (c, v, n) => expect(cond(c, { v })).toBe(n));
  it('refuses an invalid condition (§8 #19)', () => {
    expect(refusal(() => cond('{{v}} ~ x', {})).message).toContain('invalid step condition format');
  });
  it('drops excluded children and edges to excluded steps (§8 #20)', () => {
    const x = expand(
      f(
        `formula = "x"\n[vars]\nv = "no"\n${steps(
          'id = "a"\ntitle = "A"',
          'id = "b"\ntitle = "B"\ncondition = "{{v}}"\n[[steps.children]]\nid = "b1"\ntitle = "B1"',
          'id = "c"\ntitle = "C"\nneeds = ["a", "b", "b1"]',
        )}`,
      ),
    );
    expect(x.steps.map((s) => [s.id, s.needs])).toEqual([
      ['a', []],
      ['c', ['a']],
    ]);
  });
});

describe('expandFormula: children, loops, cap', () => {
  it('flattens children with their parent; a container is an epic and may be needed (§8 #30)', () => {
    const x = expand(
      f(
        `formula = "x"\n${steps('id = "p"\ntitle = "P"\n[[steps.children]]\nid = "c"\ntitle = "C"', 'id = "q"\ntitle = "Q"\nneeds = ["p"]')}`,
      ),
    );
    expect(x.steps.map((s) => [s.id, s.type, s.parent ?? null])).toEqual([
      ['p', 'epic', null],
      ['c', 'task', 'p'],
      ['q', 'task', null],
    ]);
  });
  it('unrolls loop.count with chained iterations (§8 #16)', () => {
    const x = expand(
      f(
        `formula = "x"\n${steps('id = "s"\ntitle = "S"', 'id = "L"\ntitle = "L"\nneeds = ["s"]\n[steps.loop]\ncount = 3\n[[steps.loop.body]]\nid = "x"\ntitle = "X"\n[[steps.loop.body]]\nid = "y"\ntitle = "Y"\nneeds = ["x"]', 'id = "after"\ntitle = "A"\nneeds = ["L"]')}`,
      ),
    );
    const ids = x.steps.map((s) => s.id);
    expect(ids).toEqual([
      's',
      'L.iter1.x',
      'L.iter1.y',
      'L.iter2.x',
      'L.iter2.y',
      'L.iter3.x',
      'L.iter3.y',
      'after',
    ]);
    const needs = Object.fromEntries(x.steps.map((s) => [s.id, s.needs]));
    expect(needs['L.iter1.x']).toEqual(['s']);
    expect(needs['L.iter2.x']).toEqual(['L.iter1.y']);
    expect(needs['L.iter2.y']).toEqual(['L.iter2.x']);
    expect(needs.after).toEqual(['L.iter3.y']);
  });
  it('unrolls loop.range with vars and {var}', () => {
    const x = expand(
      f(
        `formula = "x"\n[vars]\nn = "2"\n${steps('id = "L"\ntitle = "L"\n[steps.loop]\nrange = "2..{{n}}*2"\nvar = "i"\n[[steps.loop.body]]\nid = "x"\ntitle = "Disk {i}"')}`,
      ),
    );
    expect(x.steps.map((s) => [s.id, s.title])).toEqual([
      ['L.iter1.x', 'Disk 2'],
      ['L.iter2.x', 'Disk 3'],
      ['L.iter3.x', 'Disk 4'],
    ]);
  });
  it('refuses a range past the cap before generating (§8 #17), and a total over the cap', () => {
    const big = f(
      `formula = "x"\n${steps('id = "L"\ntitle = "L"\n[steps.loop]\nrange = "1..2^20"\n[[steps.loop.body]]\nid = "x"\ntitle = "X"')}`,
    );
    expect(refusal(() => expand(big)).message).toContain('expand to 1048576 steps, over the cap of 2000');
    const three = f(
      `formula = "x"\n${steps('id = "a"\ntitle = "A"', 'id = "b"\ntitle = "B"', 'id = "c"\ntitle = "C"')}`,
    );
    expect(refusal(() => expand(three, {}, [], 2)).message).toContain(
      'expands to 3 steps, over the cap of 2',
    );
    expect(
      refusal(() =>
        expand(
          f(
            `formula = "x"\n${steps('id = "L"\ntitle = "L"\n[steps.loop]\nrange = "3..1"\n[[steps.loop.body]]\nid = "x"\ntitle = "X"')}`,
          ),
        ),
      ).message,
    ).toContain('end 1 is before start 3');
  });
});

const CHAIN = f(
  `formula = "base"\ndescription = "base"\n[vars]\nwho = "parent"\nkeep = "k"\n${steps(
    'id = "d"\ntitle = "D"',
    'id = "i"\ntitle = "I {{who}}"\nneeds = ["d"]',
    'id = "r"\ntitle = "R"\nneeds = ["i"]',
    'id = "t"\ntitle = "T"\nneeds = ["r"]',
    'id = "s"\ntitle = "S"\nneeds = ["t"]',
  )}`,
);
const FIVE = f(
  `formula = "five"\ntype = "expansion"\n${['a', 'b', 'c', 'd', 'e']
    .map(
      (x, i) =>
        `[[template]]\nid = "{target}.${x}"\ntitle = "${x} of {target.title}"${i > 0 ? `\nneeds = ["{target}.${'abcde'[i - 1]}"]` : ''}\n`,
    )
    .join('')}`,
);

describe('expandFormula: extends and compose.expand', () => {
  it('replaces a parent step in place and lets child vars win (§8 #13)', () => {
    const child = f(
      `formula = "child"\nextends = ["base"]\n[vars]\nwho = "child"\n${steps('id = "i"\ntitle = "New I {{who}} {{keep}}"\nneeds = ["d"]', 'id = "z"\ntitle = "Z"\nneeds = ["s"]')}`,
    );
    const x = expand(child, {}, [CHAIN]);
    expect(x.steps.map((s) => s.id)).toEqual(['d', 'i', 'r', 't', 's', 'z']);
    expect(x.steps[1]?.title).toBe('New I child k');
    expect(x.description).toBe('base');
  });
  it('refuses circular extends with the chain (§8 #12) and unknown parents', () => {
    const a = f('formula = "a"\nextends = ["b"]\n');
    const b = f('formula = "b"\nextends = ["a"]\n');
    expect(refusal(() => expand(a, {}, [a, b])).message).toContain('circular extends detected: a -> b -> a');
    expect(refusal(() => expand(a)).message).toContain('extends unknown formula "b"');
  });
  it('validates needs after extends', () => {
    const child = f(`formula = "c"\nextends = ["base"]\n${steps('id = "z"\ntitle = "Z"\nneeds = ["gone"]')}`);
    expect(refusal(() => expand(child, {}, [CHAIN])).message).toContain(
      'needs references unknown step "gone"',
    );
  });
  it('expands a target with a 5-step template (§8 #14)', () => {
    const child = f('formula = "c"\nextends = ["base"]\n[[compose.expand]]\ntarget = "i"\nwith = "five"\n');
    const x = expand(child, {}, [CHAIN, FIVE]);
    expect(x.steps).toHaveLength(9);
    const needs = Object.fromEntries(x.steps.map((s) => [s.id, s.needs]));
    expect(needs['i.a']).toEqual(['d']);
    expect(needs['i.b']).toEqual(['i.a']);
    expect(needs.r).toEqual(['i.e']);
    expect(x.steps.find((s) => s.id === 'i.a')?.title).toBe('a of I parent');
  });
  it('refuses expansions nested 6 deep (§8 #15) and non-expansion targets', () => {
    const nest = Array.from({ length: 7 }, (_, k) =>
      f(
        `formula = "e${k}"\ntype = "expansion"\n[[template]]\nid = "{target}.n"\ntitle = "N"\n${k < 6 ? `expand = "e${k + 1}"` : ''}\n`,
      ),
    );
    const top = f(`formula = "top"\n${steps('id = "a"\ntitle = "A"\nexpand = "e0"')}`);
    expect(refusal(() => expand(top, {}, nest)).message).toContain('nested deeper than 5 levels');
    const shallow = f(`formula = "top"\n${steps('id = "a"\ntitle = "A"\nexpand = "e2"')}`);
    expect(expand(shallow, {}, nest).steps.map((s) => s.id)).toEqual(['a.n.n.n.n.n']);
    const bad = f(`formula = "top"\n${steps('id = "a"\ntitle = "A"\nexpand = "base"')}`);
    expect(refusal(() => expand(bad, {}, [CHAIN])).message).toContain('"base" is not an expansion formula');
  });
});
