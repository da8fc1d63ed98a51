import { usageError } from './errors.ts';
import type { Rig } from './rig.ts';

/**
 * How a rig starts a polecat. A preset only shapes the command line and how the prompt is passed
 * (the prompt file's path is in GT_PROMPT_FILE); `--command` runs any shell command line.
 */
const PRESETS: Record<string, string> = {
  claude: 'claude --dangerously-skip-permissions -p "$(cat "$GT_PROMPT_FILE")"',
  codex: 'codex exec --full-auto "$(cat "$GT_PROMPT_FILE")"',
};

export function polecatCommand(rig: Pick<Rig, 'name' | 'runtime' | 'command'>): string {
  if (rig.command) return rig.command;
  const preset = rig.runtime ? PRESETS[rig.runtime] : undefined;
  if (preset) return preset;
  throw usageError(
    'no_runtime',
    `rig ${rig.name} has no way to start a polecat; re-add it with --runtime claude|codex or --command "<shell command>"`,
  );
}
