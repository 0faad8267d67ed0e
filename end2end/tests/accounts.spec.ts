import { test, expect, type Page } from '@playwright/test';
import { appReady, logIn, PASSWORD, readStore, watchErrors } from './helpers';

// 账号管理 (docs/security.md "Accounts"): the judicial office gives a
// committee head who forgot the password a new one, stops the account
// (the head's phone is logged out and wiped at its next sync) and lets it
// in again. The account gets its demo password back at the end, whatever
// happened, for the other tests.

const COMMITTEE_HEAD = '13900000001';
const JUDICIAL_OFFICE = '13900000002';
const NEW_PASSWORD = 'Tiaojie-2026';

async function token(page: Page): Promise<string> {
  const meta = await readStore(page, 'meta');
  return JSON.parse(meta.find((r) => r.key === 'session').json).token;
}

test('the judicial office sets a new password, stops an account and lets it in again', async ({ browser, page }) => {
  await logIn(page, COMMITTEE_HEAD);
  const office = await browser.newContext();
  const desk = await office.newPage();
  const errors = watchErrors(desk);
  await logIn(desk, JUDICIAL_OFFICE);
  const deskToken = await token(desk);
  const headId = async () => {
    const res = await desk.request.get('/api/v1/accounts', { headers: { Authorization: `Bearer ${deskToken}` } });
    return (await res.json()).find((a: any) => a.phone === COMMITTEE_HEAD).id;
  };
  try {
    await desk.getByTestId('accounts-link').click();
    await appReady(desk);
    await expect(desk.getByTestId('accounts-list')).toBeVisible();
    // the office's own colleagues are not there
    await expect(desk.locator(`[data-testid="account-row"][data-phone="${JUDICIAL_OFFICE}"]`)).toHaveCount(0);
    await desk.getByTestId('account-search').fill(COMMITTEE_HEAD);
    const row = desk.locator(`[data-testid="account-row"][data-phone="${COMMITTEE_HEAD}"]`);
    await expect(desk.getByTestId('account-row')).toHaveCount(1);

    // a new password: too short is said in plain words, beside the field
    await row.getByTestId('reset-password').click();
    await desk.locator('#f-new-password').fill('1234');
    await desk.getByTestId('save-password').click();
    await expect(desk.getByTestId('password-error')).toHaveText('密码需要 8 到 128 个字符。');
    await desk.locator('#f-new-password').fill(NEW_PASSWORD);
    await desk.getByTestId('save-password').click();
    await expect(desk.getByTestId('accounts-message')).toContainText('设置新密码');
    await expect(desk.getByTestId('password-form')).toHaveCount(0);

    // the head's phone stays logged in
    await page.getByTestId('sync-now').click();
    await expect(page.getByTestId('sync-status')).toContainText('已同步');

    // stopped: asked first, then the phone is logged out and wiped at its next sync
    desk.once('dialog', (d) => void d.accept());
    await row.getByTestId('disable-account').click();
    await expect(row.getByTestId('account-state')).toHaveText('已停用');
    await expect(row).toHaveAttribute('data-disabled', 'true');
    await page.getByTestId('sync-now').click();
    await page.waitForURL('**/login?stopped=1');
    await appReady(page);
    await expect(page.getByTestId('stopped')).toContainText('此账号已被停用');
    expect(await readStore(page, 'cases')).toEqual([]);
    await page.locator('#f-phone').fill(COMMITTEE_HEAD);
    await page.locator('#f-password').fill(NEW_PASSWORD);
    await page.getByTestId('login-submit').click();
    await expect(page.getByTestId('login-error')).toContainText('账号已停用');

    // in again: the new password opens it
    await row.getByTestId('enable-account').click();
    await expect(row.getByTestId('account-state')).toHaveText('在用');
    await page.locator('#f-password').fill(NEW_PASSWORD);
    await page.getByTestId('login-submit').click();
    await expect(page.getByTestId('logged-in')).toBeVisible();
    expect(errors).toEqual([]);
  } finally {
    const id = await headId();
    const headers = { Authorization: `Bearer ${deskToken}` };
    await desk.request.post(`/api/v1/accounts/${id}/enable`, { headers });
    const back = await desk.request.post(`/api/v1/accounts/${id}/password`, { headers, data: { password: PASSWORD } });
    expect(back.status()).toBe(200);
    await office.close();
  }
});
