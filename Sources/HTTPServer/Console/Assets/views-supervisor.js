/**
 * Supervisors' pages: replies held for approval (`#/approvals`) and the service report
 * (`#/report`).
 *
 * An approval sends back the SHA-256 of the body the supervisor read, so the gateway approves
 * exactly that text and refuses if it changed in the meantime.
 */

import * as api from './api.js';
import { h, customerText, debounce, field, formatRatio, formatTime, go, section, showError } from './dom.js';
import { formatSeconds } from './countdown.js';
import { t } from './i18n.js';

const LIVE_DEBOUNCE_MS = 250;

function approvalRow(approval) {
  const noteId = `approval-note-${approval.id}`;
  const note = h('input', { type: 'text', id: noteId, class: 'approval-note', maxlength: 4000, autocomplete: 'off', dir: 'auto' });
  const outcome = h('p', { class: 'approval-outcome', role: 'status' });
  const row = h('article', { class: 'approval', dataset: { approval: approval.id } },
    h('header', { class: 'approval-head' },
      h('strong', { class: 'approval-amount' }, approval.amount ?? '—'),
      h('span', { class: 'muted' }, t(`approvals.reason.${approval.reason}`, null, approval.reason ?? '')),
      h('button', { type: 'button', class: 'link', onclick: () => go('conversation', approval.conversation_id) }, t('approvals.open'))),
    h('dl', { class: 'facts' },
      field(t('approvals.author'), approval.author),
      field(t('approvals.script'), approval.script || t('composer.freeText')),
      field(t('conv.channel'), approval.channel),
      field(t('approvals.created'), formatTime(approval.created_at)),
      field(t('approvals.expires'), formatTime(approval.expires_at))),
    customerText('pre', approval.body ?? '', { class: 'approval-body' }),
    h('div', { class: 'field' }, h('label', { for: noteId }, t('approvals.note')), note),
    h('div', { class: 'form-buttons' },
      h('button', { type: 'button', class: 'approve primary', onclick: () => decide('approve') }, t('approvals.approve')),
      h('button', { type: 'button', class: 'reject danger', onclick: () => decide('reject') }, t('approvals.reject'))),
    outcome);

  async function decide(decision) {
    const buttons = row.querySelectorAll('button.approve, button.reject');
    buttons.forEach((b) => { b.disabled = true; });
    try {
      const body = { content_sha256: approval.content_sha256 };
      if (note.value.trim()) body.note = note.value.trim();
      const { data } = await api.post(api.path('/v1/outbox', approval.id, decision), body);
      row.dataset.decided = data.status;
      outcome.textContent = t(decision === 'approve' ? 'approvals.approved' : 'approvals.rejected');
    } catch (error) {
      buttons.forEach((b) => { b.disabled = false; });
      outcome.textContent = '';
      outcome.append(h('span', { role: 'alert', class: 'error' }, error.message));
      if (!error.status) showError(error);
    }
  }
  return row;
}

/** `#/approvals`: held replies, oldest first, paged by the gateway's `after` cursor. */
export function approvalsView() {
  const list = h('div', { class: 'approvals' });
  const more = h('div', { class: 'pager' });
  const element = section(t('approvals.title'), {}, list, more);

  /**
   * Rows already on screen are kept as they are (a half-typed note, a decision's outcome), so a
   * live reload only adds new holds and drops ones someone else decided.
   */
  async function load(after = null) {
    try {
      const page = await api.get('/v1/approvals', { after });
      const shown = new Map([...list.querySelectorAll('[data-approval]')].map((row) => [row.dataset.approval, row]));
      const rows = page.approvals.map((a) => shown.get(a.id) ?? approvalRow(a));
      if (after) {
        list.append(...rows);
      } else {
        const listed = new Set(page.approvals.map((a) => a.id));
        const decidedHere = [...shown.values()].filter((row) => row.dataset.decided && !listed.has(row.dataset.approval));
        list.replaceChildren(...decidedHere, ...rows);
      }
      if (!list.children.length) list.replaceChildren(h('p', { class: 'muted' }, t('approvals.none')));
      more.replaceChildren(page.next ? h('button', { type: 'button', onclick: () => load(page.next) }, t('pager.more')) : '');
    } catch (error) {
      showError(error);
    }
  }

  const reload = debounce(() => {
    // Moving rows would take the focus out of a note being typed; the next event catches up.
    if (!list.contains(document.activeElement)) load();
  }, LIVE_DEBOUNCE_MS);
  load();
  return { element, onEvent: reload, dispose: reload.cancel };
}

// --- service report ----------------------------------------------------------------------------

