#!/usr/bin/env node
/**
 * End-to-end walk through the admin console against a running Otimo server, in Chromium.
 *
 *   OTIMO_URL=http://localhost:8080 OTIMO_ADMIN_PASSWORD=... OTIMO_MODEL_FILE=/path/model.onnx \
 *     node frontend-admin/e2e/console.e2e.mjs
 *
 * Signs in, creates a model, drops the ONNX file on the upload zone, deploys it, runs an inference in the
 * playground, compresses it (int8-dynamic) and reads the report, deploys the result and splits traffic
 * 50/50 between the two versions. Any browser console error fails the run. Screenshots of every step land
 * in target/e2e-screenshots/ (override with OTIMO_E2E_SCREENSHOTS). Exit code 0 only when all steps pass.
 *
 * Optional: OTIMO_CHROMIUM (default /usr/bin/chromium), OTIMO_E2E_STEPS (comma-separated step names to
 * stop after the last one listed, e.g. "login,create-model,upload"), OTIMO_E2E_TIMEOUT_MS (per wait,
 * default 60000), OTIMO_E2E_HEADED=1 to watch it.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const baseUrl = (process.env.OTIMO_URL ?? 'http://localhost:8080').replace(/\/+$/, '');
const password = process.env.OTIMO_ADMIN_PASSWORD;
const modelFile = process.env.OTIMO_MODEL_FILE;
const executablePath = process.env.OTIMO_CHROMIUM ?? '/usr/bin/chromium';
const screenshots = resolve(process.env.OTIMO_E2E_SCREENSHOTS ?? resolve(here, '../../target/e2e-screenshots'));
const timeout = Number(process.env.OTIMO_E2E_TIMEOUT_MS ?? 60_000);
const wanted = (process.env.OTIMO_E2E_STEPS ?? '').split(',').map((s) => s.trim()).filter(Boolean);

if (!password || !modelFile) {
  console.error('Set OTIMO_ADMIN_PASSWORD and OTIMO_MODEL_FILE (and OTIMO_URL unless the server is on localhost:8080).');
  process.exit(2);
}

const modelBytes = readFileSync(modelFile);
const modelName = `e2e-${Date.now().toString(36)}`;
mkdirSync(screenshots, { recursive: true });

const consoleErrors = [];
const expectedErrors = [];

/** 4xx responses the console may meet on purpose and Chromium would log as console errors: none today. */
const EXPECTED = [];

function isExpected(message) {
  const match = /the server responded with a status of (\d+)/.exec(message.text());
  const url = message.location()?.url ?? '';
  return match !== null && EXPECTED.some((e) => e.status === Number(match[1]) && e.url.test(url));
}
const results = [];
const facts = {};

