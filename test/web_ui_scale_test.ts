import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildWebUi, workspaceRoot } from "@charthouse/stack";
import { launchChromium, openPage, screenshot, signIn } from "./support/browser.ts";
import { startCharthouse, type CharthouseUnderTest } from "./support/running_charthouse.ts";
import { seedScaleRegistry, type ScaleRegistry } from "./support/scale_registry.ts";

// Speed belongs to benchmarks: this bound only catches a page that hangs or renders every row.
// The measured times are printed and written to .cache/test-results/web_ui_scale.json.
const generousMs = 15_000;
// A virtualised list renders what fits on screen plus overscan, whatever the list's length.
const maxRenderedRows = 60;

let charthouse: CharthouseUnderTest;
let browser: Browser;
let seeded: ScaleRegistry;
let page: Page;
const timings: Record<string, number> = {};
const renderedRowCounts = { max: 0 };

async function timed<T>(name: string, action: () => Promise<T>): Promise<T> {
  const started = performance.now();
  const result = await action();
  timings[name] = Math.round(performance.now() - started);
  expect(timings[name], `${name} took ${timings[name]} ms`).toBeLessThan(generousMs);
  return result;
}

async function renderedRows(): Promise<number> {
  return await page.getByTestId("chart-row").count();
}

beforeAll(async () => {
  await buildWebUi(workspaceRoot);
  charthouse = await startCharthouse();
  seeded = await seedScaleRegistry(charthouse.databaseUrl, { name: "scale", charts: 1_000, versions: 20_000 });
  browser = await launchChromium();
  ({ page } = await openPage(browser));
  await signIn(page, charthouse.apiUrl, charthouse.token, "/repositories");
});

afterAll(async () => {
  const path = join(workspaceRoot, ".cache", "test-results", "web_ui_scale.json");
  await mkdir(join(workspaceRoot, ".cache", "test-results"), { recursive: true });
  const report = { charts: seeded?.charts, versions: seeded?.versions, maxRenderedChartRows: renderedRowCounts.max, timingsMs: timings };
  await writeFile(path, `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(
    `web UI with 1,000 charts and 20,000 versions: at most ${renderedRowCounts.max} chart rows rendered; ms: ${JSON.stringify(timings)}\n`,
  );
  await browser?.close();
  await charthouse?.stop();
});

describe("the web UI with a registry of 1,000 charts and 20,000 versions", () => {
  it("shows the registry's counts on the Repositories page", async () => {
    const card = page.locator('[data-testid="registry-card"][data-registry-name="scale"]');
    await timed("repositories page", () => card.waitFor());
    expect(await card.getByTestId("versions-found").textContent()).toBe("20000");
    expect(await card.getByTestId("versions-ready").textContent()).toBe("20000");
  });

  it("renders a bounded number of chart rows while scrolling through all 1,000", async () => {
    await timed("charts first rows", async () => {
      await page.getByRole("link", { name: "Charts", exact: true }).click();
      await page.getByTestId("chart-row").first().waitFor();
    });
    expect(await renderedRows()).toBeLessThanOrEqual(maxRenderedRows);
    const counts: number[] = [];
    await timed("scroll through 1,000 charts", async () => {
      for (;;) {
        await page.mouse.wheel(0, 20_000);
        await page.evaluate("new Promise((resolve) => requestAnimationFrame(() => resolve(null)))");
        counts.push(await renderedRows());
        const text = await page.getByTestId("chart-count").textContent();
        if (text?.trim() === "1000 charts" && (await page.getByText("chart-0999", { exact: true }).count()) === 1) break;
      }
    });
    expect(Math.max(...counts)).toBeLessThanOrEqual(maxRenderedRows);
    renderedRowCounts.max = Math.max(...counts);
    await screenshot(page, "20-scale-charts-end", { fullPage: false });
  });

  it("finds one chart among 1,000 by name and a hundred by keyword, promptly", async () => {
    const search = page.getByLabel("Search charts");
    await timed("search by name", async () => {
      await search.fill("chart-0999");
      await expect.poll(async () => page.getByTestId("chart-count").textContent(), { timeout: generousMs, interval: 50 }).toBe("1 chart");
    });
    expect(await page.getByTestId("chart-row").textContent()).toContain("chart-0999");
    await timed("search by keyword", async () => {
      await search.fill("k7");
      await expect.poll(async () => page.getByTestId("chart-count").textContent(), { timeout: generousMs, interval: 50 }).toBe("100 charts");
    });
    expect(await renderedRows()).toBeLessThanOrEqual(maxRenderedRows);
  });

  it("pages through the 2,000 versions of one chart", async () => {
    const { bigChart } = seeded;
    await timed("chart page with 2,000 versions", async () => {
      await page.goto(`${charthouse.apiUrl}/charts/${seeded.registryId}/${bigChart.name}`);
      await page.getByTestId("version-row").first().waitFor();
    });
    expect(await page.getByTestId("version-row").count()).toBe(25);
    expect(await page.getByText(`Page 1 of ${Math.ceil(bigChart.versions / 25)}`).count()).toBe(1);
    const first = await page.getByTestId("version-row").first().textContent();
    expect(first).toContain(`1.${bigChart.versions - 1}.0`);
    expect(await page.getByTestId("version-row").filter({ hasText: "deprecated" }).count()).toBeGreaterThan(0);
    await timed("next page of versions", async () => {
      await page.getByRole("button", { name: "Older" }).click();
      await page.getByText("Page 2 of").waitFor();
      await expect.poll(async () => page.getByTestId("version-row").first().textContent()).toContain(`1.${bigChart.versions - 26}.0`);
    });
    await timed("open another version", async () => {
      await page.getByTestId("version-row").nth(3).getByRole("link").click();
      await page.getByText(/has no README/).waitFor();
    });
    await screenshot(page, "21-scale-chart-versions", { fullPage: false });
  });
});
