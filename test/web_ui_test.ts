import { readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseDocument } from "yaml";
import { buildWebUi, workspaceRoot } from "@charthouse/stack";
import { startNginx, type NginxServer } from "@charthouse/testing";
import { launchChromium, openPage, overflowsSideways, screenshot, signIn } from "./support/browser.ts";
import { makeChartRepository, type ChartRepositoryFolder } from "./support/chart_repository.ts";
import { hostileReadme } from "./support/hostile_readme.ts";
import { startCharthouse, type CharthouseUnderTest } from "./support/running_charthouse.ts";

const webReadme = `# web

Serves pages. ![build status](https://img.shields.io/badge/build-passing-green.svg)

![diagram](docs/diagram.png)

| value | meaning |
| --- | --- |
| \`replicaCount\` | how many pods |

\`\`\`sh
helm install web local/web
\`\`\`
`;

const webValues = `# How many pods
replicaCount: 1
image:
  repository: nginx
  tag: "1.27"
ports:
  - 80
`;

const webSchema = {
  $schema: "http://json-schema.org/draft-07/schema#",
  type: "object",
  required: ["replicaCount"],
  definitions: { port: { type: "integer", minimum: 1, maximum: 65535, description: "A container port" } },
  properties: {
    replicaCount: { type: "integer", default: 1, description: "How many pods" },
    image: {
      type: "object",
      description: "The container image",
      properties: {
        repository: { type: "string", default: "nginx" },
        tag: { type: "string", enum: ["1.27", "1.26"], description: "Image tag" },
      },
    },
    ports: { type: "array", items: { $ref: "#/definitions/port" } },
  },
};

/** What the hostile-README test reads off the rendered page. */
interface ReadmeDom {
  dangerous: number;
  handlers: string[];
  badLinks: string[];
  iframesInPage: number;
  bodyVisible: boolean;
  text: string;
}

// Runs in the page (a string: the root tsconfig has no DOM types).
const inspectReadmeDom = `(() => {
  const root = document.querySelector('[data-testid="readme"]');
  const all = [...root.querySelectorAll("*")];
  return {
    dangerous: root.querySelectorAll("script, iframe, object, embed, form, meta, style, link, base").length,
    handlers: all.flatMap((el) => [...el.attributes].map((a) => a.name)).filter((n) => n.startsWith("on")),
    badLinks: [...document.querySelectorAll("[href], [src], [action]")]
      .map((el) => el.getAttribute("href") ?? el.getAttribute("src") ?? el.getAttribute("action") ?? "")
      .filter((v) => /^\\s*(javascript|data:text|vbscript)/i.test(v)),
    iframesInPage: document.querySelectorAll("iframe").length,
    bodyVisible: getComputedStyle(document.body).display !== "none",
    text: root.textContent ?? "",
  };
})()`;

let charthouse: CharthouseUnderTest;
let repository: ChartRepositoryFolder;
let nginx: NginxServer;
let browser: Browser;

/** Marks one version deprecated in index.yaml, as a repository's maintainer would. */
async function deprecateInIndex(root: string, chart: string, version: string): Promise<void> {
  const path = join(root, "index.yaml");
  const doc = parseDocument(await readFile(path, "utf8"));
  const entries = doc.getIn(["entries", chart]) as { items: { get(k: string): unknown; set(k: string, v: unknown): void }[] };
  const entry = entries.items.find((e) => e.get("version") === version);
  if (!entry) throw new Error(`index.yaml has no ${chart} ${version}`);
  entry.set("deprecated", true);
  await writeFile(path, doc.toString());
}

async function signedInPage(options: { width?: number; height?: number } = {}): Promise<{ page: Page; pageErrors: string[]; close(): Promise<void> }> {
  const { context, page, pageErrors } = await openPage(browser, options);
  await signIn(page, charthouse.apiUrl, charthouse.token);
  return { page, pageErrors, close: () => context.close() };
}

beforeAll(async () => {
  repository = await makeChartRepository([
    { name: "web", version: "1.0.0", appVersion: "1.27.0", readme: webReadme, values: webValues, schema: webSchema },
    { name: "web", version: "0.9.0", appVersion: "1.26.0", readme: "# web 0.9\n", values: "replicaCount: 1\n", schema: webSchema },
    { name: "evil", version: "0.1.0", readme: hostileReadme, values: "enabled: true\n" },
  ]);
  await deprecateInIndex(repository.root, "web", "0.9.0");
  nginx = await startNginx({ root: repository.root });
  await buildWebUi(workspaceRoot);
  charthouse = await startCharthouse();
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await charthouse?.stop();
  await nginx?.stop();
});

