/**
 * Writes docs/cli.md from the command catalog (src/cli/cli-reference.ts). Run after adding or
 * changing a verb: `npm run docs:cli`. test/unit/cli-doc.test.ts fails when the two disagree.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cliReference } from '../src/cli/cli-reference.ts';

writeFileSync(join(import.meta.dirname, '..', 'docs/cli.md'), cliReference());
console.log('wrote docs/cli.md');
