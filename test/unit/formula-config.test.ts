import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expandFormula, parseFormula } from '../../src/domain/formula/index.ts';

/** Every formula we ship parses without warnings and expands with its defaults alone. */
const dir = join(import.meta.dirname, '../../config/formulas');
const files = readdirSync(dir).filter((f) => /\.formula\.(toml|json)$/.test(f));

describe('config/formulas', () => {
  it('ships at least the three project formulas', () => {
    expect(files.sort()).toEqual(['bug-triage.formula.toml', 'feature.formula.toml', 'release.formula.toml']);
  });
  it.each(files)('%s parses and expands with defaults', (file) => {
    const { formula, warnings } = parseFormula(readFileSync(join(dir, file), 'utf8'), file);
    expect(warnings).toEqual([]);
    expect(`${formula.name}.formula.toml`).toBe(file);
    const x = expandFormula(formula, {}, { maxSteps: 2000 });
    expect(x.steps.length).toBeGreaterThan(2);
    for (const s of x.steps) expect(`${s.title} ${s.description}`).not.toMatch(/\{\{/);
  });
  it('feature puts a human gate before implement', () => {
    const { formula } = parseFormula(
      readFileSync(join(dir, 'feature.formula.toml'), 'utf8'),
      'feature.formula.toml',
    );
    const x = expandFormula(formula, { feature: 'login', docs: 'no' }, { maxSteps: 2000 });
    expect(x.steps.map((s) => s.id)).toEqual(['design', 'approve-design', 'implement', 'test']);
    expect(x.steps[1]?.gate).toEqual({ type: 'human' });
    expect(x.steps[2]?.needs).toEqual(['approve-design']);
  });
});