describe("the web UI in Debian's chromium, against the whole stack", () => {
  it("signs in with a token that never appears in a URL", async () => {
    const { context, page, pageErrors } = await openPage(browser);
    const urls: string[] = [];
    page.on("request", (r) => urls.push(r.url()));
    await page.goto(`${charthouse.apiUrl}/repositories`);
    await screenshot(page, "01-sign-in");
    await page.getByLabel("API token").fill("cht_wrong_token");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByText("This token is unknown or revoked").waitFor();
    await page.getByLabel("API token").fill(charthouse.token);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { name: "Repositories" }).waitFor();
    expect(urls.some((u) => u.includes(charthouse.token))).toBe(false);
    expect(await page.evaluate<string>("document.cookie")).toBe("");
    expect(pageErrors).toEqual([]);
    await context.close();
  });

  it("adds a repository served by nginx, shows it reach ready, and browses a chart's README, values and schema", async () => {
    const { page, pageErrors, close } = await signedInPage();
    await page.getByRole("link", { name: "Charts", exact: true }).click();
    await page.getByText("No charts yet").waitFor();
    await screenshot(page, "02-charts-empty");

    await page.getByRole("link", { name: "Repositories", exact: true }).first().click();
    const form = page.getByTestId("repository-form");
    await form.getByLabel("Registry URL").fill(`${nginx.url}/`);
    await form.getByLabel("Name").fill("local-charts");
    expect(await form.getByLabel("Credential").inputValue()).toBe("");
    await form.getByLabel("Sync interval").selectOption("300");
    await form.getByRole("button", { name: "Add" }).click();
    const card = page.locator('[data-testid="registry-card"][data-registry-name="local-charts"]');
    await card.waitFor();
    await expect.poll(async () => card.getByTestId("registry-state").textContent(), { timeout: 60_000, interval: 250 }).toBe("Ready");
    await expect.poll(async () => card.getByTestId("versions-ready").textContent(), { timeout: 60_000, interval: 250 }).toBe("3");
    expect(await card.getByTestId("versions-found").textContent()).toBe("3");
    await expect.poll(async () => card.textContent()).toContain("every 5 minutes");
    await screenshot(page, "03-repositories-ready");

    await card.getByRole("link", { name: "Browse charts" }).click();
    await page.getByLabel("Search charts").fill("web");
    const row = page.getByTestId("chart-row").filter({ hasText: "web" });
    await expect.poll(async () => page.getByTestId("chart-row").count()).toBe(1);
    await screenshot(page, "04-charts-search");
    await row.getByRole("link").click();

    await page.getByRole("heading", { name: "web", level: 1 }).first().waitFor();
    const readme = page.getByTestId("readme");
    await readme.getByRole("heading", { name: "web" }).waitFor();
    expect(await readme.locator("table").count()).toBe(1);
    expect(await readme.textContent()).toContain("[image: diagram]");
    expect(await page.getByTestId("app-version").textContent()).toBe("1.27.0");
    const versions = page.getByTestId("version-row");
    await expect.poll(async () => versions.count()).toBe(2);
    expect(await versions.filter({ hasText: "0.9.0" }).textContent()).toContain("deprecated");
    expect(await versions.filter({ hasText: "1.0.0" }).textContent()).not.toContain("deprecated");
    await screenshot(page, "05-chart-readme");

    // Keyboard: arrow keys move between the README, Values and Schema tabs.
    await page.getByRole("tab", { name: "README" }).focus();
    await page.keyboard.press("ArrowRight");
    const values = page.getByTestId("values");
    await values.waitFor();
    expect(await values.locator(".hljs-attr").first().textContent()).toMatch(/^replicaCount:?$/);
    expect(await values.locator("code").textContent()).toBe(webValues);
    await screenshot(page, "06-chart-values");
    await page.keyboard.press("ArrowRight");
    const schema = page.getByTestId("schema");
    const replicas = schema.locator('[data-path="replicaCount"]');
    await replicas.waitFor();
    expect(await replicas.textContent()).toMatch(/replicaCount\s*integer\s*required\s*default 1\s*How many pods/);
    expect(await schema.locator('[data-path="image.tag"]').textContent()).toContain('one of "1.27", "1.26"');
    expect(await schema.locator('[data-path="ports[]"]').textContent()).toContain("A container port");
    await screenshot(page, "07-chart-schema");

    const downloadEvent = page.waitForEvent("download");
    await page.getByTestId("download").click();
    const download = await downloadEvent;
    expect(download.suggestedFilename()).toBe("web-1.0.0.tgz");
    const saved = await download.path();
    expect((await stat(saved)).size).toBe((await stat(join(repository.root, "web-1.0.0.tgz"))).size);
    expect(pageErrors).toEqual([]);
    await close();
  });

  it("shows a wrong URL's not_found code, cause and solution beside the repository, with Sync now", async () => {
    const { page, pageErrors, close } = await signedInPage();
    await page.goto(`${charthouse.apiUrl}/repositories`);
    await page.getByRole("button", { name: "Add", exact: true }).click();
    const form = page.getByTestId("repository-form");
    await form.getByLabel("Registry URL").fill(`${nginx.url}/no-such-folder/`);
    expect(await form.getByLabel("Name").inputValue()).toBe("no-such-folder");
    await form.getByRole("button", { name: "Add" }).click();
    const card = page.locator('[data-testid="registry-card"][data-registry-name="no-such-folder"]');
    const error = card.getByTestId("registry-error");
    await error.waitFor({ timeout: 60_000 });
    expect(await error.getByTestId("error-code").textContent()).toBe("not_found");
    expect(await error.getByTestId("error-solution").textContent()).toBe("Verify the URL points to the repository root");
    expect(await card.getByTestId("registry-state").textContent()).toBe("Error");
    await card.getByRole("button", { name: "Sync now" }).click();
    await card.getByText("Sync requested.").waitFor();
    await screenshot(page, "08-repositories-not-found");

    // A second repository of the same name is a 409, shown with the API's own words.
    await page.getByRole("button", { name: "Add", exact: true }).click();
    await form.getByLabel("Registry URL").fill(`${nginx.url}/no-such-folder/`);
    await form.getByRole("button", { name: "Add" }).click();
    await form.getByText("conflict").waitFor();
    expect(pageErrors).toEqual([]);
    await close();
  });

  it("adds credentials with each kind's own fields, offers them to new repositories, never shows a secret, deletes them", async () => {
    const { page, pageErrors, close } = await signedInPage();
    await page.getByRole("link", { name: "Credentials" }).click();
    await page.getByText("No credentials yet").waitFor();
    await page.getByRole("button", { name: "Add", exact: true }).click();
    const form = page.getByTestId("credential-form");
    await form.getByLabel("Name", { exact: true }).fill("harbor-robot");
    await form.getByLabel("Kind").selectOption("basic");
    await form.getByLabel("Username").fill("robot$ci");
    await form.getByLabel("Password").fill("s3cret-password-value");
    await form.getByRole("button", { name: "Add credential" }).click();
    await page.getByTestId("credential-row").filter({ hasText: "harbor-robot" }).waitFor();

    await page.getByRole("button", { name: "Add", exact: true }).click();
    await form.getByLabel("Kind").selectOption("aws");
    for (const label of ["Access key ID", "Secret access key", "Session token (optional)", "Region (optional)"]) {
      await form.getByLabel(label).waitFor();
    }
    await form.getByLabel("Kind").selectOption("azure_service_principal");
    for (const label of ["Tenant ID", "Client ID", "Client secret"]) await form.getByLabel(label).waitFor();
    await form.getByLabel("Kind").selectOption("gcp_service_account");
    await form.getByLabel("Name", { exact: true }).fill("broken-gcp");
    await form.getByLabel("Service account key (JSON)").fill("{ not json");
    await form.getByRole("button", { name: "Add credential" }).click();
    await form.locator(".field-error").first().waitFor();
    await screenshot(page, "09-credentials");
    await form.getByRole("button", { name: "Cancel" }).click();

    const html = await page.content();
    expect(html).not.toContain("s3cret-password-value");
    expect(await page.getByTestId("credential-row").textContent()).toContain("robot$ci");

    await page.getByRole("link", { name: "Repositories", exact: true }).click();
    await page.getByRole("button", { name: "Add", exact: true }).click();
    const select = page.getByTestId("repository-form").getByLabel("Credential");
    await expect.poll(async () => select.locator("option").allTextContents()).toContain("harbor-robot (basic)");
    await page.getByTestId("repository-form").getByRole("button", { name: "Cancel" }).click();

    await page.getByRole("link", { name: "Credentials" }).click();
    const row = page.getByTestId("credential-row").filter({ hasText: "harbor-robot" });
    await row.getByRole("button", { name: "Delete…" }).click();
    await row.getByRole("button", { name: "Delete “harbor-robot”" }).click();
    await page.getByText("No credentials yet").waitFor();
    expect(pageErrors).toEqual([]);
    await close();
  });

  it("adds a receiver: shows its secret and the sender's setup once, lists it without the secret, deletes it", async () => {
    const { page, pageErrors, close } = await signedInPage();
    await page.getByRole("link", { name: "Receivers" }).click();
    await page.getByText("No receivers yet").waitFor();
    await page.getByRole("button", { name: "Add", exact: true }).click();
    const form = page.getByTestId("receiver-form");
    await form.getByLabel("Name", { exact: true }).fill("local-registry");
    await form.getByLabel("Sender").selectOption("distribution");
    const repositories = form.getByLabel("Repository");
    await expect.poll(async () => (await repositories.locator("option").allTextContents()).length).toBeGreaterThan(1);
    await repositories.selectOption({ index: 1 });
    await form.getByRole("button", { name: "Add receiver" }).click();

    await page.getByText("Added “local-registry”.").waitFor();
    const shownOnce = (await page.getByTestId("sender-setup").first().textContent()) ?? "";
    const secret = /Authorization: \[Bearer ([0-9a-f]{64})\]/.exec(shownOnce)?.[1];
    expect(secret, shownOnce).toBeDefined();
    expect(shownOnce).toContain("notifications:");
    const row = page.getByTestId("receiver-row").filter({ hasText: "local-registry" });
    await row.waitFor();
    expect(await row.textContent()).toMatch(/\/hooks\/[0-9a-f-]{36}/);
    await screenshot(page, "10-receivers");

    // Once the page is left, the secret is gone for good.
    await page.getByRole("link", { name: "Credentials" }).click();
    await page.getByRole("link", { name: "Receivers" }).click();
    await row.waitFor();
    expect(await page.content()).not.toContain(secret);
    await row.getByRole("button", { name: "Delete…" }).click();
    await row.getByRole("button", { name: "Delete “local-registry”" }).click();
    await page.getByText("No receivers yet").waitFor();
    expect(pageErrors).toEqual([]);
    await close();
  });

  it("renders a hostile README harmlessly: no script runs, no frame, no javascript: link", async () => {
    const { page, pageErrors, close } = await signedInPage();
    let dialogs = 0;
    page.on("dialog", (d) => {
      dialogs += 1;
      void d.dismiss();
    });
    await page.getByLabel("Search charts").fill("evil");
    await expect.poll(async () => page.getByTestId("chart-row").count()).toBe(1);
    await page.getByTestId("chart-row").getByRole("link").click();
    const readme = page.getByTestId("readme");
    await readme.getByText("Last line is still here.").waitFor();
    await readme.getByText("Hover me").hover();
    await readme.getByText("html javascript link").click();
    await readme.getByText("markdown javascript link").click();
    await readme.getByText("Details", { exact: true }).click();
    // Give anything that was going to run a moment to do so: a probe through the page's event loop.
    await page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 300)));

    expect(await page.evaluate<unknown>("window.__pwned")).toBeUndefined();
    expect(dialogs).toBe(0);
    expect(page.url()).toContain("/charts/");
    const dom = await page.evaluate<ReadmeDom>(inspectReadmeDom);
    expect(dom.dangerous).toBe(0);
    expect(dom.handlers).toEqual([]);
    expect(dom.badLinks).toEqual([]);
    expect(dom.iframesInPage).toBe(0);
    expect(dom.bodyVisible).toBe(true);
    expect(dom.text).toContain("[image: architecture diagram]");
    expect(dom.text).toContain("[image: relative logo]");
    await screenshot(page, "10-hostile-readme");
    expect(pageErrors).toEqual([]);
    await close();
  });

  it("is served with a strict Content-Security-Policy, immutable hashed assets and an SPA fallback", async () => {
    const page = await fetch(`${charthouse.apiUrl}/charts/anything/deep-link`);
    expect(page.status).toBe(200);
    const csp = page.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain("unsafe-inline");
    expect(csp).toContain("frame-ancestors 'none'");
    const html = await page.text();
    const asset = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(asset).toBeDefined();
    const script = await fetch(`${charthouse.apiUrl}${asset}`);
    expect(script.headers.get("cache-control")).toContain("immutable");
    const problem = await fetch(`${charthouse.apiUrl}/api/v1/registries`);
    expect(problem.status).toBe(401);
    expect(problem.headers.get("content-type")).toContain("application/problem+json");
  });

  it("works from the keyboard and fits a phone's width", async () => {
    const { page, pageErrors, close } = await signedInPage({ width: 390, height: 844 });
    await page.getByLabel("Search charts").fill("web");
    await expect.poll(async () => page.getByTestId("chart-row").count()).toBe(1);
    await page.getByLabel("Search charts").focus();
    await page.keyboard.press("Tab");
    expect(await page.evaluate<boolean>(`document.activeElement?.closest('[data-testid="chart-row"]') !== null`)).toBe(true);
    await page.keyboard.press("Enter");
    await page.getByTestId("readme").waitFor();
    expect(await overflowsSideways(page)).toBe(false);
    await screenshot(page, "11-phone-chart");
    await page.getByRole("link", { name: "Repositories", exact: true }).first().click();
    await page.getByTestId("registry-card").first().waitFor();
    expect(await overflowsSideways(page)).toBe(false);
    await screenshot(page, "12-phone-repositories");
    await page.getByRole("link", { name: "Charts", exact: true }).click();
    await page.getByTestId("chart-row").first().waitFor();
    expect(await overflowsSideways(page)).toBe(false);
    await screenshot(page, "13-phone-charts");
    expect(pageErrors).toEqual([]);
    await close();
  });
});
