/**
 * Every interface string of the console, in Chinese and English, and the current language.
 *
 * The language defaults from the browser (any `zh*` preference → Chinese) and may be switched; the
 * choice is the only thing the console keeps in localStorage. Values from the API (a state, a
 * clock kind, an event) are looked up here too and shown as they come when there is no entry, so a
 * new kind on the gateway shows up untranslated instead of breaking the page.
 */

const STRINGS = {
  en: {
    'nav.main': 'Main', 'nav.skip': 'Skip to content', 'nav.queues': 'Queues', 'nav.approvals': 'Approvals',
    'nav.report': 'Report', 'nav.ops': 'Operations', 'lang.label': 'Language',
    'signin.title': 'Sign in', 'signin.token': 'API token', 'signin.submit': 'Sign in', 'signin.signOut': 'Sign out',
    'signin.hint': 'Paste your API token. It is sent once to start a session and never stored by this page.',
    'signin.empty': 'Enter your API token.', 'signin.wrong': 'That token was not accepted.',
    'signin.expired': 'Your session has ended. Sign in again to continue where you were; your draft is kept.',
    'role.agent': 'agent', 'role.supervisor': 'supervisor', 'role.ops': 'operations',
    'live.on': 'live', 'live.off': 'offline', 'live.reconnecting': 'reconnecting…',
    'error.generic': 'Something went wrong. Try again.', 'error.role': 'This page is not available to the {role} role.',
    'common.yes': 'yes', 'common.no': 'no', 'common.cancel': 'Cancel', 'common.refresh': 'Refresh',
    'unit.day': 'd',

    'queues.title': 'Queues', 'queues.queue': 'Queue', 'queues.open': 'Open', 'queues.unassigned': 'Unassigned',
    'queues.dueSoon': 'Due soon', 'queues.breached': 'Breached', 'queues.actions': 'Actions',
    'queues.claimNext': 'Claim next', 'queues.nothingToClaim': 'Nothing waiting to be claimed.',
    'queues.none': 'No queues.',
    'queue.counts': '{open} open · {unassigned} unassigned · {dueSoon} due soon · {breached} breached',
    'queue.empty': 'No conversations match.',
    'filter.mine': 'Mine', 'filter.breached': 'Breached', 'filter.state': 'State', 'filter.openStates': 'All open',
    'pager.previous': '← Previous', 'pager.next': 'Next →', 'pager.more': 'More',

    'state.new': 'new', 'state.assigned': 'assigned', 'state.in_progress': 'in progress',
    'state.waiting_on_customer': 'waiting on customer', 'state.escalated': 'escalated', 'state.resolved': 'resolved',
    'state.closed': 'closed',
    'urgency.critical': 'critical', 'urgency.high': 'high urgency', 'urgency.normal': 'normal urgency', 'urgency.low': 'low urgency',
    'sentiment.negative': 'negative', 'sentiment.neutral': 'neutral', 'sentiment.positive': 'positive',
    'direction.inbound': 'from customer', 'direction.outbound': 'to customer',

    'clock.first_response': 'First response', 'clock.next_response': 'Next response', 'clock.resolution': 'Resolution',
    'clock.update_every': 'Update', 'clock.follow_up': 'Follow-up', 'clock.due': 'due',
    'clockStatus.running': 'running', 'clockStatus.paused': 'paused', 'clockStatus.met': 'met', 'clockStatus.breached': 'breached',
    'clockLog.title': 'Clock log', 'clockLog.empty': 'No clock has started.', 'clockLog.carriesOver': 'time so far carried over',
    'clockLog.restarts': 'counting again from zero',
    'clockAction.started': 'started', 'clockAction.paused': 'paused', 'clockAction.resumed': 'resumed',
    'clockAction.fulfilled': 'fulfilled', 'clockAction.warned': 'warned', 'clockAction.breached': 'breached',
    'clockAction.retargeted': 'retargeted',

    'conv.state': 'State', 'conv.owner': 'Owner', 'conv.unowned': 'nobody', 'conv.queue': 'Queue', 'conv.priority': 'Priority',
    'intent.incident': 'incident', 'intent.safety': 'safety', 'intent.security': 'security', 'intent.billing': 'billing',
    'intent.delivery': 'delivery', 'intent.quality': 'quality', 'intent.attitude': 'staff attitude', 'intent.churn': 'churn',
    'intent.legal_threat': 'legal threat', 'intent.refund': 'refund', 'intent.inquiry': 'inquiry', 'intent.praise': 'praise',
    'conv.urgency': 'Urgency', 'conv.sentiment': 'Sentiment', 'conv.intent': 'Intent', 'conv.channel': 'Channel',
    'conv.language': 'Language', 'conv.created': 'Created', 'conv.messages': 'Messages', 'conv.clocks': 'SLA clocks',
    'conv.routing': 'Routing', 'conv.outbox': 'Outbox', 'conv.timeline': 'Timeline', 'conv.noRoute': 'Not routed.',
    'conv.noClocks': 'No clocks.', 'conv.noOutbox': 'Nothing sent yet.', 'conv.notFound': 'Conversation not found',
    'conv.attachments': '{count} attachment(s)', 'conv.otherSignals': 'also matched',
    'term.signal': 'signal', 'term.classifier': 'classifier', 'term.weight': 'weight', 'term.negated': 'negated',
    'term.intensified': 'intensified',
    'routing.route': 'Deciding route', 'routing.condition': 'Because', 'routing.queue': 'Queue',
    'routing.priority': 'Priority', 'routing.policy': 'SLA policy', 'routing.fired': 'Routes that fired',

    'outbox.queued': 'queued', 'outbox.sending': 'sending', 'outbox.sent': 'sent', 'outbox.delivered': 'delivered',
    'outbox.failed': 'failed', 'outbox.dead_lettered': 'dead-lettered', 'outbox.cancelled': 'cancelled',
    'outbox.awaiting_approval': 'awaiting approval', 'outbox.rejected': 'rejected', 'outbox.expired': 'expired',
    'outbox.body': 'Text', 'outbox.attempts': '{count} attempt(s)',

    'event.received': 'message received', 'event.classified': 'classified', 'event.reply_queued': 'reply queued',
    'event.reply_held': 'reply held for approval', 'event.reply_approved': 'reply approved', 'event.reply_rejected': 'reply rejected',
    'event.reply_expired': 'approval expired', 'event.delivery_attempt': 'delivery attempt', 'event.delivery_report': 'delivery report',
    'event.claimed': 'claimed', 'event.owner_assigned': 'owner assigned', 'event.handed_off': 'handed off',
    'event.escalated': 'escalated', 'event.waiting_on_customer': 'waiting on customer', 'event.wait_ended': 'wait ended',
    'event.resumed': 'resumed', 'event.resolved': 'resolved', 'event.reopened': 'reopened', 'event.closed': 'closed',
    'event.note_added': 'note', 'event.sla_warning': 'SLA warning', 'event.sla_breached': 'SLA breached',
    'event.continues': 'continues an earlier conversation', 'event.rerouted': 'rerouted',
    'event.survey_scheduled': 'survey scheduled', 'event.survey_answered': 'survey answered',
    'event.follow_up_opened': 'follow-up opened', 'event.follow_up_created': 'follow-up created',

    'actions.title': 'Actions',
    'action.claim': 'Claim', 'action.assign': 'Assign', 'action.handoff': 'Hand off', 'action.escalate': 'Escalate',
    'action.wait': 'Wait on customer', 'action.resolve': 'Resolve', 'action.resolve-no-survey': 'Resolve without survey',
    'action.reopen': 'Reopen', 'action.close': 'Close', 'action.note': 'Add note',
    'action.field.owner': 'Owner (agent id)', 'action.field.reason': 'Reason', 'action.field.to_queue': 'To queue',
    'action.field.to_owner': 'Or to agent (id)', 'action.field.note': 'Internal note', 'action.field.script': 'Message to the customer',
    'action.field.level': 'Level', 'action.field.until': 'Until', 'action.field.resolution': 'Resolution',
    'action.field.text': 'Note',
    'action.level1': '1 — highest', 'action.level2': '2', 'action.level3': '3', 'action.level4': '4 — lowest',
    'action.noScript': 'none', 'action.missing': '{field} is required.',

    'composer.title': 'Reply', 'composer.script': 'Script', 'composer.freeText': 'free text', 'composer.text': 'Message',
    'composer.required': 'required', 'composer.preview': 'Preview', 'composer.send': 'Send',
    'composer.files': 'Files', 'composer.remove': 'Remove', 'composer.removeFile': 'Remove {name}',
    'composer.sms': 'SMS: {segments} segment(s), {encoding}, {units} characters',
    'composer.channel': 'Goes out by {channel}',
    'composer.needsApproval': 'Needs a supervisor’s approval: {amount}',
    'composer.queued': 'Reply queued ({id}).',
    'composer.awaitingApproval': 'Awaiting approval by a supervisor: {amount}.',

    'approvals.title': 'Replies awaiting approval', 'approvals.none': 'No replies are waiting.',
    'approvals.amount': 'Amount', 'approvals.author': 'Written by', 'approvals.script': 'Script',
    'approvals.created': 'Written', 'approvals.expires': 'Expires', 'approvals.note': 'Note (optional)',
    'approvals.approve': 'Approve', 'approvals.reject': 'Reject', 'approvals.open': 'Open conversation',
    'approvals.approved': 'Approved: the reply is queued.', 'approvals.rejected': 'Rejected: it will not be sent.',
    'approvals.reason.above_threshold': 'above the approval threshold', 'approvals.reason.no_rate': 'currency without an exchange rate',

    'report.title': 'Service report', 'report.from': 'From', 'report.to': 'To', 'report.queue': 'Queue (optional)',
    'report.show': 'Show', 'report.period': '{from} – {to}', 'report.overall': 'Overall', 'report.flags': 'Below standard',
    'report.noFlags': 'Every figure meets its standard.', 'report.byQueue': 'By queue', 'report.byChannel': 'By channel',
    'report.flagged': 'below the standard of {threshold}',
    'report.thresholds': 'Standards: SLA attainment {sla}, first-contact resolution {fcr}, CSAT {csat}.',
    'report.conversations': 'Conversations', 'report.first_response_attainment': 'First response in time',
    'report.first_response_p50': 'First response p50', 'report.first_response_p90': 'First response p90',
    'report.resolution_attainment': 'Resolution in time', 'report.resolution_p90': 'Resolution p90',
    'report.escalation_rate': 'Escalated', 'report.reopen_rate': 'Reopened',
    'report.first_contact_resolution': 'First-contact resolution', 'report.repeat_contact_rate': 'Repeat contact',
    'report.csat': 'CSAT', 'report.nps': 'NPS',

    'ops.rules': 'Rules', 'ops.version': 'Active version', 'ops.loadedAt': 'Loaded', 'ops.directory': 'Directory',
    'ops.counts': 'Contents',
    'ops.countsValue': '{signals} signals, {routes} routes, {queues} queues, {scripts} scripts, {patterns} patterns',
    'ops.lastReloadError': 'Last refused reload', 'ops.noReloadError': 'None.', 'ops.reloadRefusedAt': 'Refused at {at}:',
    'ops.reload': 'Reload rules', 'ops.reloaded': 'Rules reloaded: version {version}.',
    'ops.reloadRefused': 'The rules have problems; the previous rules keep serving.',
    'ops.nodes': 'Gateways', 'ops.mismatch': 'The gateways are not all running the same rules version.',
    'ops.node': 'Node', 'ops.address': 'Address', 'ops.nodeVersion': 'Version', 'ops.rulesVersion': 'Rules',
    'ops.startedAt': 'Started', 'ops.heartbeatAt': 'Last heartbeat', 'ops.live': 'Live', 'ops.liveYes': 'live', 'ops.liveNo': 'silent',
  },

  zh: {
    'nav.main': '主导航', 'nav.skip': '跳到正文', 'nav.queues': '队列', 'nav.approvals': '审批', 'nav.report': '服务报告',
    'nav.ops': '运维', 'lang.label': '语言',
    'signin.title': '登录', 'signin.token': 'API 令牌', 'signin.submit': '登录', 'signin.signOut': '退出',
    'signin.hint': '粘贴您的 API 令牌。它只在登录时发送一次，本页面不会保存。',
    'signin.empty': '请输入 API 令牌。', 'signin.wrong': '令牌无效。',
    'signin.expired': '会话已结束。重新登录后将回到原来的页面，草稿已保留。',
    'role.agent': '客服', 'role.supervisor': '主管', 'role.ops': '运维',
    'live.on': '实时', 'live.off': '离线', 'live.reconnecting': '正在重连…',
    'error.generic': '出了点问题，请重试。', 'error.role': '“{role}”角色无权查看此页面。',
    'common.yes': '是', 'common.no': '否', 'common.cancel': '取消', 'common.refresh': '刷新',
    'unit.day': '天',

    'queues.title': '队列', 'queues.queue': '队列', 'queues.open': '未结', 'queues.unassigned': '未分配',
    'queues.dueSoon': '即将到期', 'queues.breached': '已超时', 'queues.actions': '操作',
    'queues.claimNext': '领取下一个', 'queues.nothingToClaim': '没有待领取的会话。', 'queues.none': '没有队列。',
    'queue.counts': '未结 {open} · 未分配 {unassigned} · 即将到期 {dueSoon} · 已超时 {breached}',
    'queue.empty': '没有符合条件的会话。',
    'filter.mine': '我的', 'filter.breached': '已超时', 'filter.state': '状态', 'filter.openStates': '全部未结',
    'pager.previous': '← 上一页', 'pager.next': '下一页 →', 'pager.more': '更多',

    'state.new': '新建', 'state.assigned': '已分配', 'state.in_progress': '处理中', 'state.waiting_on_customer': '等待客户',
    'state.escalated': '已升级', 'state.resolved': '已解决', 'state.closed': '已关闭',
    'urgency.critical': '紧急', 'urgency.high': '高紧急度', 'urgency.normal': '普通紧急度', 'urgency.low': '低紧急度',
    'sentiment.negative': '负面', 'sentiment.neutral': '中性', 'sentiment.positive': '正面',
    'direction.inbound': '客户来信', 'direction.outbound': '发给客户',

    'clock.first_response': '首次响应', 'clock.next_response': '下次响应', 'clock.resolution': '解决',
    'clock.update_every': '进展更新', 'clock.follow_up': '回访', 'clock.due': '截止',
    'clockStatus.running': '计时中', 'clockStatus.paused': '已暂停', 'clockStatus.met': '已达成', 'clockStatus.breached': '已超时',
    'clockLog.title': '计时记录', 'clockLog.empty': '尚无计时开始。', 'clockLog.carriesOver': '已用时间延续',
    'clockLog.restarts': '从零重新计时',
    'clockAction.started': '开始', 'clockAction.paused': '暂停', 'clockAction.resumed': '恢复',
    'clockAction.fulfilled': '达成', 'clockAction.warned': '预警', 'clockAction.breached': '超时',
    'clockAction.retargeted': '目标变更',

    'conv.state': '状态', 'conv.owner': '负责人', 'conv.unowned': '无', 'conv.queue': '队列', 'conv.priority': '优先级',
    'intent.incident': '故障', 'intent.safety': '安全隐患', 'intent.security': '账户安全', 'intent.billing': '账单',
    'intent.delivery': '物流', 'intent.quality': '质量', 'intent.attitude': '服务态度', 'intent.churn': '流失风险',
    'intent.legal_threat': '法律或曝光威胁', 'intent.refund': '退款', 'intent.inquiry': '咨询', 'intent.praise': '表扬',
    'conv.urgency': '紧急度', 'conv.sentiment': '情绪', 'conv.intent': '意图', 'conv.channel': '渠道', 'conv.language': '语言',
    'conv.created': '创建时间', 'conv.messages': '消息', 'conv.clocks': 'SLA 计时', 'conv.routing': '路由',
    'conv.outbox': '发件箱', 'conv.timeline': '时间线', 'conv.noRoute': '未路由。', 'conv.noClocks': '没有计时。',
    'conv.noOutbox': '尚未发送任何内容。', 'conv.notFound': '找不到该会话', 'conv.attachments': '{count} 个附件',
    'conv.otherSignals': '另外匹配',
    'term.signal': '信号', 'term.classifier': '分类器', 'term.weight': '权重', 'term.negated': '被否定', 'term.intensified': '被加强',
    'routing.route': '决定路由', 'routing.condition': '条件', 'routing.queue': '队列', 'routing.priority': '优先级',
    'routing.policy': 'SLA 策略', 'routing.fired': '触发的路由',

    'outbox.queued': '排队中', 'outbox.sending': '发送中', 'outbox.sent': '已发送', 'outbox.delivered': '已送达',
    'outbox.failed': '失败', 'outbox.dead_lettered': '死信', 'outbox.cancelled': '已取消',
    'outbox.awaiting_approval': '等待审批', 'outbox.rejected': '已驳回', 'outbox.expired': '已过期',
    'outbox.body': '正文', 'outbox.attempts': '已尝试 {count} 次',

    'event.received': '收到消息', 'event.classified': '已分类', 'event.reply_queued': '回复已排队',
    'event.reply_held': '回复待审批', 'event.reply_approved': '回复已批准', 'event.reply_rejected': '回复被驳回',
    'event.reply_expired': '审批已过期', 'event.delivery_attempt': '投递尝试', 'event.delivery_report': '投递回执',
    'event.claimed': '已领取', 'event.owner_assigned': '已指定负责人', 'event.handed_off': '已转交', 'event.escalated': '已升级',
    'event.waiting_on_customer': '等待客户', 'event.wait_ended': '等待结束', 'event.resumed': '已恢复', 'event.resolved': '已解决',
    'event.reopened': '已重新打开', 'event.closed': '已关闭', 'event.note_added': '备注', 'event.sla_warning': 'SLA 预警',
    'event.sla_breached': 'SLA 超时', 'event.continues': '延续之前的会话', 'event.rerouted': '已重新路由',
    'event.survey_scheduled': '已安排满意度调查', 'event.survey_answered': '满意度调查已回复',
    'event.follow_up_opened': '已开启回访', 'event.follow_up_created': '已创建回访',

    'actions.title': '操作',
    'action.claim': '领取', 'action.assign': '指派', 'action.handoff': '转交', 'action.escalate': '升级',
    'action.wait': '等待客户', 'action.resolve': '解决', 'action.resolve-no-survey': '解决（不发调查）',
    'action.reopen': '重新打开', 'action.close': '关闭', 'action.note': '添加备注',
    'action.field.owner': '负责人（客服 ID）', 'action.field.reason': '原因', 'action.field.to_queue': '转到队列',
    'action.field.to_owner': '或转给客服（ID）', 'action.field.note': '内部备注', 'action.field.script': '告知客户的话术',
    'action.field.level': '级别', 'action.field.until': '等到', 'action.field.resolution': '解决说明', 'action.field.text': '备注',
    'action.level1': '1 — 最高', 'action.level2': '2', 'action.level3': '3', 'action.level4': '4 — 最低',
    'action.noScript': '无', 'action.missing': '请填写{field}。',

    'composer.title': '回复', 'composer.script': '话术', 'composer.freeText': '自由文本', 'composer.text': '内容',
    'composer.required': '必填', 'composer.preview': '预览', 'composer.send': '发送',
    'composer.files': '附件', 'composer.remove': '移除', 'composer.removeFile': '移除 {name}',
    'composer.sms': '短信：{segments} 条，{encoding}，{units} 个字符',
    'composer.channel': '通过 {channel} 发送',
    'composer.needsApproval': '需要主管审批：{amount}',
    'composer.queued': '回复已排队（{id}）。',
    'composer.awaitingApproval': '等待主管审批：{amount}。',

    'approvals.title': '待审批的回复', 'approvals.none': '没有待审批的回复。',
    'approvals.amount': '金额', 'approvals.author': '撰写人', 'approvals.script': '话术', 'approvals.created': '撰写时间',
    'approvals.expires': '过期时间', 'approvals.note': '备注（可选）', 'approvals.approve': '批准', 'approvals.reject': '驳回',
    'approvals.open': '打开会话', 'approvals.approved': '已批准：回复已排队发送。', 'approvals.rejected': '已驳回：不会发送。',
    'approvals.reason.above_threshold': '超过审批额度', 'approvals.reason.no_rate': '币种没有汇率',

    'report.title': '服务报告', 'report.from': '开始日期', 'report.to': '结束日期', 'report.queue': '队列（可选）',
    'report.show': '查看', 'report.period': '{from} – {to}', 'report.overall': '总体', 'report.flags': '未达标',
    'report.noFlags': '各项指标均达标。', 'report.byQueue': '按队列', 'report.byChannel': '按渠道',
    'report.flagged': '低于标准 {threshold}',
    'report.thresholds': '标准：SLA 达成率 {sla}，首次解决率 {fcr}，满意度 {csat}。',
    'report.conversations': '会话数', 'report.first_response_attainment': '首次响应及时率',
    'report.first_response_p50': '首次响应 p50', 'report.first_response_p90': '首次响应 p90',
    'report.resolution_attainment': '解决及时率', 'report.resolution_p90': '解决 p90',
    'report.escalation_rate': '升级率', 'report.reopen_rate': '重开率', 'report.first_contact_resolution': '首次解决率',
    'report.repeat_contact_rate': '重复来电率', 'report.csat': '满意度', 'report.nps': 'NPS',

    'ops.rules': '规则', 'ops.version': '当前版本', 'ops.loadedAt': '加载时间', 'ops.directory': '目录', 'ops.counts': '内容',
    'ops.countsValue': '{signals} 个信号，{routes} 条路由，{queues} 个队列，{scripts} 个话术，{patterns} 个模式',
    'ops.lastReloadError': '最近一次被拒绝的重载', 'ops.noReloadError': '无。', 'ops.reloadRefusedAt': '{at} 被拒绝：',
    'ops.reload': '重新加载规则', 'ops.reloaded': '规则已重新加载：版本 {version}。',
    'ops.reloadRefused': '规则有问题，仍使用之前的规则。',
    'ops.nodes': '网关节点', 'ops.mismatch': '各网关运行的规则版本不一致。',
    'ops.node': '节点', 'ops.address': '地址', 'ops.nodeVersion': '版本', 'ops.rulesVersion': '规则',
    'ops.startedAt': '启动时间', 'ops.heartbeatAt': '最近心跳', 'ops.live': '在线', 'ops.liveYes': '在线', 'ops.liveNo': '无响应',
  },
};

