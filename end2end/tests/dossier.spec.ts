import { test, expect } from '@playwright/test';
import { appReady, logIn, watchErrors } from './helpers';

// The six forms as papers (一案六表): a mediator records a general dispute
// with no signal, mediates it in two sessions to an agreement, visits the
// parties afterwards, and prints the whole dossier from the phone — the
// cover, the table of contents, the application, the acceptance register,
// the investigation record, a mediation record per session, the agreement
// and the follow-up record — each filled from the case, the seal line the
// committee's full name. Screenshots go to the test report.

const VILLAGE_MEDIATOR = '13800000001';

function today(offsetDays = 0): string {
  const d = new Date(Date.now() + 8 * 3600_000 + offsetDays * 86_400_000);
  return d.toISOString().slice(0, 10);
}

test('a general dispute prints as a dossier of its six forms, offline', async ({ page, context }, info) => {
  const errors = watchErrors(page);
  await logIn(page, VILLAGE_MEDIATOR);
  await page.evaluate(async () => { await navigator.serviceWorker.ready; });
  await context.setOffline(true);

  await page.goto('/cases/new/general');
  await page.waitForSelector('[data-testid="case-form"][data-ready="true"]');
  await page.locator('#f-dispute_type').selectOption('housing_homestead');
  await page.locator('#f-parties-0-name').fill('杞卷宗');
  await page.locator('#f-parties-1-name').fill('普六表');
  await page.locator('#f-received_on').fill(today(-5));
  await page.locator('#f-summary').fill('两家宅基地界址不清，围墙走向争执');
  await page.locator('#f-mediator').fill('杨调解');
  await page.getByTestId('save-case').click();
  for (const [day, record] of [[-4, '现场查看界桩，双方陈述'], [-3, '提出按老界桩砌墙的方案']] as const) {
    // the form stays open after a session is saved
    const form = page.getByTestId('session-form');
    if (!(await form.evaluate((d) => (d as HTMLDetailsElement).open))) await form.locator('summary').click();
    await page.locator('#f-session-held_on').fill(today(day));
    await page.locator('#f-session-record').fill(record);
    await page.getByTestId('save-session').click();
    await expect(page.getByText(record)).toBeVisible();
  }
  await page.getByTestId('closing-form').locator('summary').click();
  await page.locator('#f-closed_on').fill(today(-2));
  await page.locator('#f-agreed_terms').fill('按老界桩重砌围墙，费用各半');
  await page.getByTestId('save-closing').click();
  await expect(page.getByTestId('case-status')).toHaveText('已结案');
  await page.getByTestId('follow-up-form').locator('summary').click();
  await page.locator('#f-follow_up-note').fill('围墙已砌好，双方满意');
  await page.getByTestId('save-follow-up').click();

  // the whole dossier, from the phone's store
  await page.getByTestId('print-link-dossier').click();
  await appReady(page);
  const cover = page.getByTestId('paper-cover');
  await expect(cover).toContainText('人民调解卷宗');
  await expect(cover).toContainText('杞卷宗、普六表');
  await expect(cover).toContainText('调解成功，达成协议');
  const committee = (await cover.locator('.paper__committee').textContent())!;
  expect(committee).toMatch(/人民调解委员会$/);
  await expect(page.getByTestId('paper-contents').getByTestId('contents-row')).toHaveCount(7);
  await expect(page.getByTestId('paper-contents')).toContainText('2 次');
  await expect(page.getByTestId('paper-application')).toContainText('人民调解申请书');
  await expect(page.getByTestId('paper-application')).toContainText(`请求${committee}对上述`);
  await expect(page.getByTestId('paper-application')).toContainText('两家宅基地界址不清');
  await expect(page.getByTestId('paper-acceptance')).toContainText('当事人申请');
  await expect(page.getByTestId('paper-investigation')).toContainText('杞卷宗、普六表');
  const sessions = page.getByTestId('paper-mediation-record');
  await expect(sessions).toHaveCount(2);
  await expect(sessions.nth(0)).toContainText('现场查看界桩，双方陈述');
  await expect(sessions.nth(1)).toContainText('调解成功，达成协议');
  await expect(page.getByTestId('print-agreement')).toContainText('按老界桩重砌围墙，费用各半');
  await expect(page.getByTestId('paper-follow-up')).toContainText('围墙已砌好，双方满意');
  // every seal is the committee's full name
  for (const seal of await page.getByTestId('paper-seal').all()) {
    await expect(seal).toHaveText(`${committee}（印）`);
  }
  await page.screenshot({ path: info.outputPath('dossier.png'), fullPage: true });

  // each paper alone, too
  for (const [code, title] of [['application', '人民调解申请书'], ['acceptance', '人民调解受理登记表'], ['investigation', '人民调解调查记录'], ['mediation_record', '人民调解记录'], ['follow_up', '人民调解回访记录'], ['contents', '卷内目录']]) {
    await page.goBack();
    await appReady(page);
    await page.getByTestId(`print-link-${code}`).click();
    await appReady(page);
    await expect(page.locator('.paper__title').first()).toHaveText(title);
    await page.screenshot({ path: info.outputPath(`${code}.png`), fullPage: true });
  }
  // a paper fits a 360 px screen
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(wide).toBeLessThanOrEqual(page.viewportSize()!.width);
  expect(errors).toEqual([]);
});
