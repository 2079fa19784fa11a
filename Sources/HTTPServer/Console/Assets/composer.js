/**
 * The reply composer of a conversation: a script with its variables, or free text; a live
 * preview rendered by the gateway; and sending into the outbox.
 *
 * The preview is the gateway's own rendering and checking of exactly what would be sent
 * (forbidden phrases, missing variables, SMS segments, whether a supervisor must approve), so Send
 * is only enabled for the request that was last previewed and found fine.
 *
 * Files are uploaded as soon as they are picked (`POST /v1/attachments`) and go with the reply by
 * their ids, so the preview already says whether the channel can carry them.
 *
 * The draft (script, variables, text, files and its idempotency key) is kept in sessionStorage on every
 * keystroke, so an expired session costs the agent nothing: after signing in again the same
 * conversation opens with the draft as it was. The key stays with the draft, so sending again
 * after a lost answer cannot queue the reply twice.
 */

import * as api from './api.js';
import { h, customerText, debounce, formatBytes, showError } from './dom.js';
import { t } from './i18n.js';

const PREVIEW_DEBOUNCE_MS = 300;
const DRAFT_PREFIX = 'switchboard.draft.';

let scriptsRequest = null;

/** The reply scripts, fetched once per sign-in (`forgetScripts` after a rules reload or sign-in). */
export function loadScripts() {
  scriptsRequest ??= api.get('/v1/scripts').then((r) => r.scripts ?? []).catch((error) => {
    scriptsRequest = null;
    throw error;
  });
  return scriptsRequest;
}

export function forgetScripts() {
  scriptsRequest = null;
}

/** A random idempotency key; `randomUUID` needs a secure context, `getRandomValues` does not. */
function newKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
}

function readDraft(conversationId) {
  try {
    const draft = JSON.parse(sessionStorage.getItem(DRAFT_PREFIX + conversationId));
    if (draft && typeof draft === 'object') return { script: '', variables: {}, text: '', files: [], key: newKey(), ...draft };
  } catch { /* a damaged draft is no draft */ }
  return { script: '', variables: {}, text: '', files: [], key: newKey() };
}

/** Drops every kept draft: on sign-out the next person at this browser must not see them. */
export function forgetDrafts() {
  for (const key of Object.keys(sessionStorage)) {
    if (key.startsWith(DRAFT_PREFIX)) sessionStorage.removeItem(key);
  }
}

