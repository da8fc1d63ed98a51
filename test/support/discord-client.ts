import { generateKeyPairSync, type KeyObject, sign } from 'node:crypto';

/**
 * Sends interactions to the service exactly as Discord does: JSON bodies signed with Ed25519 over
 * `timestamp + body`, in the X-Signature-Ed25519 / X-Signature-Timestamp headers. Holds the
 * application's key pair; `publicKeyHex` is what DISCORD_PUBLIC_KEY is set to.
 */
export class DiscordClient {
  readonly publicKeyHex: string;
  private readonly privateKey: KeyObject;
  /** The service's HTTP base URL (known once it runs). */
  url = '';
  private seq = 0;

  constructor() {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    this.privateKey = privateKey;
    this.publicKeyHex = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32).toString('hex');
  }

  async post(
    interaction: object,
    options: { timestamp?: number; signature?: string } = {},
  ): Promise<{ status: number; json: Record<string, unknown>; ms: number }> {
    const body = JSON.stringify(interaction);
    const timestamp = String(options.timestamp ?? Math.floor(Date.now() / 1000));
    const signature =
      options.signature ?? sign(null, Buffer.from(timestamp + body), this.privateKey).toString('hex');
    const started = performance.now();
    const res = await fetch(`${this.url}/discord/interactions`, {
      method: 'POST',
      body,
      headers: {
        'content-type': 'application/json',
        'x-signature-ed25519': signature,
        'x-signature-timestamp': timestamp,
      },
    });
    const text = await res.text();
    return { status: res.status, json: text ? JSON.parse(text) : {}, ms: performance.now() - started };
  }

  /** An interaction envelope from a guild member with `roles`. */
  interaction(type: number, data: object, user = '1001', roles: string[] = []): Record<string, unknown> {
    this.seq++;
    return {
      id: `${Date.now()}${this.seq}`,
      application_id: '4242',
      type,
      token: `token-${this.seq}`,
      version: 1,
      guild_id: '777',
      channel_id: '888',
      member: { user: { id: user, username: `user${user}` }, roles },
      data,
    };
  }

  /** `/root group sub option:value…` as command data. */
  static command(root: string, path: string[], options: Record<string, string | boolean> = {}): object {
    let leaf: object[] = Object.entries(options).map(([name, value]) => ({
      name,
      type: typeof value === 'boolean' ? 5 : 3,
      value,
    }));
    for (let i = path.length - 1; i >= 0; i--) {
      leaf = [{ name: path[i], type: i === path.length - 1 ? 1 : 2, options: leaf }];
    }
    return { id: '1', name: root, type: 1, options: leaf };
  }
}
