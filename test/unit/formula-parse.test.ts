import { describe, expect, it } from 'vitest';
import { FormulaError, parseFormula } from '../../src/domain/formula/index.ts';

/** Loading: syntax errors with positions, unknown/unsupported keys, and the §2.4 validation. */
const load = (text: string, file = 't.formula.toml', lenient = false) =>
  parseFormula(text, file, { lenient });
const refusal = (text: string, file = 't.formula.toml') => {
  try {
    load(text, file);
  } catch (err) {
    expect(err).toBeInstanceOf(FormulaError);
    return err as FormulaError;
  }
  throw new Error('expected a FormulaError');
};
const steps = (...s: string[]) => s.map((x) => `[[steps]]\n${x}\n`).join('');

describe('parseFormula: syntax', () => {
  it('reports malformed TOML with line and column', () => {
    const e = refusal('formula = "x"\nbad = [1,\n');
    expect(e.code).toBe('formula_syntax');
    expect(e.message).toMatch(
      /t\.formula\.toml:3:1: malformed TOML: .*fix the TOML syntax at line 3, column 1/,
    );
  });
  it('reports malformed JSON with line and column', () => {
    const e = refusal('{\n "formula": "x",\n}', 'x.formula.json');
    expect(e.message).toMatch(/x\.formula\.json:3:1: malformed JSON/);
    expect(e.details).toEqual({ line: 3, column: 1 });
  });
  it('parses JSON and TOML to the same formula', () => {
    const toml = load('formula = "x"\n[[steps]]\nid = "a"\ntitle = "A"\ndepends_on = []\n').formula;
    const json = load('{"formula":"x","steps":[{"id":"a","title":"A"}]}', 'x.formula.json').formula;
    expect({ ...json, fileName: '' }).toEqual({ ...toml, fileName: '' });
  });
  it('accepts single-quoted and multi-line strings', () => {
    const f = load(`formula = 'x'\n${steps('id = "a"\ntitle = """multi\nline"""')}`).formula;
    expect(f.steps[0]?.title).toBe('multi\nline');
  });
});

describe('parseFormula: keys', () => {
  it('warns about unknown top-level and step keys by path (§8 #33)', () => {
    const { warnings } = load(
      `formula = "x"\ntarget_required = true\n[presets]\na = 1\n${steps('id = "a"\ntitle = "A"\ndependson = ["b"]')}`,
    );
    expect(warnings).toEqual([
      'ignored unknown keys: target_required, presets',
      'ignored unknown keys: steps[0].dependson',
    ]);
  });
  it.each([
    ['advice', 'formula = "x"\n[advice]\n'],
    ['requires', 'formula = "x"\n[requires]\nformula_compiler = ">=2"\n'],
    ['legs', 'formula = "x"\n[[legs]]\nid = "a"\n'],
    [
      'steps[0].on_complete',
      `formula = "x"\n${steps('id = "a"\ntitle = "A"\n[steps.on_complete]\nbond = "y"')}`,
    ],
    ['steps[0].retry', `formula = "x"\n${steps('id = "a"\ntitle = "A"\n[steps.retry]\nmax = 2')}`],
    ['compose.map', 'formula = "x"\n[[compose.map]]\nselect = "*"\n'],
    [
      'steps[0].loop.until',
      `formula = "x"\n${steps('id = "a"\ntitle = "A"\n[steps.loop]\nuntil = "done"\nmax = 3')}`,
    ],
    ['type = "convoy"', 'formula = "x"\ntype = "convoy"\n'],
  ])('refuses %s as not supported', (key, text) => {
    const e = refusal(text);
    expect(e.code).toBe('formula_not_supported');
    expect(e.message).toContain(`not supported: ${key}`);
  });
  it('merges labels and tags (§8 #34), needs and depends_on', () => {
    const f = load(
      `formula = "x"\n${steps('id = "a"\ntitle = "A"', 'id = "b"\ntitle = "B"\nlabels = ["l"]\ntags = ["t"]\nneeds = ["a"]\ndepends_on = ["a"]')}`,
    ).formula;
    expect(f.steps[1]).toMatchObject({ labels: ['l', 't'], needs: ['a'], priority: 2, type: 'task' });
  });
  it('turns type = "human" into a human gate and keeps other unknown types as a label', () => {
    const f = load(
      `formula = "x"\n${steps('id = "a"\ntitle = "A"\ntype = "human"', 'id = "b"\ntitle = "B"\ntype = "parallel"')}`,
    ).formula;
    expect(f.steps[0]).toMatchObject({ type: 'task', gate: { type: 'human' } });
    expect(f.steps[1]).toMatchObject({ type: 'task', labels: ['formula-type:parallel'] });
    expect(f.steps[1]?.gate).toBeUndefined();
  });
  it('reads gates: human with timeout, timer; refuses other kinds and bad durations (§8 #24)', () => {
    const f = load(
      `formula = "x"\n${steps('id = "a"\ntitle = "A"\ngate = { type = "timer", timeout = "1h30m" }')}`,
    ).formula;
    expect(f.steps[0]?.gate).toEqual({ type: 'timer', timeout: '1h30m', timeoutMs: 5_400_000 });
    const gh = refusal(`formula = "x"\n${steps('id = "a"\ntitle = "A"\n[steps.gate]\ntype = "gh:run"')}`);
    expect(gh.message).toContain('not supported: gate type "gh:run"');
    expect(gh.message).toContain('supported gate types: human, timer');
    const soon = refusal(
      `formula = "x"\n${steps('id = "a"\ntitle = "A"\n[steps.gate]\ntype = "human"\ntimeout = "soon"')}`,
    );
    expect(soon.code).toBe('formula_gate_timeout');
    expect(
      refusal(`formula = "x"\n${steps('id = "a"\ntitle = "A"\n[steps.gate]\ntype = "timer"')}`).message,
    ).toContain('needs timeout');
  });
  it('reads both var forms', () => {
    const f = load(
      'formula = "x"\n[vars]\nenv = "staging"\n[vars.feature]\ndescription = "d"\nrequired = true\nenum = ["a"]\npattern = "a+"\n',
    ).formula;
    expect(f.vars).toEqual([
      { name: 'env', default: 'staging', required: false },
      { name: 'feature', description: 'd', required: true, enum: ['a'], pattern: 'a+' },
    ]);
  });
});

