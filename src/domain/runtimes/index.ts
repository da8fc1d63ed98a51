import type { OutputParser } from '../agent-output.ts';
import { amp } from './amp.ts';
import { claude } from './claude.ts';
import { codex } from './codex.ts';
import { copilot } from './copilot.ts';
import { cursor } from './cursor.ts';
import { gemini } from './gemini.ts';
import type { LimitEvent } from './limit-text.ts';
import { opencode } from './opencode.ts';
import type { ParserOptions, RuntimePreset } from './preset.ts';

/**
 * The runtime presets a rig may name (`gt rig add --runtime <id>`), in the order they are
 * listed. Anything else runs with `--command`, unparsed.
 */
export const PRESETS: readonly RuntimePreset[] = [claude, codex, gemini, opencode, amp, cursor, copilot];

const BY_ID = new Map(PRESETS.map((p) => [p.id, p]));

export const presetNames = (): string[] => PRESETS.map((p) => p.id);

export const presetFor = (name: string): RuntimePreset | null => BY_ID.get(name) ?? null;

/**
 * A fresh parser for one process of a rig's runtime; null for a `--command` rig (or a runtime no
 * longer known): its output is logged, not read.
 */
export function parserFor(runtime: string | null, options: ParserOptions = {}): OutputParser | null {
  const preset = runtime === null ? null : presetFor(runtime);
  return preset ? preset.parser(options) : null;
}

/**
 * The limit an exit status alone says (Gemini's quota exit), for a run whose output reported
 * none; null when the status means nothing of the kind.
 */
export function limitFromExit(runtime: string | null, code: number | null): LimitEvent | null {
  const preset = runtime === null ? null : presetFor(runtime);
  if (!preset || code === null || !preset.limits.exitCodes.includes(code)) return null;
  return { kind: 'limit', reset_at: null, message: `${preset.title} exited ${code}: its usage limit` };
}

export { commandLine, type ParserOptions, type RuntimePreset } from './preset.ts';
