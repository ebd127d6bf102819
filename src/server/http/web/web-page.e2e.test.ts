import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { startTestServer, storeTrades, testCredential, trade, type TestServer } from '../../server-test-kit.js';
import { SecurityDirectory } from '../../../service/rankings/security-directory.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../test-artifacts');
const skip = existsSync(CHROMIUM) ? false : `${CHROMIUM} is missing (Debian: apt-get install -y chromium); the browser test needs it`;

/**
 * A Friday morning of 700.HK (feed clock: "now" is the latest trade). By hand:
 * 09:30:05 up 320.2 × 1000 = +320,200; 09:31:10 down 320.4 × 500 = −160,200;
 * 09:45:00 up 321.0 × 2000 = +642,000 → net 802,000.000, inflow 962,200.000, outflow 160,200.000,
 * lines 09:30..09:45 = 16.
 */
const MORNING = [
  trade('700.HK', '2024-06-14T09:30:05+08:00', '320.2', 1000, 'up'),
  trade('700.HK', '2024-06-14T09:31:10+08:00', '320.4', 500, 'down'),
  trade('700.HK', '2024-06-14T09:45:00+08:00', '321.0', 2000, 'up'),
  trade('AAPL.US', '2024-06-14T09:30:01-04:00', '212.49', 100, 'up'),
];
/** Then 09:46:30 down 320.8 × 3000 = −962,400 → net −160,400.000 over 17 lines. */
const LATER = [trade('700.HK', '2024-06-14T09:46:30+08:00', '320.8', 3000, 'down')];

async function openBrowser(userDataDir: string): Promise<BrowserContext> {
  return chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 1440, height: 900 },
  });
}

async function netShown(page: Page): Promise<{ text: string; value: string | null; lines: string | null }> {
  return {
    text: (await page.locator('#net-value').textContent()) ?? '',
    value: await page.locator('#net-value').getAttribute('data-value'),
    lines: await page.locator('#chart').getAttribute('data-lines'),
  };
}

/**
 * Coloured pixels in the strip of each pane just left of the price axis, where a series title is
 * drawn beside its value label (the largest count over the panes). A dotted price line crossing
 * the strip leaves a few dozen; a title box, hundreds.
 */
async function inkBesideAxis(page: Page): Promise<number> {
  return page.evaluate(() => {
    let most = 0;
    for (const canvas of Array.from(document.querySelectorAll<HTMLCanvasElement>('#chart canvas'))) {
      const context = canvas.getContext('2d');
      if (!context || canvas.width < 300 || canvas.height === 0) continue; // the panes, not the axes
      const strip = Math.round(70 * (canvas.width / canvas.getBoundingClientRect().width));
      const pixels = context.getImageData(canvas.width - strip, 0, strip, canvas.height).data;
      let count = 0;
      for (let i = 0; i < pixels.length; i += 4) {
        if (pixels[i + 3]! > 0 && Math.max(pixels[i]!, pixels[i + 1]!, pixels[i + 2]!) - Math.min(pixels[i]!, pixels[i + 1]!, pixels[i + 2]!) > 80) count++;
      }
      most = Math.max(most, count);
    }
    return most;
  });
}

/** Whether the chart's canvases hold drawn (non-blank) pixels. */
async function chartHasInk(page: Page): Promise<boolean> {
  return page.evaluate(() => {
    for (const canvas of Array.from(document.querySelectorAll<HTMLCanvasElement>('#chart canvas'))) {
      const context = canvas.getContext('2d');
      if (!context || canvas.width === 0 || canvas.height === 0) continue;
      const pixels = context.getImageData(0, 0, canvas.width, canvas.height).data;
      // The series are green/red: look for a pixel that is clearly not grey.
      for (let i = 0; i < pixels.length; i += 4) {
        const [r, g, b] = [pixels[i]!, pixels[i + 1]!, pixels[i + 2]!];
        if (Math.max(r, g, b) - Math.min(r, g, b) > 80) return true;
      }
    }
    return false;
  });
}

