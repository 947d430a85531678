import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildWebUi, workspaceRoot } from "@charthouse/stack";
import { startNginx, type NginxServer } from "@charthouse/testing";
import { addRegistry, registryWhen } from "./support/api_waits.ts";
import { launchChromium, openPage, overflowsSideways, screenshot, signIn } from "./support/browser.ts";
import { makeChartRepository } from "./support/chart_repository.ts";
import { startCharthouse, type CharthouseUnderTest } from "./support/running_charthouse.ts";

const oldValues = `replicaCount: 1
image:
  repository: nginx
  tag: "1.25"
service:
  port: 80
legacy:
  enabled: true
`;

const newValues = `replicaCount: 1
image:
  repository: nginx
  tag: "1.27"
service:
  port: 80
metrics:
  port: 9090
`;

const newSchema = {
  $schema: "http://json-schema.org/draft-07/schema#",
  type: "object",
  properties: {
    replicaCount: { type: "integer", minimum: 1 },
    image: { type: "object", properties: { repository: { type: "string" }, tag: { type: "string" } } },
    service: { type: "object", properties: { port: { type: "integer" } } },
    metrics: { type: "object", properties: { port: { type: "integer" } } },
  },
};

let charthouse: CharthouseUnderTest;
let nginx: NginxServer;
let browser: Browser;
let registryId: string;

/** The chart page of shop, signed in; `pageErrors` gets uncaught errors and anything the Content-Security-Policy blocked. */
async function chartPage(options: { width?: number; height?: number } = {}): Promise<{ page: Page; pageErrors: string[]; close(): Promise<void> }> {
  const { context, page, pageErrors } = await openPage(browser, options);
  page.on("console", (message) => {
    if (/Content.Security.Policy/i.test(message.text())) pageErrors.push(message.text());
  });
  await signIn(page, charthouse.apiUrl, charthouse.token, `/charts/${registryId}/shop`);
  await page.getByRole("heading", { name: "shop", level: 1 }).waitFor();
  return { page, pageErrors, close: () => context.close() };
}

beforeAll(async () => {
  // Two versions made by the real helm: the values change, and 1.1.0 brings a schema.
  const repository = await makeChartRepository([
    { name: "shop", version: "1.0.0", appVersion: "1.25.0", values: oldValues },
    { name: "shop", version: "1.1.0", appVersion: "1.27.0", values: newValues, schema: newSchema },
  ]);
  nginx = await startNginx({ root: repository.root });
  await buildWebUi(workspaceRoot);
  charthouse = await startCharthouse();
  registryId = await addRegistry(charthouse, "compare-charts", `${nginx.url}/`);
  await registryWhen(charthouse, registryId, (r) => r.status.versions_ready === 2, "both versions of shop ready", 90_000);
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await charthouse?.stop();
  await nginx?.stop();
});

