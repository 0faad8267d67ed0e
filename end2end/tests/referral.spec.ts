import { test, expect, type Page } from '@playwright/test';
import { logIn, watchErrors } from './helpers';

// First-mediator responsibility (首调责任制, docs/screening.md "Ownership
// and referral"): the mediator who registered a dispute owns it until the
// unit it is referred to accepts it: up the ladder, or across to a sector
// committee, which reads the case from the server until it accepts.

const COMMUNITY_MEDIATOR = '13800000002';
const JUDICIAL_OFFICE = '13900000002';
const SECTOR_MEDIATOR = '13800000003';


async function syncNow(page: Page) {
  await page.goto('/');
  await expect(page.getByTestId('sync-status')).toHaveAttribute('data-running', 'false');
  await page.getByTestId('sync-now').click();
  await expect(page.getByTestId('sync-status')).toHaveAttribute('data-running', 'false');
}

/** Registers a general dispute on the phone, syncs it, and returns its id. */
async function registerDispute(
  page: Page,
  d: { type: string; parties: [string, string]; phone?: string; summary: string },
): Promise<string> {
  await page.goto('/cases/new/general');
  await page.waitForSelector('[data-testid="case-form"][data-ready="true"]');
  await page.locator('#f-dispute_type').selectOption(d.type);
  await page.locator('#f-parties-0-name').fill(d.parties[0]);
  if (d.phone) await page.locator('#f-parties-0-phone').fill(d.phone);
  await page.locator('#f-parties-1-name').fill(d.parties[1]);
  await page.locator('#f-summary').fill(d.summary);
  await page.locator('#f-mediator').fill('普调解');
  await page.getByTestId('save-case').click();
  await expect(page.getByTestId('case-status')).toHaveText('已受理');
  const caseId = new URL(page.url()).pathname.split('/').pop()!;
  await syncNow(page);
  return caseId;
}

test('a dispute is the first mediator\'s until the township accepts the referral; the phone learns its new owner', async ({ browser, page }) => {
  test.setTimeout(90_000);
  await logIn(page, COMMUNITY_MEDIATOR);
  const errors = watchErrors(page);
  const caseId = await registerDispute(page, {
    type: 'forest_land', parties: ['罗移交', '杨两村'], summary: '地界跨两个社区，需乡镇协调',
  });

  // 移交: the owner refers it up to the township
  await page.goto(`/cases/${caseId}`);
  const card = page.getByTestId('referral-card');
  await expect(card.getByTestId('case-owner')).toContainText('本人');
  await card.locator('#referral-to').selectOption({ index: 1 });
  await card.locator('#referral-note').fill('涉及两个社区，请乡镇协调');
  await card.getByTestId('refer').click();
  await expect(card.getByTestId('handover')).toHaveAttribute('data-state', 'pending');
  await expect(card.getByTestId('refer')).toHaveCount(0);
  await expect(card.getByTestId('withdraw')).toBeVisible();
  await expect(card.getByTestId('case-owner')).toContainText('本人');
  expect(errors).toEqual([]);

  // the township's judicial office finds it in its inbox and accepts it
  const office = await browser.newContext();
  const desk = await office.newPage();
  const deskErrors = watchErrors(desk);
  await logIn(desk, JUDICIAL_OFFICE);
  await desk.getByTestId('inbox-link').click();
  const item = desk.locator(`[data-testid="inbox-item"][data-case="${caseId}"]`).filter({ hasText: '移交' });
  await expect(item).toContainText('案件移交待接收');
  await item.locator('a').click();
  const deskCard = desk.getByTestId('referral-card');
  await deskCard.getByTestId('decline-referral').click();
  await expect(deskCard.getByTestId('referral-note-error')).toContainText('理由');
  await deskCard.getByTestId('accept-referral').click();
  await expect(deskCard.getByTestId('handover')).toHaveAttribute('data-state', 'accepted');
  await expect(deskCard.getByTestId('case-owner')).toContainText('本人');
  expect(deskErrors).toEqual(['console: Failed to load resource: the server responded with a status of 422 (Unprocessable Entity)']);
  await office.close();

  // the mediator's phone: the case now belongs to the office
  await syncNow(page);
  await page.goto(`/cases/${caseId}`);
  await expect(card.getByTestId('handover')).toHaveAttribute('data-state', 'accepted');
  await expect(card.getByTestId('case-owner')).not.toContainText('本人');
  await expect(card.getByTestId('withdraw')).toHaveCount(0);
  expect(errors).toEqual([]);
});

