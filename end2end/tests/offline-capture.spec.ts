import { test, expect, type Page, type BrowserContext } from '@playwright/test';
import { appReady, readStore, watchErrors } from './helpers';
import * as path from 'node:path';
import * as fs from 'node:fs';

// Offline field capture in a phone-sized Chromium: the app shell from the
// service worker, cases in IndexedDB, drafts, bad input, photos, the tier
// preview, the schema upgrade and the export/import of unsent data.

const PHOTO = path.join(__dirname, '..', 'fixtures', 'signed-agreement.png');

/** One online visit: the page runs and the service worker has precached the shell. */
async function installApp(page: Page) {
  await page.goto('/');
  await appReady(page);
  await page.evaluate(async () => {
    const reg = await navigator.serviceWorker.ready;
    if (!reg.active) throw new Error('no active worker');
  });
}

function today(offsetDays = 0): string {
  // the app's calendar is China's (UTC+8)
  const d = new Date(Date.now() + 8 * 3600_000 + offsetDays * 86_400_000);
  return d.toISOString().slice(0, 10);
}

interface OralInput {
  a?: string;
  aId?: string;
  b?: string;
  date?: string;
  summary?: string;
  terms?: string;
}

async function openOralForm(page: Page) {
  await page.goto('/cases/new/oral');
  await appReady(page);
  await page.waitForSelector('[data-testid="case-form"][data-ready="true"]');
}

async function fillOral(page: Page, input: OralInput = {}) {
  await page.locator('#f-dispute_type').selectOption('neighbours');
  await page.locator('#f-parties-0-name').fill(input.a ?? '李建国');
  await page.locator('#f-parties-0-resident_id').fill(input.aId ?? '11010519491231002X');
  await page.locator('#f-parties-0-phone').fill('13800000001');
  await page.locator('#f-parties-1-name').fill(input.b ?? '张志强');
  if (input.date) await page.locator('#f-received_on').fill(input.date);
  await page.locator('#f-place').fill('大潭村委会');
  await page.locator('#f-summary').fill(input.summary ?? '宅基地边界排水沟堵塞，雨天积水');
  await page.locator('#f-agreed_terms').fill(input.terms ?? '双方共同出资疏通排水沟');
  await page.locator('#f-mediator').fill('杨调解');
}

/** Records an oral agreement and returns the new case's id (from its URL). */
async function recordOral(page: Page, input: OralInput = {}): Promise<string> {
  await openOralForm(page);
  await fillOral(page, input);
  await page.getByTestId('save-case').click();
  await expect(page.getByTestId('saved-notice')).toBeVisible();
  const id = new URL(page.url()).pathname.split('/').pop()!;
  expect(id).toMatch(/^[0-9a-f-]{36}$/);
  return id;
}

