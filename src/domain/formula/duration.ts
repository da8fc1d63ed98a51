/**
 * Go-style durations (`90s`, `1h30m`, `24h`) as upstream writes gate timeouts. Upstream drops an
 * unparsable timeout silently, which turns a timer gate into one nobody closes; we refuse it at
 * load instead, so this returns null and the caller says what is wrong.
 */
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export function parseDuration(text: string): number | null {
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/gy;
  let total = 0;
  let matched = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    total += Number(m[1]) * (UNIT_MS[m[2] as string] ?? 0);
    matched = re.lastIndex;
  }
  return text.length > 0 && matched === text.length && total > 0 ? total : null;
}
