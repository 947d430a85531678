import { CharthouseError, InputError } from "@charthouse/errors";
import { registryStream } from "@charthouse/outbound-http";

/** One POST of one delivery. */
export interface WebhookRequest {
  url: string;
  contentType: string;
  body: string;
  headers: Record<string, string>;
}

/** What the target answered, or why there was no answer. */
export interface WebhookAnswer {
  delivered: boolean;
  statusCode: number | null;
  /** What went wrong, for the delivery's last_error (never a secret: only the status, the target's first bytes, or our error). */
  error: string | null;
  /** Never worth retrying: the target is a refused destination or not a usable URL. */
  permanent: boolean;
}

/** Sends one delivery attempt. */
export type WebhookSender = (request: WebhookRequest) => Promise<WebhookAnswer>;

// Every status is an answer here: the delivery decides what a 4xx or 5xx means.
const everyStatus = Array.from({ length: 500 }, (_, i) => i + 100);
// Only this much of an answer is read, to say in last_error what the target said.
const answerExcerptBytes = 512;

/**
 * The webhook sender: a POST under the destination guard (refused addresses vetted on every
 * connection, since DNS may have changed since the subscription was made), no redirects, a time
 * limit on the whole exchange, and at most the first bytes of the answer read.
 */
export function createWebhookSender(options: { timeoutMs: number; blockPrivateNetworks: boolean }): WebhookSender {
  return async (request) => {
    try {
      const response = await registryStream(request.url, {
        method: "POST",
        body: { contentType: request.contentType, text: request.body },
        headers: request.headers,
        followRedirects: false,
        acceptStatuses: everyStatus,
        maxBytes: 64 * 1024,
        limitSetting: "the webhook answer excerpt",
        timeoutMs: options.timeoutMs,
        bodyTimeoutMs: options.timeoutMs,
        deadlineMs: options.timeoutMs,
        blockPrivateNetworks: options.blockPrivateNetworks,
      });
      const delivered = response.status >= 200 && response.status < 300;
      if (delivered) {
        response.cancel();
        return { delivered, statusCode: response.status, error: null, permanent: false };
      }
      const excerpt = await readExcerpt(response.body);
      return { delivered, statusCode: response.status, error: `HTTP ${response.status}${excerpt === "" ? "" : `: ${excerpt}`}`, permanent: false };
    } catch (err) {
      const permanent = err instanceof InputError || (err instanceof CharthouseError && err.code === "forbidden_destination");
      return { delivered: false, statusCode: null, error: err instanceof Error ? err.message : String(err), permanent };
    }
  };
}

async function readExcerpt(body: AsyncIterable<Uint8Array>): Promise<string> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for await (const chunk of body) {
      chunks.push(chunk);
      size += chunk.byteLength;
      // Leaving the loop releases the connection: the rest is never read.
      if (size >= answerExcerptBytes) break;
    }
  } catch {
    // The answer's status is what matters; a body cut short says nothing more.
  }
  return Buffer.concat(chunks).subarray(0, answerExcerptBytes).toString("utf8").replace(/\s+/g, " ").trim();
}