test('after one online visit the app starts offline at home and at a case, and records an oral agreement', async ({ page, context }) => {
  const errors = watchErrors(page);
  await installApp(page);
  await context.setOffline(true);

  // a cold start with no network: a fresh page at home, served by the worker
  const home = await context.newPage();
  const homeErrors = watchErrors(home);
  await home.goto('/');
  await appReady(home);
  await expect(home.locator('body')).toHaveAttribute('data-render', 'csr');
  await expect(home.getByRole('heading', { level: 1 })).toHaveText('调解通');
  await expect(home.getByTestId('org-offline')).toBeVisible();

  // record the 30-yuan path offline
  await home.getByTestId('new-oral').click();
  await home.waitForSelector('[data-testid="case-form"][data-ready="true"]');
  await expect(home.locator('#f-received_on')).toHaveValue(today());
  await fillOral(home);
  await home.getByTestId('save-case').click();
  await expect(home.getByTestId('saved-notice')).toBeVisible();
  await expect(home.getByTestId('tier')).toHaveText('A');
  await expect(home.getByTestId('amount')).toContainText('30.00');
  const year = today().slice(0, 4);
  await expect(home.getByTestId('case-number')).toHaveText(`(${year})楚人调字第 1 号`);
  const caseUrl = new URL(home.url()).pathname;

  // it is in the store and in the outbox, before anything reached a server
  const cases = await readStore(home, 'cases');
  expect(cases).toHaveLength(1);
  expect(cases[0].parties[0].resident_id).toBe('11010519491231002X');
  const outbox = await readStore(home, 'outbox');
  expect(outbox).toHaveLength(1);
  expect(outbox[0]).toMatchObject({ entity: 'case', entity_id: cases[0].id, op: 'upsert', base_version: 0 });
  expect(outbox[0].mutation_id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7/);

  // reload, still offline: the case is there, and Home counts it as unsent
  await home.reload();
  await appReady(home);
  await expect(home.getByTestId('case-number')).toHaveText(`(${year})楚人调字第 1 号`);
  await home.goto('/');
  await expect(home.locator('[data-testid="pending-sync"][data-ready="true"]')).toHaveText('1');
  await expect(home.getByTestId('recent-cases')).toContainText('李建国 / 张志强');

  // a deep link to the case, cold, offline
  const deep = await context.newPage();
  const deepErrors = watchErrors(deep);
  await deep.goto(caseUrl);
  await appReady(deep);
  await expect(deep.getByTestId('case-number')).toHaveText(`(${year})楚人调字第 1 号`);
  await expect(deep.getByTestId('timeline')).toContainText('受理');

  // and its print view
  await deep.getByTestId('print-register').click();
  await expect(deep.getByTestId('print-register')).toContainText('口头协议登记表');
  await expect(deep.getByTestId('print-number')).toHaveText(`(${year})楚人调字第 1 号`);
  await expect(deep.getByTestId('print-register')).toContainText('双方共同出资疏通排水沟');

  // every other screen is its own lazily loaded wasm chunk, never fetched
  // online in this test: each opens cold, offline, from the worker's precache
  const screens: [string, string][] = [
    ['/cases', '案件列表'],
    ['/cases/new/general', '新增纠纷'],
    ['/data', '本机数据'],
    ['/subsidy', '以案定补'],
  ];
  const screenErrors: string[] = [];
  for (const [path, title] of screens) {
    const screen = await context.newPage();
    const errs = watchErrors(screen);
    await screen.goto(path);
    await appReady(screen);
    await expect(screen.getByRole('heading', { level: 1 }), path).toContainText(title);
    await screen.close();
    screenErrors.push(...errs);
  }

  await context.setOffline(false);
  expect([...errors, ...homeErrors, ...deepErrors, ...screenErrors]).toEqual([]);
});

test('the language chosen online is the one the app starts in offline', async ({ page, context }) => {
  const errors = watchErrors(page);
  await installApp(page);
  await page.getByTestId('lang-switch').click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Tiaojie');
  await context.setOffline(true);

  // the cached shell knows nothing of the choice; the saved one is applied before the app draws
  const home = await context.newPage();
  const homeErrors = watchErrors(home);
  await home.goto('/');
  await appReady(home);
  await expect(home.locator('body')).toHaveAttribute('data-render', 'csr');
  await expect(home.locator('html')).toHaveAttribute('lang', 'en');
  await expect(home.getByRole('heading', { level: 1 })).toHaveText('Tiaojie');

  // and back to Chinese, offline, for the next start too
  await home.getByTestId('lang-switch').click();
  await expect(home.getByRole('heading', { level: 1 })).toHaveText('调解通');
  const again = await context.newPage();
  await again.goto('/');
  await appReady(again);
  await expect(again.getByRole('heading', { level: 1 })).toHaveText('调解通');
  expect([...errors, ...homeErrors]).toEqual([]);
});

