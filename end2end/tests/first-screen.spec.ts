import { test, expect, type Page, type ConsoleMessage } from '@playwright/test';

/** Collects console errors and uncaught page errors for the whole test. */
function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (msg: ConsoleMessage) => {
    if (msg.type() === 'error') errors.push(`console: ${msg.text()}`);
  });
  page.on('pageerror', (err) => errors.push(`page: ${err.message}`));
  return errors;
}

/** The wasm bundle is running: the language switch reacts to a tap. */
async function waitForHydration(page: Page) {
  await page.waitForSelector('body[data-hydrated="true"]', { state: 'attached', timeout: 15_000 });
}

test('the first screen is in Chinese, hydrates and logs no error', async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto('/');
  await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('调解通');
  await expect(page.getByTestId('org-name')).toHaveText('楚雄市');
  await expect(page.getByText('专职调解员')).toBeVisible();
  await expect(page.locator('.stats dd').nth(2)).toHaveText('186');
  await waitForHydration(page);
  // the outbox count comes from IndexedDB once the app runs: nothing queued on a new phone
  await expect(page.locator('[data-testid="pending-sync"][data-ready="true"]')).toHaveText('0');
  expect(await page.evaluate(async () => (await indexedDB.databases()).map((d) => d.name))).toContain('tiaojie');

  // hydrated: the switch works, and the choice survives a reload (cookie)
  await page.getByTestId('lang-switch').click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Tiaojie');
  await page.reload();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Tiaojie');
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await waitForHydration(page);
  await page.getByTestId('lang-switch').click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('调解通');

  expect(errors).toEqual([]);
});

test('a server-rendered lazy screen links its wasm chunks and hydrates', async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto('/cases/new/oral');
  // the server names this screen's chunks, so they load beside the main wasm
  const preloads = await page.locator('head link[rel="preload"][href$=".wasm"]').evaluateAll((links) =>
    links.map((l) => l.getAttribute('href')),
  );
  expect(preloads.some((href) => /\/pkg\/split___oral_form_view_/.test(href ?? ''))).toBe(true);
  await waitForHydration(page);
  await expect(page.locator('body')).toHaveAttribute('data-render', 'hydrate');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('口头调解登记');
  // hydrated, not just painted: the form's own script runs
  await page.waitForSelector('[data-testid="case-form"][data-ready="true"]');
  expect(errors).toEqual([]);
});

test('the layout fits a 360 px phone and touch targets are at least 44 px', async ({ page }) => {
  await page.setViewportSize({ width: 360, height: 740 });
  await page.goto('/');
  const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(scrollWidth).toBeLessThanOrEqual(360);
  const box = await page.getByTestId('lang-switch').boundingBox();
  expect(box!.height).toBeGreaterThanOrEqual(44);
  expect(box!.width).toBeGreaterThanOrEqual(44);
});

test('the web manifest is valid and makes the app installable', async ({ page, request }) => {
  await page.goto('/');
  const href = await page.locator('link[rel="manifest"]').getAttribute('href');
  expect(href).toBe('/manifest.webmanifest');
  const res = await request.get(href!);
  expect(res.ok()).toBe(true);
  const manifest = JSON.parse(await res.text());
  expect(manifest.name).toContain('调解通');
  expect(manifest.short_name).toBe('调解通');
  expect(manifest.display).toBe('standalone');
  expect(manifest.start_url).toMatch(/^\//);
  expect(manifest.theme_color).toMatch(/^#[0-9a-f]{6}$/i);
  expect(manifest.background_color).toMatch(/^#[0-9a-f]{6}$/i);

  const sizes = async (src: string) => {
    const icon = await request.get(src);
    expect(icon.ok(), src).toBe(true);
    const png = await icon.body();
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    return `${png.readUInt32BE(16)}x${png.readUInt32BE(20)}`;
  };
  for (const want of ['192x192', '512x512']) {
    const icon = manifest.icons.find((i: any) => i.sizes === want && i.type === 'image/png' && i.purpose.includes('any'));
    expect(icon, `an "any" icon of ${want}`).toBeTruthy();
    expect(await sizes(icon.src)).toBe(want);
  }
  const maskable = manifest.icons.find((i: any) => i.purpose.includes('maskable'));
  expect(maskable, 'a maskable icon').toBeTruthy();
  expect(await sizes(maskable.src)).toBe(maskable.sizes);
});

test('the service worker is registered from the page and reaches activated', async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto('/');
  const state = await page.evaluate(async () => {
    const reg = await navigator.serviceWorker.ready;
    const sw = reg.active!;
    if (sw.state !== 'activated') {
      await new Promise<void>((resolve) => sw.addEventListener('statechange', () => sw.state === 'activated' && resolve()));
    }
    return { state: sw.state, url: sw.scriptURL };
  });
  expect(state.state).toBe('activated');
  expect(new URL(state.url).pathname).toBe('/sw.js');
  expect(errors).toEqual([]);
});

test('the bundle is served compressed, hashed files are cached for a year', async ({ page, request }) => {
  await page.goto('/');
  await page.waitForSelector('body[data-hydrated="true"]', { state: 'attached' });
  const wasm = await page.evaluate(() =>
    performance.getEntriesByType('resource').map((r) => new URL(r.name).pathname).find((p) => p.endsWith('.wasm')),
  );
  expect(wasm).toMatch(/^\/pkg\/tiaojie\.[A-Za-z0-9_-]{16,}\.wasm$/);
  const br = await request.get(wasm!, { headers: { 'accept-encoding': 'br' } });
  expect(br.status()).toBe(200);
  expect(br.headers()['content-encoding']).toBe('br');
  expect(br.headers()['cache-control']).toContain('immutable');
  const gz = await request.get(wasm!, { headers: { 'accept-encoding': 'gzip' } });
  expect(gz.headers()['content-encoding']).toBe('gzip');
  const sw = await request.get('/sw.js');
  expect(sw.headers()['cache-control']).toBe('no-cache');
});
