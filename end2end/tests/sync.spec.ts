import { test, expect, type APIRequestContext, type Page } from '@playwright/test';
import { appReady, readStore, watchErrors } from './helpers';

// Sync end to end (docs/sync.md): a mediator logs in once, records an oral
// agreement with no network, syncs when the network is back; the judicial
// office of that township logs in on another device and sees the case with
// the server's tier.

const PASSWORD = 'tiaojie2023';
const VILLAGE_MEDIATOR = '13800000001';
const JUDICIAL_OFFICE = '13900000002';
const COMMITTEE_HEAD = '13900000001';
const TOWNSHIP_FINANCE = '13900000005';

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
  // the first sync after log-in has finished (whatever its outcome)
  await expect(page.getByTestId('sync-status')).toContainText(/已同步|拒绝|没有信号/);
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
  // the reference data came down too: its committee, the groups under it,
  // its township and the city, and the screening schedule (for reminders)
  const reference = await page.evaluate(
    () =>
      new Promise<{ units: { name: string; kind: string }[]; schedules: number }>((resolve, reject) => {
        const open = indexedDB.open('tiaojie');
        open.onsuccess = () => {
          const tx = open.result.transaction(['units', 'documents']);
          const units = tx.objectStore('units').getAll();
          const docs = tx.objectStore('documents').getAll();
          tx.oncomplete = () =>
            resolve({
              units: units.result.map((u: { name: string; kind: string }) => ({ name: u.name, kind: u.kind })),
              schedules: docs.result.filter((d: { entity: string }) => d.entity === 'schedule').length,
            });
          tx.onerror = () => reject(tx.error);
        };
      }),
  );
  const kinds = reference.units.map((u) => u.kind);
  expect(kinds.filter((k) => k === 'city')).toHaveLength(1);
  expect(kinds.filter((k) => k === 'township')).toHaveLength(1);
  expect(kinds.filter((k) => k === 'village')).toHaveLength(1);
  expect(kinds.filter((k) => k === 'villager_group').length).toBeGreaterThan(0);
  expect(reference.units.map((u) => u.name)).toContain('楚雄市');
  expect(reference.schedules).toBe(1);

  // the phone now shows the server's verdict on the case
  await page.goto(caseUrl);
  await expect(page.getByTestId('server-tier')).toHaveText('A');
  await expect(page.getByTestId('server-verdict')).toHaveAttribute('data-differs', 'false');
  // the mediator's own case: the preview too, below the server's figure
  await expect(page.getByTestId('tier-preview')).toBeVisible();

  // the township's judicial office, on its own device
  const office = await browser.newContext();
  const desk = await office.newPage();
  const deskErrors = watchErrors(desk);
  await logIn(desk, JUDICIAL_OFFICE);
  await desk.goto('/cases');
  // (other tests' cases of the township may be there too)
  await desk.getByTestId('case-search').fill('赵同步');
  await desk.getByText('赵同步').first().click();
  await expect(desk.getByTestId('server-tier')).toHaveText('A');
  await expect(desk.getByTestId('server-verdict')).toContainText('30.00');
  // a village's case on the office's desk: only the server's figure, made
  // with the case's committee, never a preview made with the office's unit
  await expect(desk.getByTestId('tier-preview')).toHaveCount(0);
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
  // a sync with no signal fails softly and says when it tries again by itself
  await appReady(page);
  await page.getByTestId('sync-now').click();
  await expect(page.getByTestId('sync-status')).toHaveAttribute('data-failed', 'true');
  // in plain Chinese only: no English, no browser error text
  await expect(page.getByTestId('sync-status')).toHaveText(/^没有信号，记录已存在手机里，有网时自动上传（\d+ 秒后自动重试）$/);

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

