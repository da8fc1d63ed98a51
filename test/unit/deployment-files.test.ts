import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SETTINGS } from '../../src/app/config-schema.ts';

const ROOT = join(import.meta.dirname, '../..');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

/**
 * No Docker engine runs here, so the image and compose files are checked for the properties
 * issue 7 asks of them, and against the code they ship (what they copy exists, every setting
 * they pass is one the service reads).
 */
describe('Dockerfile', () => {
  const dockerfile = read('Dockerfile');
  const runtime = dockerfile.slice(dockerfile.indexOf('AS runtime'));

  it('builds in two stages on the Node 24 slim image, with production dependencies only', () => {
    expect(dockerfile.match(/^FROM node:24-slim AS (\w+)$/gm)).toEqual([
      'FROM node:24-slim AS build',
      'FROM node:24-slim AS runtime',
    ]);
    expect(dockerfile).toMatch(/npm install [^\n]*--omit=dev/);
    expect(runtime).toMatch(/COPY --from=build \/app\/node_modules \.\/node_modules/);
  });

  it('runs as a non-root user under an init process, with a HEALTHCHECK on /livez', () => {
    expect(runtime).toMatch(/^USER node$/m);
    expect(runtime).toMatch(/^ENTRYPOINT \["\/usr\/bin\/tini", "--", "node", "bin\/gt\.mjs"\]$/m);
    expect(runtime).toMatch(/tini/);
    expect(runtime).toMatch(/^HEALTHCHECK [\s\S]*\/livez/m);
    expect(runtime).toMatch(/^CMD \["up"\]$/m);
  });

  it('copies only what exists, and sets only real settings', () => {
    for (const [, path] of runtime.matchAll(/^COPY (?!--from)(\S+) /gm))
      expect(existsSync(join(ROOT, path as string)), path).toBe(true);
    for (const [, name] of runtime.matchAll(/\b(GT_[A-Z_]+)=/g))
      expect(SETTINGS, name).toHaveProperty(name as string);
  });
});

