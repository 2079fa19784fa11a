/**
 * One conversation (`#/conversation/<id>`): its messages with the matched terms marked, why it was
 * routed where it is, its SLA clocks, outbox, audit timeline, the lifecycle actions and the reply
 * composer.
 *
 * A live event for this conversation refreshes the read-only panels in place; the composer and any
 * open action form are left alone, so nobody loses what they are typing to someone else's change.
 */

import * as api from './api.js';
import { h, customerText, debounce, field, formatTime, section, showError } from './dom.js';
import { highlighted } from './highlight.js';
import { clockBadge, formatSeconds } from './countdown.js';
import { composer } from './composer.js';
import { actionBar } from './actions.js';
import { t } from './i18n.js';

const LIVE_DEBOUNCE_MS = 250;
const PAGE_SIZE = 200;
/** Enough pages for any real conversation, while a runaway one cannot keep the page loading. */
const MAX_PAGES = 20;
/** The lists the gateway pages separately, and the parameter that continues each. */
const CURSOR_PARAMS = { messages: 'messages_after', outbox: 'outbox_after', events: 'events_after' };

/**
 * The whole conversation. `next` holds a cursor for each list that has more; a request continues
 * only the lists it names a cursor for (the others start over), so only those are appended.
 */
async function loadConversation(id) {
  const url = api.path('/v1/conversations', id);
  const detail = await api.get(url, { limit: PAGE_SIZE });
  const unfinished = (next) => Object.entries(next ?? {}).filter(([list, cursor]) => list in CURSOR_PARAMS && cursor);
  let pending = unfinished(detail.next);
  for (let page = 1; pending.length && page < MAX_PAGES; page++) {
    const cursors = Object.fromEntries(pending.map(([list, cursor]) => [CURSOR_PARAMS[list], cursor]));
    const more = await api.get(url, { limit: PAGE_SIZE, ...cursors });
    for (const [list] of pending) detail[list].push(...(more[list] ?? []));
    const continued = new Set(pending.map(([list]) => list));
    pending = unfinished(more.next).filter(([list]) => continued.has(list));
  }
  return detail;
}

/** A value of an open-ended object (an event's detail, a warning) as text. */
const plain = (value) => (typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value));

function messageView(message) {
  const matches = message.classification?.matches ?? [];
  // Regex matches may come without a position: list them so no signal goes unseen.
  const unplaced = matches.filter((m) => !Number.isInteger(m.start));
  const verdict = message.classification;
  return h('article', { class: `message ${message.direction ?? ''}`, dataset: { message: message.id } },
    h('header', { class: 'message-head' },
      customerText('span', message.sender, { class: 'message-sender' }),
      h('time', { class: 'muted', datetime: message.received_at }, formatTime(message.received_at)),
      h('span', { class: 'muted' }, t(`direction.${message.direction}`, null, message.direction ?? ''))),
    message.subject ? customerText('p', highlighted(message.subject, matches, 'subject'), { class: 'message-subject' }) : null,
    customerText('div', highlighted(message.text ?? '', matches, 'text'), { class: 'message-text' }),
    message.attachments?.length ? h('p', { class: 'muted' }, t('conv.attachments', { count: message.attachments.length })) : null,
    message.warnings?.length ? h('ul', { class: 'warnings' }, message.warnings.map((w) => h('li', {}, plain(w)))) : null,
    verdict ? h('footer', { class: 'message-class muted' },
      [`${t('conv.urgency')}: ${t(`urgency.${verdict.urgency}`, null, verdict.urgency)}`,
        `${t('conv.sentiment')}: ${t(`sentiment.${verdict.sentiment}`, null, verdict.sentiment)}`,
        verdict.intent ? `${t('conv.intent')}: ${t(`intent.${verdict.intent}`, null, verdict.intent)}` : null].filter(Boolean).join(' · '),
      unplaced.length ? ` · ${t('conv.otherSignals')}: ${unplaced.map((m) => m.signal).join(', ')}` : null)
      : null);
}