/** Another device (an office's desk, a second phone): logs in over the API. */
async function officeDesk(request: APIRequestContext, phone: string) {
  const deviceId = crypto.randomUUID();
  const res = await request.post('/api/v1/auth/login', {
    data: { phone, password: PASSWORD, device_id: deviceId, device_name: 'office desk (test)' },
  });
  expect(res.status()).toBe(200);
  const headers = { Authorization: `Bearer ${(await res.json()).token}` };
  let seq = 0;
  return {
    headers,
    /** The case as the server holds it now. */
    async current(caseId: string) {
      const pulled = await request.get('/api/v1/sync/pull?cursor=0&limit=1000', { headers });
      return (await pulled.json()).changes.find((c: { entity_id: string }) => c.entity_id === caseId);
    },
    /** Pushes the desk's edit of a case made on `baseVersion`; returns the answer. */
    async edit(caseId: string, baseVersion: number, payload: object) {
      seq += 1;
      const res = await request.post('/api/v1/sync/push', {
        headers,
        data: {
          client_id: deviceId,
          mutations: [{ seq, mutation_id: crypto.randomUUID(), entity: 'case', entity_id: caseId, op: 'upsert', base_version: baseVersion, payload }],
        },
      });
      expect(res.status()).toBe(200);
      return (await res.json()).results[0];
    },
  };
}

/** Today in China, as the forms write dates. */
function todayInChina(): string {
  return new Date().toLocaleDateString('sv-SE', { timeZone: 'Asia/Shanghai' });
}

/** Opens Home, where the app syncs by itself, and waits for that sync's outcome. */
async function syncAndWait(page: Page) {
  await page.goto('/');
  await appReady(page);
  const status = page.getByTestId('sync-status');
  await expect(status).toContainText(/已同步|拒绝|没有信号/);
  await expect(status).toHaveAttribute('data-running', 'false');
}

async function recordFollowUp(page: Page, caseUrl: string, note: string) {
  await page.goto(caseUrl);
  await appReady(page);
  await page.getByTestId('follow-up-form').locator('summary').click();
  await page.locator('#f-follow_up-note').fill(note);
  await page.getByTestId('save-follow-up').click();
  await expect(page.getByTestId('follow-up-form')).toHaveCount(0);
}

