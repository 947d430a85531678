/** One request that the test nginx served, from its JSON access log. */
export interface AccessLogLine {
  method: string;
  /** The request target as sent, query string included: `/index.yaml?x=1`. */
  path: string;
  status: number;
  /** Body bytes sent (after compression). */
  bytes: number;
  /** Whether the request carried `If-None-Match`. */
  ifNoneMatch: boolean;
  /** Whether the request carried `If-Modified-Since`. */
  ifModifiedSince: boolean;
  /** Whether the request carried `Authorization`. */
  authorization: boolean;
  /** The response's `Content-Encoding` (`gzip`), empty when none. */
  contentEncoding: string;
}

/** The nginx `log_format` (escape=json) whose lines {@link parseAccessLog} reads. */
export const accessLogFormat =
  '\'{"method":"$request_method","path":"$request_uri","status":"$status","bytes":"$body_bytes_sent",' +
  '"ifNoneMatch":"$http_if_none_match","ifModifiedSince":"$http_if_modified_since",' +
  '"authorization":"$http_authorization","contentEncoding":"$sent_http_content_encoding"}\'';

/** Parses the test nginx's access log, one JSON object a line; throws on a line it cannot read. */
export function parseAccessLog(text: string): AccessLogLine[] {
  return text
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line, index) => parseLine(line, index + 1));
}

function parseLine(line: string, lineNumber: number): AccessLogLine {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch (err) {
    throw new Error(`Cannot parse nginx access log line ${lineNumber}: ${line.slice(0, 200)}`, { cause: err });
  }
  const field = (name: string): string => {
    const value = typeof parsed === "object" && parsed !== null ? (parsed as Record<string, unknown>)[name] : undefined;
    if (typeof value !== "string") {
      throw new Error(`nginx access log line ${lineNumber} has no string "${name}": ${line.slice(0, 200)}`);
    }
    return value;
  };
  return {
    method: field("method"),
    path: field("path"),
    status: Number(field("status")),
    bytes: Number(field("bytes")),
    ifNoneMatch: field("ifNoneMatch") !== "",
    ifModifiedSince: field("ifModifiedSince") !== "",
    authorization: field("authorization") !== "",
    contentEncoding: field("contentEncoding"),
  };
}
