import { expect, type Page } from '@playwright/test';

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

/** The demo log-ins' password (server/src/demo). */
export const PASSWORD = 'tiaojie2023';

/** Logs in with a demo account and waits for the first sync to end. */
export async function logIn(page: Page, phone: string) {
  await page.goto('/login');
  await appReady(page);
  await page.locator('#f-phone').fill(phone);
  await page.locator('#f-password').fill(PASSWORD);
  await page.getByTestId('login-submit').click();
  await expect(page.getByTestId('logged-in')).toBeVisible();
  await expect(page.getByTestId('sync-status')).toContainText(/已同步|拒绝|无法连接/);
  await expect(page.getByTestId('sync-status')).toHaveAttribute('data-running', 'false');
}
