/**
 * One command table: ? opens the shortcut sheet listing every command with its shortcut, a click
 * there runs the command, and Ctrl+K offers every command of the table too.
 */
import { COMMAND_IDS } from '../../shared/commands';
import { expect, test } from './fixtures';

test('? shows every command with its shortcut; Ctrl+K offers every command', async ({ page, served }) => {
  await page.setViewportSize({ width: 1280, height: 720 });
  await page.goto(served.url);
  await page.getByTestId('template-mlp').click();
  await expect(page.getByTestId('node-dense_1')).toBeVisible();
  await page.keyboard.press('?');
  const sheet = page.getByTestId('shortcut-sheet');
  await expect(sheet).toBeVisible();
  for (const id of COMMAND_IDS) await expect(page.getByTestId(`shortcut-${id}`)).toHaveCount(1);
  await expect(page.getByTestId('shortcut-saveAs')).toContainText('Ctrl+Shift+S');
  await expect(page.getByTestId('shortcut-layout')).toContainText('Ctrl+L');
  await page.screenshot({ path: 'test-results/e2e/shortcut-sheet.png' });
  // A click runs it: the minimap goes.
  await expect(page.locator('.react-flow__minimap')).toBeVisible();
  await page.getByTestId('shortcut-minimap').getByRole('button').click();
  await expect(sheet).toBeHidden();
  await expect(page.locator('.react-flow__minimap')).toBeHidden();

  await page.keyboard.press('Control+k');
  await expect(page.getByTestId('cmd-palette')).toBeVisible();
  for (const id of COMMAND_IDS) await expect(page.getByTestId(`cmdk-cmd-${id}`)).toHaveCount(1);
  await page.keyboard.type('keyboard shortcuts');
  await page.keyboard.press('Enter');
  await expect(sheet).toBeVisible();
});
