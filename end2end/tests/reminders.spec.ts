import { test, expect, type Page } from '@playwright/test';
import { appReady, logIn, readStore, watchErrors } from './helpers';
import * as path from 'node:path';

// Screening reminders ("五个一", docs/screening.md): computed on the phone
// from the schedule and unit tree the sync brought, so they work with no
// signal. The demo's resident groups have never reported, so last week's
// group screening is overdue whatever day the suite runs.

const COMMUNITY_MEDIATOR = '13800000002';
const JUDICIAL_OFFICE = '13900000002';
const BUREAU = '13900000006';
const WEEKLY = 'group_weekly_screening';
const PHOTO = path.join(__dirname, '..', 'fixtures', 'signed-agreement.png');


const pending = (page: Page) => page.locator('[data-testid="pending-sync"][data-ready="true"]');

test('offline, Home lists the overdue weekly screening and a nothing-found report clears it; the records sync and come back to a new phone', async ({ browser, page, context }) => {
  test.setTimeout(90_000); // three devices, two of them syncing a year of the city's data
  await logIn(page, COMMUNITY_MEDIATOR);
  await page.evaluate(async () => { await navigator.serviceWorker.ready; });
  const errors = watchErrors(page);

  // notifications allowed: Home shows one through the service worker, and
  // the worker itself, woken by Periodic Background Sync, reminds from the
  // counts Home left in IndexedDB
  await context.grantPermissions(['notifications']);
  await page.goto('/');
  await appReady(page);
  await expect(page.getByTestId('reminder-counts')).toHaveAttribute('data-ready', 'true');
  const shown = () =>
    page.evaluate(async () => {
      const registration = await navigator.serviceWorker.ready;
      return (await registration.getNotifications({ tag: 'tiaojie-reminders' })).map((n) => n.body).join('|');
    });
  await expect.poll(shown).toContain('已逾期');
  // Chromium here has no push service (like a phone in mainland China):
  // the Web Push subscription is tried once for this log-in, quietly
  await expect.poll(() => page.evaluate(() => localStorage.getItem('tiaojie.push_registered'))).toMatch(/\|-$/);
  const [worker] = context.serviceWorkers();
  const fromWorker = await worker.evaluate(async () => {
    const sw = self as any;
    for (const n of await sw.registration.getNotifications()) n.close();
    await sw.remindFromSummary();
    return (await sw.registration.getNotifications({ tag: 'tiaojie-reminders' })).map((n: Notification) => n.body).join('|');
  });
  expect(fromWorker).toMatch(/\d+ 项已逾期/);

  // no signal from here: Home still knows what is due
  await context.setOffline(true);
  await page.goto('/');
  await appReady(page);
  const counts = page.getByTestId('reminder-counts');
  await expect(counts).toHaveAttribute('data-ready', 'true');
  const overdue = page.locator(`[data-testid="reminder"][data-duty="${WEEKLY}"][data-state="overdue"]`);
  await expect(overdue).toHaveCount(1);
  await expect(overdue).toContainText('已逾期');
  await expect(overdue).toContainText('个单位');
  const period = await overdue.getAttribute('data-period');
  expect(period).toMatch(/^\d{4}-W\d{2}$/);
  const overdueBefore = Number(await counts.getAttribute('data-overdue'));

  // the reminder opens the form for that duty and week, every silent group ticked
  await overdue.locator('a').click();
  await page.waitForSelector('[data-testid="screening-form"][data-ready="true"]');
  await expect(page.locator('#f-duty')).toHaveValue(WEEKLY);
  const groups = await page.locator('[data-testid="screening-units"] input:checked').count();
  expect(groups).toBeGreaterThan(1);
  await expect(page.getByTestId('period-label')).toContainText('周');

  // a reload mid-form keeps what was typed, and the photo taken (kept on
  // the phone, compressed, as soon as it is chosen)
  await page.locator('#f-households').fill('64');
  await page.locator('#f-notes').fill('各居民小组长电话报告：本周无矛盾纠纷');
  await page.getByTestId('screening-photo-input').setInputFiles(PHOTO);
  await expect(page.locator('[data-testid="screening-photo"] img')).toBeVisible();
  await page.waitForTimeout(600); // the draft is written after a typing pause
  await page.reload();
  await appReady(page);
  await page.waitForSelector('[data-testid="screening-form"][data-ready="true"]');
  await expect(page.getByTestId('draft-restored')).toBeVisible();
  await expect(page.locator('#f-notes')).toHaveValue('各居民小组长电话报告：本周无矛盾纠纷');
  await expect(page.locator('[data-testid="screening-photo"] img')).toBeVisible();
  const [kept] = await readStore(page, 'attachments');
  expect(kept).toMatchObject({ screening_id: '', blob: { type: 'image/jpeg' } });

  // bad input is named by its field, in Chinese, and nothing is stored
  await page.locator('#f-date').fill('2099-01-01');
  await page.locator('#f-households').fill('六十四');
  await page.getByTestId('save-screening').click();
  await expect(page.locator('[data-error-for="date"]')).toContainText('排查日期不能晚于今天');
  await expect(page.locator('[data-error-for="households"]')).toContainText('请填写整数');
  await expect(page.getByTestId('problems')).toContainText('尚未保存');

  // fixed: a nothing-found report (零上报) for every group, dated in the overdue week
  const week = period!;
  const [year, w] = week.split('-W').map(Number);
  const sundayOfWeek = await page.evaluate(([y, n]) => {
    // ISO week n of year y ends on the Sunday after the Monday of week 1 + 7(n-1) days
    const jan4 = new Date(Date.UTC(y, 0, 4));
    const monday1 = new Date(jan4.getTime() - ((jan4.getUTCDay() + 6) % 7) * 86400000);
    const sunday = new Date(monday1.getTime() + ((n - 1) * 7 + 6) * 86400000);
    return sunday.toISOString().slice(0, 10);
  }, [year, w]);
  await page.locator('#f-date').fill(sundayOfWeek);
  await page.locator('#f-households').fill('64');
  await page.getByTestId('outcome-nothing').click();
  await page.getByTestId('save-screening').click();
  await expect(page.getByTestId('screening-saved')).toContainText(`${groups} 条排查记录`);
  // every group's record names the one photo, which the first record owns
  const records = await readStore(page, 'screenings');
  expect(records).toHaveLength(groups);
  const sha = records[0].photo.sha256;
  expect(sha).toMatch(/^[0-9a-f]{64}$/);
  expect(records.every((r: any) => r.photo.sha256 === sha && r.photo.id === kept.id)).toBe(true);
  const [owned] = await readStore(page, 'attachments');
  expect(records.map((r: any) => r.id)).toContain(owned.screening_id);

  // Home: that week's line is gone, the overdue count fell by one per group
  await page.getByTestId('back-home').click();
  await expect(counts).toHaveAttribute('data-overdue', String(overdueBefore - groups));
  await expect(page.locator(`[data-testid="reminder"][data-duty="${WEEKLY}"][data-period="${week}"]`)).toHaveCount(0);
  await expect(pending(page)).toHaveText(String(groups));
  // and after a reload (read back from IndexedDB, not from memory)
  await page.reload();
  await appReady(page);
  await expect(page.getByTestId('reminder-counts')).toHaveAttribute('data-overdue', String(overdueBefore - groups));

  // the network is back: the records go up
  await context.setOffline(false);
  await page.getByTestId('sync-now').click();
  await expect(page.getByTestId('sync-status')).toHaveAttribute('data-running', 'false');
  await expect(pending(page)).toHaveText('0');
  await expect(page.getByTestId('sync-status')).toHaveAttribute('data-failed', 'false');
  // the photo went up after its records: the server holds it whole
  await expect.poll(async () => (await readStore(page, 'attachments'))[0].sent).toBe(true);
  expect(errors).toEqual([]);

  // a second phone of the same mediator gets them with its first sync: the week is done there too
  const other = await browser.newContext();
  const phone2 = await other.newPage();
  await logIn(phone2, COMMUNITY_MEDIATOR);
  await phone2.goto('/');
  await appReady(phone2);
  await expect(phone2.getByTestId('reminder-counts')).toHaveAttribute('data-overdue', String(overdueBefore - groups));
  await expect(phone2.locator(`[data-testid="reminder"][data-duty="${WEEKLY}"][data-period="${week}"]`)).toHaveCount(0);
  await other.close();

  // the city bureau's compliance view counts them: in one township, the
  // weekly cell says that many groups reported last week
  const bureau = await browser.newContext();
  const desk = await bureau.newPage();
  const deskErrors = watchErrors(desk);
  await logIn(desk, BUREAU);
  await desk.getByTestId('compliance-link').click();
  await expect(desk.getByTestId('compliance-table')).toBeVisible();
  expect(await desk.getByTestId('compliance-row').count()).toBeGreaterThanOrEqual(15);
  await expect(desk.getByTestId('overdue-unit').first()).toBeVisible();
  // seen as of the Monday after the reported week (the suite may cross
  // midnight in China, which would make a new week "last week"): picked
  // on the page, kept in the address
  const monday = await page.evaluate((d) => {
    const next = new Date(`${d}T00:00:00Z`);
    next.setUTCDate(next.getUTCDate() + 1);
    return next.toISOString().slice(0, 10);
  }, sundayOfWeek);
  await desk.locator('#compliance-on').fill(monday);
  await expect(desk).toHaveURL(new RegExp(`/compliance\\?on=${monday}$`));
  await expect(desk.getByTestId('compliance-table')).toContainText(`${year}年第${w}周`);
  await expect(desk.locator(`td[data-duty="${WEEKLY}"][data-done-previous="${groups}"]`)).toHaveCount(1);
  await expect(desk.locator(`td[data-duty="${WEEKLY}"][data-done-previous="0"]`).first()).toBeVisible();
  // a day after today is named next to the field, and nothing is asked
  await desk.goto('/compliance?on=2099-01-01');
  await expect(desk.locator('[data-error-for="on"]')).toContainText('查看日期不能晚于今天');
  await expect(desk.getByTestId('compliance-table')).toHaveCount(0);
  await desk.getByTestId('compliance-today').click();
  await expect(desk.getByTestId('compliance-table')).toBeVisible();
  expect(deskErrors).toEqual([]);
  await bureau.close();
});

