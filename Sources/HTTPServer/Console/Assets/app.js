/**
 * The Switchboard agent console: signing in and out, the hash routes, the header, and the live
 * event stream that keeps open pages current.
 *
 * When the session ends (expired, or signed out elsewhere) the page keeps its hash route and the
 * reply drafts, shows the sign-in form, and after signing in again renders the same route, so the
 * agent is back where they were with their draft.
 */

import * as api from './api.js';
import { h, clearAlert, showAlert, showError } from './dom.js';
import { applyStatic, lang, setLang, t } from './i18n.js';
import { startTicking } from './countdown.js';
import { forgetDrafts, forgetScripts } from './composer.js';
import { queuesView, queueView } from './views-queues.js';
import { conversationView } from './views-conversation.js';
import { approvalsView, reportView } from './views-supervisor.js';
import { opsView } from './views-ops.js';

const SUPERVISING = ['supervisor', 'ops'];

/** Hash routes: pattern, view, and the roles that may see it (any role when absent). */
const ROUTES = [
  { pattern: /^#\/queues$/, view: queuesView, nav: 'queues' },
  { pattern: /^#\/queue\/([^/]+)$/, view: queueView, nav: 'queues' },
  { pattern: /^#\/conversation\/([^/]+)$/, view: conversationView, nav: 'queues' },
  { pattern: /^#\/approvals$/, view: approvalsView, nav: 'approvals', roles: SUPERVISING },
  { pattern: /^#\/report$/, view: reportView, nav: 'report', roles: SUPERVISING },
  { pattern: /^#\/ops$/, view: opsView, nav: 'ops', roles: ['ops'] },
];

const $ = (id) => document.getElementById(id);

const RECONNECT_MS = 3000;
/**
 * A tab hidden this long lets its event stream go. Browsers open at most six HTTP/1.1 connections
 * to one site, and an agent with a conversation open in each of many tabs would otherwise spend
 * them all on streams and leave none for the page's own calls.
 */
const HIDDEN_STREAM_MS = 30_000;

/** The signed-in agent (`{id, name, role}`), null while signed out. */
let me = null;
/** The view on screen: `{element, onEvent?, dispose?}`. */
let current = null;
/** The live event stream while signed in. */
let events = null;
/** The id of the last event received, where a stream opened again resumes. */
let lastEventId = null;
let hiddenTimer = null;

// --- views -------------------------------------------------------------------------------------

function closeView() {
  current?.dispose?.();
  current = null;
  $('view').replaceChildren();
}

function render() {
  if (!me) return;
  const hash = location.hash;
  const route = ROUTES.find((r) => r.pattern.test(hash));
  if (!route) {
    location.replace('#/queues');
    return;
  }
  closeView();
  clearAlert();
  for (const link of document.querySelectorAll('[data-nav]')) {
    if (link.dataset.nav === route.nav) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  if (route.roles && !route.roles.includes(me.role)) {
    $('view').replaceChildren(h('p', { class: 'panel notice' }, t('error.role', { role: me.role })));
    return;
  }
  const params = route.pattern.exec(hash).slice(1).map(decodeURIComponent);
  current = route.view({ params, me });
  $('view').replaceChildren(current.element);
}

// --- live events -------------------------------------------------------------------------------

function setLive(state) {
  const badge = $('live-status');
  badge.dataset.state = state;
  badge.textContent = t(`live.${state}`);
}

/**
 * Follows `/v1/events`. The browser reconnects by itself after a dropped connection (sending
 * Last-Event-ID); it gives up only when the gateway refuses the stream, which is usually the
 * session ending, so that is when we ask.
 */
function connectEvents({ resumed = false } = {}) {
  events?.close();
  // A stream opened again (a tab shown again) asks for what it missed since the last event it saw.
  const stream = new EventSource(api.withQuery('/v1/events', { last_event_id: lastEventId }));
  events = stream;
  stream.onopen = () => setLive('on');
  // Where the stream starts: a tab hidden before any event came still resumes from here. A stream taken
  // up again after a gap also has the view read itself afresh once it is open: a tab hidden before its
  // first stream said where it started has no position to resume from, and nothing may fall between.
  stream.addEventListener('ready', (message) => {
    if (message.lastEventId) lastEventId = message.lastEventId;
    if (resumed && events === stream) current?.onEvent?.({ type: 'resumed' });
  });
  stream.onmessage = (message) => {
    if (message.lastEventId) lastEventId = message.lastEventId;
    let event;
    try { event = JSON.parse(message.data); } catch { return; }
    current?.onEvent?.(event);
  };
  stream.onerror = async () => {
    if (stream.readyState !== EventSource.CLOSED) { setLive('reconnecting'); return; }
    setLive('off');
    const session = await api.currentSession().catch(() => undefined);
    if (session === null) { sessionEnded(); return; }
    // Refused for another reason (a restart, a proxy): try again, unless the stream was replaced or closed.
    setTimeout(() => { if (events === stream) connectEvents(); }, RECONNECT_MS);
  };
}

function disconnectEvents() {
  events?.close();
  events = null;
  setLive('off');
}

/** Lets a hidden tab's stream go after a while, and takes it up again (with what was missed) when shown. */
function followVisibility() {
  clearTimeout(hiddenTimer);
  if (!me) return;
  if (document.hidden) {
    hiddenTimer = setTimeout(() => { if (document.hidden && me) disconnectEvents(); }, HIDDEN_STREAM_MS);
  } else if (!events) {
    connectEvents({ resumed: true });
  }
}

// --- session -----------------------------------------------------------------------------------

function showSignedIn(session) {
  me = session.agent;
  $('whoami').textContent = me.name || me.id;
  $('whorole').textContent = t(`role.${me.role}`, null, me.role);
  for (const link of document.querySelectorAll('[data-roles]')) {
    link.hidden = !link.dataset.roles.split(' ').includes(me.role);
  }
  $('signin-panel').hidden = true;
  $('app').hidden = false;
  $('account').hidden = false;
  $('mainnav').hidden = false;
  forgetScripts();
  connectEvents();
  render();
}

function showSignIn() {
  me = null;
  closeView();
  disconnectEvents();
  $('app').hidden = true;
  $('account').hidden = true;
  $('mainnav').hidden = true;
  $('signin-panel').hidden = false;
  $('token').focus();
}

/** Any call answered 401: keep the route and drafts, ask for the token again. */
function sessionEnded() {
  if (!me) return;
  showSignIn();
  $('signin-message').textContent = t('signin.expired');
}

async function signIn(event) {
  event.preventDefault();
  const input = $('token');
  const message = $('signin-message');
  const token = input.value.trim();
  if (!token) {
    message.textContent = t('signin.empty');
    return;
  }
  $('signin-submit').disabled = true;
  try {
    const session = await api.signIn(token);
    message.textContent = '';
    showSignedIn(session);
  } catch (error) {
    message.textContent = error.status === 401 ? t('signin.wrong') : error.message;
  } finally {
    // The token must not linger in the page once it has been used.
    input.value = '';
    $('signin-submit').disabled = false;
  }
}

async function signOut() {
  await api.signOut().catch(showError);
  forgetDrafts();
  history.replaceState(null, '', '#/queues');
  showSignIn();
}

// --- start -------------------------------------------------------------------------------------

function relabel() {
  applyStatic(document);
  $('lang').value = lang();
  if (me) {
    $('whorole').textContent = t(`role.${me.role}`, null, me.role);
    setLive($('live-status').dataset.state || 'off');
    render();
  }
}

async function start() {
  applyStatic(document);
  $('lang').value = lang();
  $('lang').addEventListener('change', (e) => { setLang(e.target.value); relabel(); });
  $('signin').addEventListener('submit', signIn);
  $('signout').addEventListener('click', signOut);
  window.addEventListener('hashchange', render);
  document.addEventListener('visibilitychange', followVisibility);
  api.onSessionEnded(sessionEnded);
  startTicking();
  setLive('off');
  try {
    const session = await api.currentSession();
    if (session) showSignedIn(session);
    else showSignIn();
  } catch (error) {
    showSignIn();
    showAlert(error.message);
  }
}

start();
