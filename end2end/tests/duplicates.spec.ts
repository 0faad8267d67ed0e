import { test, expect, type Page } from '@playwright/test';
import { appReady, logIn, watchErrors } from './helpers';

// The duplicate check (重复申报核查): a mediator records the same oral
// agreement twice with no signal (the same parties, the same day); after
// the sync, the judicial office opening either case is told it may be a
// duplicate, in plain Chinese, with a link to the other. The mediator's
// own case page shows no such note (it is the office's to weigh).

const VILLAGE_MEDIATOR = '13800000001';
const JUDICIAL_OFFICE = '13900000002';

function today(offsetDays = 0): string {
  const d = new Date(Date.now() + 8 * 3600_000 + offsetDays * 86_400_000);
  return d.toISOString().slice(0, 10);
}

/** Records an oral agreement of 普拥军 and 鲁秀英 and answers its id. */
async function recordOral(page: Page, day: string): Promise<string> {
  await page.goto('/cases/new/oral');
  await page.waitForSelector('[data-testid="case-form"][data-ready="true"]');
  await page.locator('#f-dispute_type').selectOption('neighbours');
  await page.locator('#f-parties-0-name').fill('普拥军');
  await page.locator('#f-parties-0-resident_id').fill('440524188001010014');
  await page.locator('#f-parties-1-name').fill('鲁秀英');
  await page.locator('#f-received_on').fill(day);
  await page.locator('#f-place').fill('大潭村委会');
  await page.locator('#f-summary').fill('放牛踩坏庄稼，赔偿纠纷');
  await page.locator('#f-agreed_terms').fill('赔偿玉米苗损失二百元');
  await page.locator('#f-mediator').fill('杨调解');
  await page.getByTestId('save-case').click();
  await expect(page.getByTestId('saved-notice')).toBeVisible();
  const id = new URL(page.url()).pathname.split('/').pop()!;
  expect(id).toMatch(/^[0-9a-f-]{36}$/);
  return id;
}

test('the same oral agreement recorded twice is shown to the judicial office as a possible duplicate', async ({ browser, page, context }) => {
  const errors = watchErrors(page);
  await logIn(page, VILLAGE_MEDIATOR);
  await page.evaluate(async () => { await navigator.serviceWorker.ready; });
  await context.setOffline(true);
  const day = today(-1);
  const first = await recordOral(page, day);
  const second = await recordOral(page, day);
  expect(second).not.toEqual(first);

  await context.setOffline(false);
  await page.goto('/');
  await page.getByTestId('sync-now').click();
  await expect(page.getByTestId('sync-status')).toContainText('已同步');
  // the mediator's page: no note (online, synced)
  await page.goto(`/cases/${first}`);
  await appReady(page);
  await expect(page.getByTestId('case-status')).toBeVisible();
  await expect(page.getByTestId('duplicates')).toHaveCount(0);

  const office = await browser.newContext();
  const desk = await office.newPage();
  const deskErrors = watchErrors(desk);
  await logIn(desk, JUDICIAL_OFFICE);
  await desk.goto(`/cases/${first}`);
  await appReady(desk);
  const note = desk.getByTestId('duplicates');
  await expect(note).toContainText('可能重复：');
  await expect(note.locator('[data-likeness="oral"]')).toContainText('同一批当事人同一天');
  await expect(note.locator('[data-likeness="party"]')).toContainText('身份证号相同');
  // one language: no English half
  await expect(note).not.toContainText('duplicate');
  await desk.screenshot({ path: test.info().outputPath('duplicate-on-the-desk.png'), fullPage: true });
  // the link opens the other case
  await note.locator('[data-likeness="oral"] a').click();
  await expect(desk).toHaveURL(new RegExp(`/cases/${second}$`));
  await expect(desk.getByTestId('duplicates').locator('[data-likeness="oral"] a')).toHaveAttribute('href', `/cases/${first}`);
  await office.close();
  expect([...errors, ...deskErrors]).toEqual([]);
});