const headed = process.env.OTIMO_E2E_HEADED === '1';
const browser = await chromium.launch({
  executablePath,
  headless: !headed,
  args: [
    ...(headed ? [] : ['--headless']),
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
});
const context = await browser.newContext({ viewport: { width: 1440, height: 1000 } });
const page = await context.newPage();
page.setDefaultTimeout(timeout);
page.on('console', (message) => {
  if (message.type() === 'error' && isExpected(message)) {
    expectedErrors.push(`${message.text()} (${message.location().url})`);
  } else if (message.type() === 'error') {
    const where = message.location()?.url ? ` (${message.location().url})` : '';
    consoleErrors.push(`${message.text()}${where}`);
  }
});
page.on('pageerror', (error) => consoleErrors.push(`uncaught: ${error.message}`));
page.on('requestfailed', (request) => {
  const failure = request.failure()?.errorText ?? 'failed';
  // navigating away aborts polls in flight; that is not an error of the console
  if (failure !== 'net::ERR_ABORTED') consoleErrors.push(`request failed: ${request.method()} ${request.url()} ${failure}`);
});

// The console is served at /admin/; a server that maps only the file itself still serves /admin/index.html.
// Probe from here rather than in the browser, so that a 404 does not land in the browser console.
let entry = `${baseUrl}/admin/`;
const probe = await fetch(entry).catch((e) => ({ ok: false, status: e.message }));
if (!probe.ok) {
  const fallback = `${baseUrl}/admin/index.html`;
  const second = await fetch(fallback).catch(() => ({ ok: false }));
  if (!second.ok) {
    console.error(`the console is not served: GET ${entry} -> ${probe.status}, and ${fallback} fails too`);
    process.exit(1);
  }
  console.log(`NOTE GET ${entry} -> ${probe.status}; using ${fallback}`);
  entry = fallback;
}
const go = (hash) => page.goto(`${entry}#${hash}`);
const dialog = () => page.getByRole('dialog');

/** Waits until the locator's text matches, failing with what it last saw. */
async function waitForText(locator, pattern, ms = timeout) {
  const deadline = Date.now() + ms;
  let last = '';
  while (Date.now() < deadline) {
    if ((await locator.count()) > 0) {
      last = ((await locator.first().textContent()) ?? '').trim();
      if (pattern.test(last)) return last;
    }
    await page.waitForTimeout(250);
  }
  throw new Error(`waited ${ms} ms for ${pattern} but saw "${last}"`);
}

/** Fails fast when the page shows an error alert (the server's {"error"} text). */
async function alertText() {
  const alerts = page.getByTestId('error');
  return (await alerts.count()) > 0 ? (await alerts.first().innerText()).trim() : null;
}

/** Waits for `locator`, or fails as soon as the page shows an error alert instead. */
async function firstOf(locator, what) {
  const deadline = Date.now() + timeout;
  while (Date.now() < deadline) {
    if ((await locator.count()) > 0) return;
    const alert = await alertText();
    if (alert) throw new Error(`${what} failed: ${alert}`);
    await page.waitForTimeout(200);
  }
  throw new Error(`${what}: nothing happened within ${timeout} ms`);
}

async function waitForStatus(locator, want, ms = timeout) {
  const deadline = Date.now() + ms;
  let last = '';
  while (Date.now() < deadline) {
    if ((await locator.count()) > 0) {
      last = ((await locator.first().textContent()) ?? '').trim().toLowerCase();
      if (last === want) return;
      if (last === 'failed') break;
    }
    const alert = await alertText();
    if (alert) throw new Error(`the console shows an error: ${alert}`);
    await page.waitForTimeout(300);
  }
  throw new Error(`expected status "${want}" but saw "${last}"`);
}

async function deploy(version) {
  await go(`/models/${modelName}`);
  await page.getByRole('button', { name: `Deploy v${version}` }).click();
  await dialog().getByRole('button', { name: 'Deploy', exact: true }).click();
  await dialog().waitFor({ state: 'detached' });
  const row = page.getByTestId(`version-row-${version}`);
  await waitForStatus(row.getByTestId('deployment-state'), 'ready');
  facts[`v${version} provider`] = (await row.innerText()).match(/cpu[^\n]*|cuda[^\n]*|tensorrt[^\n]*/)?.[0] ?? '';
}

const steps = [
  [
    'login',
    async () => {
      await page.goto(entry);
      await page.getByRole('textbox', { name: /^User/ }).fill('admin');
      await page.getByRole('textbox', { name: /^Password/ }).fill(password);
      await waitForText(page.getByTestId('server-health'), /^ready$/);
      facts.server = await waitForText(page.getByTestId('server-name'), /^(?!server$).+/);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: 'Models' }).waitFor();
    },
  ],
  [
    'create-model',
    async () => {
      await page.getByRole('button', { name: 'New model' }).click();
      await dialog().getByRole('textbox', { name: /^Name/ }).fill(modelName);
      await dialog().getByLabel('Description').fill('created by the console end-to-end test');
      await dialog().getByRole('button', { name: 'Create' }).click();
      await page.waitForURL((url) => url.hash === `#/models/${modelName}`);
      await page.getByRole('heading', { name: modelName }).waitFor();
    },
  ],
  [
    'upload',
    async () => {
      // a real drop event carrying the file, as a drag from the desktop delivers it
      const transfer = await page.evaluateHandle(
        ({ name, base64 }) => {
          const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
          const data = new DataTransfer();
          data.items.add(new File([bytes], name, { type: 'application/octet-stream' }));
          return data;
        },
        { name: basename(modelFile), base64: modelBytes.toString('base64') },
      );
      const zone = page.getByTestId('dropzone');
      await zone.dispatchEvent('dragover', { dataTransfer: transfer });
      await zone.dispatchEvent('drop', { dataTransfer: transfer });
      const row = page.getByTestId('version-row-1');
      await row.waitFor();
      await waitForStatus(row.getByTestId('version-status'), 'ready');
      facts['v1 size'] = (await row.locator('td').nth(2).innerText()).trim();
    },
  ],
  ['deploy', () => deploy(1)],
  [
    'playground',
    async () => {
      await go(`/models/${modelName}/playground?version=1`);
      const fills = page.getByRole('button', { name: 'Fill random' });
      await fills.first().waitFor();
      for (let i = 0; i < (await fills.count()); i++) await fills.nth(i).click();
      await page.getByRole('button', { name: 'Send', exact: true }).click();
      const result = page.getByTestId('inference-result');
      await firstOf(result, 'inference');
      const values = result.locator('[data-testid^="output-values-"]');
      if ((await values.count()) === 0) throw new Error('the response shows no outputs');
      const first = (await values.first().innerText()).trim();
      if (!first) throw new Error('the first output is empty');
      facts['inference latency'] = (await page.getByTestId('latency').innerText()).trim();
      facts['first output'] = first.slice(0, 80);
      facts['top-k shown'] = (await result.getByTestId('top-k').count()) > 0;
    },
  ],
  [
    'compress',
    async () => {
      await go(`/models/${modelName}/compress?version=1`);
      await page.getByRole('radio', { name: 'int8-dynamic' }).check();
      // the walk-through's model is tiny: int8 cannot make it faster, so keep the result anyway
      await page.getByRole('checkbox', { name: /Keep the result even if/ }).check();
      await page.getByRole('button', { name: 'Start compression' }).click();
      const status = page.getByTestId('job-status');
      await firstOf(status, 'starting the compression');
      await waitForStatus(status, 'succeeded', Math.max(timeout, 180_000)).catch(async (e) => {
        const alerts = await page.getByRole('alert').allInnerTexts();
        throw new Error(`${e.message}${alerts.length ? `: ${alerts.join(' | ')}` : ''}`);
      });
      const report = page.getByTestId('report');
      await report.waitFor();
      facts['result version'] = Number(await page.getByTestId('job-result').getAttribute('data-result-version'));
      const size = (await page.getByTestId('report-row-size').innerText()).replace(/\s+/g, ' ');
      facts['report size row'] = size;
      facts['fidelity cosine'] = (await page.getByTestId('fidelity-meanCosine').innerText()).replace(/\s+/g, ' ');
      if (!/\d/.test(size)) throw new Error(`the report has no size figures: ${size}`);
      if (!Number.isInteger(facts['result version'])) throw new Error('the job names no result version');
    },
  ],
  ['deploy-compressed', () => deploy(facts['result version'])],
  [
    'routing',
    async () => {
      const child = facts['result version'];
      await go(`/models/${modelName}/routing`);
      const editor = page.getByTestId('weights-editor');
      await editor.waitFor();
      for (const version of [1, child]) {
        await page.getByLabel('Version to add').selectOption(String(version));
        await page.getByRole('button', { name: 'Add variant' }).click();
      }
      const weight1 = page.getByLabel('Weight of v1 in percent');
      await weight1.fill('50');
      const other = await page.getByLabel(`Weight of v${child} in percent`).inputValue();
      if (other.replace(/\D/g, '') !== '50') throw new Error(`v${child} was not rebalanced to 50 (shows ${other})`);
      await page.getByRole('button', { name: 'Save routing' }).click();
      await firstOf(page.getByText('Routing saved'), 'saving the routing');
      // read it back from the server
      await page.reload();
      await page.getByLabel(`Weight of v${child} in percent`).waitFor();
      const stored = [
        await page.getByLabel('Weight of v1 in percent').inputValue(),
        await page.getByLabel(`Weight of v${child} in percent`).inputValue(),
      ].map((v) => v.replace(/\D/g, ''));
      if (stored.join('/') !== '50/50') throw new Error(`the server kept ${stored.join('/')} instead of 50/50`);
      facts.split = `v1 ${stored[0]} % / v${child} ${stored[1]} %`;
    },
  ],
  [
    'experiment',
    async () => {
      const child = facts['result version'];
      await go(`/models/${modelName}/experiments`);
      // the form proposes the two oldest deployed versions at 50/50, v1 as the control
      await page.getByLabel(`Weight of v${child} in percent`).waitFor();
      await page.getByRole('button', { name: 'Start experiment' }).click();
      const verdict = page.getByTestId('verdict');
      await firstOf(verdict, 'starting the experiment');
      facts['experiment verdict'] = (await verdict.innerText()).split('\n')[0];
      if (!/no difference detected yet/.test(facts['experiment verdict'])) {
        throw new Error(`a new experiment shows "${facts['experiment verdict']}"`);
      }
      await page.getByTestId('variant-row-1').waitFor();
      await page.getByRole('button', { name: 'Stop', exact: true }).click();
      await dialog().getByRole('button', { name: 'Stop', exact: true }).click();
      await dialog().waitFor({ state: 'detached' });
      await waitForStatus(page.getByTestId('experiment-detail').getByTestId('experiment-status'), 'stopped');
    },
  ],
];