/** The report's figures as columns: label, how to read it from a summary, how to show it. */
const FIGURES = [
  { key: 'conversations', get: (s) => s.conversations, show: String },
  { key: 'first_response_attainment', get: (s) => s.first_response?.attainment, show: formatRatio },
  { key: 'first_response_p50', get: (s) => s.first_response?.p50_seconds, show: duration },
  { key: 'first_response_p90', get: (s) => s.first_response?.p90_seconds, show: duration },
  { key: 'resolution_attainment', get: (s) => s.resolution?.attainment, show: formatRatio },
  { key: 'resolution_p90', get: (s) => s.resolution?.p90_seconds, show: duration },
  { key: 'escalation_rate', get: (s) => s.escalation_rate, show: formatRatio },
  { key: 'reopen_rate', get: (s) => s.reopen_rate, show: formatRatio },
  { key: 'first_contact_resolution', get: (s) => s.first_contact_resolution, show: formatRatio },
  { key: 'repeat_contact_rate', get: (s) => s.repeat_contact_rate, show: formatRatio },
  { key: 'csat', get: (s) => s.csat, show: formatRatio, sample: (s) => s.csat_responses },
  { key: 'nps', get: (s) => s.nps, show: (v) => (typeof v === 'number' ? v.toFixed(0) : '—'), sample: (s) => s.nps_responses },
];

function duration(seconds) {
  return typeof seconds === 'number' ? formatSeconds(Math.round(seconds), t('unit.day')) : '—';
}

function figureCell(summary, figure, tag = 'td') {
  const flag = (summary.flags ?? []).find((f) => f.metric === figure.key);
  const value = figure.get(summary);
  const sample = figure.sample?.(summary);
  return h(tag, {
    class: flag ? 'figure flagged' : 'figure',
    title: flag ? t('report.flagged', { threshold: flag.threshold }) : null,
  }, value === undefined ? '—' : figure.show(value), sample ? h('span', { class: 'muted' }, ` (n=${sample})`) : null);
}

function summaryTable(rows, labelOf) {
  return h('div', { class: 'table-scroll' }, h('table', { class: 'report-table' },
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, ''), FIGURES.map((f) => h('th', { scope: 'col' }, t(`report.${f.key}`))))),
    h('tbody', {}, rows.map((row) => h('tr', {}, h('th', { scope: 'row' }, labelOf(row)), FIGURES.map((f) => figureCell(row, f)))))));
}

function flagsList(report) {
  const flags = [
    ...(report.overall?.flags ?? []).map((f) => ({ ...f, scope: t('report.overall') })),
    ...(report.queues ?? []).flatMap((q) => (q.flags ?? []).map((f) => ({ ...f, scope: q.queue }))),
    ...(report.channels ?? []).flatMap((c) => (c.flags ?? []).map((f) => ({ ...f, scope: c.channel }))),
  ];
  if (!flags.length) return h('p', { class: 'muted', id: 'report-flags' }, t('report.noFlags'));
  return h('ul', { class: 'flags', id: 'report-flags' }, flags.map((f) => h('li', { class: 'flagged' },
    `${f.scope}: ${t(`report.${f.metric}`, null, f.metric)} ${formatRatio(f.value)} < ${formatRatio(f.threshold)}`)));
}

/**
 * A local date input's day as the instant it starts (`from`) or ends (`to`: the report's end is
 * exclusive, so the day chosen is counted whole).
 */
function dayBoundary(value, { end = false } = {}) {
  if (!value) return undefined;
  const day = new Date(`${value}T00:00:00`);
  if (end) day.setDate(day.getDate() + 1);
  return day.toISOString();
}

/** `#/report`: the service report for a period (default: the last 7 days) and optional queue. */
export function reportView() {
  const from = h('input', { type: 'date', id: 'report-from' });
  const to = h('input', { type: 'date', id: 'report-to' });
  const queue = h('input', { type: 'text', id: 'report-queue', autocomplete: 'off' });
  const output = h('div', { id: 'report', 'aria-live': 'polite' });
  const form = h('form', { class: 'filters', onsubmit: (e) => { e.preventDefault(); load(); } },
    h('label', { for: 'report-from' }, t('report.from')), from,
    h('label', { for: 'report-to' }, t('report.to')), to,
    h('label', { for: 'report-queue' }, t('report.queue')), queue,
    h('button', { type: 'submit', class: 'primary' }, t('report.show')));
  const element = section(t('report.title'), {}, form, output);

  async function load() {
    try {
      const report = await api.get('/v1/reports/service', {
        from: dayBoundary(from.value), to: dayBoundary(to.value, { end: true }), queue: queue.value.trim(),
      });
      const thresholds = report.thresholds ?? {};
      output.replaceChildren(
        h('p', { class: 'muted' }, t('report.period', { from: formatTime(report.from), to: formatTime(report.to) })),
        h('h3', {}, t('report.overall')),
        h('dl', { class: 'facts figures' }, FIGURES.map((f) => {
          const cell = figureCell(report.overall ?? {}, f, 'dd');
          return h('div', {}, h('dt', {}, t(`report.${f.key}`)), cell);
        })),
        h('h3', {}, t('report.flags')), flagsList(report),
        h('p', { class: 'muted' }, t('report.thresholds', {
          sla: formatRatio(thresholds.sla_attainment),
          fcr: formatRatio(thresholds.first_contact_resolution),
          csat: formatRatio(thresholds.csat),
        })),
        h('h3', {}, t('report.byQueue')), summaryTable(report.queues ?? [], (q) => q.queue),
        h('h3', {}, t('report.byChannel')), summaryTable(report.channels ?? [], (c) => c.channel));
    } catch (error) {
      showError(error);
    }
  }

  load();
  return { element };
}
