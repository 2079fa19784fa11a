/**
 * Safe element building and the small display helpers every view shares.
 *
 * Everything the API returns is customer-controlled and hostile, so views never parse markup:
 * `h()` turns strings into text nodes and attribute values, and nothing in the console assigns
 * `innerHTML` or its relatives. Keeping that in one place makes the rule easy to audit.
 */

import { t, locale } from './i18n.js';

/**
 * Creates an element. `attrs` keys: `class`, `dataset` (object), `on<event>` (listener),
 * `value`/`checked` (live properties, so form state is right before first paint), anything else
 * as an attribute (`true` sets it empty, `false`/`null`/`undefined` leave it out). Children may be
 * nodes, strings (always text), numbers, arrays, or null/false (skipped).
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === 'class') el.className = value;
    else if (key === 'dataset') {
      for (const [name, data] of Object.entries(value)) if (data !== null && data !== undefined) el.dataset[name] = data;
    }
    else if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (key === 'value' || key === 'checked') el[key] = value;
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

/** Appends children to `parent` with the same conventions as `h()`. */
export function append(parent, children) {
  for (const child of [children].flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    parent.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return parent;
}

/** Customer text: its own bidi context, so an RTL override cannot reorder the page around it. */
export function customerText(tag, text, attrs = {}) {
  return h(tag, { ...attrs, dir: 'auto', class: ['customer', attrs.class].filter(Boolean).join(' ') }, text ?? '');
}

/** A labelled value for definition lists: `<div><dt>label</dt><dd>value</dd></div>`. */
export function field(label, value, ddAttrs = {}) {
  return h('div', {}, h('dt', {}, label), h('dd', ddAttrs, value ?? '—'));
}

/** The page-wide alert line; `message` is shown as text whatever it contains. */
export function showAlert(message) {
  const alert = document.getElementById('alert');
  alert.textContent = message;
  alert.hidden = !message;
}

export function clearAlert() {
  showAlert('');
}

/**
 * Reports a failed call. A call refused because the session ended is already handled by the
 * sign-in screen, so it is not an error worth showing.
 */
export function showError(error) {
  if (error?.sessionEnded) return;
  showAlert(error?.message || t('error.generic'));
  if (!(error instanceof Error) || !error.status) console.error(error);
}

const timeFormats = new Map();

/** An ISO-8601 instant in the reader's time zone and language; `—` for none. */
export function formatTime(iso) {
  if (!iso) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return String(iso);
  const key = locale();
  if (!timeFormats.has(key)) {
    timeFormats.set(key, new Intl.DateTimeFormat(key, { dateStyle: 'medium', timeStyle: 'short' }));
  }
  return timeFormats.get(key).format(date);
}

/** A file size for people: bytes, KB or MB (1024-based, one decimal above a kilobyte). */
export function formatBytes(size) {
  if (!Number.isFinite(size)) return '';
  if (size < 1024) return `${size} B`;
  if (size < 1024 * 1024) return `${(size / 1024).toFixed(1)} KB`;
  return `${(size / (1024 * 1024)).toFixed(1)} MB`;
}

/** A ratio (0..1) as a percentage; `—` for null (nothing to divide by). */
export function formatRatio(value) {
  return typeof value === 'number' ? `${(value * 100).toFixed(1)}%` : '—';
}

/** Runs `fn` once calls stop for `ms`; `.cancel()` drops a pending call. */
export function debounce(fn, ms) {
  let timer = null;
  const debounced = (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => { timer = null; fn(...args); }, ms);
  };
  debounced.cancel = () => { clearTimeout(timer); timer = null; };
  return debounced;
}

/** An in-page navigation; ids are encoded so no API value can change the route's shape. */
export function go(...parts) {
  location.hash = '#/' + parts.map(encodeURIComponent).join('/');
}

/** A section with a heading, the building block of every page. */
export function section(title, attrs, ...children) {
  return h('section', { class: 'panel', ...attrs }, h('h2', {}, title), ...children);
}
