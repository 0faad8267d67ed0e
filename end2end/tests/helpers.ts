import { expect, type Page } from '@playwright/test';

/** The wasm app has drawn its first screen and is live (pwa::page_shown). */
export async function appReady(page: Page) {
  await page.waitForSelector('body[data-hydrated="true"]', { state: 'attached', timeout: 15_000 });
}

/**
 * Collects console errors and uncaught page errors. Offline, requests fail by
 * design (and the home page's organisation card cannot reach the server):
 * those are not errors of the app. Nor is Chromium's note that its Push API
 * is off in incognito mode, which every Playwright context is (the app's
 * Web Push subscription then quietly does without).
 */
export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error' && !/ERR_INTERNET_DISCONNECTED|Failed to fetch|load_org_summary|Push API in incognito mode/.test(msg.text())) {
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
  await expect(page.getByTestId('sync-status')).toContainText(/已同步|拒绝|没有信号/);
  await expect(page.getByTestId('sync-status')).toHaveAttribute('data-running', 'false');
}

/** Reads a whole object store of the app's database, as the browser holds it. */
export async function readStore(page: Page, store: string): Promise<any[]> {
  return page.evaluate(
    (store) =>
      new Promise<any[]>((resolve, reject) => {
        const open = indexedDB.open('tiaojie');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          if (!db.objectStoreNames.contains(store)) {
            db.close();
            resolve([]);
            return;
          }
          const req = db.transaction(store).objectStore(store).getAll();
          req.onsuccess = () => {
            db.close();
            // Blobs do not cross into the test: describe them
            resolve(
              req.result.map((r: any) =>
                Object.fromEntries(
                  Object.entries(r).map(([k, v]) => [k, v instanceof Blob ? { type: v.type, size: v.size } : v]),
                ),
              ),
            );
          };
          req.onerror = () => reject(req.error);
        };
      }),
    store,
  );
}
