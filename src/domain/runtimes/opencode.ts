import type { AgentEvent } from '../agent-output.ts';
import { clip, count, dollars, type Json, obj, str } from './fields.ts';
import { JsonLineParser, type LineReader } from './json-lines.ts';
import { limitFromText } from './limit-text.ts';
import type { ParserOptions, RuntimePreset } from './preset.ts';

/**
 * OpenCode `run --format json` (reference §1.4; `packages/opencode/src/cli/cmd/run.ts`). Each
 * `step_finish` carries that step's tokens and its cost in dollars (priced by OpenCode from the
 * models.dev catalog): one usage event per step, added up by the reader. Reasoning tokens bill
 * as output and are counted there. The run ends with `done`; an `error` line before it makes the
 * run a failure (the CLI exits 1), and a limit when its message reads like one.
 */
const NONE: AgentEvent[] = [];

class OpenCodeReader implements LineReader {
  private readonly options: ParserOptions;
  private session: string | null = null;
  private error: string | null = null;

  constructor(options: ParserOptions) {
    this.options = options;
  }

  json(v: Json): AgentEvent[] {
    this.session = str(v.sessionID) ?? this.session;
    switch (v.type) {
      case 'step_finish':
        return this.step(obj(v.part));
      case 'error':
        return this.failed(obj(v.error));
      case 'done':
        return [{ kind: 'result', ok: this.error === null, message: this.error, session: this.session }];
      default:
        return NONE;
    }
  }

  private step(part: Json | null): AgentEvent[] {
    const tokens = obj(part?.tokens);
    if (!part || !tokens) return NONE;
    const cache = obj(tokens.cache);
    const usage = {
      input_tokens: count(tokens.input),
      output_tokens: count(tokens.output) + count(tokens.reasoning),
      cache_read_tokens: count(cache?.read),
      cache_write_tokens: count(cache?.write),
      model: str(part.modelID) ?? str(part.model),
      cost_usd: dollars(part.cost),
    };
    return [{ kind: 'usage', usage, cumulative: false, session: this.session }];
  }

  private failed(error: Json | null): AgentEvent[] {
    const message = str(obj(error?.data)?.message) ?? str(error?.message) ?? str(error?.name) ?? 'error';
    this.error = clip(message);
    const limit = limitFromText(message, this.options.now?.() ?? null);
    return limit ? [limit] : NONE;
  }
}

/** Every permission allowed by configuration, as Gas Town's preset does (`run` rejects asks otherwise). */
export const opencode: RuntimePreset = {
  id: 'opencode',
  title: 'OpenCode',
  template: `OPENCODE_PERMISSION='{"*":"allow"}' opencode run --format json {prompt}`,
  prompt: 'argument',
  parser: (options) => new JsonLineParser(new OpenCodeReader(options)),
  limits: {
    kind: 'text',
    exitCodes: [],
    note: 'an `error` line whose message reads like a provider rate limit or quota; exit 1',
  },
  reports: 'cost',
};
