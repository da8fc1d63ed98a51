/**
 * Writes `.env.example` and the variable tables of docs/configuration.md from the settings table
 * (src/app/config-schema.ts). Run after adding a setting: `npm run config:docs`.
 * test/unit/config-reference.test.ts checks the three agree.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Setting, SETTINGS } from '../src/app/config-schema.ts';

const root = join(import.meta.dirname, '..');
const GROUPS: Record<Setting['group'], string> = {
  service: 'Service',
  supervision: 'Supervision (cron jobs on the leader)',
  slack: 'Slack (on when a Slack credential is set)',
  discord: 'Discord (on when a Discord credential is set)',
};
const entries = Object.entries(SETTINGS) as Array<[string, Setting]>;

const env = [
  '# gastown-ops configuration. Copy to .env (or pass with `docker compose --env-file`).',
  '# Every variable is optional unless its platform is on; empty = the default described.',
  '# Reference: docs/configuration.md (generated with these lines by `npm run config:docs`).',
];
for (const [group, title] of Object.entries(GROUPS)) {
  env.push('', `# --- ${title} ---`);
  for (const [name, s] of entries.filter(([, s]) => s.group === group)) {
    env.push(`# ${s.doc}${s.secret ? ' (secret)' : ''}`, `${name}=${s.default}`);
  }
}
writeFileSync(join(root, '.env.example'), `${env.join('\n')}\n`);

const tables: string[] = [];
for (const [group, title] of Object.entries(GROUPS)) {
  tables.push(`### ${title}`, '', '| variable | flag | default | meaning |', '|---|---|---|---|');
  for (const [name, s] of entries.filter(([, s]) => s.group === group)) {
    const shown = s.default === '' ? '—' : `\`${s.default}\``;
    tables.push(
      `| \`${name}\` | ${s.flag ? `\`${s.flag}\`` : ''} | ${shown} | ${s.doc}${s.secret ? ' **Secret.**' : ''} |`,
    );
  }
  tables.push('');
}
const docPath = join(root, 'docs/configuration.md');
const doc = readFileSync(docPath, 'utf8');
const [start, end] = ['<!-- settings:start -->', '<!-- settings:end -->'];
const before = doc.slice(0, doc.indexOf(start) + start.length);
const after = doc.slice(doc.indexOf(end));
writeFileSync(docPath, `${before}\n${tables.join('\n')}${after}`);
console.log('wrote .env.example and docs/configuration.md');
