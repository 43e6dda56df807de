// report_load.mjs — how fast reprint's HTML report opens and reacts in
// headless Chromium (a benchmark, not a test): the time from navigation to
// the overview drawn (the page's own mark, window.reprintReady), to a pair's
// side-by-side view drawn, and to a filter applied, each the median of RUNS
// fresh loads. Prints one JSON object.
// usage: node bench/report_load.mjs REPORT.html [RUNS]
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { chromium } = await import(path.join(root, 'tests/browser/node_modules/playwright-core/index.mjs'));
const [file, runsArg] = process.argv.slice(2);
const runs = +(runsArg || 5);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const median = (v) => v.slice().sort((a, b) => a - b)[Math.floor(v.length / 2)];
const load = [], pair = [], filter = [];
let pairs = 0, errors = 0;
for (let r = 0; r < runs; r++) {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  page.on('pageerror', () => errors++);
  await page.goto(pathToFileURL(path.resolve(file)).href);
  await page.waitForSelector('html[data-ready="1"]');
  load.push(await page.evaluate(() => window.reprintReady));
  pairs = await page.evaluate(() => JSON.parse(document.getElementById('reprint-data').textContent).alignments.length);
  pair.push(await page.evaluate(() => {
    const t = performance.now();
    location.hash = '#/pair/' + Math.floor(JSON.parse(document.getElementById('reprint-data').textContent).alignments.length / 2);
    window.dispatchEvent(new HashChangeEvent('hashchange'));
    document.getElementById('pane-b').getBoundingClientRect(); /* laid out */
    return performance.now() - t;
  }));
  await page.evaluate(() => { location.hash = '#/'; });
  await page.waitForSelector('#pair-table');
  filter.push(await page.evaluate(() => {
    const t = performance.now(), q = document.querySelector('input[name=q]');
    q.value = 'the';
    q.dispatchEvent(new Event('input'));
    document.getElementById('count').getBoundingClientRect();
    return performance.now() - t;
  }));
  await page.close();
}
await browser.close();
console.log(JSON.stringify({ file, pairs, runs, errors, load_ms: +median(load).toFixed(1),
  pair_view_ms: +median(pair).toFixed(1), text_search_ms: +median(filter).toFixed(1) }));
