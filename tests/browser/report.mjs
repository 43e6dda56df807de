// report.mjs — drives reprint's HTML report in Debian's Chromium, headless
// (playwright-core, with the system's browser: nothing downloaded), as a
// reader would: every view loads without an error in the console, the
// passages are highlighted at the words the offsets name, a click on one
// side scrolls the other, the filters and keys work, and hostile text runs
// no script. Screenshots of each view go to WORK for a person to look at.
//
// usage: node tests/browser/report.mjs REPRINT_BINARY REPO_ROOT WORK_DIR
import { chromium } from 'playwright-core';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const [BIN, ROOT, WORK] = process.argv.slice(2).map((a) => a && path.resolve(a));
if (!WORK) {
  console.error('usage: node report.mjs REPRINT_BINARY REPO_ROOT WORK_DIR');
  process.exit(2);
}
rmSync(WORK, { recursive: true, force: true });
mkdirSync(WORK, { recursive: true });

let passed = 0, failed = 0;
async function check(name, fn) {
  try {
    const r = await fn();
    if (r === false) throw new Error('false');
    passed++;
    console.log('ok   - ' + name);
  } catch (e) {
    failed++;
    console.log('FAIL - ' + name + ': ' + (e && e.message ? e.message : e));
  }
}
function assert(cond, what) {
  if (!cond) throw new Error(what);
}

function report(name, args) {
  const out = path.join(WORK, name + '.html');
  execFileSync(BIN, ['report', '-q', ...args, '-o', out], { stdio: ['ignore', 'inherit', 'inherit'] });
  return out;
}
const pages = {
  news: report('news', [path.join(ROOT, 'examples/news.jsonl')]),
  fixture: report('fixture', ['--spin', path.join(ROOT, 'tests/data/report.jsonl')]),
};
const seeds = path.join(ROOT, '../shared/seeds');
if (existsSync(seeds)) pages.seeds = report('seeds', [seeds]);
else console.log('skip - ../shared/seeds not present');

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});

/* A page with its console errors and requests counted. */
async function open(file, hash = '') {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  page.errors = [];
  page.requests = [];
  page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') page.errors.push(m.text()); });
  page.on('pageerror', (e) => page.errors.push(String(e)));
  page.on('request', (r) => { if (!r.url().startsWith('file://')) page.requests.push(r.url()); });
  await page.goto(pathToFileURL(file).href + hash);
  await page.waitForSelector('html[data-ready="1"]', { timeout: 10000 });
  return page;
}
async function go(page, hash) {
  await page.evaluate((h) => { location.hash = h; }, hash);
  await page.waitForFunction((h) => location.hash === h, hash);
}
const shot = (page, name) => page.screenshot({ path: path.join(WORK, name + '.png') });
const count = (page) => page.textContent('#count');

/* Every passage of every pair, on both sides: the highlighted text is the
 * text at the offsets (code points, which JavaScript strings are not). */
async function passagesAtTheirWords(page) {
  const n = await page.evaluate(() => JSON.parse(document.getElementById('reprint-data').textContent).alignments.length);
  let checked = 0;
  for (let i = 0; i < n; i++) {
    await go(page, '#/pair/' + i);
    const bad = await page.evaluate(() => {
      const D = JSON.parse(document.getElementById('reprint-data').textContent);
      const i = +location.hash.split('/')[2];
      const al = D.alignments[i], out = [];
      al.passages.forEach((p, k) => {
        ['a', 'b'].forEach((s, j) => {
          const doc = D.documents[D.pair_docs[i][j]];
          const want = Array.from(doc.text).slice(p[s][0], p[s][1]).join('');
          const m = document.querySelector('#pane-' + s + ' mark[data-p="' + k + '"]');
          if (!m || m.textContent !== want) out.push(s + k + ': ' + (m ? m.textContent.slice(0, 40) : 'missing'));
          /* and the words marked inside are the words the marks name */
          const flat = D.marks[i][k][s], spans = m ? m.querySelectorAll('span[class^="w"]') : [];
          if (spans.length !== flat.length / 3) out.push(s + k + ': ' + spans.length + ' marked words, want ' + flat.length / 3);
          spans.forEach((sp, w) => {
            const t = Array.from(doc.text).slice(flat[3 * w], flat[3 * w + 1]).join('');
            if (sp.textContent !== t || sp.className !== 'w' + flat[3 * w + 2]) out.push(s + k + ' word ' + w);
          });
        });
      });
      return out;
    });
    assert(!bad.length, 'pair ' + i + ': ' + bad.join('; '));
    checked++;
  }
  return checked;
}