const selected = wanted.length > 0 ? steps.slice(0, Math.max(...wanted.map((w) => steps.findIndex(([n]) => n === w))) + 1) : steps;
let failed = false;
for (const [index, [name, run]] of selected.entries()) {
  const started = Date.now();
  const errorsBefore = consoleErrors.length;
  try {
    await run();
    const shot = resolve(screenshots, `${String(index + 1).padStart(2, '0')}-${name}.png`);
    await page.screenshot({ path: shot, fullPage: true });
    if (consoleErrors.length > errorsBefore) {
      throw new Error(`browser console errors: ${[...new Set(consoleErrors.slice(errorsBefore))].join(' || ')}`);
    }
    results.push({ name, ok: true, ms: Date.now() - started });
    console.log(`PASS ${name} (${Date.now() - started} ms)`);
  } catch (error) {
    failed = true;
    results.push({ name, ok: false, ms: Date.now() - started, error: error.message });
    console.log(`FAIL ${name}: ${error.message}`);
    await page.screenshot({ path: resolve(screenshots, `${String(index + 1).padStart(2, '0')}-${name}-FAILED.png`), fullPage: true }).catch(() => {});
    break;
  }
}

await browser.close();
console.log(`model ${modelName} on ${baseUrl}`);
for (const [k, v] of Object.entries(facts)) console.log(`  ${k}: ${v}`);
if (consoleErrors.length > 0) {
  failed = true;
  const counts = new Map();
  consoleErrors.forEach((e) => counts.set(e, (counts.get(e) ?? 0) + 1));
  console.log(`browser console errors (${consoleErrors.length}):`);
  counts.forEach((n, e) => console.log(`  ${n > 1 ? `${n}× ` : ''}${e}`));
}
if (expectedErrors.length > 0) {
  console.log(`expected 4xx responses logged by the browser (not failures): ${[...new Set(expectedErrors)].join(' || ')}`);
}
console.log(`${results.filter((r) => r.ok).length}/${selected.length} steps passed; screenshots in ${screenshots}`);
process.exit(failed ? 1 : 0);
