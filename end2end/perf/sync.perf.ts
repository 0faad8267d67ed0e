import { test, expect } from '@playwright/test';
import * as fs from 'node:fs';
import * as path from 'node:path';

// Initial sync of a mediator with 2,000 cases on the server, in Chromium
// with the CPU throttled 4× (docs/perf.md, "Sync"). The cases are pushed
// first over the API by another device of the same mediator. Prints numbers.

const CASES_FILE = process.env.TIAOJIE_PERF_CASES ?? path.join(__dirname, '..', '..', 'target', 'perf', 'cases-5000.json');
const MEDIATOR = '13800000001';
const PASSWORD = 'tiaojie2023';
const N = 2000;

test('initial sync of 2,000 cases, CPU 4×', async ({ page, context, request }) => {
  // another device of the same mediator puts 2,000 cases on the server
  const deviceId = crypto.randomUUID();
  const login = await (await request.post('/api/v1/auth/login', { data: { phone: MEDIATOR, password: PASSWORD, device_id: deviceId } })).json();
  const unit = login.scopes[0].unit_id;
  const cases = JSON.parse(fs.readFileSync(CASES_FILE, 'utf8')).cases.slice(0, N);
  const mutations = cases.map((c: any, i: number) => {
    c.unit_id = unit;
    c.owner_id = login.person_id;
    return { seq: i + 1, mutation_id: crypto.randomUUID(), entity: 'case', entity_id: c.id, op: 'upsert', base_version: 0, payload: c };
  });
  for (let i = 0; i < N; i += 500) {
    const res = await request.post('/api/v1/sync/push', {
      headers: { Authorization: `Bearer ${login.token}` },
      data: { client_id: deviceId, mutations: mutations.slice(i, i + 500) },
    });
    expect(res.status()).toBe(200);
    const body = await res.json();
    expect(body.results.filter((r: any) => r.status === 'rejected')).toEqual([]);
  }

  // a new phone logs in with the CPU 4× slower and pulls them all
  await page.goto('/login');
  await page.waitForSelector('body[data-hydrated="true"]', { state: 'attached', timeout: 60_000 });
  const cdp = await context.newCDPSession(page);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
  await page.locator('#f-phone').fill(MEDIATOR);
  await page.locator('#f-password').fill(PASSWORD);
  const started = Date.now();
  await page.getByTestId('login-submit').click();
  await expect(page.getByTestId('sync-status')).toContainText(`接收 ${N} 条`, { timeout: 120_000 });
  const seconds = (Date.now() - started) / 1000;
  console.log(`PERF initial sync of ${N} cases after log-in, CPU 4× (s, log-in + pull + IndexedDB): ${seconds.toFixed(1)}`);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 1 });
  await page.goto('/cases');
  await expect(page.getByTestId('case-count')).toHaveAttribute('data-total', String(N), { timeout: 60_000 });
});
