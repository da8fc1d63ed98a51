/**
 * NATS users for an external nats-server (docs/nats-auth.md): the same users, permissions and
 * credentials files `gt up` generates for its embedded server, for rigs given on the command line.
 *
 *   npm run nats:users -- --home DIR [--prefix gt] [--operator NAME]… alpha:10 beta:4
 *
 * Prints the `authorization { users … }` block to include in the server's configuration and
 * writes DIR/creds/operator.json, DIR/creds/mayor.json, DIR/creds/operator-<NAME>.json (the
 * narrower operators the policy file's `cli.users` names) and DIR/creds/runner-<rig>.json (with
 * the polecats' users).
 * The service's user is `service` (password in DIR/nats/users.json): give it to the service as
 * GT_NATS_USER / GT_NATS_PASSWORD. Run again with the same DIR after adding a rig; existing
 * passwords are kept.
 */
import { parseArgs } from 'node:util';
import { NatsUsers } from '../src/bus/nats-users.ts';
import { parseMaxPolecats, parseRigName } from '../src/domain/rig.ts';
import { polecatNames } from '../src/domain/sling.ts';

const { values, positionals } = parseArgs({
  options: {
    home: { type: 'string' },
    prefix: { type: 'string', default: 'gt' },
    operator: { type: 'string', multiple: true, default: [] },
  },
  allowPositionals: true,
});
if (!values.home || positionals.length === 0) {
  console.error('usage: npm run nats:users -- --home DIR [--prefix gt] [--operator NAME]… <rig>:<max-polecats>…');
  process.exit(2);
}
const rigs = positionals.map((spec) => {
  const [name, max = '10'] = spec.split(':');
  return { rig: parseRigName(name), polecats: polecatNames(parseMaxPolecats(max)) };
});
process.stdout.write(NatsUsers.open(values.home, values.prefix).sync(rigs, values.operator));
