import { test, expect } from '@playwright/test';
import * as fs from 'node:fs';
import * as path from 'node:path';

// The phone's reminders (docs/perf.md, "Screening reminders"): a community
// mediator with a year of screening records for every group of the
// committee and 2,000 cases on the phone; Home computes the reminders in
// Chromium with the CPU throttled 4×. Prints numbers; asserts only that the
// data arrived.

const CASES_FILE = process.env.TIAOJIE_PERF_CASES ?? path.join(__dirname, '..', '..', 'target', 'perf', 'cases-5000.json');
const MEDIATOR = '13800000002';
const PASSWORD = 'tiaojie2023';
const CASES = 2000;
const ROUNDS = 7;

function isoDay(d: Date) {
  return d.toISOString().slice(0, 10);
}

test('reminders on Home for a committee with a year of records and 2,000 cases, CPU 4×', async ({ page, context, request }) => {
  const deviceId = crypto.randomUUID();
  const login = await (await request.post('/api/v1/auth/login', { data: { phone: MEDIATOR, password: PASSWORD, device_id: deviceId } })).json();
  const auth = { Authorization: `Bearer ${login.token}` };
  const unit = login.scopes[0].unit_id;
  const reference = await (await request.get('/api/v1/sync/reference?cursor=0&limit=1000', { headers: auth })).json();
  const groups: string[] = reference.changes
    .filter((c: any) => c.entity === 'unit' && c.payload.parent_id === unit && ['villager_group', 'resident_group'].includes(c.payload.kind))
    .map((c: any) => c.entity_id);
  expect(groups.length).toBeGreaterThan(0);

  // a year of weekly records for every group (every fourth week missed) and the monthly ones
  const today = new Date(Date.now() + 8 * 3600 * 1000);
  const records: any[] = [];
  const record = (unitId: string, duty: string, day: Date) => ({
    id: crypto.randomUUID(), unit_id: unitId, duty, date: isoDay(day), coverage: '全组', households: 30,
    outcome: { kind: 'nothing_found' }, notes: '', photo: null, recorded_by: login.person_id, attendees: null,
  });
  for (let week = 1; week <= 52; week++) {
    const day = new Date(today.getTime() - week * 7 * 86400000);
    if (week % 4 === 0) continue;
    for (const g of groups) records.push(record(g, 'group_weekly_screening', day));
  }
  for (let month = 1; month <= 12; month++) records.push(record(unit, 'village_monthly_screening', new Date(today.getTime() - month * 30 * 86400000)));
  const cases = JSON.parse(fs.readFileSync(CASES_FILE, 'utf8')).cases.slice(2000, 2000 + CASES);
  const mutations = [
    ...records.map((r) => ({ entity: 'screening', entity_id: r.id, payload: r })),
    ...cases.map((c: any) => {
      c.unit_id = unit;
      c.owner_id = login.person_id;
      return { entity: 'case', entity_id: c.id, payload: c };
    }),
  ].map((m, i) => ({ seq: i + 1, mutation_id: crypto.randomUUID(), op: 'upsert', base_version: 0, ...m }));
  for (let i = 0; i < mutations.length; i += 500) {
    const res = await request.post('/api/v1/sync/push', { headers: auth, data: { client_id: deviceId, mutations: mutations.slice(i, i + 500) } });
    expect(res.status()).toBe(200);
    const body = await res.json();
    expect(body.results.filter((r: any) => r.status === 'rejected')).toEqual([]);
  }

  // the phone: log in, first sync brings it all
  await page.goto('/login');
  await page.waitForSelector('body[data-hydrated="true"]', { state: 'attached', timeout: 60_000 });
  await page.locator('#f-phone').fill(MEDIATOR);
  await page.locator('#f-password').fill(PASSWORD);
  await page.getByTestId('login-submit').click();
  await expect(page.getByTestId('sync-status')).toContainText('已同步', { timeout: 120_000 });
  await expect(page.getByTestId('sync-status')).toHaveAttribute('data-running', 'false');

  const cdp = await context.newCDPSession(page);
  const compute: number[] = [];
  const load: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: 1 });
    await page.goto('/');
    await page.waitForSelector('body[data-hydrated="true"]', { state: 'attached', timeout: 60_000 });
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
    // the card recomputes after the sync the app starts on opening
    await page.getByTestId('sync-status').getAttribute('data-running');
    await expect(page.getByTestId('sync-status')).toHaveAttribute('data-running', 'false', { timeout: 60_000 });
    const counts = page.getByTestId('reminder-counts');
    await expect(counts).toHaveAttribute('data-ready', 'true', { timeout: 60_000 });
    compute.push(Number(await counts.getAttribute('data-compute-ms')));
    load.push(Number(await counts.getAttribute('data-load-ms')));
  }
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 1 });
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const onPhone = await page.evaluate(
    () =>
      new Promise<number>((resolve) => {
        const open = indexedDB.open('tiaojie');
        open.onsuccess = () => {
          const count = open.result.transaction('screenings').objectStore('screenings').count();
          count.onsuccess = () => resolve(count.result);
        };
      }),
  );
  expect(onPhone).toBe(records.length);
  console.log(`PERF reminders on Home: ${groups.length + 1} units, ${records.length} records, ${CASES} cases on the phone, CPU 4×, ${ROUNDS} rounds`);
  console.log(`PERF   compute (units, index, reminders, digest), ms: median ${median(compute).toFixed(2)}, max ${Math.max(...compute).toFixed(2)}`);
  console.log(`PERF   IndexedDB read + compute, ms: median ${median(load).toFixed(0)}, max ${Math.max(...load).toFixed(0)}`);
});
