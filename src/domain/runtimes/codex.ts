import type { AgentEvent } from '../agent-output.ts';
import { clip, count, type Json, obj, str } from './fields.ts';
import { JsonLineParser, type LineReader } from './json-lines.ts';
import { limitFromText } from './limit-text.ts';
import type { ParserOptions, RuntimePreset } from './preset.ts';

/**
 * Codex `exec --json` (reference §1.2; `codex-rs/exec/src/exec_events.rs`). `turn.completed`
 * carries the thread's running totals (the JSONL writer reports `total_token_usage`), so usage is
 * cumulative per thread; `cached_input_tokens` is part of `input_tokens` and is split off here
 * (our input count is the uncached part, as Anthropic's). No model name, no cost: priced from the
 * table only if a later version names the model. A usage limit is English text on an `error` line
 * and on `turn.failed`, exit 1.
 */
const NONE: AgentEvent[] = [];

class CodexReader implements LineReader {
  private readonly options: ParserOptions;
  private thread: string | null = null;
  private lastMessage: string | null = null;

  constructor(options: ParserOptions) {
    this.options = options;
  }

  json(v: Json): AgentEvent[] {
    switch (v.type) {
      case 'thread.started':
        this.thread = str(v.thread_id) ?? this.thread;
        return NONE;
      case 'item.completed':
        this.remember(obj(v.item));
        return NONE;
      case 'turn.completed':
        return this.completed(obj(v.usage));
      case 'turn.failed':
        return this.failed(str(obj(v.error)?.message));
      case 'error':
        // Also "Reconnecting… 2/5" and other passing trouble: only a limit is worth an event.
        return this.limit(str(v.message));
      default:
        return NONE;
    }
  }

  private remember(item: Json | null): void {
    if (item?.type === 'agent_message') this.lastMessage = str(item.text) ?? this.lastMessage;
  }

  private completed(u: Json | null): AgentEvent[] {
    const result: AgentEvent = {
      kind: 'result',
      ok: true,
      message: this.lastMessage ? clip(this.lastMessage) : null,
      session: this.thread,
    };
    if (!u) return [result];
    const input = count(u.input_tokens);
    const cached = Math.min(count(u.cached_input_tokens), input);
    const usage = {
      input_tokens: input - cached,
      output_tokens: count(u.output_tokens),
      cache_read_tokens: cached,
      cache_write_tokens: 0,
      model: str(u.model),
      cost_usd: null,
    };
    return [{ kind: 'usage', usage, cumulative: true, session: this.thread }, result];
  }

  private failed(message: string | null): AgentEvent[] {
    return [
      ...this.limit(message),
      { kind: 'result', ok: false, message: message && clip(message), session: this.thread },
    ];
  }

  private limit(message: string | null): AgentEvent[] {
    const limit = limitFromText(message, this.options.now?.() ?? null);
    return limit ? [limit] : NONE;
  }
}

/**
 * Headless with a sandbox that may write the worktree only, plus the two things a polecat needs
 * beyond it: the network (`gt` reaches NATS) and the repository's git directory, which a
 * worktree's commits write to and which lies outside it (`--add-dir`). The prompt comes on stdin
 * (`-`): no argument length limit. `--full-auto` is deprecated and would override `--sandbox`.
 */
export const codex: RuntimePreset = {
  id: 'codex',
  title: 'OpenAI Codex CLI',
  template:
    'codex exec --json --sandbox workspace-write -c sandbox_workspace_write.network_access=true --add-dir "$(git rev-parse --path-format=absolute --git-common-dir)" - < {prompt-file}',
  prompt: 'stdin',
  parser: (options) => new JsonLineParser(new CodexReader(options)),
  limits: {
    kind: 'text',
    exitCodes: [],
    note: 'an `error` line and `turn.failed` saying "You\'ve hit your usage limit … try again at 3:28 PM" (or "in 3 days 6 hours", "Aug 18"), exit 1',
  },
  reports: 'tokens',
};