test('a photo taken with no signal is uploaded at the next sync and the township office sees it', async ({ browser, page, context }) => {
  const errors = watchErrors(page);
  await logIn(page, VILLAGE_MEDIATOR);
  await page.evaluate(async () => { await navigator.serviceWorker.ready; });
  await context.setOffline(true);
  await recordOral(page, '冯照片', '陈签字', '宅基地界址纠纷', '以界桩为准');
  const caseUrl = new URL(page.url()).pathname;
  await page.getByTestId('photo-input').setInputFiles('fixtures/signed-agreement.png');
  await expect(page.locator('.photos[data-count="1"] img')).toBeVisible();

  await context.setOffline(false);
  await syncAndWait(page);
  await expect(page.getByTestId('sync-status')).toHaveAttribute('data-failed', 'false');
  await expect(page.getByTestId('sync-status')).toContainText('照片 1 张');
  // nothing is sent twice: the next sync has no photo to send
  await page.getByTestId('sync-now').click();
  await expect(page.getByTestId('sync-status')).toHaveAttribute('data-running', 'false');
  await expect(page.getByTestId('sync-status')).not.toContainText('照片');

  // the office's desk has no copy of the photo: it comes from the server
  const office = await browser.newContext();
  const desk = await office.newPage();
  const deskErrors = watchErrors(desk);
  await logIn(desk, JUDICIAL_OFFICE);
  await desk.goto(caseUrl);
  const img = desk.locator('.photos[data-count="1"] img');
  await expect(img).toBeVisible();
  // the photo loads lazily (loading="lazy"): below the risk and referral
  // cards it is fetched once scrolled to, as on a phone
  await img.scrollIntoViewIfNeeded();
  await expect.poll(() => img.evaluate((i: HTMLImageElement) => i.naturalWidth)).toBeGreaterThan(100);

  // logged out, the desk's browser keeps no copy of the photo: not in its
  // HTTP cache, not in the service worker's caches, and without the token
  // the server refuses it
  const caseId = caseUrl.split('/').pop();
  const saved = (await readStore(page, 'cases')).find((c) => c.id === caseId);
  const sha = saved.attachments[0].sha256;
  expect(sha).toMatch(/^[0-9a-f]{64}$/);
  await desk.goto('/');
  await appReady(desk);
  const beforeLogout = deskErrors.length;
  desk.once('dialog', (d) => void d.accept());
  await desk.getByTestId('logout').click();
  // a plain log-in page: a sync the log-out cut short is not a revocation
  await expect(desk).toHaveURL(/\/login$/, { timeout: 15_000 });
  await appReady(desk);
  // that sync's request is refused (401), which Chromium logs; nothing else
  const cut = deskErrors.splice(beforeLogout);
  expect(cut.filter((e) => !/status of 401/.test(e))).toEqual([]);
  const deskSeen = [...deskErrors]; // the probe's own 401 is logged as an error
  const left = await desk.evaluate(async (sha) => {
    const url = `/api/v1/attachments/${sha}`;
    let cached: string;
    try {
      cached = String((await fetch(url, { cache: 'only-if-cached', mode: 'same-origin' })).status);
    } catch {
      cached = 'none';
    }
    const kept: string[] = [];
    for (const name of await caches.keys()) {
      for (const req of await (await caches.open(name)).keys()) {
        if (new URL(req.url).pathname.startsWith('/api/')) kept.push(req.url);
      }
    }
    return { cached, kept, asked: (await fetch(url)).status };
  }, sha);
  expect(left).toEqual({ cached: 'none', kept: [], asked: 401 });
  await office.close();
  expect([...errors, ...deskSeen]).toEqual([]);
});

test('a change the server refuses is shown on its case, and sent again once the office unlocks it', async ({ page, context, request }) => {
  await logIn(page, VILLAGE_MEDIATOR);
  await page.evaluate(async () => { await navigator.serviceWorker.ready; });
  await recordOral(page, '蒋锁定', '沈审核', '土地承包纠纷', '按合同履行');
  const caseUrl = new URL(page.url()).pathname;
  const caseId = caseUrl.split('/').pop()!;
  await syncAndWait(page);
  await expect(page.getByTestId('sync-status')).toHaveAttribute('data-failed', 'false');

  // the phone loses signal; meanwhile the judicial office locks the case for its review
  await context.setOffline(true);
  const office = await officeDesk(request, JUDICIAL_OFFICE);
  let res = await request.put(`/api/v1/cases/${caseId}/lock`, { headers: office.headers, data: { reason: '季度审核中' } });
  expect(res.status()).toBe(200);

  // the mediator records the follow-up visit offline, then syncs
  await recordFollowUp(page, caseUrl, '已按期履行');
  await context.setOffline(false);
  await syncAndWait(page);
  await expect(page.getByTestId('sync-status')).toHaveAttribute('data-failed', 'true');
  await expect(page.getByTestId('sync-status')).toContainText('1 条被服务器拒绝');

  await page.goto(caseUrl);
  await appReady(page);
  await expect(page.getByTestId('refused-reason')).toContainText('季度审核中');

  // unlocked: "send again" queues the case as it is now, and it lands
  res = await request.delete(`/api/v1/cases/${caseId}/lock`, { headers: office.headers });
  expect(res.status()).toBe(200);
  await page.getByTestId('retry-refused').click();
  await expect(page.getByTestId('refused')).toHaveCount(0);
  await syncAndWait(page);
  await expect(page.getByTestId('sync-status')).toHaveAttribute('data-failed', 'false');
  await expect(page.locator('[data-testid="pending-sync"][data-ready="true"]')).toHaveText('0');
  expect((await office.current(caseId)).payload.follow_up.note).toBe('已按期履行');
});

