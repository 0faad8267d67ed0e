import type { Page } from '@playwright/test';

/** The wasm app has drawn its first screen and is live (pwa::page_shown). */
export async function appReady(page: Page) {
  await page.waitForSelector('body[data-hydrated="true"]', { state: 'attached', timeout: 15_000 });
}

/**
 * Collects console errors and uncaught page errors. Offline, requests fail by
 * design (and the home page's organisation card cannot reach the server):
 * those are not errors of the app.
 */
export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error' && !/ERR_INTERNET_DISCONNECTED|Failed to fetch|load_org_summary/.test(msg.text())) {
      errors.push(`console: ${msg.text()}`);
    }
  });
  page.on('pageerror', (err) => errors.push(`page: ${err.message}`));
  return errors;
}