/** The composer for `conversation`; `onSent` runs after the outbox took a reply. */
export function composer(conversation, { onSent }) {
  const conversationId = conversation.id;
  const draft = readDraft(conversationId);
  const saveDraft = () => sessionStorage.setItem(DRAFT_PREFIX + conversationId, JSON.stringify(draft));

  const scriptSelect = h('select', { id: 'reply-script' }, h('option', { value: '' }, t('composer.freeText')));
  const variables = h('div', { id: 'reply-variables', class: 'variables' });
  const text = h('textarea', { id: 'reply-text', rows: 6, dir: 'auto', maxlength: 20000, value: draft.text });
  const textField = h('div', { class: 'field' }, h('label', { for: 'reply-text' }, t('composer.text')), text);

  const fileInput = h('input', { id: 'reply-files', type: 'file', multiple: true });
  const fileList = h('ul', { id: 'reply-attachments', class: 'attachments' });
  const filesField = h('div', { class: 'field' }, h('label', { for: 'reply-files' }, t('composer.files')), fileInput, fileList);

  const previewText = customerText('pre', '', { id: 'preview-text' });
  const previewSegments = h('p', { id: 'preview-segments', class: 'muted' });
  const previewProblems = h('ul', { id: 'preview-problems', class: 'problems' });
  const previewApproval = h('p', { id: 'preview-approval', class: 'approval-notice', hidden: true });
  const preview = h('div', { id: 'preview', 'aria-live': 'polite', hidden: true },
    h('h3', {}, t('composer.preview')), previewText, previewSegments, previewProblems, previewApproval);

  const send = h('button', { type: 'submit', id: 'send-reply', disabled: true }, t('composer.send'));
  const result = h('div', { id: 'reply-result', role: 'status' });

  const form = h('form', { class: 'composer', novalidate: true, onsubmit: (e) => { e.preventDefault(); sendReply(); } },
    h('div', { class: 'field' }, h('label', { for: 'reply-script' }, t('composer.script')), scriptSelect),
    variables, textField, filesField, preview,
    h('div', { class: 'composer-actions' }, send), result);
  const element = h('section', { class: 'panel composer-panel', 'aria-labelledby': 'composer-title' },
    h('h2', { id: 'composer-title' }, t('composer.title')), form);

  let scripts = [];
  // Each preview request gets a number; only the newest one's answer may enable Send.
  let previewSeq = 0;
  let previewed = null;

  /** The request the form describes now, or null while there is nothing to send. */
  function request() {
    const files = draft.files.length ? { attachments: draft.files.map((file) => file.id) } : {};
    if (draft.script) {
      // Only this script's variables, and only those filled in: an empty one is a missing one.
      const names = scripts.find((s) => s.id === draft.script)?.variables.map((v) => v.name) ?? [];
      const filled = names.filter((name) => draft.variables[name]?.trim()).map((name) => [name, draft.variables[name]]);
      return { conversation_id: conversationId, script: draft.script, variables: Object.fromEntries(filled), ...files };
    }
    return draft.text.trim() ? { conversation_id: conversationId, text: draft.text, ...files } : null;
  }

  function renderFiles() {
    fileList.replaceChildren(...draft.files.map((file) => h('li', { dataset: { attachment: file.id } },
      customerText('span', file.name), h('span', { class: 'muted' }, ` ${formatBytes(file.size)} `),
      h('button', {
        type: 'button', class: 'quiet', 'aria-label': t('composer.removeFile', { name: file.name }),
        onclick: () => { draft.files = draft.files.filter((f) => f.id !== file.id); renderFiles(); changed(); },
      }, t('composer.remove')))));
  }

  async function attach() {
    const picked = [...fileInput.files];
    fileInput.value = '';
    for (const file of picked) {
      try {
        const stored = await api.upload(file);
        draft.files.push({ id: stored.id, name: stored.name ?? file.name, size: stored.size ?? file.size });
      } catch (error) {
        if (!error.sessionEnded) showError(error);
      }
    }
    renderFiles();
    changed();
  }

  function renderVariables() {
    const script = scripts.find((s) => s.id === draft.script);
    textField.hidden = Boolean(script);
    variables.replaceChildren(...(script?.variables ?? []).map((variable, index) => {
      const id = `reply-var-${index}`;
      const input = h('input', {
        id, type: 'text', dir: 'auto', autocomplete: 'off', maxlength: 4000,
        required: variable.required,
        dataset: { variable: variable.name }, value: draft.variables[variable.name] ?? '',
        oninput: () => { draft.variables[variable.name] = input.value; changed(); },
      });
      const mark = variable.required && h('span', { class: 'required', title: t('composer.required') }, ' *');
      return h('div', { class: 'field' }, h('label', { for: id }, variable.name, mark), input);
    }));
  }

  function clearPreview() {
    preview.hidden = true;
    previewText.textContent = '';
    previewSegments.textContent = '';
    previewProblems.replaceChildren();
    previewApproval.hidden = true;
  }

  function showPreview(answer) {
    preview.hidden = false;
    previewText.textContent = answer.text ?? '';
    const sms = answer.sms;
    // `units`: septets for GSM-7, UTF-16 units for UCS-2, which is what the segment count is made of.
    previewSegments.textContent = sms
      ? t('composer.sms', { segments: sms.segments, encoding: sms.encoding, units: sms.units ?? sms.characters })
      : t('composer.channel', { channel: answer.channel ?? conversation.channel });
    previewProblems.replaceChildren(...(answer.problems ?? []).map((problem) =>
      h('li', { class: 'problem', role: 'alert', dataset: { code: problem.code } }, problem.message || problem.code)));
    const approval = answer.approval;
    previewApproval.hidden = !approval?.required;
    previewApproval.textContent = approval?.required ? t('composer.needsApproval', { amount: approval.amount ?? '' }) : '';
  }

  const runPreview = debounce(async () => {
    const body = request();
    const seq = ++previewSeq;
    if (!body) { clearPreview(); return; }
    try {
      const { data } = await api.post('/v1/replies/preview', body);
      if (seq !== previewSeq) return;
      showPreview(data);
      previewed = data.ok ? JSON.stringify(body) : null;
      send.disabled = !previewed;
    } catch (error) {
      if (seq === previewSeq) showError(error);
    }
  }, PREVIEW_DEBOUNCE_MS);

  /** Any edit: keep the draft, and hold Send until the new request has been previewed. */
  function changed() {
    saveDraft();
    previewed = null;
    send.disabled = true;
    runPreview();
  }

  function showResult(message, status, isError = false) {
    result.dataset.status = status;
    result.replaceChildren(h('span', { role: isError ? 'alert' : null, class: isError ? 'error' : null }, message));
  }

  async function sendReply() {
    const body = request();
    if (!body || previewed !== JSON.stringify(body)) return;
    send.disabled = true;
    try {
      const { status, data } = await api.post('/v1/outbox', body, { headers: { 'Idempotency-Key': draft.key } });
      result.dataset.outbox = data.id;
      if (status === 202 || data.status === 'awaiting_approval') {
        showResult(t('composer.awaitingApproval', { amount: data.approval?.amount ?? '' }), 'awaiting_approval');
      } else {
        showResult(t('composer.queued', { id: data.id }), data.status ?? 'queued');
      }
      Object.assign(draft, { text: '', variables: {}, files: [], key: newKey() });
      sessionStorage.removeItem(DRAFT_PREFIX + conversationId);
      text.value = '';
      renderVariables();
      renderFiles();
      clearPreview();
      previewed = null;
      onSent?.(data);
    } catch (error) {
      if (error.sessionEnded) return;
      showResult(error.message, error.code ?? 'error', true);
      send.disabled = false;
    }
  }

  scriptSelect.addEventListener('change', () => {
    draft.script = scriptSelect.value;
    renderVariables();
    changed();
  });
  text.addEventListener('input', () => { draft.text = text.value; changed(); });
  fileInput.addEventListener('change', attach);
  renderFiles();

  loadScripts().then((all) => {
    // Every script can go out on every channel: `channels` only names those with a template of their own.
    scripts = all;
    scriptSelect.append(...scripts.map((s) => h('option', { value: s.id }, s.id)));
    if (draft.script && !scripts.some((s) => s.id === draft.script)) draft.script = '';
    scriptSelect.value = draft.script;
    renderVariables();
    if (request()) runPreview();
  }).catch(showError);

  return {
    element,
    setDisabled(disabled) {
      for (const control of form.elements) control.disabled = disabled || (control === send && !previewed);
    },
    dispose: runPreview.cancel,
  };
}