test('edits of the same field on two phones of one committee: the mediator is told, both ways', async ({ page, context, request }) => {
  await logIn(page, VILLAGE_MEDIATOR);
  await page.evaluate(async () => { await navigator.serviceWorker.ready; });
  await recordOral(page, '韩冲突', '杨合并', '林地界线纠纷', '以山脊为界');
  const caseUrl = new URL(page.url()).pathname;
  const caseId = caseUrl.split('/').pop()!;
  await syncAndWait(page);
  // the committee's head, on their own device
  const head = await officeDesk(request, COMMITTEE_HEAD);
  const v1 = await head.current(caseId);

  // both record the follow-up visit on version 1; the head's arrives first
  await context.setOffline(true);
  await recordFollowUp(page, caseUrl, '电话回访：已履行');
  const first = await head.edit(caseId, v1.version, { ...v1.payload, follow_up: { on: todayInChina(), note: '主任回访：已履行' } });
  expect(first.status).toBe('applied');
  await context.setOffline(false);
  // (the app syncs by itself on the online event, on the case page, and
  // again when Home opens: which of the two carried the push, and so which
  // one's status line names the conflict, is a race; the notice on the case
  // is what the mediator goes by)
  await syncAndWait(page);
  await expect(page.locator('[data-testid="pending-sync"][data-ready="true"]')).toHaveText('0');

  // the phone's came later and was kept; the notice says whose is where
  await page.goto(caseUrl);
  await appReady(page);
  const ours = page.locator('[data-testid="conflict-field"][data-theirs="false"]');
  await expect(ours).toContainText('回访');
  await page.getByTestId('conflict-seen').click();
  await expect(page.getByTestId('conflict-notice')).toHaveCount(0);
  // "theirs is in the server's history": the case's change history shows it
  await page.getByTestId('history-card').locator('summary').click();
  await expect(page.getByTestId('history-version')).toHaveCount(3);
  const replaced = page.getByTestId('history-overridden');
  await expect(replaced).toHaveCount(1);
  await expect(replaced).toContainText('回访');
  await expect(replaced).toContainText('主任回访：已履行');
  await expect(page.locator('[data-testid="history-version"][data-version="1"]')).toContainText('登记');

  // now the head corrects the visit again on the version it had: its change is the later one
  const second = await head.edit(caseId, first.version, { ...v1.payload, follow_up: { on: todayInChina(), note: '主任复核：已履行，另补签字' } });
  expect(second.status).toBe('conflict');
  await syncAndWait(page);
  await page.goto(caseUrl);
  await appReady(page);
  const theirs = page.locator('[data-testid="conflict-field"][data-theirs="true"]');
  await expect(theirs).toContainText('回访');
  await expect(theirs).toContainText('电话回访：已履行');
  const kept = await head.current(caseId);
  expect(kept.payload.follow_up.note).toBe('主任复核：已履行，另补签字');
});

