import { generateKeyPairSync, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CloudCredential, RegistryLogin } from "@charthouse/credentials";
import { closeRegistryAgents } from "@charthouse/outbound-http";
import {
  rejectionOf,
  selfSignedCertificate,
  startFakeAcrAuthServer,
  startFakeEcrServer,
  startFakeEntraIdServer,
  startFakeGoogleTokenServer,
  startStallingServer,
  waitFor,
  type AcrAccessTokenClaims,
  type FakeAcrAuthServer,
  type FakeEcrServer,
  type FakeEntraIdServer,
  type FakeGoogleTokenServer,
} from "@charthouse/testing";
import { cachedCloudSignIn } from "./cached_cloud_sign_in.ts";
import { createCloudSignIn } from "./cloud_sign_in.ts";
import type { CloudSignInOptions } from "./cloud_sign_in_options.ts";

/** One provider's flow, against its local fake. */
interface Flow {
  name: string;
  registryUrl: string;
  options: CloudSignInOptions;
  credential(): CloudCredential;
  /** The same credential with a wrong secret. */
  wrongSecret(): CloudCredential;
  /** The secret strings no error may contain. */
  secrets: string[];
  exchanges(): number;
  /** The secret the provider issued last (what the login must carry). */
  lastIssued(): string;
  secretOf(login: RegistryLogin): string;
  expectedLogin: Partial<RegistryLogin>;
}

const baseOptions = { timeoutMs: 5_000, blockPrivateNetworks: false };
const shortLivedMs = 2_000;

let ecr: FakeEcrServer;
let google: FakeGoogleTokenServer;
let entra: FakeEntraIdServer;
let acr: FakeAcrAuthServer;
const signedClaims: AcrAccessTokenClaims[] = [];
const flows: Flow[] = [];

const awsSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY";
const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
const privatePem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
const otherPem = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs8", format: "pem" }).toString();
const clientEmail = "charthouse@charts-prod.iam.gserviceaccount.com";

beforeAll(async () => {
  ecr = await startFakeEcrServer({ keys: [{ accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: awsSecret }], tokenTtlMs: shortLivedMs });
  google = await startFakeGoogleTokenServer({ serviceAccounts: [{ clientEmail, publicKey }], expiresInSeconds: shortLivedMs / 1000 });
  const awsId = randomUUID();
  const aws = (secretAccessKey: string): CloudCredential => ({
    id: awsId,
    kind: "aws",
    secret: { access_key_id: "AKIAIOSFODNN7EXAMPLE", secret_access_key: secretAccessKey, region: "eu-west-1" },
  });
  flows.push({
    name: "Amazon ECR",
    registryUrl: "https://123456789012.dkr.ecr.eu-west-1.amazonaws.com",
    options: { ...baseOptions, ecrEndpoint: ecr.endpoint },
    credential: () => aws(awsSecret),
    wrongSecret: () => aws(`${awsSecret.slice(0, -4)}WXYZ`),
    secrets: [awsSecret, `${awsSecret.slice(0, -4)}WXYZ`],
    exchanges: () => ecr.exchanges.length,
    lastIssued: () => ecr.exchanges.at(-1)?.password ?? "",
    secretOf: (login) => (login.type === "basic" ? login.password : ""),
    expectedLogin: { type: "basic", username: "AWS" },
  });
  const gcpId = randomUUID();
  const gcp = (key: string): CloudCredential => ({
    id: gcpId,
    kind: "gcp_service_account",
    secret: { service_account_json: { type: "service_account", client_email: clientEmail, private_key: key, token_uri: google.tokenUri } },
  });
  flows.push({
    name: "Google",
    registryUrl: "https://europe-docker.pkg.dev",
    options: baseOptions,
    credential: () => gcp(privatePem),
    wrongSecret: () => gcp(otherPem),
    secrets: [privatePem.split("\n")[1] ?? "", otherPem.split("\n")[1] ?? ""],
    exchanges: () => google.exchanges.length,
    lastIssued: () => google.exchanges.at(-1)?.accessToken ?? "",
    secretOf: (login) => (login.type === "basic" ? login.password : ""),
    expectedLogin: { type: "basic", username: "oauth2accesstoken" },
  });
  const tls = await selfSignedCertificate();
  const principal = { tenantId: "contoso.onmicrosoft.com", clientId: "00000000-1111-2222-3333-444444444444", clientSecret: "Xy8Q~client-secret-EXAMPLE" };
  entra = await startFakeEntraIdServer({ tls, principals: [principal], expiresInSeconds: 3600 });
  acr = await startFakeAcrAuthServer({
    introspect: (token) => entra.introspect(token),
    signAccessToken: (claims) => {
      signedClaims.push(claims);
      return `signed-${signedClaims.length}`;
    },
    refreshTokenTtlSeconds: shortLivedMs / 1000,
  });
  const azureId = randomUUID();
  const azure = (clientSecret: string): CloudCredential => ({
    id: azureId,
    kind: "azure_service_principal",
    secret: { tenant_id: principal.tenantId, client_id: principal.clientId, client_secret: clientSecret },
  });
  flows.push({
    name: "Azure",
    registryUrl: acr.url,
    options: { ...baseOptions, azureAuthorityHost: entra.authorityHost, azureAuthorityCa: tls.cert },
    credential: () => azure(principal.clientSecret),
    wrongSecret: () => azure("Xy8Q~wrong-secret-EXAMPLE"),
    secrets: [principal.clientSecret, "Xy8Q~wrong-secret-EXAMPLE"],
    exchanges: () => acr.exchanges.length,
    lastIssued: () => acr.exchanges.at(-1)?.refreshToken ?? "",
    secretOf: (login) => (login.type === "refresh_token" ? login.refreshToken : ""),
    expectedLogin: { type: "refresh_token" },
  });
});

