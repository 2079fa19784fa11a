/**
 * The operations page (`#/ops`): the active rule set, the last refused reload, reloading the
 * rules, and every gateway sharing the store with the rule-set version it runs.
 */

import * as api from './api.js';
import { h, field, formatTime, section, showError } from './dom.js';
import { forgetScripts } from './composer.js';
import { t } from './i18n.js';

function rulesFacts(rules) {
  return h('dl', { class: 'facts' },
    field(t('ops.version'), h('code', { id: 'rules-version' }, rules.version ?? '—')),
    field(t('ops.loadedAt'), formatTime(rules.loaded_at)),
    field(t('ops.directory'), rules.directory),
    field(t('ops.counts'), t('ops.countsValue', {
      signals: rules.signals ?? 0,
      routes: Array.isArray(rules.routes) ? rules.routes.length : rules.routes ?? 0,
      queues: Array.isArray(rules.queues) ? rules.queues.length : rules.queues ?? 0,
      scripts: Array.isArray(rules.scripts) ? rules.scripts.length : rules.scripts ?? 0,
      patterns: rules.patterns ?? 0,
    })));
}

function reloadError(lastError) {
  if (!lastError) return h('p', { id: 'last-reload-error', class: 'muted' }, t('ops.noReloadError'));
  return h('div', { id: 'last-reload-error', class: 'reload-error' },
    h('p', {}, t('ops.reloadRefusedAt', { at: formatTime(lastError.at) })),
    h('ul', { class: 'problems' }, (lastError.problems ?? []).map((problem) =>
      h('li', { class: 'problem' }, h('code', {}, typeof problem === 'string' ? problem : JSON.stringify(problem))))));
}

const NODE_COLUMNS = ['ops.node', 'ops.address', 'ops.nodeVersion', 'ops.rulesVersion', 'ops.startedAt', 'ops.heartbeatAt', 'ops.live'];

function nodesTable(answer, activeVersion) {
  return h('div', { class: 'table-scroll' }, h('table', { id: 'nodes', class: 'nodes' },
    h('thead', {}, h('tr', {}, NODE_COLUMNS.map((key) => h('th', { scope: 'col' }, t(key))))),
    h('tbody', {}, (answer.nodes ?? []).map((node) => h('tr', { dataset: { node: node.id }, class: node.live ? null : 'stale' },
      h('th', { scope: 'row' }, node.id),
      h('td', {}, node.address ?? '—'),
      h('td', {}, node.version ?? '—'),
      h('td', { class: node.rules_version !== activeVersion ? 'alarm' : null }, h('code', {}, node.rules_version ?? '—')),
      h('td', {}, formatTime(node.started_at)),
      h('td', {}, formatTime(node.heartbeat_at)),
      h('td', { class: node.live ? 'ok' : 'alarm' }, node.live ? t('ops.liveYes') : t('ops.liveNo')))))));
}

/** `#/ops`. */
export function opsView() {
  const rulesPanel = h('div');
  const nodesPanel = h('div');
  const reloadResult = h('div', { id: 'reload-result', role: 'status' });
  const reload = h('button', { type: 'button', id: 'reload-rules', class: 'primary', onclick: reloadRules }, t('ops.reload'));
  const element = h('div', { class: 'ops-page' },
    section(t('ops.rules'), {}, rulesPanel, h('div', { class: 'form-buttons' }, reload), reloadResult),
    section(t('ops.nodes'), {}, nodesPanel));
  let activeVersion = null;

  function showRules(rules) {
    activeVersion = rules.version;
    rulesPanel.replaceChildren(rulesFacts(rules), h('h3', {}, t('ops.lastReloadError')), reloadError(rules.last_error));
  }

  async function reloadRules() {
    reload.disabled = true;
    reloadResult.replaceChildren();
    try {
      const { data } = await api.post('/v1/rules/reload', {});
      showRules(data);
      forgetScripts();
      reloadResult.replaceChildren(h('p', {}, t('ops.reloaded', { version: data.version })));
    } catch (error) {
      // A refused reload answers 422 with the view of the rules still in force and its problems.
      const refused = error.status === 422 && error.body?.version;
      if (refused) showRules(error.body);
      reloadResult.replaceChildren(h('p', { role: 'alert', class: 'error' }, refused ? t('ops.reloadRefused') : error.message));
    } finally {
      reload.disabled = false;
      loadNodes();
    }
  }

  async function loadNodes() {
    try {
      const answer = await api.get('/v1/nodes');
      nodesPanel.replaceChildren(
        answer.rules_version_mismatch ? h('p', { class: 'alarm', role: 'alert' }, t('ops.mismatch')) : '',
        nodesTable(answer, activeVersion));
    } catch (error) {
      showError(error);
    }
  }

  (async () => {
    try {
      showRules(await api.get('/v1/rules'));
    } catch (error) {
      showError(error);
    }
    loadNodes();
  })();
  return { element };
}
