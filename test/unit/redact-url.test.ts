import { describe, expect, it } from 'vitest';
import { redactUrlPasswords, urlPasswords } from '../../src/domain/redact-url.ts';

describe('redactUrlPasswords', () => {
  it.each([
    ['mongodb://gt:s3cret@host/db', 'mongodb://gt:***@host/db'],
    [
      'mongodb+srv://gt:s3cret@cluster0.example.net/db?retryWrites=true',
      'mongodb+srv://gt:***@cluster0.example.net/db?retryWrites=true',
    ],
    [
      'mongodb://u:p@h1:27017,h2:27017,h3/db?replicaSet=rs0',
      'mongodb://u:***@h1:27017,h2:27017,h3/db?replicaSet=rs0',
    ],
    ['nats://svc:pw@127.0.0.1:4222', 'nats://svc:***@127.0.0.1:4222'],
    ['nats://svc:pw@a:4222,nats://svc:pw@b:4222', 'nats://svc:***@a:4222,nats://svc:***@b:4222'],
    ['tls://svc:pw@nats.example.com', 'tls://svc:***@nats.example.com'],
    ['http://admin:hunter2@localhost:8080/path?q=1#top', 'http://admin:***@localhost:8080/path?q=1#top'],
    ['HTTPS://Admin:Hunter2@Example.com', 'HTTPS://Admin:***@Example.com'],
    ['redis://:only-a-password@cache:6379', 'redis://:***@cache:6379'],
    ['mongodb://u:p%40ss%3Aw0rd@host/db', 'mongodb://u:***@host/db'],
  ])('%s', (url, redacted) => {
    expect(redactUrlPasswords(url)).toBe(redacted);
  });

  it('hides a password with unescaped @ and : whole (to the last @ of the authority)', () => {
    expect(redactUrlPasswords('mongodb://u:p@ss:w@rd@host/db')).toBe('mongodb://u:***@host/db');
  });

  it('stops at the end of the authority: an @ in the path or query is not a password', () => {
    const url = 'http://u:pw@host/users/a@b.example?cc=c@d.example';
    expect(redactUrlPasswords(url)).toBe('http://u:***@host/users/a@b.example?cc=c@d.example');
  });

  it('hides a NATS token (the lone user part of a nats:// URL), not a plain user name elsewhere', () => {
    expect(redactUrlPasswords('nats://s3cr3t-token@127.0.0.1:4222')).toBe('nats://***@127.0.0.1:4222');
    expect(redactUrlPasswords('mongodb://gt@host/db')).toBe('mongodb://gt@host/db');
  });

  it('redacts every URL inside a longer message and leaves the rest alone', () => {
    const message =
      'ledger mongodb://gt:s3cret@db1,db2/town failed; nats "nats://svc:pw@10.0.0.1:4222" down (see http://docs.example/x)';
    expect(redactUrlPasswords(message)).toBe(
      'ledger mongodb://gt:***@db1,db2/town failed; nats "nats://svc:***@10.0.0.1:4222" down (see http://docs.example/x)',
    );
  });

  it.each([
    'mongodb://host/db',
    'mongodb://gt@host/db',
    'sqlite:/home/me/.gastown/ledger.db',
    'nats://127.0.0.1:4222',
    'http://127.0.0.1:8420/readyz',
    'mail alice@example.com about http://host:8080/x',
    'no URL here: a:b@c',
    '',
  ])('leaves %j unchanged', (text) => {
    expect(redactUrlPasswords(text)).toBe(text);
  });
});

describe('urlPasswords', () => {
  it('lists each password as written and percent-decoded, and NATS tokens', () => {
    expect(urlPasswords('mongodb://u:p%40ss@h/db nats://tok3n@n:4222 nats://a:b@c')).toEqual([
      'p%40ss',
      'p@ss',
      'tok3n',
      'b',
    ]);
  });

  it('finds nothing in URLs without a password', () => {
    expect(urlPasswords('sqlite:/x/ledger.db mongodb://gt@host/db nats://127.0.0.1:4222')).toEqual([]);
  });

  it('keeps a malformed escape as written', () => {
    expect(urlPasswords('mongodb://u:p%ZZ@h/db')).toEqual(['p%ZZ']);
  });
});
