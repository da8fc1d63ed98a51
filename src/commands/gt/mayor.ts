import { usageError } from '../../domain/errors.ts';
import {
  checkRuntime,
  DEFAULT_MAYOR_TIMEOUT_S,
  formatMayorConfig,
  MAYOR_BEAD,
  MAYOR_CONFIG_LABEL,
  type MayorConfig,
  mayorCommand,
  parseMayorConfig,
} from '../../domain/mayor-config.ts';
import { parseEnvNames } from '../../domain/polecat-env.ts';
import { list, optInt, optString } from '../args.ts';
import { defineCommand } from '../command.ts';

export interface MayorConfigView extends MayorConfig {
  /** The command line a planning round starts (null: not set up, `gt plan` is refused). */
  runs: string | null;
}

const view = (c: MayorConfig | null): MayorConfigView | null => c && { ...c, runs: mayorCommand(c) };

/**
 * `gt mayor config [--runtime claude|codex | --command CMD] [--env NAME]… [--timeout S]`: how the
 * town runs its Mayor. Without flags it shows the settings. Kept on the Mayor's agent bead.
 */
export const gtMayorConfig = defineCommand<MayorConfigView | null>({
  path: ['gt', 'mayor', 'config'],
  summary: 'How the town runs its Mayor: runtime or command, the variables it may see, its time limit',
  usage: 'gt mayor config [--runtime claude|codex | --command CMD] [--env NAME]… [--timeout SECONDS]',
  syntax: {
    positionals: [],
    flags: {
      runtime: { type: 'string', description: 'an agent runtime preset: claude or codex' },
      command: {
        type: 'string',
        description: 'any shell command line (the prompt file is in $GT_PROMPT_FILE)',
      },
      env: {
        type: 'string',
        list: true,
        description: 'a variable of the service’s environment the Mayor may see',
      },
      timeout: { type: 'string', description: 'seconds one planning round may take (default 1800)' },
    },
  },
  mutates: true,
  async run(args, ctx) {
    const ledger = ctx.services.ledger;
    const bead = await ledger.getBead(MAYOR_BEAD);
    const current = parseMayorConfig(bead);
    const runtime = optString(args, 'runtime');
    const command = optString(args, 'command');
    const env = list(args, 'env');
    const timeout = optInt(args, 'timeout', 10, 86_400);
    if (runtime === undefined && command === undefined && env.length === 0 && timeout === undefined)
      return { data: view(current) };
    if (runtime !== undefined && command !== undefined)
      throw usageError('runtime_and_command', 'give either --runtime or --command, not both');
    if (command !== undefined && (command.trim() === '' || /[\r\n]/.test(command)))
      throw usageError(
        'invalid_command',
        'use one line of shell for --command, e.g. --command "my-agent --prompt-file $GT_PROMPT_FILE"',
      );
    const next: MayorConfig = {
      runtime:
        command !== undefined
          ? null
          : runtime !== undefined
            ? checkRuntime(runtime)
            : (current?.runtime ?? null),
      command: runtime !== undefined ? null : (command?.trim() ?? current?.command ?? null),
      env: env.length ? parseEnvNames(env) : (current?.env ?? []),
      timeoutS: timeout ?? current?.timeoutS ?? DEFAULT_MAYOR_TIMEOUT_S,
    };
    const description = formatMayorConfig(next);
    const write = ctx.write();
    if (bead) await ledger.updateBead(MAYOR_BEAD, { description }, write);
    else
      await ledger.createBead(
        {
          id: MAYOR_BEAD,
          title: 'Mayor',
          description,
          issue_type: 'task',
          status: 'pinned',
          labels: [MAYOR_CONFIG_LABEL],
          rig: null,
        },
        write,
      );
    return { data: view(next) };
  },
  text: (c) =>
    c
      ? [
          `runtime: ${c.runtime ?? '-'}`,
          `command: ${c.command ?? '-'}`,
          `env: ${c.env.join(' ') || '-'}`,
          `timeout: ${c.timeoutS}s`,
          `runs: ${c.runs ?? '(nothing: set --runtime or --command)'}`,
        ].join('\n')
      : 'No Mayor set up: gt mayor config --runtime claude|codex (or --command "<shell command>")',
});
