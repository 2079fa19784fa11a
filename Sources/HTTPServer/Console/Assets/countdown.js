/**
 * SLA clock countdowns that tick in the browser.
 *
 * The gateway sends each clock once (`due_at`, `warn_at`, `status`, `remaining_seconds`); between
 * refreshes the console counts down locally from `due_at`, so a list of fifty conversations costs
 * no requests per second. One ticker repaints every `.countdown` on the page, which also means a
 * countdown removed from the page needs no cleanup.
 */

import { h, formatTime } from './dom.js';
import { t } from './i18n.js';

/**
 * What a clock shows at `nowMs`: `seconds` left (negative once overdue; null for a met clock),
 * and whether it is in its warning period or breached. Pure, for testing.
 */
export function clockState(clock, nowMs) {
  const due = Date.parse(clock.due_at);
  const warn = Date.parse(clock.warn_at);
  switch (clock.status) {
    case 'met':
      return { seconds: null, met: true, warn: false, breached: false };
    case 'paused': {
      // Working time does not pass while paused: the server's figure is the one that holds.
      const seconds = Number(clock.remaining_seconds ?? 0);
      return { seconds, paused: true, warn: false, breached: seconds < 0 };
    }
    default: {
      if (Number.isNaN(due)) {
        const seconds = Number(clock.remaining_seconds ?? 0);
        return { seconds, warn: false, breached: clock.status === 'breached' || seconds < 0 };
      }
      const seconds = Math.floor((due - nowMs) / 1000);
      return {
        seconds,
        warn: !Number.isNaN(warn) && nowMs >= warn,
        breached: clock.status === 'breached' || nowMs >= due,
      };
    }
  }
}

/** `seconds` as `[-][Nd ]H:MM:SS` (or `M:SS` under an hour); `dayUnit` is the language's "d". */
export function formatSeconds(seconds, dayUnit = 'd') {
  const sign = seconds < 0 ? '−' : '';
  let rest = Math.abs(Math.trunc(seconds));
  const days = Math.floor(rest / 86400);
  rest %= 86400;
  const hours = Math.floor(rest / 3600);
  const minutes = Math.floor((rest % 3600) / 60);
  const secs = rest % 60;
  const pad = (n) => String(n).padStart(2, '0');
  if (days > 0) return `${sign}${days}${dayUnit} ${pad(hours)}:${pad(minutes)}:${pad(secs)}`;
  if (hours > 0) return `${sign}${hours}:${pad(minutes)}:${pad(secs)}`;
  return `${sign}${minutes}:${pad(secs)}`;
}

function paint(el, nowMs) {
  const state = clockState(JSON.parse(el.dataset.spec), nowMs);
  let text;
  if (state.met) text = '✓';
  else if (state.paused) text = `⏸ ${formatSeconds(state.seconds, t('unit.day'))}`;
  else text = formatSeconds(state.seconds, t('unit.day'));
  if (el.textContent !== text) el.textContent = text;
  el.classList.toggle('warn', state.warn && !state.breached);
  el.classList.toggle('breached', state.breached);
  el.classList.toggle('met', Boolean(state.met));
  el.classList.toggle('paused', Boolean(state.paused));
}

/** A live countdown for one clock: `<span class="countdown" data-clock="kind">`. */
export function countdown(clock) {
  const spec = JSON.stringify({
    status: clock.status, due_at: clock.due_at, warn_at: clock.warn_at, remaining_seconds: clock.remaining_seconds,
  });
  const el = h('span', {
    class: 'countdown',
    dataset: { clock: clock.kind, status: clock.status, spec },
    title: `${t('clock.due')} ${formatTime(clock.due_at)}`,
  });
  paint(el, Date.now());
  return el;
}

/** A clock's name and its countdown, as lists and the conversation page show them. */
export function clockBadge(clock) {
  const kind = h('span', { class: 'clock-kind' }, t(`clock.${clock.kind}`, null, clock.kind));
  return h('span', { class: 'clock' }, kind, ' ', countdown(clock));
}

let ticker = null;

/** Starts the once-a-second repaint of every countdown on the page (idempotent). */
export function startTicking() {
  if (ticker) return;
  ticker = setInterval(() => {
    const now = Date.now();
    for (const el of document.querySelectorAll('.countdown[data-spec]')) paint(el, now);
  }, 1000);
}