for (const [name, file] of Object.entries(pages)) {
  const page = await open(file);
  await check(name + ': the overview lists every pair', async () => {
    const n = await page.evaluate(() => JSON.parse(document.getElementById('reprint-data').textContent).alignments.length);
    const rows = await page.locator('#pair-table tbody tr').count();
    assert(rows === Math.min(n, 100), rows + ' rows for ' + n + ' pairs');
    assert((await count(page)).startsWith(n + ' of ' + n + ' pairs'), await count(page));
  });
  await check(name + ': each passage is highlighted at the words its offsets name, on both sides', async () => {
    assert((await passagesAtTheirWords(page)) > 0, 'no pairs');
  });
  await check(name + ': every view loads without a console error or a request out', async () => {
    for (const h of ['#/', '#/stories', '#/docs', '#/story/1', '#/doc/0', '#/doc/1']) await go(page, h);
    assert(!page.errors.length, page.errors.join(' | '));
    assert(!page.requests.length, page.requests.join(' '));
  });
  await page.close();
}

/* ------------------------------------------------ the sample corpus */
{
  const page = await open(pages.news);
  await shot(page, 'overview');
  await check('filters: relation, coverage, search, story, and a histogram bar', async () => {
    await page.selectOption('select[name=relation]', 'exact');
    assert((await count(page)).startsWith('1 of 10'), await count(page));
    await page.selectOption('select[name=relation]', '');
    await page.fill('input[name=q]', 'islands');
    const ids = await page.locator('#pair-table tbody tr').allTextContents();
    assert(ids.length === 4 && ids.every((t) => t.includes('islands-edited')), ids.length + ' rows');
    await page.fill('input[name=q]', 'Skarholm');  /* text, not only ids: review-feature's */
    assert((await count(page)).startsWith('4 of 10'), await count(page));
    await page.fill('input[name=q]', '');
    await page.locator('svg .hbin[data-bin="8"]').click(); /* 80% and up, an empty bin */
    assert((await count(page)).startsWith('6 of 10'), await count(page));
    await page.selectOption('select[name=kind]', 'verbatim');
    assert((await count(page)).startsWith('3 of 10'), await count(page));
  });
  await go(page, '#/');
  await check('clicking a passage on one side scrolls the other to it', async () => {
    const i = await page.evaluate(() => JSON.parse(document.getElementById('reprint-data').textContent)
      .alignments.findIndex((a) => a.a === 'wire-keldan' && a.b === 'review-feature'));
    await go(page, '#/pair/' + i);
    const before = await page.evaluate(() => document.getElementById('pane-b').scrollTop);
    await page.click('#pane-a mark[data-p="1"]');
    const r = await page.evaluate(() => {
      const pane = document.getElementById('pane-b'), m = pane.querySelector('mark[data-p="1"]');
      const pr = pane.getBoundingClientRect(), mr = m.getBoundingClientRect();
      return { top: pane.scrollTop, inView: mr.top >= pr.top && mr.bottom <= pr.bottom, cur: m.classList.contains('cur'),
        row: document.querySelector('#passage-table tr.sel').dataset.p };
    });
    assert(before === 0 && r.top > 0, 'pane b did not scroll (' + before + ' -> ' + r.top + ')');
    assert(r.inView && r.cur && r.row === '1', JSON.stringify(r));
    await shot(page, 'pair');
  });
  await check('keys: j and k walk the passages, ] and [ the pairs, o goes back', async () => {
    await page.keyboard.press('j');
    assert((await page.getAttribute('#passage-table tr.sel', 'data-p')) === '0');
    await page.keyboard.press('j');
    assert((await page.getAttribute('#passage-table tr.sel', 'data-p')) === '1');
    await page.keyboard.press('k');
    assert((await page.getAttribute('#passage-table tr.sel', 'data-p')) === '0');
    const h = await page.evaluate(() => location.hash);
    await page.keyboard.press(']');
    await page.waitForFunction((h) => location.hash !== h, h);
    await page.keyboard.press('[');
    await page.waitForFunction((h) => location.hash === h, h);
    await page.keyboard.press('o');
    await page.waitForSelector('#pair-table');
  });
  await check('a story shows its members on a timeline and arrows from source to copy', async () => {
    await go(page, '#/story/1');
    const g = await page.evaluate(() => ({
      nodes: document.querySelectorAll('svg.graph a.node').length,
      edges: document.querySelectorAll('svg.graph a[data-pair]').length,
      arrows: document.querySelectorAll('svg.graph path[marker-end]').length,
      rows: document.querySelectorAll('#member-table tbody tr').length,
      first: document.querySelector('#member-table tbody tr td').textContent,
    }));
    assert(g.nodes === 6 && g.rows === 6, JSON.stringify(g));
    /* each copy from its earliest source (the wire), and the exact twins,
     * which name no source, as a line */
    assert(g.edges === 4 && g.arrows === 3, JSON.stringify(g));
    assert(g.first === '2026-03-02', g.first);
    await shot(page, 'story');
    await page.check('input[name=all-pairs]');
    const all = await page.evaluate(() => [document.querySelectorAll('svg.graph a[data-pair]').length,
      document.querySelectorAll('svg.graph path[marker-end]').length]);
    assert(all[0] === 10 && all[1] === 9, 'every pair: ' + all);
  });
  await check('a document lists its sources with their shares, like a similarity report', async () => {
    const n = await page.evaluate(() => JSON.parse(document.getElementById('reprint-data').textContent)
      .documents.findIndex((d) => d.id === 'review-feature'));
    await go(page, '#/doc/' + n);
    const r = await page.evaluate(() => ({
      sim: document.querySelector('#similarity b').textContent,
      rows: [...document.querySelectorAll('#source-table tbody tr')].map((t) => t.textContent),
      marks: document.querySelectorAll('#doc-text mark').length,
    }));
    assert(r.rows.length === 4 && /^\d+(\.\d)?%$/.test(r.sim) && r.marks > 0, JSON.stringify(r));
    assert(r.rows[0].includes('its source') || r.rows[0].includes('unknown'), r.rows[0]);
    await shot(page, 'document');
  });
  assert(!page.errors.length, page.errors.join(' | '));
  await page.close();
}