test('the township office locks a case from its page and the mediator sees it; the office revokes the lost phone', async ({ browser, page }) => {
  const errors = watchErrors(page);
  await logIn(page, VILLAGE_MEDIATOR);
  await page.evaluate(async () => { await navigator.serviceWorker.ready; });
  // a mediator has no device screen
  await expect(page.getByTestId('devices-link')).toHaveCount(0);
  await recordOral(page, '许锁定', '何审核', '宅基地界址纠纷', '以界桩为准');
  const caseUrl = new URL(page.url()).pathname;
  await syncAndWait(page);
  await expect(page.getByTestId('sync-status')).toHaveAttribute('data-failed', 'false');

  // the township's judicial office, at its desk
  const office = await browser.newContext();
  const desk = await office.newPage();
  const deskErrors = watchErrors(desk);
  await logIn(desk, JUDICIAL_OFFICE);
  await desk.goto(caseUrl);
  await appReady(desk);
  const card = desk.getByTestId('lock-card');
  await expect(card).toHaveAttribute('data-locked', 'false');
  // a blank reason is named next to the field
  await desk.locator('#f-lock-reason').fill('   ');
  await desk.getByTestId('lock-submit').click();
  await expect(desk.getByTestId('lock-error')).toContainText('请填写锁定原因');
  await desk.locator('#f-lock-reason').fill('季度审核中：请补充回访记录');
  await desk.getByTestId('lock-submit').click();
  await expect(desk.getByTestId('lock-status')).toContainText('已锁定');
  await expect(card).toHaveAttribute('data-locked', 'true');
  await expect(desk.getByTestId('unlock-submit')).toBeVisible();

  // the mediator's phone learns of the lock at its next sync: no follow-up form, no lock card
  await syncAndWait(page);
  await page.goto(caseUrl);
  await appReady(page);
  await expect(page.getByTestId('locked-reason')).toContainText('季度审核中：请补充回访记录');
  // held for review, not claimed: the chip says so
  await expect(page.getByTestId('locked-chip')).toHaveText('审核中，暂不能修改');
  await expect(page.getByTestId('follow-up-form')).toHaveCount(0);
  await expect(page.getByTestId('lock-card')).toHaveCount(0);
  await page.goto('/devices');
  await appReady(page);
  await expect(page.getByTestId('devices-denied')).toBeVisible();

  // the phone is lost: the office revokes it from its device list
  await desk.goto('/');
  await appReady(desk);
  await desk.getByTestId('devices-link').click();
  await expect(desk.getByTestId('devices-list')).toBeVisible();
  const live = desk.locator(`[data-testid="device-row"][data-phone="${VILLAGE_MEDIATOR}"][data-revoked="false"]`);
  await expect(live.first()).toBeVisible();
  const asked: string[] = [];
  desk.on('dialog', (d) => { asked.push(d.message()); void d.accept(); });
  // earlier tests left other live sessions of this account: revoke every one
  while ((await live.count()) > 0) {
    const before = await live.count();
    await live.first().getByTestId('revoke-device').click();
    await expect(live).toHaveCount(before - 1);
  }
  expect(asked[0]).toContain(VILLAGE_MEDIATOR);
  await expect(
    desk.locator(`[data-testid="device-row"][data-phone="${VILLAGE_MEDIATOR}"][data-revoked="true"]`).first(),
  ).toContainText('已注销');
  await office.close();
  expect([...errors, ...deskErrors]).toEqual([]);

  // at its next start the phone is told, wiped, and asked to log in again
  await page.goto('/');
  await page.waitForURL('**/login?revoked=1');
  await appReady(page);
  await expect(page.getByTestId('revoked')).toBeVisible();
});

