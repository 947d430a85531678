import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { sendJson, startLocalHttp } from "./local_http.ts";

/** An IAM access key the fake ECR knows. */
export interface FakeAwsKey {
  accessKeyId: string;
  secretAccessKey: string;
  /** When set, requests must carry this session token (X-Amz-Security-Token). */
  sessionToken?: string;
}

/** Options of {@link startFakeEcrServer}. */
export interface StartFakeEcrServerOptions {
  keys: readonly FakeAwsKey[];
  /** Lifetime of each authorization token, in ms. Default 12 hours, as ECR. */
  tokenTtlMs?: number;
  /** The password each token carries (default: random per call), e.g. one a test registry accepts. */
  password?: () => string;
}

/** A GetAuthorizationToken call the fake ECR answered. */
export interface FakeEcrExchange {
  accessKeyId: string;
  region: string;
  password: string;
  expiresAt: number;
}

/** A local Amazon ECR API endpoint (AWS JSON 1.1) that checks SigV4 the way AWS does. */
export interface FakeEcrServer {
  /** The endpoint to give the SDK (`http://127.0.0.1:PORT`). */
  endpoint: string;
  /** Every token issued, oldest first. */
  exchanges: FakeEcrExchange[];
  /** Every refusal: the AWS error name sent back. */
  refusals: string[];
  close(): Promise<void>;
}

const target = "AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken";

/**
 * Starts a fake Amazon ECR endpoint for GetAuthorizationToken. It verifies each request's SigV4
 * signature (AWS4-HMAC-SHA256: canonical request, scope, derived signing key) against the keys
 * it was given and refuses like AWS: unknown key `UnrecognizedClientException`, wrong secret
 * `InvalidSignatureException`, missing signature `MissingAuthenticationTokenException` (HTTP 400
 * with `__type`, as the JSON 1.1 protocol does). The token is base64 of `AWS:password`.
 */
export async function startFakeEcrServer(options: StartFakeEcrServerOptions): Promise<FakeEcrServer> {
  const exchanges: FakeEcrExchange[] = [];
  const refusals: string[] = [];
  const ttl = options.tokenTtlMs ?? 12 * 3600_000;
  const refuse = (res: ServerResponse, type: string, message: string, status = 400): void => {
    refusals.push(type);
    sendJson(res, status, { __type: type, message }, { "content-type": "application/x-amz-json-1.1", "x-amzn-errortype": type });
  };
  const http = await startLocalHttp((req, res, body) => {
    if (req.method !== "POST" || req.headers["x-amz-target"] !== target) {
      refuse(res, "UnknownOperationException", "", 400);
      return;
    }
    const verdict = verifySigV4(req, body, options.keys);
    if (verdict.kind === "refused") {
      refuse(res, verdict.type, verdict.message);
      return;
    }
    const password = options.password?.() ?? randomBytes(24).toString("base64url");
    const expiresAt = Date.now() + ttl;
    exchanges.push({ accessKeyId: verdict.key.accessKeyId, region: verdict.region, password, expiresAt });
    sendJson(
      res,
      200,
      {
        authorizationData: [
          {
            authorizationToken: Buffer.from(`AWS:${password}`).toString("base64"),
            // The JSON protocol sends timestamps as epoch seconds.
            expiresAt: expiresAt / 1000,
            proxyEndpoint: `https://123456789012.dkr.ecr.${verdict.region}.amazonaws.com`,
          },
        ],
      },
      { "content-type": "application/x-amz-json-1.1", "x-amzn-requestid": randomBytes(16).toString("hex") },
    );
  });
  return { endpoint: http.origin, exchanges, refusals, close: () => http.close() };
}

type Verdict = { kind: "ok"; key: FakeAwsKey; region: string } | { kind: "refused"; type: string; message: string };

function verifySigV4(req: IncomingMessage, body: Buffer, keys: readonly FakeAwsKey[]): Verdict {
  const authorization = req.headers.authorization ?? "";
  const match = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/.exec(authorization);
  if (match === null) {
    return { kind: "refused", type: "MissingAuthenticationTokenException", message: "Missing Authentication Token" };
  }
  const [, accessKeyId = "", date = "", region = "", service = "", signedHeaders = "", signature = ""] = match;
  const key = keys.find((candidate) => candidate.accessKeyId === accessKeyId);
  if (key === undefined) {
    return { kind: "refused", type: "UnrecognizedClientException", message: "The security token included in the request is invalid." };
  }
  if (key.sessionToken !== undefined && req.headers["x-amz-security-token"] !== key.sessionToken) {
    return { kind: "refused", type: "UnrecognizedClientException", message: "The security token included in the request is invalid." };
  }
  const amzDate = String(req.headers["x-amz-date"] ?? "");
  if (!amzDate.startsWith(date) || service !== "ecr") {
    return { kind: "refused", type: "InvalidSignatureException", message: "Credential should be scoped to a valid region and service, and to the date of X-Amz-Date." };
  }
  const names = signedHeaders.split(";");
  const canonicalHeaders = names.map((name) => `${name}:${headerValue(req, name)}\n`).join("");
  const url = new URL(req.url ?? "/", "http://localhost");
  const canonicalRequest = [
    req.method,
    url.pathname,
    [...url.searchParams].map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).sort().join("&"),
    canonicalHeaders,
    signedHeaders,
    createHash("sha256").update(body).digest("hex"),
  ].join("\n");
  const scope = `${date}/${region}/${service}/aws4_request`;
  const stringToSign = ["AWS4-HMAC-SHA256", amzDate, scope, createHash("sha256").update(canonicalRequest).digest("hex")].join("\n");
  let signingKey: Buffer = hmac(`AWS4${key.secretAccessKey}`, date);
  for (const part of [region, service, "aws4_request"]) signingKey = hmac(signingKey, part);
  const expected = createHmac("sha256", signingKey).update(stringToSign).digest();
  if (!timingSafeEqual(expected, Buffer.from(signature, "hex"))) {
    return {
      kind: "refused",
      type: "InvalidSignatureException",
      message: "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.",
    };
  }
  return { kind: "ok", key, region };
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac("sha256", key).update(data).digest();
}

function headerValue(req: IncomingMessage, name: string): string {
  const value = req.headers[name];
  const text = Array.isArray(value) ? value.join(",") : (value ?? "");
  return text.trim().replace(/\s+/g, " ");
}
