import type { AgentEvent } from '../agent-output.ts';
import { clip, type Json, str } from './fields.ts';
import { JsonLineParser, type LineReader } from './json-lines.ts';
import type { RuntimePreset } from './preset.ts';

/**
 * Cursor Agent `-p --output-format stream-json` (reference §1.6): a `result` line with
 * `is_error`, the final text and `session_id`. No tokens, no cost. On failure it prints its
 * message on stderr with no JSON result, so neither a limit nor a failure is read here: the exit
 * status says it.
 */
const NONE: AgentEvent[] = [];

const reader: LineReader = {
  json: (v: Json) => {
    if (v.type !== 'result') return NONE;
    const text = str(v.result);
    return [
      { kind: 'result', ok: v.is_error !== true, message: text && clip(text), session: str(v.session_id) },
    ];
  },
};

/** `--force` runs commands without asking, as in Gas Town's preset. */
export const cursor: RuntimePreset = {
  id: 'cursor',
  title: 'Cursor Agent',
  template: 'cursor-agent -p {prompt} --output-format stream-json --force',
  prompt: 'argument',
  parser: () => new JsonLineParser(reader),
  limits: { kind: 'none', exitCodes: [], note: 'nothing readable: a message on stderr and a non-zero exit' },
  reports: 'nothing',
};
