import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { HookPrompt } from '../domain/hook.ts';

/** The prompt file a polecat starts from (GT_PROMPT_FILE). */
export function promptText(beadId: string, p: HookPrompt): string {
  return [
    `# ${p.title}`,
    '',
    `Bead: ${beadId}`,
    `Branch: ${p.branch}`,
    ...(p.convoy_id ? [`Convoy: ${p.convoy_id}`] : []),
    '',
    p.description,
    ...(p.acceptance ? ['', '## Acceptance criteria', '', p.acceptance] : []),
    ...(p.rework
      ? [
          '',
          '## Rework: the merge queue sent this back',
          '',
          p.rework,
          '',
          'Rebase your branch onto the target (git rebase <target>), fix what is above, commit.',
        ]
      : []),
    '',
    'When finished: commit your work, then run `gt done` (or `gt done --status escalated` if you are stuck).',
    '',
  ].join('\n');
}

/**
 * Writes the prompt readable by its owner only: it holds the bead's text, which may be private,
 * and a polecat of another OS user has no business reading it (whatever the process umask).
 */
export function writePrompt(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  writeFileSync(path, text, { mode: 0o600 });
  chmodSync(path, 0o600); // a respawn rewrites an existing file, whose mode `mode` does not change
}
