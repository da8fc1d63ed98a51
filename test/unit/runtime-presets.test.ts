import { describe, expect, it } from 'vitest';
import { polecatCommand } from '../../src/domain/runtime-presets.ts';
import { commandLine, PRESETS, parserFor, presetFor, presetNames } from '../../src/domain/runtimes/index.ts';
import { useCommands } from './command-harness.ts';

/** The runtime presets as data: listed, refused by name, and how each starts its CLI. */
const rig = (runtime: string | null, command: string | null = null) => ({ name: 'alpha', runtime, command });

describe('runtime presets', () => {
  const { run, ok } = useCommands();

  it('lists at least the six the issue names, each with a parser, a prompt and a limit story', () => {
    expect(presetNames()).toEqual(['claude', 'codex', 'gemini', 'opencode', 'amp', 'cursor', 'copilot']);
    for (const p of PRESETS) {
      expect(presetFor(p.id)).toBe(p);
      const line = commandLine(p);
      // The prompt is read from its file at start: no bead text is ever spliced into the line.
      expect(line).toContain('$GT_PROMPT_FILE');
      expect(line).not.toMatch(/\{prompt(-file)?\}/);
      expect(p.limits.note.length).toBeGreaterThan(10);
      expect(parserFor(p.id)).not.toBeNull();
    }
    expect(presetFor('shell')).toBeNull();
  });

  it('starts each CLI headless in its machine-readable mode', () => {
    expect(polecatCommand(rig('claude'))).toBe(
      `claude -p "$(cat "$GT_PROMPT_FILE")" --output-format stream-json --verbose --dangerously-skip-permissions \${GT_BUDGET_USD:+--max-budget-usd "$GT_BUDGET_USD"}`,
    );
    // A runner relays what Claude would ask instead: never both.
    const relayed = polecatCommand(rig('claude'), "'--permission-prompt-tool' 'mcp__gt__approve'");
    expect(relayed).toBe(
      `claude -p "$(cat "$GT_PROMPT_FILE")" --output-format stream-json --verbose '--permission-prompt-tool' 'mcp__gt__approve' \${GT_BUDGET_USD:+--max-budget-usd "$GT_BUDGET_USD"}`,
    );
    expect(polecatCommand(rig('codex'), '--ignored')).not.toContain('--ignored');
    const codex = polecatCommand(rig('codex'));
    expect(codex).toMatch(/^codex exec --json --sandbox workspace-write /);
    expect(codex).not.toContain('--full-auto');
    expect(codex).toMatch(/ - < "\$GT_PROMPT_FILE"$/);
    expect(polecatCommand(rig('gemini'))).toContain('--output-format stream-json');
    expect(polecatCommand(rig('opencode'))).toContain('run --format json');
  });

  it('runs a --command rig’s own line, unparsed', () => {
    expect(polecatCommand(rig(null, 'my-agent --go'))).toBe('my-agent --go');
    expect(parserFor(null)).toBeNull();
    expect(parserFor('no-such-runtime')).toBeNull();
  });

  it('refuses a rig with no way to start a polecat, listing the presets', () => {
    expect(() => polecatCommand(rig(null))).toThrow(
      /re-add it with --runtime claude\|codex\|gemini\|opencode\|amp\|cursor\|copilot or --command/,
    );
    expect(() => polecatCommand(rig('shell'))).toThrow(/no runtime preset is called "shell"/);
  });

  it('gt rig add refuses an unknown runtime, listing the presets, and takes a known one', async () => {
    const reply = await run('gt rig add', { name: 'alpha', prefix: 'al', runtime: 'aider' });
    expect(reply).toMatchObject({
      ok: false,
      error: {
        code: 'unknown_runtime',
        message: expect.stringContaining('use --runtime claude|codex|gemini|opencode|amp|cursor|copilot'),
      },
    });
    expect(await ok('gt rig add', { name: 'beta', prefix: 'be', runtime: 'gemini' })).toMatchObject({
      runtime: 'gemini',
      command: null,
    });
    expect(await ok('gt rig add', { name: 'gamma', prefix: 'ga', command: 'aider --yes' })).toMatchObject({
      runtime: null,
      command: 'aider --yes',
    });
  });
});