test('a draft survives a reload mid-form', async ({ page }) => {
  await openOralForm(page);
  await page.locator('#f-parties-0-name').fill('王芳');
  await page.locator('#f-summary').fill('借款纠纷，写到一半');
  await expect(page.getByTestId('draft-status')).toContainText('草稿已自动保存');
  await page.reload();
  await page.waitForSelector('[data-testid="case-form"][data-ready="true"]');
  await expect(page.getByTestId('draft-restored')).toBeVisible();
  await expect(page.locator('#f-parties-0-name')).toHaveValue('王芳');
  await expect(page.locator('#f-summary')).toHaveValue('借款纠纷，写到一半');
  // an untouched form leaves no draft behind (waiting well past the typing pause)
  await page.goto('/cases/new/general');
  await page.waitForSelector('[data-testid="case-form"][data-ready="true"]');
  await page.waitForTimeout(1_000);
  expect((await readStore(page, 'drafts')).map((d) => d.key)).toEqual(['case-form:oral']);
  await page.reload();
  await page.waitForSelector('[data-testid="case-form"][data-ready="true"]');
  await expect(page.getByTestId('draft-restored')).toHaveCount(0);

  // saving the form removes its draft in the same transaction
  await page.goto('/cases/new/oral');
  await page.waitForSelector('[data-testid="case-form"][data-ready="true"]');
  await fillOral(page, { a: '王芳' });
  await page.getByTestId('save-case').click();
  await expect(page.getByTestId('saved-notice')).toBeVisible();
  expect(await readStore(page, 'drafts')).toEqual([]);
});

test('bad input is named next to its field in Chinese and nothing is stored', async ({ page }) => {
  await openOralForm(page);
  await fillOral(page, { aId: '110105194912310021', b: '', date: today(1) });
  await page.getByTestId('save-case').click();
  await expect(page.getByTestId('problems')).toContainText('尚未保存');
  await expect(page.locator('[data-error-for="parties[0].resident_id"]')).toHaveText('身份证号校验位不正确，应为X');
  await expect(page.locator('[data-error-for="parties[1].name"]')).toHaveText('请填写当事人姓名');
  await expect(page.locator('[data-error-for="received_on"]')).toHaveText('受理日期不能晚于今天');
  await expect(page.locator('#f-parties-0-resident_id')).toHaveAttribute('aria-invalid', 'true');
  expect(await readStore(page, 'cases')).toEqual([]);
  expect(await readStore(page, 'outbox')).toEqual([]);

  // fixing a field clears its message; the fixed form saves
  await page.locator('#f-parties-0-resident_id').fill('11010519491231002X');
  await expect(page.locator('[data-error-for="parties[0].resident_id"]')).toHaveCount(0);
  await page.locator('#f-parties-1-name').fill('张志强');
  await page.locator('#f-received_on').fill(today());
  await page.getByTestId('save-case').click();
  await expect(page.getByTestId('saved-notice')).toBeVisible();
  expect(await readStore(page, 'cases')).toHaveLength(1);
});

test('a photo of the signed paper is resized on the phone and kept with the case', async ({ page, context }) => {
  await recordOral(page);
  await page.getByTestId('photo-input').setInputFiles(PHOTO);
  await expect(page.locator('.photos[data-count="1"]')).toBeVisible();
  const img = page.locator('.photo img');
  await expect(img).toBeVisible();
  const size = await img.evaluate(async (el: HTMLImageElement) => {
    await el.decode();
    return [el.naturalWidth, el.naturalHeight];
  });
  expect(size).toEqual([1600, 1200]);
  await expect(page.getByTestId('timeline')).toContainText('照片');
  await expect(page.getByTestId('photo-position')).toHaveCount(0);
  const [stored] = await readStore(page, 'attachments');
  expect(stored.blob.type).toBe('image/jpeg');
  expect(stored.blob.size).toBeLessThan(400_000);
  const [saved] = await readStore(page, 'cases');
  expect(saved.attachments[0]).toMatchObject({ form: 'agreement', content_type: 'image/jpeg', bytes: stored.blob.size });
  expect(saved.forms).toContain('agreement');
  await page.reload();
  await expect(page.locator('.photos[data-count="1"] img')).toBeVisible();

  // with the user's permission, where it was taken (GPS needs no network)
  await context.grantPermissions(['geolocation']);
  await context.setGeolocation({ latitude: 25.03251, longitude: 101.54612, accuracy: 12 });
  await context.setOffline(true);
  await page.locator('#photo-position').check();
  await page.getByTestId('photo-input').setInputFiles(PHOTO);
  await expect(page.locator('.photos[data-count="2"]')).toBeVisible();
  await expect(page.getByTestId('photo-position')).toHaveText('25.03251, 101.54612 ±12 m');
  const [withPosition] = await readStore(page, 'cases');
  expect(withPosition.attachments[1].position).toEqual({ lat_e6: 25032510, lon_e6: 101546120, accuracy_m: 12 });
  await context.setOffline(false);
});

