/** The pure formula loader: parse a file's text, then expand it with `--var`s. */
export { MAX_EXPANSION_DEPTH } from './compose.ts';
export { FormulaError } from './errors.ts';
export { type ExpandOptions, expandFormula } from './expand.ts';
export type { FormulaResolver } from './extends.ts';
export { type ParseOptions, parseFormula } from './parse.ts';
export type * from './types.ts';
