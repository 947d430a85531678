import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { workspaceRoot } from "@charthouse/stack";

/** Where the browser tests save their screenshots (git-ignored, like the rest of .cache/). */
export const screenshotDir = join(workspaceRoot, ".cache", "test-results", "screenshots");

/**
 * Debian's chromium, headless, with the flags this kind of machine needs (no sandbox as root, no
 * GPU, and nothing that calls Google's hosts); Playwright gives it a fresh profile each launch.
 * CHROMIUM_PATH overrides /usr/bin/chromium.
 */
export async function launchChromium(): Promise<Browser> {
  return await chromium.launch({
    executablePath: process.env["CHROMIUM_PATH"] ?? "/usr/bin/chromium",
    headless: true,
    chromiumSandbox: false,
    args: [
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/** A page of a new context at laptop width, collecting the page's uncaught errors. */
export async function openPage(
  browser: Browser,
  options: { width?: number; height?: number; acceptDownloads?: boolean } = {},
): Promise<{ context: BrowserContext; page: Page; pageErrors: string[] }> {
  const context = await browser.newContext({
    viewport: { width: options.width ?? 1366, height: options.height ?? 900 },
    acceptDownloads: options.acceptDownloads ?? true,
  });
  const page = await context.newPage();
  const pageErrors: string[] = [];
  page.on("pageerror", (err) => pageErrors.push(err.message));
  return { context, page, pageErrors };
}

/** Saves a screenshot (the full page unless `fullPage: false`) as screenshots/<name>.png; returns its path. */
export async function screenshot(page: Page, name: string, options: { fullPage?: boolean } = {}): Promise<string> {
  await mkdir(screenshotDir, { recursive: true });
  const path = join(screenshotDir, `${name}.png`);
  await page.screenshot({ path, fullPage: options.fullPage ?? true });
  return path;
}

/** Signs in on the UI's sign-in page with an API token. */
export async function signIn(page: Page, baseUrl: string, token: string, path = "/charts"): Promise<void> {
  await page.goto(`${baseUrl}${path}`);
  await page.getByLabel("API token").fill(token);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("navigation", { name: "Main" }).waitFor();
}

/** Whether the page scrolls sideways (a layout too wide for the viewport). */
export async function overflowsSideways(page: Page): Promise<boolean> {
  // Evaluated in the page (a string: the root tsconfig has no DOM types).
  return await page.evaluate<boolean>("document.documentElement.scrollWidth > document.documentElement.clientWidth + 1");
}
