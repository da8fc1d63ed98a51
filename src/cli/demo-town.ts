import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PRIVATE_DIR_MODE } from '../app/private-home.ts';
import type { ApiSession } from './api-session.ts';

/**
 * What `gt demo` puts in a town: two rigs backed by git repositories under $GT_HOME/demo, a
 * polecat script for the `shell` runtime that makes a real commit and calls `gt done`, and a
 * convoy whose beads form a dependency chain with a fan-out across both rigs:
 *
 *   wave 1   api: data model
 *   wave 2   api: endpoints · api: migrations · web: mock server      (fan-out across rigs)
 *   wave 3   web: API client            (needs the endpoints)
 *   wave 4   web: list page             (needs the client)
 *   wave 5   web: end-to-end test       (needs the page and the migrations)
 */
export const DEMO_RIGS = [
  { name: 'demo-api', prefix: 'api', repo: 'api' },
  { name: 'demo-web', prefix: 'web', repo: 'web' },
] as const;

type PlannedBead = {
  key: string;
  rig: 'demo-api' | 'demo-web';
  title: string;
  after: string[];
  label?: string;
};
const PLAN: PlannedBead[] = [
  { key: 'model', rig: 'demo-api', title: 'Define the data model', after: [] },
  { key: 'endpoints', rig: 'demo-api', title: 'Add the REST endpoints', after: ['model'] },
  { key: 'migrations', rig: 'demo-api', title: 'Write the migrations', after: ['model'] },
  { key: 'mock', rig: 'demo-web', title: 'Mock server for the UI', after: ['model'] },
  { key: 'client', rig: 'demo-web', title: 'Generate the API client', after: ['endpoints'] },
  { key: 'page', rig: 'demo-web', title: 'Build the list page', after: ['client'], label: 'demo:escalate' },
  { key: 'e2e', rig: 'demo-web', title: 'End-to-end test of the list page', after: ['page', 'migrations'] },
];

/**
 * A polecat of the demo: "works" for a moment, commits a file and a line of the repository's
 * CHANGELOG on its branch, reports to the mayor by mail and calls `gt done`; the merge queue
 * lands it on main. Two polecats of one rig working at once both add their line at the end of
 * the CHANGELOG, so the second to land conflicts: the queue sends it back, and the rework (a
 * prompt with a Rework section) starts again from main, where the other line is now. The bead
 * labelled demo:escalate also asks a person a question (a low escalation).
 */
const polecatScript = (paceSeconds: number) => `#!/bin/sh
# gt demo's polecat (shell runtime): one real commit on the polecat's branch, then gt done.
set -e
gt heartbeat --activity "working on $GT_BEAD" >/dev/null
if grep -q '^## Rework' "$GT_PROMPT_FILE"; then
  git reset -q --hard main   # the queue sent the work back: start again from main as it is now
elif gt hook --json | grep -q '"demo:escalate"'; then
  gt escalate -s low "Should the list page paginate? (a question from gt demo)" --bead "$GT_BEAD" --kind decision >/dev/null
fi
sleep ${paceSeconds}
mkdir -p work
printf '# %s\\n\\nDone by %s at %s.\\n' "$GT_BEAD" "$GT_AGENT" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" > "work/$GT_BEAD.md"
echo "- $GT_BEAD by $GT_AGENT" >> CHANGELOG.md
git add work CHANGELOG.md
git -c user.name="$GT_AGENT" -c user.email=polecat@gastown.invalid commit -q -m "$GT_BEAD: demo work by $GT_AGENT"
gt mail send mayor -s "$GT_BEAD done" -m "Committed on $GT_BRANCH." >/dev/null
gt done
`;

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'user.name=gt demo', '-c', 'user.email=demo@gastown.invalid', ...args], {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });

/** Repositories (created once), the polecat script, and the two rigs (added once). */
export async function prepareDemoTown(
  api: ApiSession,
  demoDir: string,
  paceSeconds: number,
): Promise<Record<string, string>> {
  const script = join(demoDir, 'polecat.sh');
  mkdirSync(demoDir, { recursive: true, mode: PRIVATE_DIR_MODE });
  writeFileSync(script, polecatScript(paceSeconds));
  chmodSync(script, 0o700); // run by the owner's polecats only, like everything in $GT_HOME
  const existing = new Set(
    (await api.run<Array<{ name: string }>>('gt', ['rig', 'list'])).map((r) => r.name),
  );
  const repos: Record<string, string> = {};
  for (const rig of DEMO_RIGS) {
    const repo = join(demoDir, 'repos', rig.repo);
    repos[rig.name] = repo;
    if (!existsSync(join(repo, '.git'))) {
      mkdirSync(repo, { recursive: true, mode: PRIVATE_DIR_MODE });
      git(repo, 'init', '-q', '-b', 'main');
      writeFileSync(join(repo, 'README.md'), `# ${rig.name}\n\nA repository of gt demo.\n`);
      git(repo, 'add', 'README.md');
      git(repo, 'commit', '-q', '-m', 'Initial commit');
    }
    if (!existing.has(rig.name))
      await api.run('gt', [
        'rig',
        'add',
        rig.name,
        '--prefix',
        rig.prefix,
        '--repo',
        repo,
        '--max-polecats',
        '3',
        '--command',
        script,
        // The gate every landing passes: each polecat's note is there and not empty.
        '--gate',
        DEMO_GATE,
      ]);
  }
  return repos;
}

/** Creates the beads and their dependencies, stages them into a convoy and returns its id. */
export async function stageDemoConvoy(api: ApiSession): Promise<{ convoy: string; waves: number }> {
  const ids = new Map<string, string>();
  for (const b of PLAN) {
    const bead = await api.run<{ id: string }>('bd', [
      'create',
      b.title,
      '--rig',
      b.rig,
      '-d',
      `gt demo: ${b.title.toLowerCase()}.`,
      ...(b.label ? ['-l', b.label] : []),
    ]);
    ids.set(b.key, bead.id);
    for (const dep of b.after) await api.run('bd', ['dep', 'add', bead.id, ids.get(dep) as string]);
  }
  const staged = await api.run<{ convoy_id: string; waves: unknown[] }>('gt', [
    'convoy',
    'stage',
    ...ids.values(),
    '--title',
    'gt demo: the list page, from data model to end-to-end test',
  ]);
  return { convoy: staged.convoy_id, waves: staged.waves.length };
}

export const DEMO_GATE = 'for f in work/*.md; do test -s "$f" || exit 1; done';

/** What main of a demo repository holds now: `git log --oneline main`. */
export const demoMainLog = (repo: string): string[] =>
  git(repo, 'log', '--oneline', 'main').split('\n').filter(Boolean);
