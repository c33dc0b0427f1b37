/**
 * The page's side of serve mode's transport (renderer/ipc/client.ts): malformed messages from the
 * server are dropped, never thrown, and a CSV goes to the server by POST /api/upload, not over the
 * WebSocket.
 */
import type { WebSocketRoute } from '@playwright/test';
import { expect, ready, test } from './fixtures';

test('malformed messages from the server are dropped and the page keeps working', async ({
  page,
  served,
}) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  // Between the page and the real server: everything passes both ways; the test adds its own.
  let toPage: WebSocketRoute | null = null;
  await page.routeWebSocket(/\/ws$/, (ws) => {
    ws.connectToServer();
    toPage = ws;
  });
  await page.goto(served.url);
  await ready(page);
  expect(toPage).not.toBeNull();
  const bad = [
    'null',
    '42',
    '"text"',
    '[]',
    '{}',
    'not JSON',
    '{"kind":"response"}',
    '{"kind":"response","id":"1","ok":true}',
    '{"kind":"response","id":999999,"ok":true,"result":{}}',
    '{"kind":"response","id":null,"ok":false,"error":{"code":"BAD_REQUEST","message":"The message is not JSON."}}',
    '{"kind":"response","id":1,"ok":false,"error":null}',
    '{"kind":"event"}',
    '{"kind":"event","name":"training.event"}',
    '{"kind":"event","name":"training.event","payload":null}',
    '{"kind":"event","name":"data.progress","payload":{"docId":1}}',
    '{"kind":"event","name":"app.openFile","payload":{}}',
    '{"kind":"event","name":"no.such.event","payload":{}}',
    '{"__proto__":{"kind":"event"}}',
  ];
  for (const text of bad) toPage!.send(text);
  toPage!.send(Buffer.from([0xff, 0x00]));
  // The page still talks to the server: a new project from a template opens.
  await page.getByTestId('cmd-new').click();
  await page.getByTestId('template-mlp').click();
  await expect(page.getByTestId('node-dense_1')).toBeVisible();
  expect(errors).toEqual([]);
});

test('a multi-MB CSV is uploaded by POST /api/upload, not over the WebSocket', async ({ page, served }) => {
  test.setTimeout(120_000);
  const overSocket: string[] = [];
  await page.routeWebSocket(/\/ws$/, (ws) => {
    const server = ws.connectToServer();
    ws.onMessage((m) => {
      if (typeof m === 'string' && m.includes('"data.upload"')) overSocket.push(m.slice(0, 80));
      server.send(m);
    });
    server.onMessage((m) => ws.send(m));
  });
  await page.goto(served.url);
  await ready(page);
  await page.getByTestId('cmd-new').click();
  await page.getByTestId('template-mlp').click();
  await page.getByTestId('view-train').click();
  const rows = ['a,b,label'];
  for (let i = 0; rows.length <= 100_000; i++)
    rows.push(`${(i % 97) / 7},${((i * 7) % 89) / 3},${i % 2 ? 'yes' : 'no'}`);
  const csv = Buffer.from(rows.join('\n') + '\n');
  expect(csv.length).toBeGreaterThan(3 * 2 ** 20);
  const uploaded = page.waitForResponse((r) => r.url().includes('/api/upload?'));
  await page
    .getByTestId('data-import-csv')
    .setInputFiles({ name: 'big.csv', mimeType: 'text/csv', buffer: csv });
  const res = await uploaded;
  expect(res.request().method()).toBe('POST');
  expect(res.status()).toBe(200);
  expect(await res.json()).toEqual({ ok: true, result: { file: 'data/big.csv' } });
  await expect(page.getByTestId('data-summary')).toContainText(/100,?000 samples/);
  expect(overSocket).toEqual([]);
});
