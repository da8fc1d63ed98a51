import { describe, expect, it } from 'vitest';
import { LiveFrame } from '../../src/cli/live-frame.ts';

describe('LiveFrame', () => {
  it('on a terminal, redraws in place: cursor up over the previous frame, clear, new frame', () => {
    const written: string[] = [];
    const frame = new LiveFrame((t) => written.push(t), true);
    frame.draw('a\nb');
    frame.draw('c');
    frame.draw('c');
    frame.draw('d\ne\nf');
    expect(written).toEqual(['a\nb\n', '\x1b[2F\x1b[Jc\n', '\x1b[1F\x1b[Jd\ne\nf\n']);
  });

  it('into a file or pipe, prints a frame only when it changed, without escapes', () => {
    const written: string[] = [];
    const frame = new LiveFrame((t) => written.push(t), false);
    for (const text of ['x', 'x', 'y', 'y', 'x']) frame.draw(text);
    expect(written).toEqual(['x\n', 'y\n', 'x\n']);
  });
});
