/* report.js — draws reprint's HTML report from the JSON in
 * <script id="reprint-data"> (written by cli/view_html.c; its alignments
 * and stories are the library's own JSONL lines, as `reprint align` and
 * `reprint stories` print them).
 *
 * Views, one at a time, by the address's #fragment:
 *   #/                 overview: counts, coverage histogram, the pairs ranked
 *                      and filtered, paged
 *   #/pair/N           the two texts side by side, passages in colour
 *   #/stories, #/story/N   stories, who copies whom as a graph on a timeline
 *   #/docs, #/doc/N    documents, each with its sources and their shares
 *
 * Every text of the data goes into the page through textContent or
 * createTextNode, never as markup; links carry numbers only. */
(function () {
  'use strict';

  window.reprintStart = performance.now();
  const D = JSON.parse(document.getElementById('reprint-data').textContent);
  const app = document.getElementById('app');
  const SVGNS = 'http://www.w3.org/2000/svg';
  const PAGE = 100;
  const MARK_NAMES = ['identical', 'changed', 'spun (synonym, word form, number)', 'rewritten'];

  /* ---------------------------------------------------------- the data */

  const docs = D.documents.map((d, i) => Object.assign({ n: i, pairs: [] }, d));
  const stories = new Map();
  for (const s of D.stories) stories.set(s.story, s);
  const idText = (id) => (typeof id === 'string' ? id : JSON.stringify(id));
  const sameId = (x, y) => x !== null && y !== null && JSON.stringify(x) === JSON.stringify(y);

  const pairs = D.alignments.map((al, i) => {
    const a = docs[D.pair_docs[i][0]], b = docs[D.pair_docs[i][1]];
    const side = sameId(al.source, al.a) ? 'a' : sameId(al.source, al.b) ? 'b' : null;
    let longest = 0;
    const kinds = new Set();
    for (const p of al.passages) {
      longest = Math.max(longest, p.words);
      kinds.add(p.boilerplate ? 'boilerplate' : p.kind);
    }
    const story = a.story !== null && a.story === b.story ? a.story : null;
    const pr = {
      i, al, a, b, side, longest, kinds, story,
      marks: D.marks[i] || [],
      top: Math.max(al.coverage_a, al.coverage_b),
    };
    a.pairs.push(pr);
    b.pairs.push(pr);
    return pr;
  });

  /* A text as code points, made once: offsets are code points. */
  const cpCache = new Map();
  function codepoints(doc) {
    let c = cpCache.get(doc.n);
    if (!c) {
      c = Array.from(doc.text || '');
      cpCache.set(doc.n, c);
    }
    return c;
  }

  /* The share of a document inside passages of any pair (not boilerplate),
   * in code points of its text: what a similarity report calls its score. */
  function similarity(doc) {
    if (doc.sim !== undefined) return doc.sim;
    const spans = [];
    for (const pr of doc.pairs) {
      const s = pr.a === doc ? 'a' : 'b';
      for (const p of pr.al.passages) if (!p.boilerplate) spans.push(p[s]);
    }
    spans.sort((x, y) => x[0] - y[0]);
    let covered = 0, end = 0;
    for (const [s, e] of spans) {
      if (e <= end) continue;
      covered += e - Math.max(s, end);
      end = e;
    }
    const len = doc.text ? codepoints(doc).length : 0;
    doc.sim = len ? covered / len : 0;
    return doc.sim;
  }

  /* --------------------------------------------------------- DOM helpers */

  function el(tag, attrs, ...kids) {
    const e = document.createElement(tag);
    if (attrs) for (const k in attrs) {
      if (k === 'class') e.className = attrs[k];
      else if (k === 'text') e.textContent = attrs[k];
      else if (k.startsWith('on')) e.addEventListener(k.slice(2), attrs[k]);
      else if (k === 'style') e.setAttribute('style', attrs[k]);
      else e.setAttribute(k, attrs[k]);
    }
    for (const c of kids) if (c !== null && c !== undefined) e.append(c instanceof Node ? c : String(c));
    return e;
  }
  function svg(tag, attrs, ...kids) {
    const e = document.createElementNS(SVGNS, tag);
    for (const k in attrs || {}) e.setAttribute(k, attrs[k]);
    for (const c of kids) if (c) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
    return e;
  }
  const pct = (x) => (100 * x).toFixed(x >= 0.995 || x === 0 ? 0 : 1) + '%';
  const link = (hash, ...kids) => el('a', { href: hash }, ...kids);
  const badge = (name) => el('span', { class: 'badge ' + name, text: name.replace('_', ' ') });
  const docLink = (d) => link('#/doc/' + d.n, el('span', { class: 'id', text: idText(d.id) }));
  const colour = (k) => 'hsl(' + ((k * 137.508 + 200) % 360).toFixed(1) + ' 75% 84%)';
  function dateOf(d) {
    return d.date === null || d.date === undefined ? null : String(d.date);
  }

  /* ------------------------------------------------------------ frame */

  function frame(active) {
    app.textContent = '';
    const nav = el('nav', null,
      link('#/', 'Pairs'), link('#/stories', 'Stories'), link('#/docs', 'Documents'));
    for (const a of nav.children) if (a.getAttribute('href') === active) a.className = 'on';
    const head = el('header', { class: 'top' }, el('h1', { text: D.title }), nav,
      el('span', { class: 'keys', text: 'keys: j/k passage, ]/[ pair, o overview' }));
    const main = el('main');
    app.append(head, main);
    document.title = D.title;
    return main;
  }

  /* --------------------------------------------------------- overview */

  const filt = { relation: '', kind: '', cover: 0, words: 0, source: '', story: '', q: '', sort: 'cover', page: 0 };
  let current = pairs;  /* the filtered, sorted list: what ]/[ walk */

  function applyFilters() {
    const q = filt.q.trim().toLowerCase();
    let list = pairs.filter((pr) => {
      if (filt.relation && pr.al.relation !== filt.relation) return false;
      if (filt.kind && !pr.kinds.has(filt.kind)) return false;
      if (pr.top * 100 < filt.cover) return false;
      if (pr.longest < filt.words) return false;
      if (filt.source === 'named' && !pr.side) return false;
      if (filt.source === 'none' && pr.side) return false;
      if (filt.story === 'none' && pr.story !== null) return false;
      if (filt.story && filt.story !== 'none' && String(pr.story) !== filt.story) return false;
      if (q) {
        const hay = (d) => idText(d.id).toLowerCase().includes(q) || (d.text || '').toLowerCase().includes(q);
        if (!hay(pr.a) && !hay(pr.b)) return false;
      }
      return true;
    });
    if (filt.sort === 'cover') list.sort((x, y) => y.top - x.top || x.i - y.i);
    else if (filt.sort === 'words') list.sort((x, y) => y.longest - x.longest || x.i - y.i);
    current = list;
    return list;
  }

  function histogram(onPick) {
    const bins = new Array(10).fill(0);
    for (const pr of pairs) bins[Math.min(9, Math.floor(pr.top * 10))]++;
    const max = Math.max(1, ...bins), W = 420, H = 120, bw = W / 10;
    const s = svg('svg', { width: W, height: H + 30, viewBox: '0 0 ' + W + ' ' + (H + 30), role: 'img', 'aria-label': 'pairs by coverage' });
    bins.forEach((n, k) => {
      const h = Math.round((H - 14) * n / max);
      /* the whole column takes the click, an empty bin's too */
      const g = svg('g', { class: 'hbin', 'data-bin': k },
        svg('rect', { class: 'hhit', x: k * bw, y: 0, width: bw, height: H + 18 }),
        svg('rect', { class: 'hbar', x: k * bw + 2, y: H - h, width: bw - 4, height: Math.max(h, n ? 1 : 0) }),
        svg('text', { x: k * bw + bw / 2, y: H - h - 3, 'text-anchor': 'middle' }, n ? String(n) : ''),
        svg('text', { x: k * bw + bw / 2, y: H + 14, 'text-anchor': 'middle' }, k * 10 + '%'),
        svg('title', null, n + ' pairs with coverage ' + k * 10 + '-' + (k + 1) * 10 + '%: click to keep ' + k * 10 + '% and up'));
      g.addEventListener('click', () => onPick(k * 10));
      s.append(g);
    });
    s.append(svg('text', { x: W / 2, y: H + 28, 'text-anchor': 'middle' }, 'pairs by coverage (the larger of the two); click a bar to keep those above'));
    return s;
  }

  function select(name, options, value, onchange) {
    const s = el('select', { name, onchange: (e) => onchange(e.target.value) });
    for (const [v, label] of options) {
      const o = el('option', { value: v, text: label });
      if (v === value) o.selected = true;
      s.append(o);
    }
    return s;
  }

  function overview() {
    const main = frame('#/');
    const inPairs = docs.filter((d) => d.pairs.length).length;
    const passages = pairs.reduce((n, pr) => n + pr.al.passages.length, 0);
    main.append(el('div', { class: 'cards' },
      el('div', { class: 'card' }, el('b', { text: D.documents_read }), el('span', { text: 'documents read' })),
      el('div', { class: 'card' }, el('b', { text: inPairs }), el('span', { text: 'documents in pairs shown' })),
      el('div', { class: 'card' }, el('b', { text: D.pairs_total }), el('span', { text: 'pairs sharing a passage' })),
      el('div', { class: 'card' }, el('b', { text: passages }), el('span', { text: 'passages shown' })),
      el('div', { class: 'card' }, el('b', { text: D.stories_total }), el('span', { text: 'stories' }))));
    if (D.pairs_total > pairs.length)
      main.append(el('p', { class: 'note warn', id: 'cut', text: 'Showing the ' + pairs.length + ' pairs of highest coverage of ' + D.pairs_total + '; the other ' + (D.pairs_total - pairs.length) + ' were cut by --max-pairs.' }));
    if (D.stories_note) main.append(el('p', { class: 'note warn', text: D.stories_note }));
    if (D.from) main.append(el('p', { class: 'note', text: 'Pairs read from ' + D.from + '.' }));
    main.append(histogram((lo) => { filt.cover = lo; filt.page = 0; overview(); }));

    const rel = [['', 'any relation']], kinds = [['', 'any passage kind']], st = [['', 'any story'], ['none', 'no story']];
    for (const r of new Set(pairs.map((p) => p.al.relation))) rel.push([r, r.replace('_', ' ')]);
    const ks = new Set();
    for (const p of pairs) for (const k of p.kinds) ks.add(k);
    for (const k of ks) kinds.push([k, k]);
    for (const s of D.stories) st.push([String(s.story), 'story ' + s.story + ': ' + s.terms.slice(0, 3).join(', ')]);
    const rerender = () => { filt.page = 0; drawTable(); };
    const q = el('input', { type: 'search', name: 'q', placeholder: 'id or text', value: filt.q });
    q.addEventListener('input', () => { filt.q = q.value; rerender(); });
    const cover = el('input', { type: 'range', name: 'cover', min: 0, max: 100, step: 5, value: filt.cover });
    const coverOut = el('span', { text: filt.cover + '%' });
    cover.addEventListener('input', () => { filt.cover = +cover.value; coverOut.textContent = filt.cover + '%'; rerender(); });
    const words = el('input', { type: 'number', name: 'words', min: 0, value: filt.words });
    words.addEventListener('input', () => { filt.words = +words.value || 0; rerender(); });
    main.append(el('div', { class: 'filters' },
      el('label', null, 'search', q),
      el('label', null, select('relation', rel, filt.relation, (v) => { filt.relation = v; rerender(); })),
      el('label', null, select('kind', kinds, filt.kind, (v) => { filt.kind = v; rerender(); })),
      el('label', null, 'coverage ≥', cover, coverOut),
      el('label', null, 'longest passage ≥', words, 'words'),
      el('label', null, select('source', [['', 'source: any'], ['named', 'source named'], ['none', 'source unknown']], filt.source, (v) => { filt.source = v; rerender(); })),
      el('label', null, select('story', st, filt.story, (v) => { filt.story = v; rerender(); })),
      el('label', null, 'sort', select('sort', [['cover', 'by coverage'], ['words', 'by longest passage'], ['order', 'in input order']], filt.sort, (v) => { filt.sort = v; rerender(); }))));
    const holder = el('div', { id: 'pairs' });
    main.append(holder);

    function drawTable() {
      const list = applyFilters();
      holder.textContent = '';
      const pages = Math.max(1, Math.ceil(list.length / PAGE));
      filt.page = Math.min(filt.page, pages - 1);
      const from = filt.page * PAGE, shown = list.slice(from, from + PAGE);
      const pager = el('div', { class: 'pager' },
        el('span', { id: 'count', text: list.length + ' of ' + pairs.length + ' pairs' + (list.length > PAGE ? ', ' + (from + 1) + '-' + (from + shown.length) : '') }),
        filt.page > 0 ? el('a', { onclick: () => { filt.page--; drawTable(); } }, '← previous') : null,
        filt.page < pages - 1 ? el('a', { onclick: () => { filt.page++; drawTable(); } }, 'next →') : null);
      holder.append(pager);
      if (!list.length) {
        holder.append(el('p', { class: 'empty', text: pairs.length ? 'No pair matches these filters.' : 'No two documents share a passage.' }));
        return;
      }
      const tb = el('tbody');
      for (const pr of shown) {
        const al = pr.al;
        const src = pr.side ? el('span', null, docLink(pr.side === 'a' ? pr.a : pr.b), el('span', { class: 't', text: ' (' + al.source_evidence + ')' })) : el('span', { class: 't', text: '—' });
        tb.append(el('tr', { class: 'row', 'data-pair': pr.i, onclick: (e) => { if (e.target.closest('a')) return; location.hash = '#/pair/' + pr.i; } },
          el('td', null, link('#/pair/' + pr.i, el('span', { class: 'id', text: idText(al.a) })), el('div', { class: 't', text: pr.a.title || '' })),
          el('td', null, link('#/pair/' + pr.i, el('span', { class: 'id', text: idText(al.b) })), el('div', { class: 't', text: pr.b.title || '' })),
          el('td', null, badge(al.relation)),
          el('td', { class: 'num' }, el('span', { class: 'bar', style: 'width:' + (al.coverage_a * 40).toFixed(0) + 'px' }), pct(al.coverage_a)),
          el('td', { class: 'num' }, el('span', { class: 'bar', style: 'width:' + (al.coverage_b * 40).toFixed(0) + 'px' }), pct(al.coverage_b)),
          el('td', { class: 'num', text: al.passages.length }),
          el('td', { class: 'num', text: pr.longest }),
          el('td', null, ...[...pr.kinds].map(badge)),
          el('td', null, src),
          el('td', null, pr.story !== null ? link('#/story/' + pr.story, 'story ' + pr.story) : '')));
      }
      holder.append(el('table', { id: 'pair-table' },
        el('thead', null, el('tr', null, ...['a', 'b', 'relation', 'coverage a', 'coverage b', 'passages', 'longest', 'kinds', 'likely source', 'story'].map((h, k) => el('th', { class: k >= 3 && k <= 6 ? 'num' : '', text: h })))),
        tb));
    }
    drawTable();
  }

  /* ----------------------------------------------------------- a pair */

  /* One side's text, with the pair's passages marked in their colours and
   * the words inside them marked by how they differ. */
  function drawText(doc, pr, s) {
    const pane = el('div', { class: 'pane', id: 'pane-' + s, tabindex: 0 });
    if (doc.text === null || doc.text === undefined) {
      pane.append(el('span', { class: 't', text: '(text not available)' }));
      return pane;
    }
    const cps = codepoints(doc);
    const str = (x, y) => document.createTextNode(cps.slice(x, y).join(''));
    const ps = pr.al.passages.map((p, k) => ({ p, k })).sort((x, y) => x.p[s][0] - y.p[s][0]);
    let at = 0;
    for (const { p, k } of ps) {
      const [st, en] = p[s];
      if (st < at) continue; /* never overlapping; a corrupt file is drawn as far as it can be */
      if (st > at) pane.append(str(at, st));
      const m = el('mark', { class: 'p' + (p.boilerplate ? ' bp' : ''), 'data-p': k, style: '--c:' + colour(k), title: 'passage ' + (k + 1) + ': ' + p.kind + ', ' + p.words + ' words, identity ' + pct(p.identity) });
      const marks = (pr.marks[k] && pr.marks[k][s]) || [];
      let w = st;
      for (let i = 0; i + 2 < marks.length; i += 3) {
        const ws = marks[i], we = marks[i + 1], kind = marks[i + 2];
        if (ws < w || we > en) continue;
        if (ws > w) m.append(str(w, ws));
        m.append(el('span', { class: 'w' + kind, title: MARK_NAMES[kind] || '' }, str(ws, we)));
        w = we;
      }
      if (w < en) m.append(str(w, en));
      m.addEventListener('click', () => goPassage(k, s));
      pane.append(m);
      at = en;
    }
    if (at < cps.length) pane.append(str(at, cps.length));
    return pane;
  }

  let passageAt = -1;
  function goPassage(k, from) {
    const rows = document.querySelectorAll('#passage-table tr[data-p]');
    if (!rows.length) return;
    passageAt = k;
    for (const s of ['a', 'b']) {
      const pane = document.getElementById('pane-' + s);
      const m = pane && pane.querySelector('mark[data-p="' + k + '"]');
      for (const c of pane ? pane.querySelectorAll('mark.cur') : []) c.classList.remove('cur');
      if (!m) continue;
      m.classList.add('cur');
      m.classList.remove('flash');
      void m.offsetWidth; /* restart the animation */
      m.classList.add('flash');
      /* the side clicked stays; the other (or both, from the table or keys) scrolls */
      if (s !== from) pane.scrollTop = Math.max(0, m.offsetTop - pane.clientHeight / 3);
    }
    for (const r of rows) r.classList.toggle('sel', +r.dataset.p === k);
  }

  /* What ]/[ walk from a pair: the overview's list, filtered and sorted,
   * when the pair is in it; else all pairs in output order. */
  const walkList = (pr) => (current.includes(pr) ? current : pairs);

  function pairView(i) {
    const pr = pairs[i];
    const main = frame('');
    if (!pr) {
      main.append(el('p', { class: 'empty', text: 'No pair ' + i + ' in this report.' }));
      return;
    }
    const al = pr.al;
    const list = walkList(pr), pos = list.indexOf(pr);
    const prev = pos > 0 ? list[pos - 1] : null, next = pos + 1 < list.length ? list[pos + 1] : null;
    main.append(el('div', { class: 'pairhead' },
      link('#/', '← pairs'),
      prev ? link('#/pair/' + prev.i, '[ previous pair') : null,
      next ? link('#/pair/' + next.i, 'next pair ]') : null,
      el('span', { class: 't', text: 'pair ' + (pos + 1) + ' of ' + list.length + (list === current ? ' listed' : ' (not in the filtered list: all pairs)') })));
    main.append(el('h2', null, el('span', { class: 'id', text: idText(al.a) }), ' and ', el('span', { class: 'id', text: idText(al.b) }), ' ', badge(al.relation)));
    const srcText = pr.side
      ? el('span', null, 'likely source: ', docLink(pr.side === 'a' ? pr.a : pr.b), el('span', { class: 't', text: ' (by ' + al.source_evidence + ')' }))
      : el('span', { class: 't', text: 'likely source: not known from the evidence' });
    main.append(el('p', null, pct(al.coverage_a) + ' of a and ' + pct(al.coverage_b) + ' of b in ' + al.passages.length + ' shared passage' + (al.passages.length === 1 ? '' : 's') + '. ', srcText,
      pr.story !== null ? el('span', null, ' · ', link('#/story/' + pr.story, 'story ' + pr.story)) : null));
    main.append(el('div', { class: 'legend' },
      el('span', { class: 'lgp', text: 'shared passage' }), el('span', { text: 'identical word' }),
      el('span', { class: 'lg1', text: 'changed word' }), el('span', { class: 'lg2', text: 'spun word' }),
      el('span', { class: 'lg3', text: 'rewritten word' }), el('span', { class: 'lgb', text: 'boilerplate' }),
      el('span', { text: 'click a passage to find it on the other side' })));
    const side = (s, d) => el('div', { class: 'side' },
      el('h3', null, s + ': ', docLink(d), ' ', el('span', { class: 't', text: [d.where, dateOf(d)].filter(Boolean).join(' · ') })),
      drawText(d, pr, s));
    main.append(el('div', { class: 'sides' }, side('a', pr.a), side('b', pr.b)));
    const tb = el('tbody');
    al.passages.forEach((p, k) => {
      tb.append(el('tr', { class: 'row', 'data-p': k, onclick: () => goPassage(k, null) },
        el('td', null, el('span', { class: 'swatch', style: '--c:' + colour(k) }), String(k + 1)),
        el('td', { class: 'num', text: p.a[0] + '–' + p.a[1] }),
        el('td', { class: 'num', text: p.b[0] + '–' + p.b[1] }),
        el('td', { class: 'num', text: p.words }),
        el('td', { class: 'num', text: pct(p.identity) }),
        el('td', null, badge(p.kind), p.boilerplate ? badge('boilerplate') : null)));
    });
    main.append(el('h2', { text: 'Passages' }),
      el('table', { id: 'passage-table' }, el('thead', null, el('tr', null,
        ...['#', 'a (code points)', 'b (code points)', 'words', 'identity', 'kind'].map((h, k) => el('th', { class: k >= 1 && k <= 4 ? 'num' : '', text: h })))), tb));
    passageAt = -1;
  }

  /* ---------------------------------------------------------- stories */

  function storiesView() {
    const main = frame('#/stories');
    main.append(el('h2', { text: D.stories_total + ' stor' + (D.stories_total === 1 ? 'y' : 'ies') + ' of two or more documents' }));
    if (D.stories_note) main.append(el('p', { class: 'note warn', text: D.stories_note }));
    if (D.stories_total > D.stories.length) main.append(el('p', { class: 'note warn', text: 'The ' + D.stories.length + ' largest are listed.' }));
    if (!D.stories.length) return main.append(el('p', { class: 'empty', text: 'No stories.' }));
    const tb = el('tbody');
    for (const s of D.stories) {
      const within = pairs.filter((p) => p.story === s.story).length;
      tb.append(el('tr', { class: 'row', onclick: () => { location.hash = '#/story/' + s.story; } },
        el('td', null, link('#/story/' + s.story, 'story ' + s.story)),
        el('td', { class: 'num', text: s.members.length }),
        el('td', { class: 'num', text: within }),
        el('td', { text: s.terms.join(', ') })));
    }
    main.append(el('table', { id: 'story-table' }, el('thead', null, el('tr', null,
      el('th', { text: 'story' }), el('th', { class: 'num', text: 'documents' }), el('th', { class: 'num', text: 'pairs within' }), el('th', { text: 'terms' }))), tb));
  }

  /* Who copies whom: members along time (their dates, else input order),
   * an arrow from the likely source to each copy, labelled with the
   * relation and the share of the copy taken; a line where the source is
   * not known. */
  /* Each copy's one likely source: of the pairs that name a source for it,
   * the source earliest in the story (then the larger share taken): the
   * tree of who copied whom, without the edges that follow from it (a copy
   * of a copy shares text with the original too). Pairs without a source
   * stay, as lines. */
  function sourceTree(within, rank) {
    const best = new Map();
    for (const pr of within) {
      if (!pr.side) continue;
      const src = pr.side === 'a' ? pr.a : pr.b, copy = pr.side === 'a' ? pr.b : pr.a;
      const share = pr.al[pr.side === 'a' ? 'coverage_b' : 'coverage_a'];
      const cur = best.get(copy.n);
      if (!cur || rank.get(src.n) < cur.r || (rank.get(src.n) === cur.r && share > cur.share))
        best.set(copy.n, { pr, r: rank.get(src.n), share });
    }
    return within.filter((pr) => !pr.side || [...best.values()].some((b) => b.pr === pr));
  }

  function storyGraph(members, within) {
    const dated = members.filter((d) => dateOf(d) !== null).length === members.length;
    const order = members.slice().sort((x, y) => (dated ? dateOf(x).localeCompare(dateOf(y)) : 0) || x.n - y.n);
    const W = Math.max(560, order.length * 130), rows = Math.min(3, order.length), H = 100 + rows * 80;
    const at = new Map(), rank = new Map();
    order.forEach((d, k) => rank.set(d.n, k));
    if (!storyAll) within = sourceTree(within, rank);
    order.forEach((d, k) => at.set(d.n, { x: 60 + k * (W - 120) / Math.max(1, order.length - 1), y: 50 + (k % rows) * 80 }));
    if (order.length === 1) at.get(order[0].n).x = W / 2;
    const s = svg('svg', { class: 'graph', viewBox: '0 0 ' + W + ' ' + H, height: H, role: 'img', 'aria-label': 'who copies whom' });
    s.append(svg('defs', null, svg('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 10, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' }, svg('path', { d: 'M0,0 L10,5 L0,10 z', fill: '#6b7890' }))));
    s.append(svg('line', { class: 'axis', x1: 30, y1: H - 30, x2: W - 30, y2: H - 30 }));
    s.append(svg('text', { x: 30, y: H - 12 }, dated ? 'earlier' : 'input order'), svg('text', { x: W - 30, y: H - 12, 'text-anchor': 'end' }, dated ? 'later' : ''));
    for (const pr of within) {
      const src = pr.side === 'a' ? pr.a : pr.side === 'b' ? pr.b : null;
      const from = at.get((src || pr.a).n), to = at.get((src === pr.b ? pr.a : pr.b).n);
      const copy = src === pr.a ? 'b' : 'a';
      const dx = to.x - from.x, dy = to.y - from.y, len = Math.hypot(dx, dy) || 1;
      const r = 16, x1 = from.x + dx / len * r, y1 = from.y + dy / len * r, x2 = to.x - dx / len * (r + 2), y2 = to.y - dy / len * (r + 2);
      const mx = (x1 + x2) / 2 - dy / len * 18, my = (y1 + y2) / 2 + dx / len * 18;
      const path = svg('path', { class: 'edge' + (src ? '' : ' undirected') + (pr.al.relation === 'spun' ? ' spun' : ''), d: 'M' + x1 + ',' + y1 + ' Q' + mx + ',' + my + ' ' + x2 + ',' + y2 });
      if (src) path.setAttribute('marker-end', 'url(#arrow)');
      const label = pr.al.relation.replace('_', ' ') + ' ' + pct(src ? pr.al['coverage_' + copy] : pr.top);
      const a = svg('a', { href: '#/pair/' + pr.i, 'data-pair': pr.i }, path,
        svg('title', null, (src ? idText(src.id) + ' → ' + idText((src === pr.a ? pr.b : pr.a).id) : idText(pr.a.id) + ' — ' + idText(pr.b.id)) + ': ' + label),
        svg('text', { x: mx, y: my, 'text-anchor': 'middle' }, label));
      s.append(a);
    }
    order.forEach((d, k) => {
      const p = at.get(d.n);
      const name = idText(d.id);
      s.append(svg('a', { href: '#/doc/' + d.n, class: 'node' + (k === 0 ? ' first' : '') },
        svg('circle', { cx: p.x, cy: p.y, r: 16 }),
        svg('text', { x: p.x, y: p.y + 4, 'text-anchor': 'middle' }, String(k + 1)),
        svg('text', { x: p.x, y: p.y + 31, 'text-anchor': 'middle' }, name.length > 22 ? name.slice(0, 20) + '…' : name),
        dateOf(d) ? svg('text', { x: p.x, y: p.y + 44, 'text-anchor': 'middle', class: 'date' }, dateOf(d).slice(0, 24)) : null,
        svg('title', null, name + (dateOf(d) ? ' · ' + dateOf(d) : ''))));
    });
    return s;
  }

  let storyAll = false;
  function storyView(n) {
    const main = frame('#/stories');
    const s = stories.get(n);
    if (!s) return main.append(el('p', { class: 'empty', text: 'No story ' + n + ' in this report.' }));
    const members = docs.filter((d) => d.story === n);
    const within = pairs.filter((p) => p.story === n);
    main.append(el('h2', { text: 'Story ' + n + ': ' + s.terms.join(', ') }));
    main.append(el('p', { class: 'note', text: members.length + ' documents; ' + within.length + ' pairs of them share passages. Arrows run from the likely source to its copy; a dashed line where the evidence names no source.' }));
    const all = el('input', { type: 'checkbox', name: 'all-pairs' });
    all.checked = storyAll;
    all.addEventListener('change', () => { storyAll = all.checked; storyView(n); });
    main.append(el('label', { class: 'note' }, all, ' every pair (not only each copy\'s likely source)'));
    main.append(storyGraph(members, within));
    const tb = el('tbody');
    const byTime = members.slice().sort((x, y) => (dateOf(x) || '').localeCompare(dateOf(y) || '') || x.n - y.n);
    byTime.forEach((d) => {
      const takes = within.filter((p) => p.side && (p.side === 'a' ? p.b : p.a) === d);
      const gives = within.filter((p) => p.side && (p.side === 'a' ? p.a : p.b) === d);
      tb.append(el('tr', null,
        el('td', { text: dateOf(d) || '' }),
        el('td', null, docLink(d), el('div', { class: 't', text: d.title || '' })),
        el('td', { class: 't', text: d.where || '' }),
        el('td', null, ...gives.map((p) => el('div', null, '→ ', link('#/pair/' + p.i, idText((p.side === 'a' ? p.b : p.a).id)), ' ' + pct(p.al['coverage_' + (p.side === 'a' ? 'b' : 'a')])))),
        el('td', null, ...takes.map((p) => el('div', null, '← ', link('#/pair/' + p.i, idText((p.side === 'a' ? p.a : p.b).id)), ' ' + p.al.relation.replace('_', ' '))))));
    });
    main.append(el('h2', { text: 'Timeline' }), el('table', { id: 'member-table' }, el('thead', null, el('tr', null,
      ...['date', 'document', 'where', 'copied by (share of the copy)', 'copies from'].map((h) => el('th', { text: h })))), tb));
  }

  /* -------------------------------------------------------- documents */

  function docsView() {
    const main = frame('#/docs');
    const list = docs.filter((d) => d.pairs.length).sort((x, y) => similarity(y) - similarity(x) || x.n - y.n);
    main.append(el('h2', { text: list.length + ' documents in the pairs shown' }));
    const tb = el('tbody');
    for (const d of list.slice(0, 2000)) {
      tb.append(el('tr', { class: 'row', onclick: (e) => { if (!e.target.closest('a')) location.hash = '#/doc/' + d.n; } },
        el('td', null, docLink(d), el('div', { class: 't', text: d.title || '' })),
        el('td', { class: 'num' }, el('span', { class: 'bar', style: 'width:' + (similarity(d) * 60).toFixed(0) + 'px' }), pct(similarity(d))),
        el('td', { class: 'num', text: d.pairs.length }),
        el('td', { text: dateOf(d) || '' }),
        el('td', null, d.story !== null ? link('#/story/' + d.story, 'story ' + d.story) : '')));
    }
    main.append(el('table', { id: 'doc-table' }, el('thead', null, el('tr', null,
      el('th', { text: 'document' }), el('th', { class: 'num', text: 'shared with others' }), el('th', { class: 'num', text: 'pairs' }), el('th', { text: 'date' }), el('th', { text: 'story' }))), tb));
  }

  /* Like a similarity report: the share of the document found elsewhere,
   * then every document it shares text with, largest share first, and the
   * text with each one's passages in its colour. */
  function docView(n) {
    const main = frame('#/docs');
    const d = docs[n];
    if (!d) return main.append(el('p', { class: 'empty', text: 'No document ' + n + ' in this report.' }));
    main.append(el('h2', null, el('span', { class: 'id', text: idText(d.id) })));
    main.append(el('p', { class: 't', text: [d.where, dateOf(d), d.title].filter(Boolean).join(' · ') }));
    if (d.story !== null) main.append(el('p', null, 'Reports ', link('#/story/' + d.story, 'story ' + d.story), '.'));
    if (!d.pairs.length) return main.append(el('p', { class: 'empty', text: 'Shares no passage with another document shown.' }));
    main.append(el('div', { class: 'cards' }, el('div', { class: 'card', id: 'similarity' }, el('b', { text: pct(similarity(d)) }), el('span', { text: 'of its text found in other documents' }))));
    const rows = d.pairs.map((p) => {
      const me = p.a === d ? 'a' : 'b', other = me === 'a' ? p.b : p.a;
      const role = !p.side ? 'unknown' : (p.side === me ? 'copied by it' : 'its source');
      return { p, other, share: p.al['coverage_' + me], role };
    }).sort((x, y) => y.share - x.share || x.p.i - y.p.i);
    const tb = el('tbody');
    rows.forEach((r, k) => tb.append(el('tr', { class: 'row', onclick: (e) => { if (!e.target.closest('a')) location.hash = '#/pair/' + r.p.i; } },
      el('td', null, el('span', { class: 'swatch', style: '--c:' + colour(k) }), docLink(r.other)),
      el('td', { class: 'num' }, el('span', { class: 'bar', style: 'width:' + (r.share * 60).toFixed(0) + 'px' }), pct(r.share)),
      el('td', null, badge(r.p.al.relation)),
      el('td', { text: r.role }),
      el('td', null, link('#/pair/' + r.p.i, 'side by side')))));
    main.append(el('table', { id: 'source-table' }, el('thead', null, el('tr', null,
      el('th', { text: 'shares text with' }), el('th', { class: 'num', text: 'share of this document' }), el('th', { text: 'relation' }), el('th', { text: 'direction' }), el('th', { text: '' }))), tb));
    if (d.text === null) return;
    /* each stretch in the colour of the largest sharer that covers it */
    const cps = codepoints(d), owner = new Int32Array(cps.length).fill(-1);
    rows.forEach((r, k) => {
      const me = r.p.a === d ? 'a' : 'b';
      for (const p of r.p.al.passages) {
        if (p.boilerplate) continue;
        for (let c = p[me][0]; c < p[me][1] && c < cps.length; c++) if (owner[c] < 0) owner[c] = k;
      }
    });
    const pane = el('div', { class: 'pane', id: 'doc-text' });
    for (let c = 0; c < cps.length;) {
      let e = c;
      while (e < cps.length && owner[e] === owner[c]) e++;
      const t = document.createTextNode(cps.slice(c, e).join(''));
      pane.append(owner[c] < 0 ? t : el('mark', { class: 'p', style: '--c:' + colour(owner[c]), title: idText(rows[owner[c]].other.id) }, t));
      c = e;
    }
    main.append(el('h2', { text: 'Text' }), pane);
  }

  /* ---------------------------------------------------------- routing */

  function route() {
    const h = location.hash || '#/';
    let m;
    if ((m = /^#\/pair\/(\d+)$/.exec(h))) pairView(+m[1]);
    else if (h === '#/stories') storiesView();
    else if ((m = /^#\/story\/(\d+)$/.exec(h))) storyView(+m[1]);
    else if (h === '#/docs') docsView();
    else if ((m = /^#\/doc\/(\d+)$/.exec(h))) docView(+m[1]);
    else overview();
    window.scrollTo(0, 0);
  }

  document.addEventListener('keydown', (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey || /^(INPUT|SELECT|TEXTAREA)$/.test(e.target.tagName)) return;
    const m = /^#\/pair\/(\d+)$/.exec(location.hash);
    if (m && (e.key === 'j' || e.key === 'n' || e.key === 'k' || e.key === 'p')) {
      const n = pairs[+m[1]] ? pairs[+m[1]].al.passages.length : 0;
      if (!n) return;
      const fwd = e.key === 'j' || e.key === 'n';
      goPassage(passageAt < 0 ? (fwd ? 0 : n - 1) : (passageAt + (fwd ? 1 : n - 1)) % n, null);
      e.preventDefault();
    } else if (m && (e.key === ']' || e.key === '[')) {
      const list = walkList(pairs[+m[1]]);
      const to = list[list.indexOf(pairs[+m[1]]) + (e.key === ']' ? 1 : -1)];
      if (to) location.hash = '#/pair/' + to.i;
    } else if (!m && e.key === ']' && current.length && (location.hash === '' || location.hash === '#/')) {
      location.hash = '#/pair/' + current[0].i;
    } else if (e.key === 'o' || e.key === 'Escape') {
      location.hash = '#/';
    }
  });
  window.addEventListener('hashchange', route);
  applyFilters();
  route();
  document.documentElement.dataset.ready = '1';
  window.reprintReady = performance.now();
})();
