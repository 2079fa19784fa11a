/**
 * The queues overview (`#/queues`) and one queue's conversations (`#/queue/<id>`).
 *
 * Both pages follow the live event stream: any event refreshes the counts, and an open queue
 * reloads the page of conversations it shows, so a new message appears without a reload.
 */

import * as api from './api.js';
import { h, customerText, debounce, go, section, showError } from './dom.js';
import { clockBadge } from './countdown.js';
import { t } from './i18n.js';

const LIVE_DEBOUNCE_MS = 250;
const PAGE_SIZE = 50;
const STATES = ['new', 'assigned', 'in_progress', 'waiting_on_customer', 'escalated', 'resolved', 'closed'];

/** Counts that call for attention get a class, so the eye finds them. */
function countCell(kind, value, label) {
  const attention = value > 0 && (kind === 'breached' ? 'alarm' : kind === 'due-soon' ? 'caution' : null);
  return h('td', { class: ['count', `count-${kind}`, attention].filter(Boolean).join(' '), dataset: { label } }, String(value ?? 0));
}

async function claimNext(queueId, button) {
  button.disabled = true;
  try {
    const { status, data } = await api.post(api.path('/v1/queues', queueId, 'claim'), {});
    if (status === 204) {
      button.after(h('span', { class: 'note', role: 'status' }, t('queues.nothingToClaim')));
      return;
    }
    go('conversation', data.id);
  } catch (error) {
    showError(error);
  } finally {
    button.disabled = false;
  }
}

/** `#/queues`: every queue with its counts and a "claim next" button. */
export function queuesView() {
  const body = h('tbody');
  const table = h('table', { class: 'queues' },
    h('thead', {}, h('tr', {},
      h('th', { scope: 'col' }, t('queues.queue')),
      h('th', { scope: 'col' }, t('queues.open')),
      h('th', { scope: 'col' }, t('queues.unassigned')),
      h('th', { scope: 'col' }, t('queues.dueSoon')),
      h('th', { scope: 'col' }, t('queues.breached')),
      h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, t('queues.actions'))))),
    body);
  const element = section(t('queues.title'), { class: 'panel queues-page' }, table);

  async function load() {
    try {
      const { queues } = await api.get('/v1/queues');
      body.replaceChildren(...queues.map((queue) => h('tr', { dataset: { queue: queue.id } },
        h('th', { scope: 'row' },
          h('button', { type: 'button', class: 'link', onclick: () => go('queue', queue.id) }, queue.name || queue.id),
          h('span', { class: 'muted id' }, queue.id)),
        countCell('open', queue.open, t('queues.open')),
        countCell('unassigned', queue.unassigned, t('queues.unassigned')),
        countCell('due-soon', queue.due_soon, t('queues.dueSoon')),
        countCell('breached', queue.breached, t('queues.breached')),
        h('td', { class: 'row-actions' },
          h('button', { type: 'button', class: 'claim-next', onclick: (e) => claimNext(queue.id, e.currentTarget) },
            t('queues.claimNext'))))));
      if (!queues.length) body.replaceChildren(h('tr', {}, h('td', { colspan: 6 }, t('queues.none'))));
    } catch (error) {
      showError(error);
    }
  }

  const reload = debounce(load, LIVE_DEBOUNCE_MS);
  load();
  return { element, onEvent: reload, dispose: reload.cancel };
}

/** Filters survive leaving a queue and coming back, for as long as the page lives. */
const filtersByQueue = new Map();

function conversationRow(entry) {
  const open = () => go('conversation', entry.id);
  // The whole row opens the conversation; the button in it is what keyboards and screen readers use.
  const onRowClick = (event) => { if (!event.target.closest('button')) open(); };
  return h('li', { class: 'conversation-row', dataset: { conversation: entry.id, state: entry.state }, onclick: onRowClick },
    h('div', { class: 'row-main' },
      h('button', { type: 'button', class: 'link customer-address', onclick: open },
        customerText('span', entry.customer_address)),
      h('span', { class: `state state-${entry.state}` }, t(`state.${entry.state}`, null, entry.state))),
    h('div', { class: 'row-meta muted' },
      h('span', {}, `${t('conv.priority')} ${entry.priority ?? '—'}`),
      h('span', {}, t(`urgency.${entry.urgency}`, null, entry.urgency ?? '')),
      h('span', {}, t(`sentiment.${entry.sentiment}`, null, entry.sentiment ?? '')),
      h('span', {}, entry.channel),
      h('span', {}, entry.owner ? `${t('conv.owner')}: ${entry.owner}` : t('conv.unowned'))),
    h('div', { class: 'row-clocks' }, (entry.clocks ?? []).map(clockBadge)));
}

