import { existsSync } from 'node:fs';
import { MayorRunner } from '../agent/mayor-runner.ts';
import { writeShims } from '../agent/shims.ts';
import { mayorCredentialsPath, readCredentialsFile } from '../bus/credentials.ts';
import type { FormulaCatalog } from '../commands/command.ts';
import type { CommandRegistry } from '../commands/registry.ts';
import type { Ledger } from '../ledger/port.ts';
import type { ServiceConfig } from './config.ts';
import type { Logger } from './logger.ts';

/**
 * The town's Mayor, run by the service (the Mayor belongs to the town, not to a rig): on the
 * leading replica, with the login `gt up` made for it (none when the town's NATS asks for none).
 */
export function startMayor(
  ledger: Ledger,
  registry: CommandRegistry,
  config: ServiceConfig,
  natsUrl: string,
  formulas: FormulaCatalog,
  leading: () => boolean,
  log: Logger,
): MayorRunner {
  const credentials = mayorCredentialsPath(config.home);
  const login = existsSync(credentials) ? readCredentialsFile(credentials) : null;
  const runner = new MayorRunner({
    ledger,
    execute: (verb, args) =>
      registry.execute({ verb, args, actor: { kind: 'system', id: 'mayor-runner' }, source: 'system' }),
    formulas,
    home: config.home,
    natsUrl,
    prefix: config.subjectPrefix,
    binDir: writeShims(config.home),
    login: login && { user: login.user, password: login.password },
    leading,
    log,
  });
  runner.start();
  return runner;
}
