import type { AgentEvent, Usage } from '../agent-output.ts';
import { clip, count, type Json, obj, str } from './fields.ts';
import { JsonLineParser, type LineReader } from './json-lines.ts';
import { isLimitText, limitFromText } from './limit-text.ts';
import type { ParserOptions, RuntimePreset } from './preset.ts';

/**
 * Gemini CLI `--output-format stream-json` (reference §1.3): `init{session_id, model}`, then the
 * run's stats on its `result` line, per model. Those are this run's figures (not running totals):
 * one usage event per model, added up by the reader. `input` is the uncached part of the prompt
 * and `cached` the rest. No cost anywhere. A quota error is the result's `error.type`
 * (`TerminalQuotaError`, `RetryableQuotaError`) with no reset time.
 */
const NONE: AgentEvent[] = [];
const QUOTA_ERRORS = new Set(['TerminalQuotaError', 'RetryableQuotaError']);

function statsUsage(s: Json, model: string | null): Usage {
  const cached = count(s.cached);
  const prompt = count(s.input_tokens);
  return {
    input_tokens: s.input !== undefined ? count(s.input) : Math.max(0, prompt - cached),
    output_tokens: count(s.output_tokens),
    cache_read_tokens: cached,
    cache_write_tokens: 0,
    model,
    cost_usd: null,
  };
}

class GeminiReader implements LineReader {
  private readonly options: ParserOptions;
  private session: string | null = null;
  private model: string | null = null;
  private limited = false;

  constructor(options: ParserOptions) {
    this.options = options;
  }

  json(v: Json): AgentEvent[] {
    this.session = str(v.session_id) ?? this.session;
    switch (v.type) {
      case 'init':
        this.model = str(v.model) ?? this.model;
        return NONE;
      case 'error':
        return this.limit(null, str(v.message));
      case 'result':
        return this.result(v);
      default:
        return NONE;
    }
  }

  private result(v: Json): AgentEvent[] {
    const events: AgentEvent[] = [...this.usage(obj(v.stats))];
    const error = obj(v.error);
    const message = str(error?.message);
    events.push(...this.limit(str(error?.type), message));
    const ok = v.status === 'success';
    events.push({ kind: 'result', ok, message: message && clip(message), session: this.session });
    return events;
  }

  private usage(stats: Json | null): AgentEvent[] {
    if (!stats) return NONE;
    const models = Object.entries(obj(stats.models) ?? {}).flatMap(([m, s]) => {
      const o = obj(s);
      return o ? [statsUsage(o, m)] : [];
    });
    const all = models.length > 0 ? models : [statsUsage(stats, this.model)];
    return all
      .filter((u) => u.input_tokens + u.output_tokens + u.cache_read_tokens > 0)
      .map((usage) => ({ kind: 'usage', usage, cumulative: false, session: this.session }));
  }

  /** One limit per run: the `error` line and the result usually both say it. */
  private limit(type: string | null, message: string | null): AgentEvent[] {
    if (this.limited) return NONE;
    const quota = type !== null && QUOTA_ERRORS.has(type);
    if (!quota && !(message && isLimitText(message))) return NONE;
    this.limited = true;
    const text = message ?? type ?? 'quota exhausted';
    return [
      limitFromText(text, this.options.now?.() ?? null) ?? {
        kind: 'limit',
        reset_at: null,
        message: clip(text),
      },
    ];
  }
}

/** Headless, tools approved without asking (`--yolo` is deprecated). */
export const gemini: RuntimePreset = {
  id: 'gemini',
  title: 'Gemini CLI',
  template: 'gemini -p {prompt} --output-format stream-json --approval-mode yolo',
  prompt: 'argument',
  parser: (options) => new JsonLineParser(new GeminiReader(options)),
  limits: {
    kind: 'structured',
    // process.exit(429) is 173 (429 mod 256) by our reading of the code: unverified.
    exitCodes: [173],
    note: 'the result\'s `error.type` `TerminalQuotaError` / `RetryableQuotaError` ("You have exhausted your daily quota on this model."), no reset time; exit 173 (derived, unverified) or 1',
  },
  reports: 'tokens',
};
