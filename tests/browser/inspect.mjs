// Drives the system Chromium (headless, no network) for the browser tests and prints one JSON
// object on stdout; the Rust test decides what must hold.
//
//   node inspect.mjs page URL [SCREENSHOT_PREFIX]
//     Opens URL at 1280x800 and at 375x800. Reports console errors and page errors, the page's
//     horizontal overflow at each width, and per diagram (per report section when there are
//     any): its lanes and its notification marks. Follows the first link from a failing mark
//     to its diff and reports where it landed.
//   node inspect.mjs mermaid < diagrams.json
//     Runs mermaid.parse (the pinned mermaid, loaded from node_modules into a blank page) on
//     each diagram text of the JSON array on stdin; reports each result.

import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const executablePath = process.env.GWS_CONTRACT_CHROMIUM || '/usr/bin/chromium';

// The flags the machine's probe uses: no sandbox as root, nothing that reaches the network.
const browser = await chromium.launch({
  executablePath,
  headless: true,
  args: [
    '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
  ],
});

try {
  const [mode, ...rest] = process.argv.slice(2);
  const result = mode === 'mermaid' ? await parseMermaid() : await inspectPage(rest[0], rest[1]);
  process.stdout.write(JSON.stringify(result) + '\n');
} finally {
  await browser.close();
}

async function inspectPage(url, screenshots) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  // Anything but the page itself would be a request to the network (or to another file).
  const requests = [];
  page.on('request', (r) => { if (r.url() !== url.split('#')[0]) requests.push(r.url()); });
  await page.goto(url, { waitUntil: 'load' });
  const overflow = () => page.evaluate(() => ({
    width: window.innerWidth,
    scrollWidth: document.documentElement.scrollWidth,
  }));
  const wide = await overflow();
  if (screenshots) await page.screenshot({ path: `${screenshots}-1280.png` });
  const diagrams = await page.evaluate(() => {
    const sections = [...document.querySelectorAll('section[data-scenario]')];
    const scopes = sections.length ? sections : [document];
    return scopes.map((scope) => ({
      scenario: scope.dataset ? scope.dataset.scenario : null,
      lanes: [...scope.querySelectorAll('svg.swimlane .lane')].map((l) => l.dataset.lane),
      notifications: scope.querySelectorAll('svg.swimlane .mark.notification').length,
      failed: scope.querySelectorAll('svg.swimlane .row.failed').length,
    }));
  });
  let link = null;
  const first = await page.$('svg.swimlane a.to-diff');
  if (first) {
    const href = await first.getAttribute('href');
    await first.click();
    await page.waitForFunction((h) => location.hash === h, href);
    link = await page.evaluate((h) => {
      const target = document.getElementById(h.slice(1));
      const box = target ? target.getBoundingClientRect() : null;
      return {
        href: h,
        hash: location.hash,
        found: !!target,
        inView: !!box && box.top >= 0 && box.top < window.innerHeight,
        text: target ? target.innerText : null,
      };
    }, href);
    if (screenshots) await page.screenshot({ path: `${screenshots}-diff.png` });
  }
  await page.setViewportSize({ width: 375, height: 800 });
  await page.goto(url, { waitUntil: 'load' });
  const narrow = await overflow();
  if (screenshots) await page.screenshot({ path: `${screenshots}-375.png`, fullPage: false });
  return { errors, requests, overflow: { wide, narrow }, diagrams, link };
}

async function parseMermaid() {
  const diagrams = JSON.parse(readFileSync(0, 'utf8'));
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.setContent('<!DOCTYPE html><html><body></body></html>');
  await page.addScriptTag({ path: join(here, 'node_modules/mermaid/dist/mermaid.min.js') });
  const results = await page.evaluate(async (texts) => {
    window.mermaid.initialize({ startOnLoad: false });
    const out = [];
    for (const text of texts) {
      try {
        const parsed = await window.mermaid.parse(text);
        out.push({ ok: true, type: parsed && parsed.diagramType });
      } catch (e) {
        out.push({ ok: false, error: String(e && e.message ? e.message : e) });
      }
    }
    return out;
  }, diagrams);
  return { errors, results };
}
