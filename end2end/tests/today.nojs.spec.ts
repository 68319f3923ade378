import { test, expect } from '@playwright/test';
import { LoginPage, snap } from './pages';

// With JavaScript off the sign-in and Today forms are plain HTML forms.
test('the Today form works without JavaScript', async ({ page }) => {
  await new LoginPage(page).signIn('cadre12');
  const work = `无脚本记录${Date.now().toString().slice(-6)}`;
  await page.getByLabel('工作', { exact: true }).fill(work);
  await page.getByLabel('成效', { exact: true }).fill('完成');
  await page.getByRole('button', { name: '保存' }).click();
  await expect(page.getByRole('status')).toContainText('已保存');
  await expect(page.getByLabel('工作', { exact: true })).toHaveValue(work);
  // A bad save keeps the text and says why.
  // Spaces pass the browser's `required` check; the server refuses them.
  await page.getByLabel('成效', { exact: true }).fill('   ');
  await page.getByRole('button', { name: '保存' }).click();
  await expect(page.getByRole('alert')).toContainText('不能为空');
  await expect(page.getByLabel('工作', { exact: true })).toHaveValue(work);
  await snap(page, '06-today-nojs');
});