test('a general dispute: sessions, closing, the forms, and the tier changes when the follow-up is recorded', async ({ page }) => {
  await page.goto('/cases/new/general');
  await page.waitForSelector('[data-testid="case-form"][data-ready="true"]');
  await page.locator('#f-dispute_type').selectOption('housing_homestead');
  await page.locator('#f-source').selectOption('own_initiative');
  // the levels as the locality names them (Chuxiong's built-in before a sync)
  await expect(page.locator('[data-field="risk"] [data-value]')).toHaveText(['低', '中', '高']);
  await page.locator('[data-field="risk"] [data-value="medium"]').click();
  await page.locator('#f-parties-0-name').fill('普德明');
  await page.locator('#f-parties-1-name').fill('罗桂兰');
  await page.locator('#f-received_on').fill(today(-3));
  await page.locator('#f-summary').fill('宅基地界址争议');
  await page.locator('#f-mediator').fill('杨调解');
  await page.getByTestId('save-case').click();
  await expect(page.getByTestId('case-status')).toHaveText('已受理');
  await expect(page.getByTestId('case-risk')).toHaveText('中风险');
  await expect(page.getByTestId('tier-assumed')).toBeVisible();

  // a session
  await page.getByTestId('session-form').locator('summary').click();
  await page.locator('#f-session-held_on').fill(today(-2));
  await page.locator('#f-session-record').fill('双方陈述，实地查看界址');
  await page.getByTestId('save-session').click();
  await expect(page.getByTestId('case-status')).toHaveText('调解中');
  await expect(page.getByTestId('timeline')).toContainText('第 1 次调解');

  // closing with an agreement
  await page.getByTestId('closing-form').locator('summary').click();
  await page.locator('#f-closed_on').fill(today(-1));
  await page.locator('#f-agreed_terms').fill('以现有围墙为界');
  await page.getByTestId('save-closing').click();
  await expect(page.getByTestId('case-status')).toHaveText('已结案');

  // the dossier: every form but the follow-up, archived
  for (const form of ['application', 'acceptance', 'investigation', 'agreement']) {
    await page.locator(`[data-testid="forms-checklist"] [data-form="${form}"]`).check();
  }
  await page.locator('#archived').check();
  await expect(page.locator('#archived')).toBeChecked();
  await expect(page.getByTestId('tier')).toHaveText('无');
  await expect(page.locator('.tier__missing')).toContainText('回访记录');

  // the follow-up visit earns tier C
  await page.getByTestId('follow-up-form').locator('summary').click();
  await page.locator('#f-follow_up-note').fill('已按协议履行，双方满意');
  await page.getByTestId('save-follow-up').click();
  await expect(page.getByTestId('tier')).toHaveText('C');
  await expect(page.getByTestId('amount')).toContainText('200.00');
  await expect(page.getByTestId('timeline')).toContainText('回访');

  // every change kept the version it replaced
  await page.reload();
  await expect(page.getByTestId('tier')).toHaveText('C');
  const history = await readStore(page, 'history');
  expect(history.length).toBeGreaterThanOrEqual(7);
  expect((await readStore(page, 'outbox')).length).toBe(history.length + 1);
});

