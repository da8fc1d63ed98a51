import type { AgentEvent } from '../agent-output.ts';
import { clip, type Json, obj, str } from './fields.ts';
import { JsonLineParser, type LineReader } from './json-lines.ts';
import { limitFromText } from './limit-text.ts';
import type { ParserOptions, RuntimePreset } from './preset.ts';

/**
 * GitHub Copilot CLI `-p … --output-format json` (reference §1.7). Its terminal `result` event's
 * `usage` holds premium requests and durations only (copilot-cli#4107): no tokens, no dollars,
 * so nothing is reported as usage. Limits are English ("402 You have no quota", "Sorry, you've
 * hit a rate limit … Please try again in 2 hours."), on an error event or as a plain line.
 */
class CopilotReader implements LineReader {
  private readonly options: ParserOptions;
  private session: string | null = null;

  constructor(options: ParserOptions) {
    this.options = options;
  }

  json(v: Json): AgentEvent[] {
    this.session = str(v.sessionId) ?? str(v.session_id) ?? this.session;
    const type = str(v.type) ?? '';
    if (type === 'result') return [this.result(v)];
    if (!type.includes('error')) return [];
    return this.limit(str(v.message) ?? str(obj(v.error)?.message) ?? str(obj(v.data)?.message));
  }

  text(line: string): AgentEvent[] | null {
    const limit = this.limit(line);
    return limit.length > 0 ? limit : null;
  }

  private result(v: Json): AgentEvent {
    const failed =
      v.is_error === true || v.status === 'error' || (typeof v.exitCode === 'number' && v.exitCode !== 0);
    const text = str(v.result) ?? str(v.message) ?? str(obj(v.error)?.message);
    return { kind: 'result', ok: !failed, message: text && clip(text), session: this.session };
  }

  private limit(message: string | null): AgentEvent[] {
    const limit = limitFromText(message, this.options.now?.() ?? null);
    return limit ? [limit] : [];
  }
}

/**
 * `--allow-all` approves every tool, `--no-ask-user` keeps it from waiting on a question, `-s`
 * drops the usage footer from the text stream.
 */
export const copilot: RuntimePreset = {
  id: 'copilot',
  title: 'GitHub Copilot CLI',
  template: 'copilot -p {prompt} --allow-all --no-ask-user -s --output-format json',
  prompt: 'argument',
  parser: (options) => new JsonLineParser(new CopilotReader(options)),
  limits: {
    kind: 'text',
    exitCodes: [],
    note: '"402 You have no quota" (no reset) or "you\'ve hit a rate limit … try again in 2 hours"; exit 1',
  },
  reports: 'nothing',
};
