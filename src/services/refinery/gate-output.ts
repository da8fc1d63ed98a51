import { GATE_EXCERPT_CHARS } from '../../domain/merge-request.ts';

/** UTF-8 needs at most 4 bytes a character: this many bytes always hold the excerpt. */
const KEEP_BYTES = 4 * GATE_EXCERPT_CHARS;

/**
 * The end of a gate's combined output, in bounded memory: a test suite can print gigabytes and
 * the refinery keeps only what the excerpt shows (GATE_EXCERPT_CHARS characters, the end).
 */
export function outputTail(): { push: (chunk: Buffer | string) => void; text: () => string } {
  let chunks: Buffer[] = [];
  let size = 0;
  let cut = false;
  const compact = () => {
    const all = Buffer.concat(chunks);
    // A copy, so the dropped head is not kept alive by a view into it.
    chunks = [Buffer.from(all.subarray(Math.max(0, all.length - KEEP_BYTES)))];
    cut ||= all.length > KEEP_BYTES;
    size = chunks[0]?.length ?? 0;
  };
  return {
    push: (chunk) => {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      chunks.push(bytes);
      size += bytes.length;
      // Compacting at twice the bound keeps the copying amortised.
      if (size > 2 * KEEP_BYTES) compact();
    },
    text: () => {
      compact();
      let bytes = chunks[0] ?? Buffer.alloc(0);
      // A cut can fall inside a character: start at the next whole one, not at a U+FFFD.
      if (cut) while (bytes.length > 0 && ((bytes[0] ?? 0) & 0xc0) === 0x80) bytes = bytes.subarray(1);
      let text = bytes.toString('utf8').slice(-GATE_EXCERPT_CHARS);
      // …and slicing by UTF-16 units can leave half a surrogate pair.
      if (/^[\udc00-\udfff]/.test(text)) text = text.slice(1);
      return text;
    },
  };
}
