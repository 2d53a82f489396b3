// Storefront demo: no framework, just the Feed API. Clicks go to POST /v1/events; the strip polls
// GET /v1/feeds/s:<session> and redraws when the engine wrote a new list.
const POLL_MS = 200;
const OPS_MS = 2000;
const state = { key: '', session: '', catalog: { categories: [] }, categoryOf: new Map(), recommendationId: '', clickedAt: 0, generatedAt: 0, seq: 0 };

const $ = (id) => document.getElementById(id);
const hue = (id) => [...id].reduce((h, c) => (h * 31 + c.charCodeAt(0)) % 360, 7);
const swatch = (id) => `<span class="swatch" style="background:hsl(${hue(id)} 45% 70%)"></span>`;
const escape = (text) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const headers = () => ({ 'content-type': 'application/json', 'x-api-key': state.key });

function sessionId() {
  const stored = sessionStorage.getItem('streamrec-session');
  if (stored) return stored;
  const fresh = `web-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  sessionStorage.setItem('streamrec-session', fresh);
  return fresh;
}

async function send(events) {
  const response = await fetch('/v1/events', { method: 'POST', headers: headers(), body: JSON.stringify(events), keepalive: true });
  if (!response.ok) console.warn('events refused', response.status, await response.text());
}

function event(type, item, extra = {}) {
  state.seq += 1;
  const category = state.categoryOf.get(item);
  return { event_id: `${state.session}-${state.seq}`, type, ts: Date.now(), session_id: state.session, item_id: item, ...(category ? { category_id: category } : {}), device: 'web', ...extra };
}

async function view(item, fromList) {
  state.clickedAt = performance.now();
  document.querySelectorAll(`.product[data-item="${CSS.escape(item)}"]`).forEach((el) => el.classList.add('viewed'));
  const batch = fromList ? [event('click', item, { recommendation_id: fromList }), event('view', item)] : [event('view', item)];
  await send(batch);
}

function renderCategories() {
  const nav = $('categories');
  nav.innerHTML = state.catalog.categories
    .map((c, i) => `<button type="button" data-category="${escape(c.category_id)}" aria-pressed="${i === 0}">Category ${escape(c.category_id)}</button>`)
    .join('');
  nav.onclick = (e) => {
    const button = e.target.closest('button');
    if (!button) return;
    nav.querySelectorAll('button').forEach((b) => b.setAttribute('aria-pressed', String(b === button)));
    renderGrid(button.dataset.category);
  };
  renderGrid(state.catalog.categories[0]?.category_id);
}

function renderGrid(categoryId) {
  const category = state.catalog.categories.find((c) => c.category_id === categoryId);
  $('grid').innerHTML = (category?.items ?? [])
    .map((item) => `<button type="button" class="product" data-item="${escape(item)}">${swatch(item)}Item ${escape(item)}<br><span class="muted">category ${escape(categoryId)}</span></button>`)
    .join('');
}

function renderStrip(feed) {
  const strip = $('strip');
  strip.dataset.recommendationId = feed.recommendation_id;
  $('recs-variant').textContent = `variant ${feed.variant}`;
  strip.innerHTML = feed.items
    .map(
      (item) =>
        `<li class="fresh" data-item="${escape(item.item_id)}" data-reason="${escape(item.reason.type)}">${swatch(item.item_id)}Item ${escape(item.item_id)}<span class="reason">${escape(item.reason.text)}</span></li>`,
    )
    .join('');
}

async function pollFeed() {
  try {
    const response = await fetch(`/v1/feeds/s:${encodeURIComponent(state.session)}?n=8`, { headers: headers() });
    if (response.ok) {
      const feed = await response.json();
      if (feed.recommendation_id !== state.recommendationId) {
        state.recommendationId = feed.recommendation_id;
        state.generatedAt = feed.generated_at;
        renderStrip(feed);
        if (state.clickedAt > 0) {
          const ms = Math.round(performance.now() - state.clickedAt);
          $('ops-click').textContent = `${ms} ms`;
          $('strip').dataset.clickToListMs = String(ms);
        }
      }
    }
  } finally {
    if (state.generatedAt > 0) $('ops-age').textContent = `${((Date.now() - state.generatedAt) / 1000).toFixed(1)} s ago`;
    setTimeout(pollFeed, POLL_MS);
  }
}

async function pollOps() {
  try {
    const response = await fetch('/v1/ops', { headers: headers() });
    if (response.ok) {
      const ops = await response.json();
      $('ops-rate').textContent = ops.eventsPerSecond === null ? '–' : `${ops.eventsPerSecond} events/s`;
      $('ops-fresh').textContent = ops.freshnessP50Ms === null ? '–' : `${ops.freshnessP50Ms} / ${ops.freshnessP99Ms} ms`;
    }
  } finally {
    setTimeout(pollOps, OPS_MS);
  }
}

async function main() {
  const config = await (await fetch('/demo-config.json')).json();
  state.key = config.publicKey;
  state.session = sessionId();
  $('session').textContent = `session ${state.session}`;
  state.catalog = await (await fetch('/demo/catalog.json')).json();
  for (const c of state.catalog.categories) for (const item of c.items) state.categoryOf.set(item, c.category_id);
  renderCategories();
  $('grid').addEventListener('click', (e) => {
    const product = e.target.closest('.product');
    if (product) void view(product.dataset.item, null);
  });
  $('strip').addEventListener('click', (e) => {
    const li = e.target.closest('li[data-item]');
    if (li) void view(li.dataset.item, $('strip').dataset.recommendationId);
  });
  void pollFeed();
  void pollOps();
}

void main();