afterAll(async () => {
  await ecr?.close();
  await google?.close();
  await entra?.close();
  await acr?.close();
  await closeRegistryAgents();
});

describe.each(["Amazon ECR", "Google", "Azure"])("%s sign-in", (name) => {
  const flow = (): Flow => {
    const found = flows.find((f) => f.name === name);
    if (found === undefined) throw new Error(`no flow ${name}`);
    return found;
  };

  it("exchanges the credential for a short-lived login the provider issued", async () => {
    const { options, registryUrl } = flow();
    const before = flow().exchanges();
    const login = await createCloudSignIn(options)(flow().credential(), registryUrl);
    expect(flow().exchanges()).toBe(before + 1);
    expect(login).toMatchObject(flow().expectedLogin);
    expect(flow().secretOf(login)).toBe(flow().lastIssued());
    expect(login.expiresAt).toBeGreaterThan(Date.now());
    expect(login.expiresAt).toBeLessThanOrEqual(Date.now() + shortLivedMs + 1_000);
  });

  it("reuses the login until shortly before it expires, then exchanges again", async () => {
    const signIn = cachedCloudSignIn(createCloudSignIn(flow().options), { marginMs: 60_000 });
    const first = await signIn(flow().credential(), flow().registryUrl);
    const again = await signIn(flow().credential(), flow().registryUrl);
    expect(again).toBe(first);
    const before = flow().exchanges();
    const renewed = await waitFor(
      async () => {
        const login = await signIn(flow().credential(), flow().registryUrl);
        return login !== first && login;
      },
      { what: "the short-lived login to be renewed", timeoutMs: 5_000 },
    );
    expect(flow().exchanges()).toBe(before + 1);
    expect(flow().secretOf(renewed)).toBe(flow().lastIssued());
  });

  it("exchanges again after forget (the registry answered 401)", async () => {
    const signIn = cachedCloudSignIn(createCloudSignIn(flow().options), { marginMs: 0 });
    const first = await signIn(flow().credential(), flow().registryUrl);
    signIn.forget(flow().credential().id, `${flow().registryUrl}/v2/`);
    const before = flow().exchanges();
    const second = await signIn(flow().credential(), flow().registryUrl);
    expect(flow().exchanges()).toBe(before + 1);
    expect(flow().secretOf(second)).not.toBe(flow().secretOf(first));
  });

  it("shares one exchange between concurrent callers", async () => {
    const signIn = cachedCloudSignIn(createCloudSignIn(flow().options), { marginMs: 0 });
    const before = flow().exchanges();
    const logins = await Promise.all(Array.from({ length: 8 }, () => signIn(flow().credential(), flow().registryUrl)));
    expect(flow().exchanges()).toBe(before + 1);
    expect(new Set(logins).size).toBe(1);
  });

  it("rejects a wrong secret as credential_rejected, naming the provider and never the secret", async () => {
    const signIn = cachedCloudSignIn(createCloudSignIn(flow().options), { marginMs: 0 });
    const before = flow().exchanges();
    const err = await rejectionOf(signIn(flow().wrongSecret(), flow().registryUrl));
    expect(err.code).toBe("credential_rejected");
    expect(err.transient).toBe(false);
    expect(err.message).toContain(name === "Azure" ? "Microsoft Entra ID" : name);
    expect(err.message).toContain(flow().credential().id);
    const logged = JSON.stringify({ message: err.message, cause: String(err.cause), solution: err.solution });
    for (const secret of flow().secrets) expect(logged).not.toContain(secret);
    expect(flow().exchanges()).toBe(before);
    // Not cached: the right secret signs in at once.
    expect(await signIn(flow().credential(), flow().registryUrl)).toMatchObject(flow().expectedLogin);
  });
});

