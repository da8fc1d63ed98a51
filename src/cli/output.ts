/** The CLI's two streams. Kept behind one seam so tests can run `main` and read what it printed. */
export interface Output {
  out(text: string): void;
  err(text: string): void;
}

export const processOutput: Output = {
  out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
  err: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
};

/** Exit codes of the CLI contract. */
export const EXIT = { ok: 0, refused: 1, usage: 2, unreachable: 3 } as const;
