import type { IncomingMessage } from 'node:http';

/** The raw request body (signatures are over the exact bytes); null when over `limit` bytes. */
export function readBody(req: IncomingMessage, limit = 1_000_000): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= limit) chunks.push(c);
    });
    req.on('end', () => resolve(size > limit ? null : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
