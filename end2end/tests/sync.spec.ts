import { test, expect, type Page } from '@playwright/test';
import { appReady, watchErrors } from './helpers';

// Sync end to end (docs/sync.md): a mediator logs in once, records an oral
// agreement with no network, syncs when the network is back; the judicial
// office of that township logs in on another device and sees the case with
// the server's tier.

const PASSWORD = 'tiaojie2023';
const VILLAGE_MEDIATOR = '13800000001';
const JUDICIAL_OFFICE = '13900000002';

/** Records an oral agreement through the form (the phone may be offline). */
async function recordOral(page: Page, a: string, b: string, summary: string, terms: string, residentId?: string) {
  await page.getByTestId('new-oral').click();
  await page.waitForSelector('[data-testid="case-form"][data-ready="true"]');
  await page.locator('#f-dispute_type').selectOption('neighbours');
  await page.locator('#f-parties-0-name').fill(a);
  if (residentId) await page.locator('#f-parties-0-resident_id').fill(residentId);
  await page.locator('#f-parties-1-name').fill(b);
  await page.locator('#f-summary').fill(summary);
  await page.locator('#f-agreed_terms').fill(terms);
  await page.locator('#f-mediator').fill('杨调解');
  await page.getByTestId('save-case').click();
  await expect(page.getByTestId('saved-notice')).toBeVisible();
}

async function logIn(page: Page, phone: string) {
  await page.goto('/login');
  await appReady(page);
  await page.locator('#f-phone').fill(phone);
  await page.locator('#f-password').fill(PASSWORD);
  await page.getByTestId('login-submit').click();
  await expect(page.getByTestId('logged-in')).toBeVisible();
  await expect(page.getByTestId('sync-status')).toHaveAttribute('data-running', 'false');
}

test('recorded offline, synced when online, seen by the township office with the server tier', async ({ browser, page, context }) => {
  // a wrong password is named (the browser logs its 401; errors are watched from here on)
  await page.goto('/login');
  await appReady(page);
  await page.locator('#f-phone').fill(VILLAGE_MEDIATOR);
  await page.locator('#f-password').fill('wrong-password');
  await page.getByTestId('login-submit').click();
  await expect(page.getByTestId('login-error')).toContainText('手机号或密码错误');
  const errors = watchErrors(page);

  await logIn(page, VILLAGE_MEDIATOR);
  await page.evaluate(async () => { await navigator.serviceWorker.ready; });

  // no signal: record the 30-yuan path
  await context.setOffline(true);
  await recordOral(page, '赵同步', '钱离线', '院墙滴水纠纷', '加装雨水槽', '11010519491231002X');
  const caseUrl = new URL(page.url()).pathname;
  await page.goto('/');
  await expect(page.locator('[data-testid="pending-sync"][data-ready="true"]')).toHaveText('1');

  // the network is back: the app syncs by itself (the online event); the button does the same
  await context.setOffline(false);
  await page.getByTestId('sync-now').click();
  await expect(page.getByTestId('sync-status')).toHaveAttribute('data-running', 'false');
  await expect(page.locator('[data-testid="pending-sync"][data-ready="true"]')).toHaveText('0');
  await expect(page.getByTestId('sync-status')).toHaveAttribute('data-failed', 'false');
  // the phone now shows the server's verdict on the case
  await page.goto(caseUrl);
  await expect(page.getByTestId('server-tier')).toHaveText('A');
  await expect(page.getByTestId('server-verdict')).toHaveAttribute('data-differs', 'false');

  // the township's judicial office, on its own device
  const office = await browser.newContext();
  const desk = await office.newPage();
  const deskErrors = watchErrors(desk);
  await logIn(desk, JUDICIAL_OFFICE);
  await desk.goto('/cases');
  await expect(desk.getByTestId('case-count')).toHaveAttribute('data-total', '1');
  await desk.getByText('赵同步').first().click();
  await expect(desk.getByTestId('server-tier')).toHaveText('A');
  await expect(desk.getByTestId('server-verdict')).toContainText('30.00');
  await office.close();

  expect([...errors, ...deskErrors]).toEqual([]);
});

test('a revoked device is told so at its next sync and wipes its local data', async ({ page }) => {
  await logIn(page, VILLAGE_MEDIATOR);
  await recordOral(page, '孙丢失', '李拾到', '借款纠纷', '分期归还');

  // the phone is lost: its session is ended on the server (as an office would)
  const token = await page.evaluate(
    () =>
      new Promise<string>((resolve, reject) => {
        const open = indexedDB.open('tiaojie');
        open.onsuccess = () => {
          const req = open.result.transaction('meta').objectStore('meta').get('session');
          req.onsuccess = () => resolve(JSON.parse(req.result.json).token);
          req.onerror = () => reject(req.error);
        };
      }),
  );
  const res = await page.request.post('/api/v1/auth/logout', { headers: { Authorization: `Bearer ${token}` } });
  expect(res.status()).toBe(204);

  // its next sync (the one the app starts when it opens) learns it, wipes
  // the phone and asks for a new log-in
  await page.goto('/');
  await page.waitForURL('**/login?revoked=1');
  await appReady(page);
  await expect(page.getByTestId('revoked')).toBeVisible();
  const left = await page.evaluate(
    () =>
      new Promise<number>((resolve) => {
        const open = indexedDB.open('tiaojie');
        open.onsuccess = () => {
          const req = open.result.transaction('cases').objectStore('cases').count();
          req.onsuccess = () => resolve(req.result);
        };
      }),
  );
  expect(left).toBe(0);
});

test('logging out names unsent changes first, and wipes the phone only when confirmed', async ({ page, context }) => {
  await logIn(page, VILLAGE_MEDIATOR);
  await page.evaluate(async () => { await navigator.serviceWorker.ready; });
  // no signal, so the change stays unsent (online, the app would sync it at once)
  await context.setOffline(true);
  await recordOral(page, '周未发', '吴未发', '相邻通行纠纷', '让出通道');
  await page.goto('/');
  await expect(page.locator('[data-testid="pending-sync"][data-ready="true"]')).toHaveText('1');

  // the warning names the unsent change; declining keeps everything
  const messages: string[] = [];
  page.once('dialog', (d) => { messages.push(d.message()); void d.dismiss(); });
  await page.getByTestId('logout').click();
  await expect.poll(() => messages.length).toBe(1);
  expect(messages[0]).toContain('还有 1 条修改未同步');
  await expect(page.getByTestId('logged-in')).toBeVisible();
  await expect(page.locator('[data-testid="pending-sync"][data-ready="true"]')).toHaveText('1');

  // confirming logs out and wipes
  page.once('dialog', (d) => void d.accept());
  await page.getByTestId('logout').click();
  await page.waitForURL('**/login');
  await page.goto('/');
  await expect(page.getByTestId('login-link')).toBeVisible();
  await expect(page.locator('[data-testid="pending-sync"][data-ready="true"]')).toHaveText('0');
});