describe('docker-compose.yml', () => {
  const compose = read('docker-compose.yml');
  const service = (name: string) => {
    const start = compose.indexOf(`\n  ${name}:\n`);
    expect(start, `service ${name}`).toBeGreaterThan(0);
    const rest = compose.slice(start + 1);
    const end = rest.slice(1).search(/\n {2}\S|\nvolumes:/);
    return rest.slice(0, end + 1);
  };

  it('runs NATS with JetStream on a volume, MongoDB as a replica set, two service replicas and one runner', () => {
    expect(service('nats')).toMatch(/--jetstream/);
    expect(service('nats')).toMatch(/nats-data:\/data/);
    expect(service('mongo')).toMatch(/--replSet", "rs0"/);
    expect(service('mongo')).toMatch(/rs\.initiate/);
    for (const replica of ['gt-1', 'gt-2']) expect(service(replica)).toMatch(/<<: \*service/);
    expect(service('runner')).toMatch(/command: \["rig", "run"/);
    expect(compose).toMatch(/GT_LEDGER_URL: mongodb:\/\/mongo:27017\/gastown\?replicaSet=rs0/);
    expect(compose).toMatch(/GT_NATS_URL: nats:\/\/nats:4222/);
  });

  it('gives the runner neither the service’s .env (chat tokens) nor its ledger URL', () => {
    const runner = service('runner');
    expect(runner).not.toMatch(/\*service|\*town|GT_LEDGER_URL|SLACK_|DISCORD_/);
    expect([...runner.matchAll(/- path: (\S+)/g)].map((m) => m[1])).toEqual(['runner.env']);
    // What it merges in brings no environment of its own.
    const merged = [...runner.matchAll(/<<: \*([\w-]+)/g)].map((m) => m[1] as string);
    expect(merged).toEqual(['image']);
    for (const name of merged) {
      const anchor = compose.slice(compose.indexOf(`&${name}\n`)).split(/\n(?=\S)/)[0] as string;
      expect(anchor).toMatch(/^ {2}image: /m);
      expect(anchor).not.toMatch(/env_file|environment|GT_|\.env/);
    }
    expect(runner).toMatch(/GT_NATS_URL: nats:\/\/nats:4222/);
  });

  it('passes only settings the service reads, and builds the image from this Dockerfile', () => {
    for (const [, name] of compose.matchAll(/^\s+(GT_[A-Z_]+):/gm))
      expect(SETTINGS, name).toHaveProperty(name as string);
    expect(compose).toMatch(/^ {2}build: \.$/m);
  });
});

describe('docker-compose.cluster.yml', () => {
  const cluster = read('docker-compose.cluster.yml');
  const base = read('docker-compose.yml');
  // Its services (the anchors above them have keys of the same names and indentation).
  const services = cluster.slice(cluster.indexOf('\nservices:\n'), cluster.indexOf('\nvolumes:\n') + 1);
  const block = (text: string, name: string) => {
    const start = text.indexOf(`\n  ${name}:\n`);
    expect(start, `service ${name}`).toBeGreaterThan(0);
    const rest = text.slice(start + 1);
    const end = rest.slice(1).search(/\n {2}\S|\nvolumes:/);
    return end < 0 ? rest : rest.slice(0, end + 1);
  };
  const nodes = ['nats', 'nats-2', 'nats-3'];
  const allUrls = nodes.map((n) => `nats://${n}:4222`).join(',');

  it('clusters three JetStream nodes, each named, on its own store, routed to all three', () => {
    const routes = nodes.map((n) => `nats://${n}:6222`).join(',');
    const names = nodes.map((n) => {
      const node = block(services, n);
      expect(node).toMatch(/"--jetstream", "--store_dir", "\/data"/);
      expect(node).toMatch(/"--cluster_name", "gastown"/);
      expect(node).toContain(`"--routes", "${routes}"`);
      return node.match(/"--server_name", "(\w+)"/)?.[1];
    });
    expect(new Set(names).size).toBe(3);
    // n1 is docker-compose.yml's `nats` (its volume); n2 and n3 bring their own.
    expect(block(base, 'nats')).toMatch(/nats-data:\/data/);
    expect(block(services, 'nats-2')).toMatch(/nats-2-data:\/data/);
    expect(block(services, 'nats-3')).toMatch(/nats-3-data:\/data/);
  });

  it('points the service replicas at every node with GT_NATS_REPLICAS=3, and the runner at every node', () => {
    expect(cluster).toContain(`GT_NATS_URL: ${allUrls}\n  GT_NATS_REPLICAS: "3"`);
    for (const replica of ['gt-1', 'gt-2']) {
      expect(block(services, replica)).toMatch(/<<: \*cluster/);
      expect(block(services, replica)).toMatch(/<<: \*depends/);
    }
    expect(block(services, 'runner')).toContain(`GT_NATS_URL: ${allUrls}`);
    expect(block(services, 'runner')).not.toMatch(/GT_NATS_REPLICAS|\*cluster|GT_LEDGER_URL/);
  });

  it('overrides only services docker-compose.yml defines, and passes only settings the service reads', () => {
    for (const [, name] of services.matchAll(/^ {2}([\w-]+):\n/gm))
      if (!['nats-2', 'nats-3'].includes(name as string)) expect(base, name).toContain(`\n  ${name}:\n`);
    for (const [, name] of cluster.matchAll(/^\s+(GT_[A-Z_]+):/gm))
      expect(SETTINGS, name).toHaveProperty(name as string);
    expect(cluster).toMatch(/docker compose -f docker-compose\.yml -f docker-compose\.cluster\.yml up/);
  });
});

describe('Slack app manifest', () => {
  it('asks for exactly the scopes docs/slack.md explains', () => {
    const manifest = read('docs/slack-manifest.yaml');
    const scopes = manifest.slice(manifest.indexOf('    bot:')).split('\n').slice(1);
    const end = scopes.findIndex((l) => !/^ {6}- \S+$/.test(l));
    const asked = scopes.slice(0, end).map((l) => l.trim().slice(2));
    const explained = [...read('docs/slack.md').matchAll(/^\| `([a-z.:]+)` \|/gm)].map((m) => m[1]);
    expect(asked.length).toBeGreaterThan(3);
    expect(asked.sort()).toEqual(explained.sort());
    // Every URL Slack calls is the one endpoint the service mounts.
    for (const [, url] of manifest.matchAll(/url: (\S+)/g)) expect(url).toMatch(/\/slack\/events$/);
  });
});