describe("Amazon ECR specifics", () => {
  it("refuses an unknown access key as AWS does, and takes the region from the registry host", async () => {
    const options = { ...baseOptions, ecrEndpoint: ecr.endpoint };
    const unknown: CloudCredential = { id: randomUUID(), kind: "aws", secret: { access_key_id: "AKIAUNKNOWNKEY000000", secret_access_key: awsSecret } };
    const err = await rejectionOf(createCloudSignIn(options)(unknown, "https://123456789012.dkr.ecr.eu-west-1.amazonaws.com"));
    expect(err.code).toBe("credential_rejected");
    expect(err.message).toContain("UnrecognizedClientException");
    expect(ecr.refusals.at(-1)).toBe("UnrecognizedClientException");

    const regionless: CloudCredential = { id: randomUUID(), kind: "aws", secret: { access_key_id: "AKIAIOSFODNN7EXAMPLE", secret_access_key: awsSecret } };
    await createCloudSignIn(options)(regionless, "https://123456789012.dkr.ecr.ap-southeast-2.amazonaws.com");
    expect(ecr.exchanges.at(-1)?.region).toBe("ap-southeast-2");
    const noRegion = await rejectionOf(createCloudSignIn(options)(regionless, "http://127.0.0.1:5000"));
    expect(noRegion.code).toBe("credential_rejected");
    expect(noRegion.solution).toContain("Set region");
  });
});

describe("Azure ACR sign-in", () => {
  it("gets a refresh token the registry's /oauth2/token trades for an access token the test signs", async () => {
    const azure = flows.find((f) => f.name === "Azure");
    if (azure === undefined) throw new Error("no Azure flow");
    const login = await createCloudSignIn(azure.options)(azure.credential(), azure.registryUrl);
    if (login.type !== "refresh_token") throw new Error(`expected a refresh token, got ${login.type}`);
    expect(entra.exchanges.at(-1)?.scope).toBe("https://management.azure.com/.default");
    const host = new URL(azure.registryUrl).host;
    const answer = await fetch(`${azure.registryUrl}/oauth2/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ grant_type: "refresh_token", service: host, scope: "repository:charts/nginx:pull", refresh_token: login.refreshToken }),
    });
    expect(answer.status).toBe(200);
    const body = (await answer.json()) as { access_token: string };
    expect(body.access_token).toBe(`signed-${signedClaims.length}`);
    expect(signedClaims.at(-1)).toMatchObject({
      sub: "00000000-1111-2222-3333-444444444444",
      aud: host,
      access: [{ type: "repository", name: "charts/nginx", actions: ["pull"] }],
    });
  });

  it("says a registry without /oauth2/exchange is no ACR", async () => {
    const azure = flows.find((f) => f.name === "Azure");
    if (azure === undefined) throw new Error("no Azure flow");
    const notAcr = await startFakeGoogleTokenServer({ serviceAccounts: [] });
    try {
      const err = await rejectionOf(createCloudSignIn(azure.options)(azure.credential(), new URL(notAcr.tokenUri).origin));
      expect(err.code).toBe("credential_rejected");
      expect(err.message).toContain("/oauth2/exchange answered 404");
    } finally {
      await notAcr.close();
    }
  });
});

describe("cloud sign-in destinations", () => {
  it("never sends a Google assertion to a private token_uri while private networks are blocked", async () => {
    const google = flows.find((f) => f.name === "Google");
    if (google === undefined) throw new Error("no Google flow");
    const before = google.exchanges();
    const err = await rejectionOf(createCloudSignIn({ ...baseOptions, blockPrivateNetworks: true })(google.credential(), google.registryUrl));
    expect(err.code).toBe("forbidden_destination");
    expect(google.exchanges()).toBe(before);
  });

  it("never posts an Entra ID token to a cloud metadata address as if it were an ACR", async () => {
    const azure = flows.find((f) => f.name === "Azure");
    if (azure === undefined) throw new Error("no Azure flow");
    const err = await rejectionOf(createCloudSignIn(azure.options)(azure.credential(), "http://169.254.169.254"));
    expect(err.code).toBe("forbidden_destination");
  });
});

describe("cloud sign-in transport failures", () => {
  it("reports an unreachable or silent provider as a transient connection_failed or timeout", async () => {
    const stalling = await startStallingServer();
    try {
      const refused = await rejectionOf(
        createCloudSignIn({ ...baseOptions, ecrEndpoint: "http://127.0.0.1:9" })(flows[0]?.credential() as CloudCredential, "https://x.example"),
      );
      expect(refused.code).toBe("connection_failed");
      expect(refused.transient).toBe(true);
      const silentCredential = flows[1]?.credential() as Extract<CloudCredential, { kind: "gcp_service_account" }>;
      const silent = await rejectionOf(
        createCloudSignIn({ ...baseOptions, timeoutMs: 300 })(
          { ...silentCredential, secret: { service_account_json: { ...silentCredential.secret.service_account_json, token_uri: `${stalling.url}/token` } } },
          "https://europe-docker.pkg.dev",
        ),
      );
      expect(["timeout", "connection_failed"]).toContain(silent.code);
      expect(silent.transient).toBe(true);
    } finally {
      await stalling.stop();
    }
  });
});
