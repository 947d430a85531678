// Amazon ECR, Google Artifact Registry and Azure ACR as Charthouse meets them, on this machine:
// each provider's local fake (speaking its wire protocol) in front of a real docker-registry with
// token auth, whose token service takes only the short-lived logins the fake issued.
import { generateKeyPairSync, randomBytes, randomUUID } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createCloudSignIn } from "@charthouse/cloud-signin";
import { closeRegistryAgents } from "@charthouse/outbound-http";
import {
  makeChart,
  makeTempDir,
  pushChart,
  removeTempDir,
  selfSignedCertificate,
  startDockerRegistry,
  startFakeAcrAuthServer,
  startFakeEcrServer,
  startFakeEntraIdServer,
  startFakeGoogleTokenServer,
  startTokenServer,
  type DockerRegistry,
  type FakeServicePrincipal,
} from "@charthouse/testing";

/** How long every login a provider issues to Charthouse lasts, in seconds: a few, so that tests see them expire. */
export const cloudLoginSeconds = 5;

/** One provider's flow, from Charthouse's credential to the registry's token service. */
export interface CloudFlow {
  /** The provider as a refused sign-in names it. */
  provider: "Amazon ECR" | "Google" | "Microsoft Entra ID";
  /** The chart the test pushes, and the registry URL of its repository (`oci://HOST/NS/CHART`). */
  chart: string;
  repositoryUrl: string;
  /** The POST /credentials body of Charthouse's identity at the provider, with its secret or a wrong one. */
  credentialBody(name: string, secret: "right" | "wrong"): Record<string, unknown>;
  /** Sign-ins of Charthouse's identity the provider granted so far. */
  exchanges(): number;
  /** When all Charthouse obtained so far has stopped working: the provider's logins and the registry tokens made from them. */
  loginsExpireAt(): number;
  /** Whether the registry's token service issued a registry token for the provider's newest login. */
  newestLoginUsed(): boolean;
  /** The status the registry's token service answers the first login the provider issued to Charthouse now. */
  firstLoginStatus(): Promise<number>;
  /** Pushes a chart version with helm, signed in as the test's own identity (`helm registry login`, as the provider's docs say). */
  push(version: string): Promise<void>;
}

/** The running peers of every cloud flow. */
export interface CloudRegistryPeers {
  flows: readonly CloudFlow[];
  /** The settings that point Charthouse's services at the fakes. */
  env: Record<string, string>;
  /** Every short-lived secret the providers issued so far, labelled, for the run's secret scan. */
  issuedSecrets(): { label: string; value: string }[];
  stop(): Promise<void>;
}