test('a high-risk dispute recorded in the field reaches the township office\'s inbox at once; the committee agrees its level, the township confirms it with a responsible person', async ({ browser, page }) => {
  test.setTimeout(90_000); // three devices
  await logIn(page, COMMUNITY_MEDIATOR);
  const errors = watchErrors(page);
  await page.goto('/cases/new/general');
  await page.waitForSelector('[data-testid="case-form"][data-ready="true"]');
  await page.locator('#f-dispute_type').selectOption('neighbours');
  await page.locator('[data-field="risk"] [data-value="high"]').click();
  await page.locator('#f-parties-0-name').fill('沙高危');
  await page.locator('#f-parties-1-name').fill('李扬言');
  await page.locator('#f-summary').fill('因排水沟纠纷扬言报复，情绪激动');
  await page.locator('#f-mediator').fill('普调解');
  await page.getByTestId('save-case').click();
  await expect(page.getByTestId('case-status')).toHaveText('已受理');
  const caseId = new URL(page.url()).pathname.split('/').pop()!;
  expect(caseId).toMatch(/^[0-9a-f-]{36}$/);
  // the mediator's own Home lists it too
  await page.goto('/');
  await expect(page.getByTestId('high-risk-case').filter({ hasText: '沙高危' })).toHaveCount(1);
  await page.getByTestId('sync-now').click();
  await expect(page.getByTestId('sync-status')).toHaveAttribute('data-running', 'false');
  await expect(pending(page)).toHaveText('0');

  // 村议定: the committee's mediator agrees the level, online, on the case page
  await page.goto(`/cases/${caseId}`);
  const risk = page.getByTestId('risk-card');
  await expect(risk.getByTestId('risk-step')).toHaveAttribute('data-step', 'none');
  await risk.locator('#risk-action').selectOption('agree');
  await risk.getByTestId('risk-submit').click();
  await expect(risk.getByTestId('risk-done')).toBeVisible();
  await expect(risk.getByTestId('risk-step')).toHaveAttribute('data-step', 'agreed');
  await expect(risk.getByTestId('risk-entry')).toHaveCount(2);
  await page.goto('/');
  await expect(page.getByTestId('sync-status')).toHaveAttribute('data-running', 'false');
  expect(errors).toEqual([]);

  // the township's judicial office, on its own device, after its sync
  const office = await browser.newContext();
  const desk = await office.newPage();
  const deskErrors = watchErrors(desk);
  await logIn(desk, JUDICIAL_OFFICE);
  await desk.goto('/');
  const listed = desk.getByTestId('high-risk-case').filter({ hasText: '沙高危' });
  await expect(listed).toHaveCount(1);
  await expect(listed).toContainText('鹿城社区');
  await listed.locator('a').click();
  await expect(desk.getByText('因排水沟纠纷扬言报复').first()).toBeVisible();

  // the server escalated it when the mediator's sync stored it: the
  // office's inbox has it, unread, without the parties' names
  await desk.goto('/');
  await desk.getByTestId('inbox-link').click();
  const item = desk.locator(`[data-testid="inbox-item"][data-case="${caseId}"]`);
  await expect(item).toHaveAttribute('data-read', 'false');
  await expect(item).toContainText('高风险纠纷');
  await expect(item).toContainText('鹿城社区');
  await expect(item).not.toContainText('沙高危');
  await item.locator('a').click();
  await expect(desk.getByText('因排水沟纠纷扬言报复').first()).toBeVisible();

  // 乡审定: high risk needs a responsible person (包保人)
  const deskRisk = desk.getByTestId('risk-card');
  await expect(deskRisk.getByTestId('risk-step')).toHaveAttribute('data-step', 'agreed');
  await deskRisk.locator('#risk-action').selectOption('confirm');
  await deskRisk.getByTestId('risk-submit').click();
  await expect(deskRisk.getByTestId('risk-responsible-error')).toContainText('包保人');
  await deskRisk.locator('#risk-responsible').selectOption({ index: 1 });
  await deskRisk.getByTestId('risk-submit').click();
  await expect(deskRisk.getByTestId('risk-step')).toHaveAttribute('data-step', 'confirmed');
  await expect(deskRisk.getByTestId('risk-responsible')).toContainText('包保人');
  await desk.goto('/inbox');
  await expect(desk.locator(`[data-testid="inbox-item"][data-case="${caseId}"]`)).toHaveAttribute('data-read', 'true');
  // the one refusal asked for above (no responsible person named) is the only error
  expect(deskErrors).toEqual(['console: Failed to load resource: the server responded with a status of 422 (Unprocessable Entity)']);
  await office.close();

  // the city bureau's inbox has it too
  const city = await browser.newContext();
  const bureauPage = await city.newPage();
  await logIn(bureauPage, BUREAU);
  await bureauPage.goto('/inbox');
  await expect(bureauPage.locator(`[data-testid="inbox-item"][data-case="${caseId}"]`)).toHaveCount(1);
  await city.close();

  // the mediator's phone learns of the confirmation and its responsible person at its sync
  await page.goto('/');
  await page.getByTestId('sync-now').click();
  await expect(page.getByTestId('sync-status')).toHaveAttribute('data-running', 'false');
  await page.goto(`/cases/${caseId}`);
  await expect(page.getByTestId('risk-step')).toHaveAttribute('data-step', 'confirmed');
  await expect(page.getByTestId('risk-responsible')).toBeVisible();
  await expect(page.getByTestId('risk-entry')).toHaveCount(3);
  expect(errors).toEqual([]);
});

