import { test, expect, type Page } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { appReady, PASSWORD, readStore, watchErrors } from './helpers';

// A log-in that expires (docs/security.md "Sessions"): the phone keeps
// every record, says so, and carries on after the password is given again
// on the same device. Played against a second server of the same build
// whose sessions expire after 3 s unused.

const PORT = Number(process.env.TIAOJIE_E2E_PORT ?? 3107) + 1;
const BASE = `http://127.0.0.1:${PORT}`;
const ROOT = resolve(process.cwd(), '..');
const BIN = process.env.TIAOJIE_BIN ?? './target/debug/tiaojie';
const VILLAGE_MEDIATOR = '13800000001';
let server: ChildProcess | undefined;

test.beforeAll(async () => {
  rmSync(resolve(ROOT, 'target/e2e-expiry'), { recursive: true, force: true });
  server = spawn(BIN, ['serve', '--demo', '--addr', `127.0.0.1:${PORT}`, '--session-idle-secs', '3'], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: 'sqlite://target/e2e-expiry/tiaojie.db', RUST_LOG: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  for (let i = 0; i < 120; i++) {
    const up = await fetch(`${BASE}/healthz`).then((r) => r.ok, () => false);
    if (up) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error('the second server did not start');
});

test.afterAll(() => {
  server?.kill('SIGTERM');
});

async function session(page: Page): Promise<any> {
  const meta = await readStore(page, 'meta');
  return JSON.parse(meta.find((r) => r.key === 'session').json);
}

test('an expired log-in keeps the phone\'s records and carries on after the password', async ({ page, context }) => {
  await page.goto(`${BASE}/login`);
  await appReady(page);
  await page.locator('#f-phone').fill(VILLAGE_MEDIATOR);
  await page.locator('#f-password').fill(PASSWORD);
  await page.getByTestId('login-submit').click();
  await expect(page.getByTestId('logged-in')).toBeVisible();
  await expect(page.getByTestId('sync-status')).toContainText('已同步');
  await expect(page.getByTestId('sync-status')).toHaveAttribute('data-running', 'false');
  await page.evaluate(async () => { await navigator.serviceWorker.ready; });
  const first = await session(page);
  const pulled = (await readStore(page, 'cases')).length;
  const errors = watchErrors(page);

  // a case recorded with no signal, while the log-in runs out
  await context.setOffline(true);
  await page.getByTestId('new-oral').click();
  await page.waitForSelector('[data-testid="case-form"][data-ready="true"]');
  await page.locator('#f-dispute_type').selectOption('neighbours');
  await page.locator('#f-parties-0-name').fill('周过期');
  await page.locator('#f-parties-1-name').fill('吴等待');
  await page.locator('#f-summary').fill('宅基地界址纠纷');
  await page.locator('#f-agreed_terms').fill('以老墙为界');
  await page.locator('#f-mediator').fill('杨调解');
  await page.getByTestId('save-case').click();
  await expect(page.getByTestId('saved-notice')).toBeVisible();
  await page.waitForTimeout(5_000);

  // back online, the app's sync is told the log-in expired: nothing is wiped
  await context.setOffline(false);
  await page.goto(`${BASE}/`);
  await appReady(page);
  await page.getByTestId('sync-now').click();
  await expect(page.getByTestId('session-expired')).toBeVisible();
  await expect(page.getByTestId('sync-status')).toHaveText('登录已过期，请重新输入密码，本机记录都还在');
  await expect(page.locator('[data-testid="pending-sync"][data-ready="true"]')).toHaveText('1');
  expect((await readStore(page, 'cases')).length).toBe(pulled + 1);
  expect((await session(page)).expired).toBe(true);

  // the password again, on the same phone and number
  await page.getByTestId('relogin-link').click();
  await appReady(page);
  await expect(page.getByTestId('login-again')).toContainText('登录已过期');
  await expect(page.locator('#f-phone')).toHaveValue(VILLAGE_MEDIATOR);
  await expect(page.locator('#f-phone')).toHaveAttribute('readonly', '');
  await page.locator('#f-password').fill(PASSWORD);
  await page.getByTestId('login-submit').click();
  await expect(page.getByTestId('logged-in')).toBeVisible();
  await expect(page.getByTestId('sync-status')).toContainText('已同步');
  await expect(page.getByTestId('session-expired')).toHaveCount(0);
  await expect(page.locator('[data-testid="pending-sync"][data-ready="true"]')).toHaveText('0');
  const renewed = await session(page);
  expect(renewed.device_id).toBe(first.device_id);
  expect(renewed.token).not.toBe(first.token);
  expect(renewed.expired).toBe(false);
  expect((await readStore(page, 'cases')).length).toBe(pulled + 1);

  // the server has the case
  const recorded = (await readStore(page, 'cases')).find((c) => JSON.stringify(c.parties).includes('周过期'));
  const res = await page.request.get(`${BASE}/api/v1/cases/${recorded.id}`, {
    headers: { Authorization: `Bearer ${renewed.token}` },
  });
  expect(res.status()).toBe(200);
  expect(JSON.stringify(await res.json())).toContain('周过期');
  expect(errors.filter((e) => !/401/.test(e))).toEqual([]);
});