test('two phones of one committee number a case alike offline: the later one is renumbered at sync, and says so', async ({ browser, page, context }) => {
  const errors = watchErrors(page);
  await logIn(page, VILLAGE_MEDIATOR);
  await page.evaluate(async () => { await navigator.serviceWorker.ready; });
  const otherContext = await browser.newContext();
  const other = await otherContext.newPage();
  const otherErrors = watchErrors(other);
  await logIn(other, VILLAGE_MEDIATOR);
  await other.evaluate(async () => { await navigator.serviceWorker.ready; });

  // no signal on either: each numbers its case after the committee's last
  await context.setOffline(true);
  await otherContext.setOffline(true);
  await recordOral(page, '甲同号', '乙同号', '鸡鸭进菜地', '赔偿菜苗');
  const mine = (await page.getByTestId('case-number').textContent())!;
  await recordOral(other, '丙同号', '丁同号', '水管漏水', '共同修理');
  const theirsUrl = new URL(other.url()).pathname;
  await expect(other.getByTestId('case-number')).toHaveText(mine);
  const number = (n: string) => Number(/第 (\d+) 号/.exec(n)![1]);
  const was = number(mine);

  // the first phone's case reaches the server first and keeps its number
  await context.setOffline(false);
  await syncAndWait(page);
  await expect(page.locator('[data-testid="pending-sync"][data-ready="true"]')).toHaveText('0');
  await otherContext.setOffline(false);
  await syncAndWait(other);
  await expect(other.locator('[data-testid="pending-sync"][data-ready="true"]')).toHaveText('0');

  // the other phone's case took the next number; the page says why
  await other.goto(theirsUrl);
  await appReady(other);
  const renumbered = mine.replace(`第 ${was} 号`, `第 ${was + 1} 号`);
  await expect(other.getByTestId('case-number')).toHaveText(renumbered);
  await expect(other.getByTestId('conflict-notice')).toContainText('案号已更改');
  const notice = other.getByTestId('renumbered');
  await expect(notice).toHaveAttribute('data-was', String(was));
  await expect(notice).toContainText(`已先用了第 ${was} 号`);
  // its print shows the new number
  await other.getByTestId('print-register').click();
  await expect(other.getByTestId('print-number')).toHaveText(renumbered);
  // read: the notice goes
  await other.goto(theirsUrl);
  await appReady(other);
  await other.getByTestId('conflict-seen').click();
  await expect(other.getByTestId('renumbered')).toHaveCount(0);

  // and the next case the other phone numbers comes after both
  await other.goto('/');
  await appReady(other);
  await recordOral(other, '戊新号', '己新号', '占道堆放柴草', '三日内清走');
  await expect(other.getByTestId('case-number')).toHaveText(mine.replace(`第 ${was} 号`, `第 ${was + 2} 号`));
  // the first phone learns the other case under its new number
  await syncAndWait(page);
  await page.goto(theirsUrl);
  await appReady(page);
  await expect(page.getByTestId('case-number')).toHaveText(renumbered);
  expect(errors).toEqual([]);
  expect(otherErrors).toEqual([]);
  await otherContext.close();
});

test('the township finance office gets case numbers and amounts, never the parties, and is offered no change', async ({ browser, page }) => {
  await logIn(page, VILLAGE_MEDIATOR);
  await expect(page.getByTestId('new-oral')).toBeVisible();
  await recordOral(page, '钱借款', '孙欠款', '两户借款三千元未还', '分三个月还清', '11010519491231002X');
  const caseUrl = new URL(page.url()).pathname;
  await syncAndWait(page);
  await expect(page.getByTestId('sync-status')).toHaveAttribute('data-failed', 'false');

  const finance = await browser.newContext();
  const desk = await finance.newPage();
  const deskErrors = watchErrors(desk);
  await logIn(desk, TOWNSHIP_FINANCE);
  // Home offers no field work to a finance office
  await expect(desk.getByTestId('field-actions')).toHaveCount(0);
  await expect(desk.getByTestId('reminders')).toHaveCount(0);
  // the case came down with its amounts only: nothing of the parties is on this phone
  const held = JSON.stringify(await readStore(desk, 'cases'));
  expect(held).toContain(caseUrl.split('/').pop()!);
  for (const personal of ['钱借款', '孙欠款', '11010519491231002X', '两户借款三千元未还', '分三个月还清']) {
    expect(held).not.toContain(personal);
  }
  await desk.goto('/cases');
  await appReady(desk);
  await expect(desk.getByTestId('case-list')).toContainText('不显示当事人');
  await desk.goto(caseUrl);
  await appReady(desk);
  await expect(desk.getByTestId('parties-hidden')).toBeVisible();
  await expect(desk.getByTestId('case-number')).toBeVisible();
  await expect(desk.getByTestId('session-form')).toHaveCount(0);
  await expect(desk.getByTestId('follow-up-form')).toHaveCount(0);
  await expect(desk.locator('main')).not.toContainText('钱借款');
  expect(deskErrors).toEqual([]);
  await finance.close();
});
