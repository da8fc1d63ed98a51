import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  type CredentialsFile,
  mayorCredentialsPath,
  type NatsCredentials,
  namedOperatorCredentialsPath,
  operatorCredentialsPath,
  runnerCredentialsPath,
} from './credentials.ts';
import { type Permissions, permissionsFor } from './nats-permissions.ts';
import type { Identity } from './subjects.ts';

/** What the users depend on: each rig and the names of its polecat slots. */
export interface RigSlots {
  rig: string;
  polecats: readonly string[];
}

interface UserEntry {
  user: string;
  password: string;
  permissions?: Permissions;
}

const SERVICE_USER = 'service';
const OPERATOR_USER = 'operator';
const MAYOR_USER = 'agent:mayor/';
const runnerUser = (rig: string) => `runner:${rig}`;
const agentUser = (rig: string, name: string) => `agent:${rig}/${name}`;
/** A narrower operator of the policy file's `cli.users`: the CLI tells its identity from this name. */
export const namedOperatorUser = (name: string) => `operator:${name}`;

/**
 * The NATS users of a town with an embedded nats-server (`gt up` without GT_NATS_URL): the
 * service and the operator (full rights), the narrower operators the policy file names, the
 * Mayor, one runner per rig and one agent per polecat slot, each confined by nats-permissions.ts.
 * Passwords are random, generated once and kept in `$GT_HOME/nats/users.json` (0600) so restarts
 * keep every issued credential valid. Clients find theirs in `$GT_HOME/creds/` (operator.json,
 * operator-<name>.json, mayor.json, runner-<rig>.json with its polecats').
 */
export class NatsUsers {
  private readonly home: string;
  private readonly prefix: string;
  private readonly passwords: Record<string, string>;

  private constructor(home: string, prefix: string, passwords: Record<string, string>) {
    this.home = home;
    this.prefix = prefix;
    this.passwords = passwords;
  }

  static open(home: string, prefix: string): NatsUsers {
    const path = usersPath(home);
    const passwords = existsSync(path)
      ? (JSON.parse(readFileSync(path, 'utf8')) as Record<string, string>)
      : {};
    return new NatsUsers(home, prefix, passwords);
  }

  get service(): NatsCredentials {
    return { user: SERVICE_USER, pass: this.passwordOf(SERVICE_USER) };
  }

  /**
   * Brings users and credentials files up to date with the rigs; returns the nats-server
   * `authorization` block to (re)load.
   */
  sync(rigs: readonly RigSlots[], operators: readonly string[] = []): string {
    const users: UserEntry[] = [
      this.entry(SERVICE_USER),
      this.entry(OPERATOR_USER),
      this.entry(MAYOR_USER, { kind: 'mayor' }),
    ];
    writeSecret(operatorCredentialsPath(this.home), this.file(OPERATOR_USER));
    writeSecret(mayorCredentialsPath(this.home), this.file(MAYOR_USER));
    for (const name of operators) {
      users.push(this.entry(namedOperatorUser(name), { kind: 'operator', name }));
      writeSecret(namedOperatorCredentialsPath(this.home, name), this.file(namedOperatorUser(name)));
    }
    for (const { rig, polecats } of rigs) {
      users.push(this.entry(runnerUser(rig), { kind: 'runner', rig }));
      const slots: Record<string, { user: string; password: string }> = {};
      for (const name of polecats) {
        users.push(this.entry(agentUser(rig, name), { kind: 'agent', rig, name }));
        slots[name] = this.file(agentUser(rig, name));
      }
      writeSecret(runnerCredentialsPath(this.home, rig), { ...this.file(runnerUser(rig)), polecats: slots });
    }
    writeSecret(usersPath(this.home), this.passwords);
    return `authorization: ${JSON.stringify({ users }, null, 2)}\n`;
  }

  private entry(user: string, identity?: Identity): UserEntry {
    return {
      user,
      password: this.passwordOf(user),
      ...(identity && { permissions: permissionsFor(this.prefix, identity) }),
    };
  }

  private file(user: string): CredentialsFile {
    return { user, password: this.passwordOf(user) };
  }

  private passwordOf(user: string): string {
    this.passwords[user] ??= randomBytes(24).toString('base64url');
    return this.passwords[user];
  }
}

const usersPath = (home: string) => join(home, 'nats', 'users.json');

/** Written whole (a reader never sees half a file) and readable by this OS user only. */
function writeSecret(path: string, value: unknown): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, path);
}