test('a dispute referred across to the medical committee: its mediator reads it online without the contacts, accepts it, and has it on the phone', async ({ browser, page }) => {
  test.setTimeout(120_000);
  await logIn(page, COMMUNITY_MEDIATOR);
  const errors = watchErrors(page);
  const caseId = await registerDispute(page, {
    type: 'medical', parties: ['李医患', '楚雄某诊所'], phone: '13912345678', summary: '输液后过敏，双方对赔偿有争议',
  });

  // 移交 across: the sector committees are offered after the ladder
  await page.goto(`/cases/${caseId}`);
  const card = page.getByTestId('referral-card');
  await expect(card.locator('#referral-to option[data-kind="sector"]')).toHaveCount(11);
  await card.locator('#referral-to').selectOption({ label: '楚雄市医疗纠纷人民调解委员会' });
  await card.locator('#referral-note').fill('涉及医疗损害，请医调委调解');
  await card.getByTestId('refer').click();
  await expect(card.getByTestId('handover')).toHaveAttribute('data-state', 'pending');
  expect(errors).toEqual([]);

  // the committee's mediator: the case is not on their phone; the inbox
  // opens the server's copy, without the parties' contacts
  const committee = await browser.newContext();
  const phone = await committee.newPage();
  const phoneErrors = watchErrors(phone);
  await logIn(phone, SECTOR_MEDIATOR);
  await phone.getByTestId('inbox-link').click();
  const item = phone.locator(`[data-testid="inbox-item"][data-case="${caseId}"]`);
  await expect(item).toContainText('案件移交待接收');
  await item.locator('a').click();
  await expect(phone.getByTestId('case-page')).toHaveAttribute('data-load', 'Remote');
  await expect(phone.getByTestId('remote-case-summary')).toHaveText('输液后过敏，双方对赔偿有争议');
  await expect(phone.getByTestId('contacts-hidden')).toBeVisible();
  await expect(phone.getByTestId('remote-summary')).not.toContainText('13912345678');
  const theirs = phone.getByTestId('referral-card');
  await theirs.getByTestId('accept-referral').click();

  // the sync that follows brings the case to this phone, contacts and all
  await expect(phone.getByTestId('case-page')).toHaveAttribute('data-load', 'Ready');
  await expect(theirs.getByTestId('case-owner')).toContainText('本人');
  await expect(theirs.getByTestId('handover')).toHaveAttribute('data-state', 'accepted');
  await expect(phone.locator('.parties')).toContainText('13912345678');
  // its first copy here: no earlier version kept on this phone
  await expect(phone.getByTestId('history-count')).toHaveText(/[:：]\s*0$/);
  // and it stays there offline (once the app's worker is active)
  await phone.evaluate(async () => {
    const reg = await navigator.serviceWorker.ready;
    if (!reg.active) throw new Error('no active worker');
  });
  await committee.setOffline(true);
  await phone.goto('/cases');
  await expect(phone.getByText('李医患').first()).toBeVisible();
  expect(phoneErrors).toEqual([]);
  await committee.close();

  // the referrer's phone learns its new owner
  await syncNow(page);
  await page.goto(`/cases/${caseId}`);
  await expect(card.getByTestId('handover')).toHaveAttribute('data-state', 'accepted');
  await expect(card.getByTestId('case-owner')).not.toContainText('本人');
  expect(errors).toEqual([]);
});
