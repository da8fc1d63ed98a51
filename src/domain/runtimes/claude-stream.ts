import type { AgentEvent, Usage } from '../agent-output.ts';
import { ZERO_USAGE } from '../agent-output.ts';
import { clip, count, dollars, firstText, isEmpty, type Json, obj, str } from './fields.ts';
import { JsonLineParser, type LineReader } from './json-lines.ts';
import { limitFromText, resetFromText } from './limit-text.ts';
import type { ParserOptions } from './preset.ts';
import { epochToIso } from './reset-time.ts';

/**
 * Claude Code's `--output-format stream-json` (reference §1.1), and Amp's `--stream-json`, which
 * mirrors its shapes without the cost fields (§1.5).
 *
 * Accounting. Usage is read from `result` lines only, as the session's running totals
 * (`cumulative`): `modelUsage` (subagents and compaction included: the types call it the correct
 * field) and `total_cost_usd`, the CLI's own dollars. The ledger books the difference from the
 * session's last totals, so a resumed session — whose first result already includes its earlier
 * runs — is counted once. `assistant` lines carry each API call's usage, but not dollars, and
 * several lines of one call repeat growing figures: reporting their sum as the stream goes would
 * have the ledger price the session from its table instead of booking the CLI's own figure, so
 * they are not reported. A run that ends without a result has spent an unknown amount, not 0.
 */
export interface ClaudeFlavour {
  /** Claude Code reports dollars; Amp does not. */
  reportsCost: boolean;
}

const NONE: AgentEvent[] = [];

/** Tokens of a Messages-API `usage` object. */
const usageOf = (u: Json, model: string | null): Usage => ({
  input_tokens: count(u.input_tokens),
  output_tokens: count(u.output_tokens),
  cache_read_tokens: count(u.cache_read_input_tokens),
  cache_write_tokens: count(u.cache_creation_input_tokens),
  model,
  cost_usd: null,
});

class ClaudeStreamReader implements LineReader {
  private readonly options: ParserOptions;
  private readonly flavour: ClaudeFlavour;
  private session: string | null = null;
  private model: string | null = null;

  constructor(options: ParserOptions, flavour: ClaudeFlavour) {
    this.options = options;
    this.flavour = flavour;
  }

  json(v: Json): AgentEvent[] {
    this.session = str(v.session_id) ?? this.session;
    switch (v.type) {
      case 'system':
        if (v.subtype === 'init') this.model = str(v.model) ?? this.model;
        return NONE; // api_retry is a transient 429/529 the CLI retries itself: not a limit
      case 'assistant':
        return this.assistant(v);
      case 'rate_limit_event':
        return this.rateLimit(obj(v.rate_limit_info));
      case 'result':
        return this.result(v);
      default:
        return NONE;
    }
  }

  private now(): Date | null {
    return this.options.now?.() ?? null;
  }

  /** An API error of category `rate_limit` (the synthetic message a hit limit prints). */
  private assistant(v: Json): AgentEvent[] {
    if (v.error !== 'rate_limit') return NONE;
    const text = firstText(obj(v.message)?.content) ?? 'rate limit';
    return [limitFromText(text, this.now()) ?? this.limit(resetFromText(text, this.now()), text)];
  }

  private rateLimit(info: Json | null): AgentEvent[] {
    // `allowed_warning` is a warning near the limit, not the limit.
    if (info?.status !== 'rejected') return NONE;
    const window = str(info.rateLimitType);
    return [this.limit(epochToIso(info.resetsAt), `usage limit reached${window ? ` (${window})` : ''}`)];
  }

  private result(v: Json): AgentEvent[] {
    const events: AgentEvent[] = [];
    const totals = this.totals(v);
    // A startup failure's zeroed result spent nothing.
    if (totals && !isEmpty(totals))
      events.push({ kind: 'usage', usage: totals, cumulative: true, session: this.session });
    const text = str(v.result) ?? str(v.error) ?? (Array.isArray(v.errors) ? str(v.errors[0]) : null);
    const limit =
      v.api_error_status === 429
        ? (limitFromText(text, this.now()) ??
          this.limit(text ? resetFromText(text, this.now()) : null, text ?? 'HTTP 429'))
        : v.is_error === true
          ? limitFromText(text, this.now())
          : null;
    if (limit) events.push(limit);
    const ok = v.is_error !== true && (v.subtype === undefined || v.subtype === 'success');
    const why = str(v.terminal_reason) ?? str(v.subtype);
    events.push({
      kind: 'result',
      ok,
      message: text ? clip(text) : ok ? null : why,
      session: this.session,
    });
    return events;
  }

  /** The session's totals as the result states them: `modelUsage` first, else `usage`. */
  private totals(v: Json): Usage | null {
    const cost = this.flavour.reportsCost ? dollars(v.total_cost_usd) : null;
    const byModel = Object.entries(obj(v.modelUsage) ?? {}).flatMap(([model, u]) => {
      const o = obj(u);
      return o ? [{ model, o }] : [];
    });
    if (byModel.length > 0) {
      const sum = { ...ZERO_USAGE, model: this.mainModel(byModel), cost_usd: cost };
      let perModelCost: number | null = 0;
      for (const { o } of byModel) {
        sum.input_tokens += count(o.inputTokens);
        sum.output_tokens += count(o.outputTokens);
        sum.cache_read_tokens += count(o.cacheReadInputTokens);
        sum.cache_write_tokens += count(o.cacheCreationInputTokens);
        const c = dollars(o.costUSD);
        perModelCost = perModelCost === null || c === null ? null : perModelCost + c;
      }
      if (sum.cost_usd === null && this.flavour.reportsCost) sum.cost_usd = perModelCost;
      return sum;
    }
    const usage = obj(v.usage);
    if (usage) return { ...usageOf(usage, this.model), cost_usd: cost };
    return cost === null ? null : { ...ZERO_USAGE, model: this.model, cost_usd: cost };
  }

  /** One model names the totals: the session's own when it is there, else the busiest. */
  private mainModel(byModel: ReadonlyArray<{ model: string; o: Json }>): string | null {
    if (this.model && byModel.some((b) => b.model === this.model)) return this.model;
    const busiest = [...byModel].sort((a, b) => count(b.o.outputTokens) - count(a.o.outputTokens))[0];
    return busiest?.model ?? this.model;
  }

  private limit(reset_at: string | null, message: string): AgentEvent {
    return { kind: 'limit', reset_at, message: clip(message) };
  }
}

export const claudeStreamParser =
  (flavour: ClaudeFlavour) =>
  (options: ParserOptions): JsonLineParser =>
    new JsonLineParser(new ClaudeStreamReader(options, flavour));