describe('parseFormula: validation (§2.4)', () => {
  it('requires the formula name', () => {
    expect(refusal(steps('id = "a"\ntitle = "A"')).code).toBe('formula_name');
  });
  it('requires step ids', () => {
    expect(refusal(`formula = "x"\n${steps('title = "A"')}`).message).toContain('steps[0] has no id');
  });
  it('refuses duplicate ids, including a child reusing a top-level id (§8 #9)', () => {
    const e = refusal(
      `formula = "x"\n${steps('id = "a"\ntitle = "A"', 'id = "b"\ntitle = "B"\n[[steps.children]]\nid = "a"\ntitle = "again"')}`,
    );
    expect(e.message).toContain('duplicate id "a" at steps[1].children[0] (first defined at steps[0])');
  });
  it('refuses needs naming an unknown step (§8 #10) but accepts forward references (§8 #37)', () => {
    const e = refusal(`formula = "x"\n${steps('id = "a"\ntitle = "A"\nneeds = ["nope"]')}`);
    expect(e.message).toContain('step "a" (steps[0]): needs references unknown step "nope"');
    expect(() =>
      load(`formula = "x"\n${steps('id = "a"\ntitle = "A"\nneeds = ["b"]', 'id = "b"\ntitle = "B"')}`),
    ).not.toThrow();
  });
  it('refuses cycles in needs with the path (§8 #11)', () => {
    const ab = refusal(
      `formula = "x"\n${steps('id = "a"\ntitle = "A"\nneeds = ["b"]', 'id = "b"\ntitle = "B"\nneeds = ["a"]')}`,
    );
    expect(ab.message).toContain('cycle in needs: a -> b -> a');
    expect(refusal(`formula = "x"\n${steps('id = "a"\ntitle = "A"\nneeds = ["a"]')}`).message).toContain(
      'cycle in needs: a -> a',
    );
  });
  it('refuses priority outside 0–4', () => {
    expect(refusal(`formula = "x"\n${steps('id = "a"\ntitle = "A"\npriority = 5')}`).code).toBe(
      'formula_priority',
    );
    expect(() => load(`formula = "x"\n${steps('id = "a"\ntitle = "A"\npriority = 0')}`)).not.toThrow();
  });
  it('refuses required + default, or warns in lenient mode (§8 #8, #31)', () => {
    const text = 'formula = "x"\n[vars.v]\nrequired = true\ndefault = "d"\n[squash]\ntrigger = "x"\n';
    expect(refusal(text).message).toContain('vars.v: required = true together with a default');
    const { formula, warnings } = load(text, 't.formula.toml', true);
    expect(formula.vars[0]).toEqual({ name: 'v', default: 'd', required: false });
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toContain('squash');
    expect(warnings[1]).toContain('lenient');
  });
  it('gives specific loop errors (§8 #18)', () => {
    const loop = (body: string) =>
      refusal(`formula = "x"\n${steps(`id = "L"\ntitle = "L"\n[steps.loop]\n${body}`)}`).message;
    expect(loop('count = 2\nrange = "1..2"\n[[steps.loop.body]]\nid = "x"\ntitle = "X"')).toContain(
      'exactly one of count or range',
    );
    expect(loop('count = 2')).toContain('body is empty');
    expect(loop('count = -1\n[[steps.loop.body]]\nid = "x"\ntitle = "X"')).toContain('must not be negative');
  });
});