test('a database made by the previous app version opens with its data', async ({ page }) => {
  // version 1 of the schema, as the first release created it, with one case and one unsent change
  await page.goto('/healthz');
  await page.evaluate(
    () =>
      new Promise<void>((resolve, reject) => {
        const open = indexedDB.open('tiaojie', 1);
        open.onupgradeneeded = () => {
          const db = open.result;
          db.createObjectStore('cases', { keyPath: 'id' });
          db.createObjectStore('outbox', { keyPath: 'mutation_id' });
          db.createObjectStore('drafts', { keyPath: 'key' });
          db.createObjectStore('attachments', { keyPath: 'id' });
          db.createObjectStore('screenings', { keyPath: 'id' });
          db.createObjectStore('meta', { keyPath: 'key' });
        };
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          const tx = db.transaction(['cases', 'outbox'], 'readwrite');
          tx.objectStore('cases').put({
            id: '0190a3c4-0000-7000-8000-000000000001',
            unit_id: '0190a3c4-0000-7000-8000-0000000000aa',
            owner_id: '0190a3c4-0000-7000-8000-0000000000bb',
            kind: 'oral',
            status: 'closed',
            dispute_type: 'neighbours',
            source: 'party_application',
            risk: 'low',
            place: '村委会',
            received_on: '2024-05-10',
            summary: '旧版本记录的排水沟纠纷',
            parties: [
              { role: 'applicant', name: '旧版甲', sex: null, ethnicity: null, resident_id: null, phone: null, address: '' },
              { role: 'respondent', name: '旧版乙', sex: null, ethnicity: null, resident_id: null, phone: null, address: '' },
            ],
            sessions: [],
            outcome: 'agreed',
            agreed_terms: '疏通排水沟',
            performance: { kind: 'immediate' },
            closed_on: '2024-05-10',
            amount_involved: null,
            forms: [],
            oral_register: true,
            archived: false,
            recorded: true,
            deaths: 0,
            disability_grade: null,
            independent: true,
            special: false,
            approved_amount: null,
            claim_id: null,
            version: 0,
          });
          tx.objectStore('outbox').put({
            mutation_id: '0190a3c4-0000-7000-8000-0000000000cc',
            entity: 'case',
            entity_id: '0190a3c4-0000-7000-8000-000000000001',
            op: 'upsert',
            base_version: 0,
            created_at: '2024-05-10T08:00:00.000Z',
          });
          tx.oncomplete = () => {
            db.close();
            resolve();
          };
          tx.onerror = () => reject(tx.error);
        };
      }),
  );

  await page.goto('/cases');
  await appReady(page);
  await expect(page.getByTestId('case-list')).toContainText('旧版甲 / 旧版乙');
  await page.getByTestId('case-list').getByRole('link').first().click();
  await expect(page.getByTestId('tier')).toHaveText('A');
  const version = await page.evaluate(
    () =>
      new Promise<number>((resolve) => {
        const open = indexedDB.open('tiaojie');
        open.onsuccess = () => {
          const v = open.result.version;
          open.result.close();
          resolve(v);
        };
      }),
  );
  expect(version).toBe(3);
  expect(await readStore(page, 'outbox')).toHaveLength(1);
  // (v3: the reference data's stores, empty until a log-in and a sync)
  expect(await readStore(page, 'units')).toHaveLength(0);
  // the new version's store is there and works
  await page.getByTestId('photo-input').setInputFiles(PHOTO);
  await expect(page.locator('.photos[data-count="1"]')).toBeVisible();
  expect(await readStore(page, 'history')).toHaveLength(1);
});

async function clearSiteData(page: Page, context: BrowserContext) {
  const cdp = await context.newCDPSession(page);
  await cdp.send('Storage.clearDataForOrigin', {
    origin: new URL(page.url()).origin,
    storageTypes: 'all',
  });
  await cdp.detach();
}

