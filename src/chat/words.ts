import { usageError } from '../domain/errors.ts';

/**
 * Splits slash-command text into words as a shell would for simple quoting: spaces separate,
 * "double" or 'single' quotes keep spaces, a backslash escapes the next character. Chat clients
 * turn straight quotes into curly ones, so those count as quotes too. A single quote opens a
 * quote only at the start of a word: inside one it is an apostrophe.
 */
export function splitWords(text: string): string[] {
  const words: string[] = [];
  let current = '';
  let quote: string | null = null;
  let inWord = false;
  const closing: Record<string, string> = { '"': '"', "'": "'", '“': '”', '‘': '’' };
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quote) {
      if (c === closing[quote] || (quote === '“' && c === '"')) quote = null;
      else current += c;
    } else if (c === '\\' && i + 1 < text.length) {
      current += text[++i];
      inWord = true;
    } else if (c in closing && !(inWord && (c === "'" || c === '‘'))) {
      // A single quote inside a word is an apostrophe ("the user's login"), not a quote.
      quote = c;
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(current);
      current = '';
      inWord = false;
    } else {
      current += c;
      inWord = true;
    }
  }
  if (quote) throw usageError('unclosed_quote', `a ${quote} quote is not closed`);
  if (inWord) words.push(current);
  return words;
}
