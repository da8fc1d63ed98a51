import { usageError } from '../domain/errors.ts';

/** Flags every command accepts, wherever they appear; the rest of the words go to the verb. */
export interface GlobalFlags {
  json: boolean;
  help: boolean;
  nats?: string;
  home?: string;
}

export function splitGlobalFlags(argv: readonly string[]): { flags: GlobalFlags; words: string[] } {
  const flags: GlobalFlags = { json: false, help: false };
  const words: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i] as string;
    if (word === '--') {
      words.push(...argv.slice(i));
      break;
    }
    if (word === '--json') flags.json = true;
    else if (word === '--help' || word === '-h') flags.help = true;
    else if (word === '--nats' || word === '--home') {
      const value = argv[++i];
      if (value === undefined) throw usageError('missing_value', `${word} needs a value`);
      flags[word === '--nats' ? 'nats' : 'home'] = value;
    } else if (word.startsWith('--nats=')) flags.nats = word.slice('--nats='.length);
    else if (word.startsWith('--home=')) flags.home = word.slice('--home='.length);
    else words.push(word);
  }
  return { flags, words };
}
