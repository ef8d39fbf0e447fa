import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/** Debian's chromium (`.ci/run` installs it); Playwright never downloads a browser here. */
export const CHROMIUM = '/usr/bin/chromium';

/** Where screenshots go (git-ignored); look at them after a run. */
export const OUTPUT_DIR = join(__dirname, '..', '..', '..', 'test-output', 'web');

/**
 * Headless Chromium with no background traffic. Playwright gives each launch a fresh temporary
 * profile (it refuses --user-data-dir in args), so nothing carries over between runs.
 */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run installs it)`);
  await mkdir(OUTPUT_DIR, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
}

/**
 * What a page received: every HTTP response body and WebSocket frame, and the URLs it asked for,
 * so a test can prove no secret came back and no token went into a URL.
 */
export class PageTraffic {
  readonly urls: string[] = [];
  readonly bodies: string[] = [];
  readonly frames: string[] = [];
  /** Uncaught page errors and console errors: a working page has none. */
  readonly errors: string[] = [];
  private readonly pending: Array<Promise<void>> = [];

  constructor(page: Page) {
    page.on('request', (r) => this.urls.push(r.url()));
    page.on('pageerror', (e) => this.errors.push(`uncaught: ${e.message} ${e.stack ?? ''}`));
    page.on('console', (m) => {
      if (m.type() === 'error') this.errors.push(`${m.text()} at ${m.location().url}:${m.location().lineNumber}`);
    });
    page.on('response', (r) => {
      this.pending.push(
        r.text().then(
          (t) => void this.bodies.push(t),
          () => undefined,
        ),
      );
    });
    page.on('websocket', (ws) => {
      this.urls.push(ws.url());
      ws.on('framereceived', (f) => this.frames.push(String(f.payload)));
    });
  }

  async text(): Promise<string> {
    await Promise.all(this.pending);
    return [...this.urls, ...this.bodies, ...this.frames].join('\n');
  }
}

/** A new context (its own sessionStorage) and page at `url`, with its traffic recorded. */
export async function openPage(
  browser: Browser,
  url: string,
  viewport = { width: 1280, height: 900 },
): Promise<{ context: BrowserContext; page: Page; traffic: PageTraffic }> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const traffic = new PageTraffic(page);
  page.setDefaultTimeout(10_000);
  await page.goto(url);
  return { context, page, traffic };
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(OUTPUT_DIR, `${name}.png`), fullPage: true });
}

/** Everything the page holds in storage, and its current HTML. */
export async function pageState(page: Page): Promise<{ html: string; session: Record<string, string>; local: Record<string, string> }> {
  const html = await page.content();
  // A string expression: the test project has no DOM types, and the page's CSP does not apply to it.
  const storage = (await page.evaluate(
    '({ session: Object.fromEntries(Object.entries(sessionStorage)), local: Object.fromEntries(Object.entries(localStorage)) })',
  )) as { session: Record<string, string>; local: Record<string, string> };
  return { html, ...storage };
}

/** Form controls without an accessible name (no label, no aria-label, no text): should be none. */
export async function unlabelledControls(page: Page): Promise<string[]> {
  return (await page.evaluate(`[...document.querySelectorAll('input, select, textarea, button')]
    .filter((el) => !(el.labels && el.labels.length) && !el.getAttribute('aria-label') && !el.textContent.trim())
    .map((el) => el.outerHTML.slice(0, 120))`)) as string[];
}

/** Signs in through the form with a pasted token. */
export async function signIn(page: Page, token: string): Promise<void> {
  await page.getByLabel('API token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Bring Your Own Key' }).waitFor();
}
