/**
 * A block of text redrawn in place on a terminal (cursor up, clear to the end), or printed again
 * only when it changed when the output is a file or a pipe — so logs of a watch stay readable.
 */
export class LiveFrame {
  private lines = 0;
  private last = '';

  private readonly write: (text: string) => void;
  private readonly tty: boolean;

  constructor(write: (text: string) => void, tty: boolean) {
    this.write = write;
    this.tty = tty;
  }

  draw(text: string): void {
    if (text === this.last) return;
    this.last = text;
    const clear = this.tty && this.lines > 0 ? `\x1b[${this.lines}F\x1b[J` : '';
    this.write(`${clear}${text}\n`);
    this.lines = text.split('\n').length;
  }
}
