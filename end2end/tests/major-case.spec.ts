import { test, expect } from '@playwright/test';
import path from 'node:path';
import { appReady, logIn, watchErrors } from './helpers';

// A major dispute (重大纠纷, tier D): the mediator records the death and a
// photo of the evidence with no signal; the case earns tier C until the
// judicial office, on its own device, verifies the facts on the case page;
// then the server pays tier D, 1,000 yuan, on both devices.

const PHOTO = path.join(__dirname, '..', 'fixtures', 'signed-agreement.png');
const VILLAGE_MEDIATOR = '13800000001';
const JUDICIAL_OFFICE = '13900000002';

function today(offsetDays = 0): string {
  const d = new Date(Date.now() + 8 * 3600_000 + offsetDays * 86_400_000);
  return d.toISOString().slice(0, 10);
}

test('a major case recorded offline earns tier D once the judicial office verified it', async ({ browser, page, context }) => {
  const errors = watchErrors(page);
  await logIn(page, VILLAGE_MEDIATOR);
  await page.evaluate(async () => { await navigator.serviceWorker.ready; });
  await context.setOffline(true);

  // a general dispute, mediated to an agreement, the dossier complete: tier C
  await page.goto('/cases/new/general');
  await page.waitForSelector('[data-testid="case-form"][data-ready="true"]');
  await page.locator('#f-dispute_type').selectOption('housing_homestead');
  await page.locator('#f-parties-0-name').fill('龙重大');
  await page.locator('#f-parties-1-name').fill('段致残');
  await page.locator('#f-received_on').fill(today(-3));
  await page.locator('#f-summary').fill('建房时脚手架倒塌致一人死亡，赔偿纠纷');
  await page.locator('#f-mediator').fill('杨调解');
  await page.getByTestId('save-case').click();
  await page.getByTestId('session-form').locator('summary').click();
  await page.locator('#f-session-held_on').fill(today(-2));
  await page.locator('#f-session-record').fill('双方陈述，核实死亡证明');
  await page.getByTestId('save-session').click();
  await page.getByTestId('closing-form').locator('summary').click();
  await page.locator('#f-closed_on').fill(today(-1));
  await page.locator('#f-agreed_terms').fill('一次性赔偿丧葬费及抚恤金');
  await page.getByTestId('save-closing').click();
  await expect(page.getByTestId('case-status')).toHaveText('已结案');
  for (const form of ['application', 'acceptance', 'investigation', 'agreement']) {
    await page.locator(`[data-testid="forms-checklist"] [data-form="${form}"]`).check();
  }
  await page.locator('#archived').check();
  await page.getByTestId('follow-up-form').locator('summary').click();
  await page.locator('#f-follow_up-note').fill('赔偿已付清');
  await page.getByTestId('save-follow-up').click();
  await expect(page.getByTestId('tier')).toHaveText('C');

  // the death, and the police report's photo: still C, D waits for the office
  await page.locator('#f-deaths').fill('1');
  await page.locator('#f-deaths').dispatchEvent('change');
  await expect(page.getByTestId('major-pending')).toBeVisible();
  await expect(page.getByTestId('major-review')).toHaveAttribute('data-state', 'pending');
  await expect(page.getByTestId('major-evidence')).toHaveAttribute('data-count', '0');
  await expect(page.getByTestId('tier')).toHaveText('C');
  await page.locator('#photo-form').selectOption('major_evidence');
  await page.getByTestId('photo-input').setInputFiles(PHOTO);
  await expect(page.getByTestId('major-evidence')).toHaveAttribute('data-count', '1');
  // kept across a reload, offline
  await page.reload();
  await appReady(page);
  await expect(page.locator('#f-deaths')).toHaveValue('1');
  const caseUrl = new URL(page.url()).pathname;

  // back online: synced; the server pays C
  await context.setOffline(false);
  await page.goto('/');
  await page.getByTestId('sync-now').click();
  await expect(page.getByTestId('sync-status')).toContainText('已同步');
  await page.goto(caseUrl);
  await expect(page.getByTestId('server-tier')).toHaveText('C');

  // the judicial office verifies on its own device
  const office = await browser.newContext();
  const desk = await office.newPage();
  const deskErrors = watchErrors(desk);
  await logIn(desk, JUDICIAL_OFFICE);
  await desk.goto(caseUrl);
  await expect(desk.getByTestId('major-review')).toHaveAttribute('data-state', 'pending');
  await expect(desk.locator('#f-deaths')).toBeDisabled();
  await desk.getByTestId('verify-major').click();
  await expect(desk.getByTestId('major-problem')).toHaveText('请先填写核实意见。');
  await desk.locator('#f-major-opinion').fill('已核对派出所证明及死亡证明，系本调委会独立调解');
  await desk.getByTestId('verify-major').click();
  await expect(desk.getByTestId('major-review')).toHaveAttribute('data-state', 'verified');
  await expect(desk.getByTestId('server-tier')).toHaveText('D');
  await expect(desk.getByTestId('server-verdict')).toContainText('1000.00');
  await desk.screenshot({ path: test.info().outputPath('verified-on-the-desk.png'), fullPage: true });
  await office.close();

  // the mediator's phone learns it at its next sync
  await page.goto('/');
  await page.getByTestId('sync-now').click();
  await expect(page.getByTestId('sync-status')).toContainText('已同步');
  await page.goto(caseUrl);
  await expect(page.getByTestId('server-tier')).toHaveText('D');
  await expect(page.getByTestId('major-review')).toHaveAttribute('data-state', 'verified');
  await expect(page.getByTestId('major-review')).toContainText('已核实');
  await expect(page.getByTestId('major-pending')).toHaveCount(0);
  expect([...errors, ...deskErrors]).toEqual([]);
});