/** The route of the newest classified message: the one that placed the conversation where it is. */
function routingView(messages) {
  const route = [...messages].reverse().find((m) => m.classification?.route)?.classification.route;
  if (!route) return h('p', { class: 'muted' }, t('conv.noRoute'));
  const deciding = route.reasons?.find((r) => r.route === route.route_id);
  return h('div', {},
    h('dl', { class: 'facts' },
      field(t('routing.route'), route.route_id, { class: 'route-id' }),
      field(t('routing.condition'), deciding?.condition ?? '—', { class: 'route-condition' }),
      field(t('routing.queue'), route.queue),
      field(t('routing.priority'), route.priority),
      field(t('routing.policy'), route.sla_policy)),
    h('h3', {}, t('routing.fired')),
    h('ol', { class: 'fired' }, (route.fired ?? []).map((id) => {
      const reason = route.reasons?.find((r) => r.route === id);
      return h('li', { class: id === route.route_id ? 'deciding' : null },
        h('code', {}, id), reason ? h('span', { class: 'muted' }, ` — ${reason.condition}`) : null);
    })));
}

function clocksView(clocks) {
  if (!clocks?.length) return [h('li', { class: 'muted' }, t('conv.noClocks'))];
  return clocks.map((clock) => h('li', { dataset: { clockKind: clock.kind } },
    clockBadge(clock),
    h('span', { class: 'muted' }, ' ', [
      t(`clockStatus.${clock.status}`, null, clock.status),
      clock.policy,
      // A paused clock has no deadline until it resumes.
      clock.due_at ? `${t('clock.due')} ${formatTime(clock.due_at)}` : null,
    ].filter(Boolean).join(' · '))));
}

/**
 * The log the clocks' deadlines are computed from (`GET /v1/conversations/{id}/clocks`): when each
 * clock started, paused, resumed, warned, breached or changed target, so an agent can see why a
 * deadline is where it is.
 */
function clockLogView(log) {
  if (!log?.length) return [h('li', { class: 'muted' }, t('clockLog.empty'))];
  return log.map((entry) => h('li', { dataset: { clockKind: entry.clock, action: entry.action } },
    h('time', { class: 'muted', datetime: entry.at }, formatTime(entry.at)), ' ',
    h('strong', {}, `${t(`clock.${entry.clock}`, null, entry.clock)} · ${t(`clockAction.${entry.action}`, null, entry.action)}`),
    h('span', { class: 'muted' }, ' ', [
      entry.policy,
      Number.isFinite(entry.target_seconds) ? formatSeconds(entry.target_seconds, t('unit.day')) : null,
      entry.calendar,
      entry.carries_over === true ? t('clockLog.carriesOver') : entry.carries_over === false ? t('clockLog.restarts') : null,
      entry.reason,
    ].filter(Boolean).join(' · '))));
}

function outboxView(entries) {
  if (!entries?.length) return [h('li', { class: 'muted' }, t('conv.noOutbox'))];
  return entries.map((entry) => h('li', { dataset: { outbox: entry.id } },
    h('div', { class: 'outbox-head' },
      h('span', { class: `outbox-status status-${entry.status}`, dataset: { status: entry.status } },
        t(`outbox.${entry.status}`, null, entry.status)),
      h('span', {}, entry.script || t('composer.freeText')),
      h('span', { class: 'muted' }, `${entry.author ?? ''} · ${formatTime(entry.created_at)}`)),
    entry.approval?.amount ? h('p', { class: 'muted' }, `${t('approvals.amount')}: ${entry.approval.amount}`) : null,
    entry.last_error
      ? h('p', { class: 'error-text' }, `${t('outbox.attempts', { count: entry.attempts ?? 0 })} · ${entry.last_error}`)
      : null,
    h('details', {}, h('summary', {}, t('outbox.body')), customerText('pre', entry.body ?? '', { class: 'outbox-body' }))));
}

function timelineView(events) {
  return (events ?? []).map((event) => h('li', {},
    h('time', { class: 'muted', datetime: event.at }, formatTime(event.at)), ' ',
    h('strong', {}, t(`event.${event.kind}`, null, event.kind)), ' ',
    h('span', { class: 'muted' }, event.actor ?? ''),
    event.detail && Object.keys(event.detail).length
      ? customerText('span', Object.entries(event.detail).map(([k, v]) => `${k}: ${plain(v)}`).join(' · '), { class: 'event-detail' })
      : null));
}