describe('web page in headless Chromium', { skip, timeout: 90_000 }, () => {
  let server: TestServer;
  let browser: BrowserContext;
  let userDataDir: string;
  const pageErrors: string[] = [];

  before(async () => {
    server = await startTestServer({
      trades: MORNING,
      server: { publicCredential: 'test-key', rest: { securities: new SecurityDirectory([{ symbol: '700.HK', name: 'Tencent', sector: 'Tech' }]) } },
    });
    userDataDir = mkdtempSync(join(tmpdir(), 'capflow-chromium-'));
    browser = await openBrowser(userDataDir);
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
    if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
  });

  it('shows the chart of a symbol opened by ?symbol= and follows newly stored trades live', async () => {
    const page = await browser.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(`${server.httpUrl}/?symbol=700.hk`);
    await page.waitForSelector('body[data-state="ready"]', { timeout: 15_000 });
    await page.waitForFunction(() => document.querySelector('#chart')?.getAttribute('data-lines') === '16');

    assert.deepEqual(await netShown(page), { text: '802,000.000', value: '802000.000', lines: '16' });
    assert.equal(await page.locator('#inflow-value').textContent(), '962,200.000');
    assert.equal(await page.locator('#outflow-value').textContent(), '160,200.000');
    assert.equal(await page.locator('#last-update').textContent(), '09:45 HKT');
    assert.equal(await page.locator('#symbol').inputValue(), '700.HK');
    assert.ok(await chartHasInk(page), 'the chart canvas is blank');
    // The panes' labels are values only: no title boxes printed over each other beside the axis.
    const besideAxis = await inkBesideAxis(page);
    assert.ok(besideAxis < 300, `${besideAxis} coloured pixels beside the price axis: a series title is drawn there`);
    // Distribution: everything above 220,000 HKD is large (320,200 and 642,000 in; 160,200 out is medium).
    assert.equal(await page.locator('[data-tier="large"] .tier-bar.in .tier-amount').getAttribute('title'), '962,200.000');
    assert.equal(await page.locator('[data-tier="medium"] .tier-bar.out .tier-amount').getAttribute('title'), '160,200.000');
    await page.waitForSelector('#live-status.on', { timeout: 10_000 });

    await storeTrades(server.store, LATER);
    await server.flows.poll();
    await page.waitForFunction(() => document.querySelector('#net-value')?.getAttribute('data-value') === '-160400.000', undefined, {
      timeout: 10_000,
    });
    assert.deepEqual(await netShown(page), { text: '\u2212160,400.000', value: '-160400.000', lines: '17' });
    assert.match((await page.locator('#net-value').getAttribute('class')) ?? '', /negative/);
    await page.waitForFunction(
      () => document.querySelector('[data-tier="large"] .tier-bar.out .tier-amount')?.getAttribute('title') === '962,400.000',
      undefined,
      { timeout: 10_000 },
    );

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'web-page.png'), fullPage: true });
    assert.deepEqual(pageErrors, []);
    await page.close();
  });

  it("ranks the market of the symbol on screen and opens a ranked symbol's chart", async () => {
    const page = await browser.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(`${server.httpUrl}/?symbol=AAPL.US`);
    await page.waitForSelector('#rankings[data-market="US"]', { timeout: 15_000 });
    assert.deepEqual(await page.locator('#rankings-body a').allTextContents(), ['AAPL.US']);
    await page.selectOption('#rank-market', 'HK');
    await page.waitForSelector('#rankings[data-market="HK"]', { timeout: 10_000 });
    // 700.HK's day after the first test: net −160,400.000 (see LATER); its name from the securities directory.
    const row = page.locator('#rankings-body tr').first();
    assert.deepEqual(await row.locator('td').allTextContents(), ['1', '700.HK', 'Tencent', 'Tech', '\u2212160,400.000']);
    assert.equal(await row.locator('a').getAttribute('href'), '?symbol=700.HK');
    await row.locator('a').click();
    await page.waitForFunction(() => document.querySelector('#net-value')?.getAttribute('data-value') === '-160400.000', undefined, { timeout: 10_000 });
    assert.equal(await page.locator('#symbol-title').textContent(), '700.HK');
    assert.equal(await page.locator('#symbol').inputValue(), '700.HK');
    assert.match(page.url(), /symbol=700\.HK/);
    assert.deepEqual(pageErrors, []);
    await page.close();
  });

  it('explains a symbol the server does not know', async () => {
    const page = await browser.newPage();
    await page.goto(`${server.httpUrl}/?symbol=NOPE.US`);
    await page.waitForSelector('#error:not([hidden])', { timeout: 15_000 });
    assert.equal(await page.locator('#error').getAttribute('data-code'), '301600');
    assert.equal(await page.locator('#error-title').textContent(), 'Unknown symbol · NOPE.US');
    // Nothing is followed after the refusal: the header says so instead of "Connecting…" forever.
    await page.waitForSelector('#live-status[data-state="stopped"]', { timeout: 5_000 });
    assert.equal(await page.locator('#live-status').textContent(), 'Not live');
    await page.close();
  });
});

