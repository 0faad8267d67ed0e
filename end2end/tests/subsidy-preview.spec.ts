import { test, expect } from '@playwright/test';

// The subsidy calculator evaluates the shared Rust rules in the browser
// (wasm): it keeps working with the network off.
test('the tier and what is missing update live, offline, from the shared rules', async ({ page, context }) => {
  const errors: string[] = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(e.message));

  await page.goto('/');
  await page.getByTestId('subsidy-link').click();
  await expect(page).toHaveURL(/\/subsidy$/);
  await page.waitForSelector('body[data-hydrated="true"]', { state: 'attached' });
  const tier = page.getByTestId('tier');
  const amount = page.getByTestId('amount');
  const missing = page.locator('.tier__missing li');

  // default: an oral agreement, registered and recorded → tier A
  await expect(tier).toHaveText('A');
  await expect(amount).toContainText('30.00');

  await context.setOffline(true);

  await page.locator('#oral-register').uncheck();
  await expect(tier).toHaveText('无');
  await expect(missing).toHaveText(['缺少口头协议登记表']);

  // a general dispute with five of the six forms, archived
  await page.locator('#method-general').click();
  for (const form of ['application', 'acceptance', 'investigation', 'mediation_record', 'agreement']) {
    await page.locator(`input[data-form="${form}"]`).check();
  }
  await page.locator('#archived').check();
  await expect(tier).toHaveText('无');
  await expect(page.locator('.tier__missing li[data-code="form:follow_up"]')).toHaveText('缺少回访记录');
  await expect(missing).toHaveCount(1);

  await page.locator('input[data-form="follow_up"]').check();
  await expect(tier).toHaveText('C');
  await expect(amount).toContainText('200.00');
  await expect(missing).toHaveCount(0);

  // a death, mediated independently → tier D
  await page.locator('#deaths-more').click();
  await expect(tier).toHaveText('D');
  await expect(amount).toContainText('1000.00');

  // a sector committee earns nothing, and says why
  await page.locator('#committee').selectOption('sector');
  await expect(tier).toHaveText('无');
  await expect(page.getByTestId('reason')).toContainText('不适用以案定补');

  // before 2014 the 2008 rules applied: no case tiers
  await page.locator('#committee').selectOption('village');
  await page.locator('#closed-on').fill('2013-12-31');
  await page.locator('#closed-on').dispatchEvent('change');
  await expect(page.locator('.tier__rule-set')).toContainText('chuxiong-2008');
  await expect(page.getByTestId('reason')).toContainText('没有以案定补档次');

  await context.setOffline(false);
  expect(errors).toEqual([]);
});