describe("Compare with… and Check my values in Debian's chromium, against the whole stack", () => {
  it("compares the selected version with the one before it, as a table of values changes, and says when nothing differs", async () => {
    const { page, pageErrors, close } = await chartPage();
    await page.getByRole("tab", { name: "Compare with…" }).click();
    const compare = page.getByTestId("compare");
    await compare.waitFor();
    expect(await compare.getByLabel("From").inputValue()).toBe("1.0.0");
    expect(await compare.getByLabel("To").inputValue()).toBe("1.1.0");

    const values = page.getByTestId("compare-values");
    const tag = values.locator('[data-testid="values-change"][data-path="image.tag"]');
    await tag.waitFor();
    expect(await tag.locator("td").allTextContents()).toEqual(["image.tag", "changed", '"1.25"', '"1.27"']);
    expect(await values.locator('[data-path="metrics.port"] td').allTextContents()).toEqual(["metrics.port", "added", "", "9090"]);
    expect(await values.locator('[data-path="legacy.enabled"] td').allTextContents()).toEqual(["legacy.enabled", "removed", "true", ""]);
    expect(await values.getByTestId("values-change").count()).toBe(3);
    // 1.1.0 brings the schema: each of its top-level properties is added, nothing below them again.
    const schema = page.getByTestId("compare-schema");
    expect((await schema.getByTestId("schema-change").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-path")))).sort()).toEqual([
      "image",
      "metrics",
      "replicaCount",
      "service",
    ]);
    expect(await page.getByTestId("compare-chart-yaml").textContent()).toMatch(/appVersion.*"1\.25\.0".*"1\.27\.0"/);
    expect(await page.getByTestId("image-changes").textContent()).toMatch(/changed\s*nginx\s*1\.25\s*→\s*1\.27/);
    expect(page.url()).toContain("tab=compare");
    await screenshot(page, "compare-01-values-changes");

    // The other order reads the other way round, and a version against itself is said to be empty.
    await page.getByRole("button", { name: "Swap the two versions" }).click();
    await expect
      .poll(async () => values.locator('[data-path="image.tag"] td').allTextContents())
      .toEqual(["image.tag", "changed", '"1.27"', '"1.25"']);
    await compare.getByLabel("From").selectOption("1.0.0");
    await compare.getByLabel("To").selectOption("1.0.0");
    await page.getByTestId("compare-empty").getByText("nothing differs").waitFor();
    await screenshot(page, "compare-02-empty");

    // Picking another version in the list compares that one with its neighbour (the oldest: the next newer).
    await page.getByTestId("version-row").filter({ hasText: "1.0.0" }).getByRole("link").click();
    await expect.poll(async () => page.getByTestId("compare").getByLabel("To").inputValue()).toBe("1.0.0");
    expect(await page.getByTestId("compare").getByLabel("From").inputValue()).toBe("1.1.0");
    await values.locator('[data-path="image.tag"]').waitFor();
    expect(pageErrors).toEqual([]);
    await close();
  });

  it("checks a pasted values file: an unknown key and a wrong type listed, a clean file passes, bad input is a clear problem", async () => {
    const { page, pageErrors, close } = await chartPage();
    await page.getByRole("tab", { name: "Check my values" }).click();
    const check = page.getByTestId("check-values");
    const text = check.getByLabel("Your values file");
    const button = check.getByRole("button", { name: "Check values" });

    await text.fill('replicaCount: "three"\nimage:\n  tagg: "1.27"\n');
    await button.click();
    await check.getByTestId("schema-error").first().waitFor();
    expect(await check.getByTestId("unknown-key").allTextContents()).toEqual(["image.tagg"]);
    const errors = await check.getByTestId("schema-error").allTextContents();
    expect(errors.length).toBe(1);
    expect(errors[0]).toMatch(/^\/replicaCount\s+\S/);
    await screenshot(page, "compare-03-check-problems");

    // Editing the text clears results that no longer describe it.
    await text.fill("replicaCount: 3\nmetrics:\n  port: 9100\n");
    await expect.poll(async () => check.getByTestId("schema-error").count()).toBe(0);
    await button.click();
    await check.getByTestId("check-ok").waitFor();
    expect(await check.getByTestId("check-ok").textContent()).toContain("No problems found");

    await text.fill("image: [unclosed\n");
    await button.click();
    const problem = check.getByTestId("check-error");
    await problem.waitFor();
    expect(await problem.textContent()).toContain("invalid_input");
    expect(await problem.textContent()).toContain("HTTP 422");

    // Over the 1 MiB the API accepts: a 413 with the limit named, shown as any other problem.
    await text.fill(`padding: "${"x".repeat(1_100_000)}"\n`);
    await button.click();
    await problem.getByText("too_large").waitFor();
    expect(await problem.textContent()).toContain("HTTP 413");
    expect(await problem.locator("dt").allTextContents()).toContain("Solution");
    await screenshot(page, "compare-04-check-too-large", { fullPage: false });
    expect(pageErrors).toEqual([]);
    await close();
  });

  it("fits a phone's width with the comparison open", async () => {
    const { page, pageErrors, close } = await chartPage({ width: 390, height: 844 });
    await page.getByRole("tab", { name: "Compare with…" }).click();
    await page.locator('[data-testid="values-change"][data-path="image.tag"]').waitFor();
    expect(await overflowsSideways(page)).toBe(false);
    await screenshot(page, "compare-05-phone");
    expect(pageErrors).toEqual([]);
    await close();
  });
});
