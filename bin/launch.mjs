// Starts a gastown-ops CLI (`gt` or `bd`). Runs on any Node: the code itself needs Node >= 22.12
// (node:sqlite, TypeScript type stripping), so an older Node re-executes this script with the
// Node 24 that scripts/setup.sh caches, forwarding arguments, signals and the exit code.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import module from 'node:module';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const [major, minor] = process.versions.node.split('.').map(Number);
const modern = major > 22 || (major === 22 && minor >= 12);

export async function launch(tool, scriptUrl) {
  if (modern) {
    // V8's compile cache (type-stripped TypeScript included) cuts a CLI start from ~0.35 s to
    // ~0.15 s of CPU: it matters when 50 polecats call `gt` on the same cores as the service.
    module.enableCompileCache?.();
    const entry = new URL(`../src/cli/${tool}.ts`, import.meta.url);
    const { main } = await import(entry.href);
    process.exitCode = await main(process.argv.slice(2));
    return;
  }
  const toolsDir = process.env.GT_TOOLS_DIR || join(homedir(), '.cache', 'gastown-ops');
  const node24 = join(toolsDir, 'node24', 'node_modules', 'node', 'bin', 'node');
  if (!existsSync(node24)) {
    process.stderr.write(
      `error: gastown-ops needs Node >= 22.12 (this is ${process.version}); run: bash scripts/setup.sh\n`,
    );
    process.exitCode = 3;
    return;
  }
  const child = spawn(node24, [fileURLToPath(scriptUrl), ...process.argv.slice(2)], { stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => {
    if (signal) process.kill(process.pid, signal);
    else process.exit(code ?? 1);
  });
}
