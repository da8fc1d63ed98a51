import { usageError } from './errors.ts';
import type { Rig } from './rig.ts';
import { commandLine, presetFor, presetNames } from './runtimes/index.ts';

/**
 * How a rig starts a polecat: its runtime preset's command line (domain/runtimes/), which reads
 * the prompt from the file named by GT_PROMPT_FILE, or the rig's own `--command` shell line.
 * `approvals`: the permission relay's flags, for a preset that can ask through it.
 */
export function polecatCommand(
  rig: Pick<Rig, 'name' | 'runtime' | 'command'>,
  approvals: string | null = null,
): string {
  if (rig.command) return rig.command;
  const preset = rig.runtime ? presetFor(rig.runtime) : null;
  if (preset) return commandLine(preset, approvals);
  throw usageError(
    'no_runtime',
    `rig ${rig.name} has no way to start a polecat${rig.runtime ? ` (no runtime preset is called ${JSON.stringify(rig.runtime)})` : ''}; re-add it with --runtime ${presetNames().join('|')} or --command "<shell command>"`,
  );
}