/* -------------------------------------- a spun copy, and hostile text */
{
  const page = await open(pages.fixture);
  await check('a spun copy: the swapped words marked spun, the others changed', async () => {
    await go(page, '#/pair/0');
    const r = await page.evaluate(() => ({
      spunA: [...document.querySelectorAll('#pane-a span.w2')].map((s) => s.textContent),
      spunB: [...document.querySelectorAll('#pane-b span.w2')].map((s) => s.textContent),
      changed: [...document.querySelectorAll('#pane-a span.w1')].map((s) => s.textContent),
    }));
    assert(r.spunA.includes('said') && r.spunB.includes('stated') && r.spunB.includes('2'), JSON.stringify(r));
    assert(r.changed.includes('Drivers'), JSON.stringify(r.changed));
    await shot(page, 'spun');
  });
  await check('hostile text renders as text and runs nothing, in every view', async () => {
    const n = await page.evaluate(() => JSON.parse(document.getElementById('reprint-data').textContent).alignments.length);
    const views = ['#/', '#/stories', '#/docs'];
    for (let i = 0; i < n; i++) views.push('#/pair/' + i);
    for (let i = 0; i < 6; i++) views.push('#/doc/' + i);
    for (let i = 1; i <= 3; i++) views.push('#/story/' + i);
    for (const h of views) {
      await go(page, h);
      await page.mouse.move(200, 300);
      await page.mouse.move(900, 300);
      const r = await page.evaluate(() => ({
        pwned: window.__pwned,
        scripts: document.querySelectorAll('script').length,
        bad: document.querySelectorAll('img, iframe, object, embed, textarea, b:not(.card > b), [onerror], [onmouseover], a[href^="javascript"]').length,
      }));
      assert(r.pwned === undefined && r.scripts === 2 && r.bad === 0, h + ' ' + JSON.stringify(r));
    }
    const k = await page.evaluate(() => JSON.parse(document.getElementById('reprint-data').textContent)
      .alignments.findIndex((a) => a.b === '<b>tarn-post</b>' && a.a === 'tarn-wire'));
    await go(page, '#/pair/' + k);
    const text = await page.textContent('#pane-b');
    assert(text.includes('<script>window.__pwned = 1</script>') && text.includes('</textarea><img src=x onerror='), 'markup not shown as text');
    assert((await page.textContent('h2')).includes('<b>tarn-post</b>'), 'id not shown as text');
    const j = await page.evaluate(() => JSON.parse(document.getElementById('reprint-data').textContent)
      .alignments.findIndex((a) => a.b === 42));
    await go(page, '#/pair/' + j);
    await shot(page, 'hostile');
    assert(!page.errors.length, page.errors.join(' | '));
  });
  await page.close();
}

await browser.close();
console.log('# ' + passed + ' passed, ' + failed + ' failed; screenshots in ' + WORK);
process.exit(failed ? 1 : 0);
