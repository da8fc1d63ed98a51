/** Slack text limits and small formatting helpers shared by the Block Kit renderers. */
export const MAX_TEXT = 3000;

/** Slack refuses a text object over 3,000 characters: cut with a visible ellipsis. */
export const clip = (s: string, max = MAX_TEXT): string => (s.length <= max ? s : `${s.slice(0, max - 1)}…`);

/** `slack:U1` → `<@U1>` (a mention Slack renders); anyone else by name. */
export function mentionOf(actor: string | null): string {
  if (!actor) return 'someone';
  return actor.startsWith('slack:') ? `<@${actor.slice(6)}>` : actor;
}

/** A date Slack renders in the reader's time zone. */
export function slackTime(iso: string): string {
  const seconds = Math.floor(Date.parse(iso) / 1000);
  return `<!date^${seconds}^{date_short_pretty} {time}|${iso}>`;
}
