import { UpstreamError } from "@charthouse/errors";
import { registryText, type RegistryStreamResponse } from "@charthouse/outbound-http";

/** Reads a whole response body (already under its size cap). */
export async function readBody(response: RegistryStreamResponse): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of response.body) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** Reads the start of an error body as one line of text, then releases the connection. */
export async function readErrorText(response: RegistryStreamResponse, maxChars = 4_096): Promise<string> {
  let text = "";
  try {
    for await (const chunk of response.body) {
      text += Buffer.from(chunk).toString("utf8");
      if (text.length >= maxChars) break;
    }
  } catch {
    // The message is only for the error text; a body that fails to arrive adds nothing to it.
  } finally {
    response.cancel();
  }
  return registryText(text);
}

/** The `errors[0].code` of a distribution error body (`NAME_UNKNOWN`, `MANIFEST_UNKNOWN`), if any. */
export function distributionErrorCode(text: string): string | undefined {
  const match = /"code"\s*:\s*"([A-Z_]+)"/.exec(text);
  return match?.[1];
}

const notJsonSolution = "The registry does not answer the JSON the distribution API specifies; check the registry or the proxy in front of it";

/** Parses a JSON body that must be an object; `what` names the request in the error. */
export function parseJsonObject(body: Buffer, what: string, status: number): Record<string, unknown> {
  let document: unknown;
  try {
    document = JSON.parse(body.toString("utf8"));
  } catch (err) {
    throw new UpstreamError("registry_error", `${what} did not answer JSON`, { status, cause: err, solution: notJsonSolution });
  }
  if (typeof document !== "object" || document === null || Array.isArray(document)) {
    throw new UpstreamError("registry_error", `${what} answered JSON that is not an object`, { status, solution: notJsonSolution });
  }
  return document as Record<string, unknown>;
}