test('unsent data survives clearing site data: export, wipe, import; importing twice adds nothing', async ({ page, context }, testInfo) => {
  const id = await recordOral(page, { a: '导出甲', b: '导出乙' });
  await page.getByTestId('photo-input').setInputFiles(PHOTO);
  await expect(page.locator('.photos[data-count="1"]')).toBeVisible();

  await page.goto('/data');
  await appReady(page);
  await expect(page.getByTestId('data-pending')).toHaveText('2');
  // resetting warns about the unsent changes and offers the export first
  await page.getByTestId('reset').click();
  await expect(page.getByTestId('reset-confirm')).toContainText('还有 2 条记录未同步');
  await expect(page.getByTestId('reset-export')).toBeVisible();

  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export').click()]);
  expect(download.suggestedFilename()).toMatch(/^调解通-未同步数据-\d+\.json$/);
  const file = testInfo.outputPath('unsent.json');
  await download.saveAs(file);
  const bundle = JSON.parse(fs.readFileSync(file, 'utf8'));
  expect(bundle.format).toBe('tiaojie-unsent');
  expect(bundle.cases).toHaveLength(1);
  expect(bundle.outbox).toHaveLength(2);
  expect(bundle.attachments).toHaveLength(1);
  expect(bundle.attachments[0].data_url).toMatch(/^data:image\/jpeg;base64,/);

  // the worst case: the site's data is gone
  await clearSiteData(page, context);
  await page.goto('/data');
  await appReady(page);
  await expect(page.getByTestId('data-pending')).toHaveText('0');

  await page.getByTestId('import').setInputFiles(file);
  await expect(page.getByTestId('data-message')).toContainText('新增案件 1 件');
  await expect(page.getByTestId('data-message')).toContainText('照片 1 张');
  await expect(page.getByTestId('data-pending')).toHaveText('2');

  // the same file again: nothing new
  await page.getByTestId('import').setInputFiles([]);
  await page.getByTestId('import').setInputFiles(file);
  await expect(page.getByTestId('data-message')).toContainText('未新增任何内容');
  await expect(page.getByTestId('data-pending')).toHaveText('2');
  expect(await readStore(page, 'cases')).toHaveLength(1);
  expect(await readStore(page, 'attachments')).toHaveLength(1);

  await page.goto(`/cases/${id}`);
  await expect(page.locator('.photos[data-count="1"] img')).toBeVisible();
  await expect(page.getByTestId('case-number')).toContainText('楚人调字第 1 号');
  // the phone took its committee back from the file: numbering continues, no second "第 1 号"
  await recordOral(page, { a: '导入后甲', b: '导入后乙' });
  await expect(page.getByTestId('case-number')).toContainText('楚人调字第 2 号');

  // a file that is not ours is refused with a reason, and changes nothing
  const bad = testInfo.outputPath('bad.json');
  fs.writeFileSync(bad, JSON.stringify({ hello: 'world' }));
  await page.goto('/data');
  await appReady(page); // a file chosen before the page is live would go unseen
  await page.getByTestId('import').setInputFiles(bad);
  await expect(page.getByTestId('data-message')).toContainText('文件无法读取');
  expect(await readStore(page, 'cases')).toHaveLength(2);
});

test('the case list finds cases by name, ID number and status', async ({ page }) => {
  await recordOral(page, { a: '搜索甲', aId: '11010519491231002X', b: '对方一' });
  await recordOral(page, { a: '查找乙', aId: '440524188001010014', b: '对方二' });
  await page.goto('/cases');
  await appReady(page);
  await expect(page.getByTestId('case-count')).toHaveAttribute('data-total', '2');
  await page.getByTestId('case-search').fill('搜索甲');
  await expect(page.getByTestId('case-list').getByRole('link')).toHaveCount(1);
  await expect(page.getByTestId('case-list')).toContainText('搜索甲');
  await page.getByTestId('case-search').fill('4405241880');
  await expect(page.getByTestId('case-list')).toContainText('查找乙');
  await expect(page.getByTestId('case-list').getByRole('link')).toHaveCount(1);
  await page.getByTestId('case-search').fill('');
  await page.locator('#status-filter').selectOption('mediating');
  await expect(page.getByTestId('case-list').getByRole('link')).toHaveCount(0);
  await page.locator('#status-filter').selectOption('closed');
  await page.locator('#tier-filter').selectOption('A');
  await expect(page.getByTestId('case-list').getByRole('link')).toHaveCount(2);
});