const STORAGE_KEY = 'switchboard.lang';

function detect() {
  try {
    const saved = globalThis.localStorage?.getItem(STORAGE_KEY);
    if (saved in STRINGS) return saved;
  } catch { /* storage may be disabled; the browser's preference still works */ }
  const preferred = globalThis.navigator?.languages ?? [];
  return preferred.some((tag) => tag.toLowerCase().startsWith('zh')) ? 'zh' : 'en';
}

let current = detect();

export const lang = () => current;

/** The BCP 47 tag for dates and numbers in the current language. */
export const locale = () => (current === 'zh' ? 'zh-CN' : 'en-GB');

export function setLang(next) {
  if (!(next in STRINGS)) return;
  current = next;
  try { localStorage.setItem(STORAGE_KEY, next); } catch { /* the choice then lasts this page only */ }
}

/**
 * The string for `key` with `{name}` placeholders filled from `params`. Unknown keys give
 * `fallback` (default: the key), which is how API values without a translation are shown.
 */
export function t(key, params = null, ...fallback) {
  const template = STRINGS[current][key] ?? STRINGS.en[key];
  if (template === undefined) return fallback.length ? fallback[0] ?? '' : key;
  return params ? template.replace(/\{(\w+)\}/g, (whole, name) => (name in params ? String(params[name]) : whole)) : template;
}

/** Relabels the static page: `data-i18n` (text) and `data-i18n-aria-label` elements. */
export function applyStatic(root) {
  document.documentElement.lang = locale();
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll('[data-i18n-aria-label]')) el.setAttribute('aria-label', t(el.dataset.i18nAriaLabel));
}
