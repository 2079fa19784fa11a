/**
 * The lifecycle actions of a conversation (claim, assign, hand off, escalate, wait, resolve,
 * reopen, close, note) as buttons, each opening a small inline form when it needs input.
 *
 * Which buttons are enabled follows the lifecycle table of the README ("Conversation lifecycle");
 * the gateway stays the judge, and a refusal is shown as it words it.
 */

import * as api from './api.js';
import { h, showError, clearAlert } from './dom.js';
import { t } from './i18n.js';
import { loadScripts } from './composer.js';

const OPEN = ['new', 'assigned', 'in_progress', 'waiting_on_customer', 'escalated'];

/** A one-line and a multi-line text input of an action form. */
const line = (name, required = false) => ({ name, required });
const prose = (name, required = false) => ({ name, required, kind: 'textarea' });

/**
 * Each action: the endpoint it posts to (default: its name), the states that take it, the inputs of
 * its form (none: it posts at once) and fixed fields it adds.
 */
const ACTIONS = {
  claim: { states: ['new', 'waiting_on_customer', 'escalated'] },
  assign: { states: OPEN, inputs: [{ ...line('owner', true), initial: (me) => me.id }, line('reason')] },
  handoff: {
    states: OPEN,
    inputs: [{ name: 'to_queue', kind: 'queue' }, line('to_owner'), prose('note'), { name: 'script', kind: 'script' }],
  },
  escalate: { states: OPEN, inputs: [{ name: 'level', kind: 'level', required: true }, prose('reason', true)] },
  wait: { states: OPEN.filter((s) => s !== 'new'), inputs: [{ name: 'until', kind: 'datetime' }, line('reason')] },
  resolve: { states: OPEN, inputs: [prose('resolution', true)], fixed: { survey: true } },
  'resolve-no-survey': { endpoint: 'resolve', states: OPEN, inputs: [prose('resolution', true)], fixed: { survey: false } },
  reopen: { states: ['resolved'], inputs: [line('reason')] },
  close: { states: ['resolved'], inputs: [line('reason')] },
  // The gateway names this action `notes`.
  note: { endpoint: 'notes', states: [...OPEN, 'resolved'], inputs: [prose('text', true)] },
};

async function control(input, id, me) {
  switch (input.kind) {
    case 'textarea':
      return h('textarea', { id, name: input.name, rows: 3, maxlength: 4000, required: input.required, dir: 'auto' });
    case 'level':
      return h('select', { id, name: input.name, required: true },
        [1, 2, 3, 4].map((level) => h('option', { value: level }, t(`action.level${level}`))));
    case 'datetime':
      return h('input', { id, name: input.name, type: 'datetime-local' });
    case 'queue': {
      const { queues } = await api.get('/v1/queues');
      return h('select', { id, name: input.name }, h('option', { value: '' }, '—'),
        queues.map((q) => h('option', { value: q.id }, q.name || q.id)));
    }
    case 'script': {
      const scripts = await loadScripts();
      return h('select', { id, name: input.name }, h('option', { value: '' }, t('action.noScript')),
        scripts.map((s) => h('option', { value: s.id }, s.id)));
    }
    default:
      return h('input', {
        id, name: input.name, type: 'text', maxlength: 4000, required: input.required, autocomplete: 'off',
        value: input.initial?.(me) ?? '',
      });
  }
}

/** The fields of a submitted action form, leaving out what was left empty. */
function fieldsOf(form, action) {
  const fields = { ...action.fixed };
  for (const input of action.inputs ?? []) {
    const value = form.elements[input.name].value.trim();
    if (!value) continue;
    if (input.kind === 'level') fields[input.name] = Number(value);
    else if (input.kind === 'datetime') fields[input.name] = new Date(value).toISOString();
    else fields[input.name] = value;
  }
  return fields;
}

/**
 * The action bar for one conversation. `onDone(conversation)` receives the conversation as the
 * gateway answers it after an action.
 */
export function actionBar(conversationId, { me, onDone }) {
  const buttons = h('div', { class: 'action-buttons' });
  const formSlot = h('div', { class: 'action-form-slot' });
  const element = h('section', { class: 'panel', id: 'actions', 'aria-labelledby': 'actions-title' },
    h('h2', { id: 'actions-title' }, t('actions.title')), buttons, formSlot);

  async function perform(name, fields) {
    const action = ACTIONS[name];
    const { data } = await api.post(api.path('/v1/conversations', conversationId, action.endpoint ?? name), fields);
    clearAlert();
    formSlot.replaceChildren();
    onDone(data);
  }

  async function open(name, button) {
    const action = ACTIONS[name];
    if (!action.inputs) {
      button.disabled = true;
      try { await perform(name, {}); } catch (error) { showError(error); } finally { button.disabled = false; }
      return;
    }
    const problem = h('p', { class: 'error', role: 'alert', hidden: true });
    const cancel = () => { formSlot.replaceChildren(); button.focus(); };
    const rows = await Promise.all(action.inputs.map(async (input) => {
      const id = `action-${input.name}`;
      return h('div', { class: 'field' },
        h('label', { for: id }, t(`action.field.${input.name}`), input.required ? ' *' : ''),
        await control(input, id, me));
    }));
    // `novalidate`: the form's own message (translated, announced) says what is missing, not the browser's bubble.
    const form = h('form', { class: 'action-form', novalidate: true, dataset: { action: name }, 'aria-label': t(`action.${name}`) },
      rows, problem,
      h('div', { class: 'form-buttons' },
        h('button', { type: 'submit', class: 'action-confirm primary' }, t(`action.${name}`)),
        h('button', { type: 'button', class: 'action-cancel', onclick: cancel }, t('common.cancel'))));
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const missing = (action.inputs ?? []).find((input) => input.required && !form.elements[input.name].value.trim());
      if (missing) {
        problem.hidden = false;
        problem.textContent = t('action.missing', { field: t(`action.field.${missing.name}`) });
        form.elements[missing.name].focus();
        return;
      }
      const confirm = form.querySelector('.action-confirm');
      confirm.disabled = true;
      try {
        await perform(name, fieldsOf(form, action));
        button.focus();
      } catch (error) {
        if (error.sessionEnded) return;
        problem.hidden = false;
        problem.textContent = error.message;
        confirm.disabled = false;
      }
    });
    formSlot.replaceChildren(form);
    form.querySelector('input, select, textarea')?.focus();
  }

  for (const name of Object.keys(ACTIONS)) {
    buttons.append(h('button', {
      type: 'button', dataset: { action: name },
      onclick: (event) => open(name, event.currentTarget).catch(showError),
    }, t(`action.${name}`)));
  }

  return {
    element,
    /** Enables what the state takes; an open form stays, so a live refresh does not lose input. */
    update(state) {
      for (const button of buttons.children) {
        button.disabled = !ACTIONS[button.dataset.action].states.includes(state);
      }
    },
  };
}