/** `#/conversation/<id>`. */
export function conversationView({ params: [id], me }) {
  const title = customerText('h1', '…', { class: 'conv-title' });
  const state = h('span', { id: 'conv-state' });
  const owner = h('span', { id: 'conv-owner' });
  const meta = h('dl', { class: 'facts conv-meta' });
  const messages = h('div', { id: 'messages' });
  const routing = h('div', { id: 'routing' });
  const clocks = h('ul', { id: 'clocks', class: 'clock-list' });
  const clockLog = h('ol', { id: 'clock-log', class: 'timeline' });
  const outbox = h('ul', { id: 'outbox', class: 'outbox' });
  const timeline = h('ol', { id: 'timeline', class: 'timeline' });
  const composerSlot = h('div');
  const actions = actionBar(id, { me, onDone: (conversation) => { showHeader(conversation); refresh(); } });

  const element = h('div', { class: 'conversation-page' },
    h('header', { class: 'conv-header' },
      h('nav', { class: 'crumbs' }, h('a', { href: '#/queues' }, t('nav.queues'))),
      title,
      h('div', { class: 'conv-status' },
        h('span', {}, `${t('conv.state')}: `), state, ' · ',
        h('span', {}, `${t('conv.owner')}: `), owner,
        h('button', { type: 'button', id: 'refresh', class: 'quiet', onclick: () => refresh() }, t('common.refresh'))),
      meta),
    h('div', { class: 'conv-grid' },
      h('div', { class: 'conv-main' }, section(t('conv.messages'), {}, messages), composerSlot),
      h('aside', { class: 'conv-side' },
        actions.element,
        section(t('conv.clocks'), {}, clocks, h('details', {}, h('summary', {}, t('clockLog.title')), clockLog)),
        section(t('conv.routing'), {}, routing),
        section(t('conv.outbox'), {}, outbox),
        section(t('conv.timeline'), {}, timeline))));

  let reply = null;
  let shownMessages = '';
  let closed = false;

  function showHeader(conversation) {
    title.replaceChildren(conversation.customer_address ?? conversation.id);
    state.textContent = t(`state.${conversation.state}`, null, conversation.state);
    state.dataset.state = conversation.state;
    state.className = `state state-${conversation.state}`;
    owner.textContent = conversation.owner ?? t('conv.unowned');
    owner.dataset.owner = conversation.owner ?? '';
    meta.replaceChildren(
      field(t('conv.queue'), conversation.queue),
      field(t('conv.priority'), conversation.priority),
      field(t('conv.urgency'), t(`urgency.${conversation.urgency}`, null, conversation.urgency)),
      field(t('conv.sentiment'), t(`sentiment.${conversation.sentiment}`, null, conversation.sentiment)),
      field(t('conv.channel'), `${conversation.channel} · ${conversation.source}`),
      field(t('conv.language'), conversation.language),
      field(t('conv.created'), formatTime(conversation.created_at)));
    actions.update(conversation.state);
    // Only a change is passed on: re-enabling on every refresh would undo the composer's own disabling.
    if (closed !== (conversation.state === 'closed')) {
      closed = !closed;
      reply?.setDisabled(closed);
    }
  }

  function show(detail) {
    showHeader(detail.conversation);
    // Redrawing unchanged messages would drop a focused term's tooltip on every delivery event.
    const messageKey = detail.messages.map((m) => m.id).join(',');
    if (messageKey !== shownMessages) {
      messages.replaceChildren(...detail.messages.map(messageView));
      shownMessages = messageKey;
    }
    routing.replaceChildren(routingView(detail.messages));
    clocks.replaceChildren(...clocksView(detail.clocks));
    outbox.replaceChildren(...outboxView(detail.outbox));
    timeline.replaceChildren(...timelineView(detail.events));
    if (!reply) {
      reply = composer(detail.conversation, { onSent: () => refresh() });
      composerSlot.replaceChildren(reply.element);
      if (closed) reply.setDisabled(true);
    }
  }

  // Live events, actions and the refresh button may overlap; an older answer must not win.
  let loads = 0;
  async function refresh() {
    const seq = ++loads;
    try {
      const [detail, clockBook] = await Promise.all([loadConversation(id), api.get(api.path('/v1/conversations', id, 'clocks'))]);
      if (seq === loads) {
        show(detail);
        clockLog.replaceChildren(...clockLogView(clockBook.log));
      }
    } catch (error) {
      if (error.status === 404) title.textContent = t('conv.notFound');
      showError(error);
    }
  }

  const onLiveEvent = debounce(refresh, LIVE_DEBOUNCE_MS);
  refresh();
  return {
    element,
    onEvent(event) { if (event.type === 'resumed' || event.conversation_id === id) onLiveEvent(); },
    dispose() { onLiveEvent.cancel(); reply?.dispose(); },
  };
}
