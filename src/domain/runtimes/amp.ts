import { claudeStreamParser } from './claude-stream.ts';
import type { RuntimePreset } from './preset.ts';

/**
 * Amp in execute mode (`-x`), streaming Claude-shaped JSON lines (reference §1.5): tokens on
 * `assistant` and `result` lines, no cost field. `--dangerously-allow-all` as in Gas Town's preset.
 */
export const amp: RuntimePreset = {
  id: 'amp',
  title: 'Amp',
  template: 'amp -x {prompt} --stream-json --dangerously-allow-all',
  prompt: 'argument',
  parser: claudeStreamParser({ reportsCost: false }),
  limits: {
    kind: 'text',
    exitCodes: [],
    note: 'no documented limit signal; an error result whose text reads like a usage limit is taken as one',
  },
  reports: 'tokens',
};
