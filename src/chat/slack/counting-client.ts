import { WebClient, type WebClientOptions } from '@slack/web-api';

/** Receives the error code of each failed Web API call (`channel_not_found`, `http_503`, …). */
export type OnSlackError = (code: string) => void;

/**
 * The Web API client our Slack surface calls with: Bolt's own, plus a count of failed calls by
 * error code for `gt_chat_api_errors_total`. The Web API's method shortcuts (`chat.postMessage`…)
 * are bound to `apiCall` when the client is built, so overriding it here sees every call.
 */
export class CountingWebClient extends WebClient {
  private onError: OnSlackError = () => {};

  constructor(token: string, options: WebClientOptions, onError: OnSlackError) {
    super(token, options);
    this.onError = onError;
  }

  override async apiCall(...args: Parameters<WebClient['apiCall']>): ReturnType<WebClient['apiCall']> {
    try {
      return await super.apiCall(...args);
    } catch (err) {
      this.onError(slackErrorCode(err));
      throw err;
    }
  }
}

function slackErrorCode(err: unknown): string {
  const e = err as { data?: { error?: string }; statusCode?: number; code?: string };
  if (e.data?.error) return e.data.error;
  if (e.statusCode) return `http_${e.statusCode}`;
  return e.code ?? 'unknown';
}