describe('web page sign-in in headless Chromium', { skip, timeout: 90_000 }, () => {
  let server: TestServer;
  let browser: BrowserContext;
  let userDataDir: string;

  before(async () => {
    server = await startTestServer({ trades: MORNING, credentials: [testCredential({ markets: ['HK'] })] });
    userDataDir = mkdtempSync(join(tmpdir(), 'capflow-chromium-'));
    browser = await openBrowser(userDataDir);
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
    if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
  });

  async function signIn(page: Page, secret: string): Promise<void> {
    await page.waitForSelector('#sign-in:not([hidden])', { timeout: 15_000 });
    await page.fill('#app-key', 'test-key');
    await page.fill('#app-secret', secret);
    await page.fill('#access-token', 'test-token');
    await page.click('#sign-in-form button[type="submit"]');
  }

  it('refuses a wrong secret with the signature-mismatch explanation', async () => {
    const page = await browser.newPage();
    await page.goto(`${server.httpUrl}/?symbol=700.HK`);
    await signIn(page, 'not-the-secret');
    await page.waitForSelector('#sign-in-error:not([hidden])', { timeout: 15_000 });
    assert.match((await page.locator('#sign-in-error').textContent()) ?? '', /^Signature mismatch/);
    assert.equal(await page.evaluate(() => sessionStorage.getItem('capflow.credential')), null);
    await page.close();
  });

  it('signs requests in the browser, keeps the credential in the tab session, and enforces market permissions', async () => {
    const page = await browser.newPage();
    await page.goto(`${server.httpUrl}/?symbol=700.HK`);
    await signIn(page, 'test-secret');
    await page.waitForFunction(() => document.querySelector('#net-value')?.getAttribute('data-value') === '802000.000', undefined, {
      timeout: 15_000,
    });
    await page.waitForSelector('#live-status.on', { timeout: 10_000 });
    const saved = JSON.parse((await page.evaluate(() => sessionStorage.getItem('capflow.credential'))) ?? '{}') as { appKey?: string };
    assert.equal(saved.appKey, 'test-key');
    assert.equal(await page.evaluate(() => localStorage.length), 0);
    // The picker lists only the credential's markets (HK); a US symbol is refused with 301604.
    assert.deepEqual(await page.locator('#symbol option').allTextContents(), ['700.HK']);
    await page.goto(`${server.httpUrl}/?symbol=AAPL.US`);
    await page.waitForSelector('#error:not([hidden])', { timeout: 15_000 });
    assert.equal(await page.locator('#error').getAttribute('data-code'), '301604');
    await page.close();
  });
});
