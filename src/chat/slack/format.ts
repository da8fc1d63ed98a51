/** Slack text limits and small formatting helpers shared by the Block Kit renderers. */
export const MAX_TEXT = 3000;

/** Slack refuses a text object over 3,000 characters: cut with a visible ellipsis. */
export const clip = (s: string, max = MAX_TEXT): string => (s.length <= max ? s : `${s.slice(0, max - 1)}…`);

/**
 * Text written by people or agents (titles, details, mail, reasons, names), made inert for Slack:
 * `<!channel>`, `<@U1>`, `<!subteam^S1>` and links are all `<…>` sequences, so escaping the three
 * characters Slack reserves makes them show as typed and notify nobody (Slack's formatting rules).
 * Every value that did not come from the service itself goes through this before entering a
 * template; the service's own markup (routed mentions, `<!date^…>`, links) is added after.
 */
export const escapeText = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A Slack user id as the service gets it from a verified request (never anything with `<>|!^`). */
const SLACK_USER = /^[UW][A-Z0-9_]{1,30}$/;

/** `slack:U1` → `<@U1>` (a mention Slack renders); anyone else, or anything odd, by name, escaped. */
export function mentionOf(actor: string | null): string {
  if (!actor) return 'someone';
  const id = actor.startsWith('slack:') ? actor.slice(6) : '';
  return SLACK_USER.test(id) ? `<@${id}>` : escapeText(actor);
}

/** A date Slack renders in the reader's time zone (its fallback is the ISO text, escaped). */
export function slackTime(iso: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return escapeText(iso);
  return `<!date^${Math.floor(ms / 1000)}^{date_short_pretty} {time}|${escapeText(iso)}>`;
}

/**
 * A command's answer (plain text rendered by the command layer, which may quote anything a person
 * or agent wrote) as a Slack message: escaped as a whole, aligned text in a code block.
 */
export function commandAnswer(text: string): string {
  const inert = escapeText(text);
  return inert.includes('\n') ? `\`\`\`${inert}\`\`\`` : inert;
}
