import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/app/logger.ts';
import { urlPasswords } from '../../src/domain/redact-url.ts';

/** A logger writing into an array, as pino writes to stderr. */
function capture(knownSecrets: string[] = []) {
  const lines: string[] = [];
  const log = createLogger('debug', knownSecrets, { write: (line: string) => void lines.push(line) });
  return { log, text: () => lines.join('') };
}

describe('log redaction', () => {
  it('removes tokens, signatures and response URLs by field name, at any depth', () => {
    const { log, text } = capture();
    log.info(
      {
        token: 'interaction-token-value',
        config: { botToken: 'bot-token-value', signingSecret: 'signing-secret-value' },
        req: { headers: { 'x-slack-signature': 'v0=abcdef', 'x-signature-ed25519': 'deadbeef' } },
        body: { response_url: 'https://example.test/respond/1' },
      },
      'slack request',
    );
    const out = text();
    for (const secret of [
      'interaction-token-value',
      'bot-token-value',
      'signing-secret-value',
      'v0=abcdef',
      'deadbeef',
      'example.test/respond',
    ])
      expect(out).not.toContain(secret);
    expect(out).toContain('[Redacted]');
    expect(JSON.parse(out).msg).toBe('slack request');
  });

  it('removes secrets hidden in messages and errors by pattern, and configured secret values verbatim', () => {
    const { log, text } = capture(['my-discord-bot-token']);
    const err = new Error(
      'POST https://hooks.slack.com/commands/T1/123/abcDEF failed with xoxb-1234-5678-abcdef; Authorization: Bot my-discord-bot-token',
    );
    log.error(
      { err, url: '/api/v10/webhooks/4242/aW50ZXJhY3Rpb246MTIzNDU2Nzg5MDEy' },
      'call failed: xapp-1-A111-222-ccc',
    );
    const out = text();
    for (const secret of [
      'hooks.slack.com/commands',
      'xoxb-1234',
      'xapp-1-A111',
      'my-discord-bot-token',
      'aW50ZXJhY3Rpb246',
    ])
      expect(out).not.toContain(secret);
    // What is not secret stays readable.
    expect(out).toContain('/api/v10/webhooks/4242/[Redacted]');
    expect(out).toContain('call failed');
  });

  it('removes the password of every URL in messages, fields and errors, keeping user and host', () => {
    const { log, text } = capture();
    const err = new Error('connect to mongodb://gt:err-pass@db1,db2/town failed');
    log.error(
      {
        err,
        ledger: 'mongodb+srv://gt:field-pass@cluster0.example.net/town',
        nats: 'nats://t0ken-value@n1:4222',
      },
      'start failed on nats://svc:msg-pass@127.0.0.1:4222',
    );
    const out = text();
    for (const secret of ['err-pass', 'field-pass', 't0ken-value', 'msg-pass'])
      expect(out).not.toContain(secret);
    expect(out).toContain('mongodb://gt:***@db1,db2/town');
    expect(out).toContain('mongodb+srv://gt:***@cluster0.example.net/town');
    expect(out).toContain('nats://svc:***@127.0.0.1:4222');
  });

  it('removes a URL password in the form a library echoes it (decoded, outside a URL)', () => {
    const { log, text } = capture(urlPasswords('mongodb://gt:p%40ss-w0rd@host/db'));
    log.warn('authentication failed for user gt with password p@ss-w0rd');
    expect(text()).not.toContain('p@ss-w0rd');
  });
});