test('with notifications allowed, the phone registers for Web Push with the server\'s key, once per log-in', async ({ page, context }) => {
  // Chromium's push service (Google's) is out of this machine's reach, and
  // of mainland phones': a stand-in for it hands out subscriptions with
  // real P-256 keys. The app, the server and the key exchange are real.
  await context.addInitScript(() => {
    const w = window as any;
    if (!w.PushManager) return;
    const b64url = (bytes: Uint8Array) =>
      btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
    let current: any = null;
    w.PushManager.prototype.getSubscription = async () => current;
    w.PushManager.prototype.subscribe = async (options: any) => {
      w.__pushKey = options.applicationServerKey;
      const pair = await crypto.subtle.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, true, ['deriveBits']);
      const p256dh = new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey));
      const json = {
        endpoint: `https://push.example.test/send/${crypto.randomUUID()}`,
        expirationTime: null,
        keys: { p256dh: b64url(p256dh), auth: b64url(crypto.getRandomValues(new Uint8Array(16))) },
      };
      current = { endpoint: json.endpoint, toJSON: () => json };
      return current;
    };
  });
  await context.grantPermissions(['notifications']);
  const puts: number[] = [];
  page.on('response', (r) => {
    if (r.url().endsWith('/api/v1/push/subscription') && r.request().method() === 'PUT') puts.push(r.status());
  });
  const key = page.waitForResponse((r) => r.url().endsWith('/api/v1/push/key'));
  const errors = watchErrors(page);
  await logIn(page, COMMUNITY_MEDIATOR);
  const served = await (await key).json();
  await expect.poll(() => puts).toEqual([204]);
  expect(await page.evaluate(() => (window as any).__pushKey)).toBe(served.public_key);

  // Home again: this log-in's subscription is known; nothing is sent
  await page.goto('/');
  await appReady(page);
  await expect(page.getByTestId('reminder-counts')).toHaveAttribute('data-ready', 'true');
  expect(puts).toEqual([204]);
  expect(errors).toEqual([]);
});