/** `#/queue/<id>`: the queue's conversations by next deadline, filtered and paged. */
export function queueView({ params: [queueId], me }) {
  const filters = filtersByQueue.get(queueId) ?? { mine: false, breached: false, state: '' };
  filtersByQueue.set(queueId, filters);
  // Cursors of the pages before this one; the first page has none.
  const cursors = [];
  let cursor = null;

  const list = h('ul', { id: 'conversations', class: 'conversation-list' });
  const counts = h('p', { class: 'queue-counts muted' });
  const pager = h('div', { class: 'pager' });

  const mine = h('input', { type: 'checkbox', id: 'filter-mine', checked: filters.mine });
  const breached = h('input', { type: 'checkbox', id: 'filter-breached', checked: filters.breached });
  const state = h('select', { id: 'filter-state' },
    h('option', { value: '' }, t('filter.openStates')),
    STATES.map((s) => h('option', { value: s }, t(`state.${s}`))));
  state.value = filters.state;

  const onFilter = () => {
    Object.assign(filters, { mine: mine.checked, breached: breached.checked, state: state.value });
    cursors.length = 0;
    cursor = null;
    load();
  };
  for (const control of [mine, breached, state]) control.addEventListener('change', onFilter);

  const title = h('h2', {}, queueId);
  const element = h('div', { class: 'queue-page' },
    h('nav', { class: 'crumbs' }, h('a', { href: '#/queues' }, t('nav.queues'))),
    h('section', { class: 'panel' },
      title,
      counts,
      h('form', { class: 'filters', onsubmit: (e) => e.preventDefault() },
        h('label', { class: 'check' }, mine, t('filter.mine')),
        h('label', { class: 'check' }, breached, t('filter.breached')),
        h('label', { for: 'filter-state' }, t('filter.state')), state),
      list,
      pager));

  function renderPager(next) {
    const back = () => { cursor = cursors.pop(); load(); };
    const forward = () => { cursors.push(cursor); cursor = next; load(); };
    pager.replaceChildren(...[
      cursors.length > 0 && h('button', { type: 'button', onclick: back }, t('pager.previous')),
      next && h('button', { type: 'button', onclick: forward }, t('pager.next')),
    ].filter(Boolean));
  }

  async function loadCounts() {
    const { queues } = await api.get('/v1/queues');
    const queue = queues.find((q) => q.id === queueId);
    title.textContent = queue?.name || queueId;
    counts.textContent = queue
      ? t('queue.counts', { open: queue.open, unassigned: queue.unassigned, dueSoon: queue.due_soon, breached: queue.breached })
      : '';
  }

  // A filter change and a live reload may overlap; only the newest answer is shown.
  let loads = 0;
  async function load() {
    const seq = ++loads;
    try {
      const page = await api.get(api.path('/v1/queues', queueId, 'conversations'), {
        limit: PAGE_SIZE,
        cursor,
        owner: filters.mine ? me.id : undefined,
        breached: filters.breached ? 'true' : undefined,
        state: filters.state || undefined,
      });
      if (seq !== loads) return;
      list.replaceChildren(...page.conversations.map(conversationRow));
      if (!page.conversations.length) list.replaceChildren(h('li', { class: 'empty muted' }, t('queue.empty')));
      renderPager(page.next);
    } catch (error) {
      showError(error);
    }
    loadCounts().catch(showError);
  }

  const reload = debounce(load, LIVE_DEBOUNCE_MS);
  load();
  return { element, onEvent: reload, dispose: reload.cancel };
}