/** Starts the providers' fakes, a token server and two docker-registries (ECR and Google share one; ACR fronts the other). */
export async function startCloudRegistryPeers(): Promise<CloudRegistryPeers> {
  const stops: (() => Promise<void>)[] = [];
  const stop = async (): Promise<void> => {
    for (const fn of stops.reverse()) await fn().catch(() => undefined);
    await closeRegistryAgents();
  };
  try {
    const dir = await makeTempDir("cloud-peers");
    stops.push(() => removeTempDir(dir));

    // Amazon ECR: GetAuthorizationToken with a SigV4-signed request; the token is AWS:<password>.
    const awsKey = { accessKeyId: "AKIACHARTHOUSEE2E001", secretAccessKey: `e2e/${randomBytes(27).toString("base64url")}` };
    const ecr = await startFakeEcrServer({ keys: [awsKey], tokenTtlMs: cloudLoginSeconds * 1000 });
    stops.push(() => ecr.close());

    // Google: the service account's signed JWT assertion at the key file's token_uri.
    const serviceAccount = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const otherKey = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    const clientEmail = "charthouse-e2e@charts-e2e.iam.gserviceaccount.com";
    const google = await startFakeGoogleTokenServer({
      serviceAccounts: [{ clientEmail, publicKey: serviceAccount.publicKey }],
      expiresInSeconds: cloudLoginSeconds,
    });
    stops.push(() => google.close());

    // The token service of the ECR and Google registry: a pusher of the test's own, and the
    // provider's fixed user with a password the fake issued and that has not expired.
    const pusher = { username: "pusher", password: `push-${randomBytes(12).toString("hex")}` };
    const accepted: { username: string; password: string }[] = [];
    const tokens = await startTokenServer({
      users: { [pusher.username]: pusher.password },
      // Registry tokens outlive nothing: a later sync must sign in at the realm again.
      lifetimeSeconds: 2,
      verifyPassword: (username, password) => {
        const now = Date.now();
        const valid =
          (username === "AWS" && ecr.exchanges.some((e) => e.password === password && e.expiresAt > now)) ||
          (username === "oauth2accesstoken" && google.exchanges.some((e) => e.accessToken === password && e.expiresAt > now));
        if (valid) accepted.push({ username, password });
        return valid;
      },
    });
    stops.push(() => tokens.stop());
    const shared = await startDockerRegistry({ tokenAuth: tokens });
    stops.push(() => shared.stop());

    // Azure: Entra ID (HTTPS, as MSAL insists) for the service principal's token, then ACR's own
    // /oauth2/exchange and /oauth2/token on the registry's host, which also serves /v2/.
    const tls = await selfSignedCertificate();
    const caPath = join(dir, "entra-ca.pem");
    await writeFile(caPath, tls.cert);
    const principal: FakeServicePrincipal = { tenantId: randomUUID(), clientId: randomUUID(), clientSecret: `Ch8Q~${randomBytes(24).toString("base64url")}` };
    const pushingPrincipal: FakeServicePrincipal = { tenantId: principal.tenantId, clientId: randomUUID(), clientSecret: `Pu8Q~${randomBytes(24).toString("base64url")}` };
    const entra = await startFakeEntraIdServer({ tls, principals: [principal, pushingPrincipal] });
    stops.push(() => entra.close());
    const isCharthouse = (clientId: string): boolean => clientId === principal.clientId;
    const acrTokens: { clientId: string; issuedAt: number; acceptedUntil: number }[] = [];
    const acr = await startFakeAcrAuthServer({
      introspect: (token) => entra.introspect(token),
      // Charthouse's refresh tokens are short-lived; the test's pusher keeps ACR's 3 hours.
      refreshTokenTtlSeconds: ({ clientId }) => (isCharthouse(clientId) ? cloudLoginSeconds : 3 * 3600),
      signAccessToken: (claims) => {
        const now = Math.floor(Date.now() / 1000);
        // ACR's answer names no expires_in (clients keep its token 60 s); docker-registry allows
        // 60 s of leeway past `exp`, so this `exp` makes Charthouse's tokens work for 2 s only.
        const exp = isCharthouse(claims.sub) ? now + 2 - 60 : now + claims.expiresIn;
        acrTokens.push({ clientId: claims.sub, issuedAt: Date.now(), acceptedUntil: (exp + 61) * 1000 });
        return tokens.signToken({ sub: claims.sub, aud: claims.aud, access: claims.access, exp });
      },
    });
    stops.push(() => acr.close());
    const acrHost = new URL(acr.url).host;
    const behindAcr: DockerRegistry = await startDockerRegistry({
      tokenAuth: { realm: `${acr.url}/oauth2/token`, service: acrHost, issuer: tokens.issuer, rootCertBundlePath: tokens.rootCertBundlePath },
    });
    stops.push(() => behindAcr.stop());
    acr.proxyTo(behindAcr.url);
    const signInToAcr = createCloudSignIn({ azureAuthorityHost: entra.authorityHost, azureAuthorityCa: tls.cert, timeoutMs: 15_000, blockPrivateNetworks: false });

    const pushTo = async (target: string, chart: string, version: string, login: { username: string; password: string }): Promise<void> => {
      const archive = await makeChart(dir, { name: chart, version, values: `chart: ${chart}\n` });
      await pushChart(archive, target, { login });
    };
    const realmStatus = async (username: string, password: string): Promise<number> => {
      const url = `${tokens.realm}?service=${encodeURIComponent(tokens.service)}&scope=${encodeURIComponent("repository:ecr/x:pull")}`;
      const response = await fetch(url, { headers: { authorization: `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}` } });
      await response.body?.cancel();
      return response.status;
    };
    const ecrExchanges = () => ecr.exchanges.filter((e) => e.accessKeyId === awsKey.accessKeyId);
    const googleExchanges = () => google.exchanges.filter((e) => e.clientEmail === clientEmail);
    const acrExchanges = () => acr.exchanges.filter((e) => isCharthouse(e.clientId));
    const latest = (values: number[]): number => values.reduce((a, b) => Math.max(a, b), 0);
    // Registry tokens of the shared token server last 2 s (the 60 s leeway is the registry's, not the client's).
    const registryTokenSeconds = 2;

    const flows: CloudFlow[] = [
      {
        provider: "Amazon ECR",
        chart: "payments",
        repositoryUrl: `oci://${shared.host}/ecr/payments`,
        credentialBody: (name, secret) => ({
          name,
          kind: "aws",
          access_key_id: awsKey.accessKeyId,
          secret_access_key: secret === "right" ? awsKey.secretAccessKey : `${awsKey.secretAccessKey.slice(0, -4)}WXYZ`,
          region: "eu-west-1",
        }),
        exchanges: () => ecrExchanges().length,
        loginsExpireAt: () => latest(ecrExchanges().map((e) => e.expiresAt)) + registryTokenSeconds * 1000,
        newestLoginUsed: () => accepted.some((a) => a.username === "AWS" && a.password === ecrExchanges().at(-1)?.password),
        firstLoginStatus: () => realmStatus("AWS", ecrExchanges()[0]?.password ?? ""),
        push: (version) => pushTo(`${shared.host}/ecr`, "payments", version, pusher),
      },
      {
        provider: "Google",
        chart: "billing",
        repositoryUrl: `oci://${shared.host}/gar/billing`,
        credentialBody: (name, secret) => ({
          name,
          kind: "gcp_service_account",
          service_account_json: JSON.stringify({
            type: "service_account",
            project_id: "charts-e2e",
            private_key_id: randomBytes(20).toString("hex"),
            private_key: secret === "right" ? serviceAccount.privateKey.export({ type: "pkcs8", format: "pem" }).toString() : otherKey,
            client_email: clientEmail,
            client_id: "104729410000000000001",
            token_uri: google.tokenUri,
          }),
        }),
        exchanges: () => googleExchanges().length,
        loginsExpireAt: () => latest(googleExchanges().map((e) => e.expiresAt)) + registryTokenSeconds * 1000,
        newestLoginUsed: () => accepted.some((a) => a.username === "oauth2accesstoken" && a.password === googleExchanges().at(-1)?.accessToken),
        firstLoginStatus: () => realmStatus("oauth2accesstoken", googleExchanges()[0]?.accessToken ?? ""),
        push: (version) => pushTo(`${shared.host}/gar`, "billing", version, pusher),
      },
      {
        provider: "Microsoft Entra ID",
        chart: "ledger",
        repositoryUrl: `oci://${acrHost}/acr/ledger`,
        credentialBody: (name, secret) => ({
          name,
          kind: "azure_service_principal",
          tenant_id: principal.tenantId,
          client_id: principal.clientId,
          client_secret: secret === "right" ? principal.clientSecret : `Wr0Q~${randomBytes(24).toString("base64url")}`,
        }),
        exchanges: () => acrExchanges().length,
        loginsExpireAt: () =>
          Math.max(
            latest(acrExchanges().map((e) => e.expiresAt)),
            latest(acrTokens.filter((t) => isCharthouse(t.clientId)).map((t) => t.acceptedUntil)),
          ),
        newestLoginUsed: () => {
          const newest = acrExchanges().at(-1);
          const issuedAt = newest === undefined ? Number.POSITIVE_INFINITY : newest.expiresAt - cloudLoginSeconds * 1000;
          return acrTokens.some((t) => isCharthouse(t.clientId) && t.issuedAt >= issuedAt);
        },
        firstLoginStatus: async () => {
          const response = await fetch(`${acr.url}/oauth2/token`, {
            method: "POST",
            body: new URLSearchParams({ grant_type: "refresh_token", service: acrHost, scope: "repository:acr/ledger:pull", refresh_token: acrExchanges()[0]?.refreshToken ?? "" }),
          });
          await response.body?.cancel();
          return response.status;
        },
        // What `az acr login` does: an Entra ID token exchanged for an ACR refresh token, the
        // password of user 00000000-0000-0000-0000-000000000000.
        push: async (version) => {
          const login = await signInToAcr(
            { id: "e2e-pusher", kind: "azure_service_principal", secret: { tenant_id: pushingPrincipal.tenantId, client_id: pushingPrincipal.clientId, client_secret: pushingPrincipal.clientSecret } },
            acr.url,
          );
          if (login.type !== "refresh_token") throw new Error(`ACR sign-in gave a ${login.type} login`);
          await pushTo(`${acrHost}/acr`, "ledger", version, { username: "00000000-0000-0000-0000-000000000000", password: login.refreshToken });
        },
      },
    ];

    return {
      flows,
      env: {
        CHARTHOUSE_AWS_ECR_ENDPOINT: ecr.endpoint,
        CHARTHOUSE_AZURE_AUTHORITY_HOST: entra.authorityHost,
        // Node's own setting, read when each service process starts: trust the fake authority's CA.
        NODE_EXTRA_CA_CERTS: caPath,
        CHARTHOUSE_CLOUD_TOKEN_MARGIN_MS: "1000",
      },
      issuedSecrets: () => [
        ...ecr.exchanges.map((e) => ({ label: "ECR authorization token password", value: e.password })),
        ...google.exchanges.map((e) => ({ label: "Google access token", value: e.accessToken })),
        ...entra.exchanges.map((e) => ({ label: "Entra ID access token", value: e.accessToken })),
        ...acr.exchanges.map((e) => ({ label: "ACR refresh token", value: e.refreshToken })),
        { label: "registry pusher password", value: pusher.password },
      ],
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
