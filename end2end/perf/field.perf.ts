import { test, expect, type Page } from '@playwright/test';
import * as path from 'node:path';

// Prints: first-visit transfer (wasm + JS + CSS as served), start from the
// service-worker cache to interactive with the CPU throttled 4×, the median
// case save, and filtering 5,000 local cases. See scripts/perf-field.sh.

const CASES_FILE = process.env.TIAOJIE_PERF_CASES ?? path.join(__dirname, '..', '..', 'target', 'perf', 'cases-5000.json');

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function report(what: string, value: string) {
  console.log(`PERF ${what}: ${value}`);
}

async function ready(page: Page) {
  await page.waitForSelector('body[data-hydrated="true"]', { state: 'attached', timeout: 60_000 });
}

/** wasm/JS/CSS the page itself fetched (encoded bodies), not the worker's precache. */
async function codeTransfer(page: Page) {
  return page.evaluate(() =>
    (performance.getEntriesByType('resource') as PerformanceResourceTiming[])
      .filter((r) => /\/pkg\/.*\.(wasm|js|css)$/.test(new URL(r.name).pathname))
      .map((r) => ({ file: new URL(r.name).pathname, bytes: r.transferSize, body: r.encodedBodySize })),
  );
}

test('field capture performance', async ({ page, context, browser }) => {
  // 1. first visit: what crosses the wire for the app's code and style
  await page.goto('/');
  await ready(page);
  const transfer = await codeTransfer(page);
  const html = await page.evaluate(() => (performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming).transferSize);
  for (const t of transfer) report(`first visit ${t.file}`, `${t.body} B encoded body, ${t.bytes} B transferred`);
  const total = transfer.reduce((a, t) => a + t.body, 0);
  report('first visit wasm+JS+CSS (encoded bodies)', `${(total / 1024).toFixed(1)} KB; HTML ${html} B transferred`);
  await page.evaluate(async () => { await navigator.serviceWorker.ready; });

  // 1b. a first visit straight to a lazy screen (the oral form): the main
  //     bundle plus that screen's chunks
  const other = await browser.newContext();
  const oral = await other.newPage();
  await oral.goto(new URL('/cases/new/oral', page.url()).href);
  await ready(oral);
  const oralTransfer = await codeTransfer(oral);
  const oralTotal = oralTransfer.reduce((a, t) => a + t.body, 0);
  report('first visit to /cases/new/oral, wasm+JS+CSS (encoded bodies)', `${(oralTotal / 1024).toFixed(1)} KB in ${oralTransfer.length} files`);
  await other.close();

  // 2. from the service-worker cache to interactive, CPU 4× slower, no network
  const starts: number[] = [];
  await context.setOffline(true);
  for (let i = 0; i < 7; i++) {
    const p = await context.newPage();
    const cdp = await context.newCDPSession(p);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
    await p.goto('/');
    await ready(p);
    const ms = await p.evaluate(() => {
      const mark = performance.getEntriesByName('tiaojie:interactive')[0];
      return mark ? mark.startTime : NaN;
    });
    starts.push(ms);
    await cdp.detach();
    await p.close();
  }
  await context.setOffline(false);
  report('SW cache → interactive, CPU 4× (ms, 7 cold page loads)', `median ${median(starts).toFixed(0)}, all ${starts.map((s) => s.toFixed(0)).join(', ')}`);

  // 3. 5,000 cases on the phone (imported like a real data file)
  await page.goto('/data');
  await ready(page);
  const importStart = Date.now();
  await page.getByTestId('import').setInputFiles(CASES_FILE);
  await expect(page.getByTestId('data-message')).toContainText('新增案件 5000 件', { timeout: 240_000 });
  report('import of 5,000 cases (s)', ((Date.now() - importStart) / 1000).toFixed(1));

  // 4. saving a case with 5,000 already stored: the app's own measure around
  //    check + IndexedDB commit, 21 oral agreements through the real form
  const saves: number[] = [];
  for (let i = 0; i < 21; i++) {
    await page.goto('/cases/new/oral');
    await page.waitForSelector('[data-testid="case-form"][data-ready="true"]');
    await page.locator('#f-parties-0-name').fill(`性能甲${i}`);
    await page.locator('#f-parties-0-resident_id').fill('11010519491231002X');
    await page.locator('#f-parties-1-name').fill(`性能乙${i}`);
    await page.locator('#f-summary').fill('性能测试');
    await page.locator('#f-agreed_terms').fill('性能测试协议');
    await page.locator('#f-mediator').fill('测试员');
    await page.getByTestId('save-case').click();
    await expect(page.getByTestId('saved-notice')).toBeVisible();
    // the app's own measure (performance.measure) in this document's timeline
    saves.push(...(await page.evaluate(() => performance.getEntriesByName('tiaojie:save-case').map((e) => e.duration))));
  }
  report(`save a case with 5,000 stored (ms, ${saves.length} saves)`, `median ${median(saves).toFixed(1)}, max ${Math.max(...saves).toFixed(1)}`);

  // 5. the case list: load, then filter per keystroke
  const listStart = Date.now();
  await page.goto('/cases');
  await expect(page.getByTestId('case-count')).toHaveAttribute('data-total', '5021', { timeout: 60_000 });
  report('case list ready with 5,021 cases (ms, navigation to rows)', `${Date.now() - listStart}`);
  const filters: number[] = [];
  for (const q of ['李', '李建', '5323011980', '样例 12', '纠纷', '']) {
    await page.getByTestId('case-search').fill(q);
    await expect(page.getByTestId('case-count')).toHaveAttribute('data-query', q);
    filters.push(Number(await page.getByTestId('case-count').getAttribute('data-filter-ms')));
  }
  await page.locator('#status-filter').selectOption('closed');
  await page.locator('#tier-filter').selectOption('A');
  filters.push(Number(await page.getByTestId('case-count').getAttribute('data-filter-ms')));
  report('filter 5,021 cases (ms per change, in the app)', `median ${median(filters).toFixed(2)}, max ${Math.max(...filters).toFixed(2)}`);
});
