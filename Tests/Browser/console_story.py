#!/usr/bin/env python3
"""The agent console in a real browser, end to end.

Drives Debian's Chromium with Playwright (sync API) against a running gateway and walks:

  a. the story: sign in, a webhook message shows up live in the open queue, claim, open, the matched
     term's tooltip, a script with a missing variable refused in the preview, then sent, resolved;
  b. approval: a reply promising ¥800 is held, and a supervisor in a second browser context approves
     exactly the text that was held;
  c. hostile content: markup, a javascript: link, an RTL override and a 10,000-character word in a
     message render as inert text without widening the page;
  d. CSRF: a form on another origin cannot close a conversation with the signed-in cookie, and a
     same-origin POST without the CSRF header is refused;
  e. an expired session: sign in again and land on the same conversation with the draft restored;
  f. screenshots of every page at 1280x800 and 390x844;
  g. a countdown turns red when its clock reaches its warning (the browser's clock moved forward);
  h. a file picked in the composer goes out with the reply.

Prints one `ok - …` line per passed step and `conversation=<id>` / `approved=<outbox id>` for the Swift
test that runs it (Tests/SwitchboardTests/EndToEnd/ConsoleBrowserTests.swift); exits non-zero with a
`FAIL` line (and a failure screenshot) at the first deviation.
"""

import argparse
import calendar
import http.server
import json
import os
import re
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect, sync_playwright

SIZES = [(1280, 800), (390, 844)]
LIVE_WITHIN_MS = 2000
WAIT_MS = 10_000
HOSTILE = [
    '<img src=x onerror=alert(1)>',
    '<script>alert(2)</script>',
    '<a href="javascript:alert(3)">x</a>',
]
RTL_OVERRIDE = '\u202e'


class StoryFailed(Exception):
    """A deviation from what the console must do; the message says what."""


def check(condition, message):
    if not condition:
        raise StoryFailed(message)


def ok(message):
    print(f'ok - {message}', flush=True)


class Gateway:
    """The gateway's HTTP API as the test itself uses it (bearer tokens, not the browser's session)."""

    def __init__(self, base, agent_token, inbound_path):
        self.base = base.rstrip('/')
        self.agent_token = agent_token
        self.inbound_path = inbound_path

    def call(self, method, path, token=None, body=None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.base + path, data=data, method=method)
        if data is not None:
            request.add_header('Content-Type', 'application/json')
        if token:
            request.add_header('Authorization', f'Bearer {token}')
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                raw = response.read()
                return response.status, json.loads(raw) if raw else None
        except urllib.error.HTTPError as error:
            raw = error.read()
            try:
                return error.code, json.loads(raw)
            except ValueError:
                return error.code, raw.decode(errors='replace')

    def get(self, path):
        status, body = self.call('GET', path, self.agent_token)
        check(status == 200, f'GET {path} answered {status}: {body}')
        return body

    def customer_writes(self, sender, subject, text):
        """Posts a customer's message to the webhook source; the new message's conversation id."""
        status, body = self.call('POST', self.inbound_path, body={'from': sender, 'subject': subject, 'text': text})
        check(status == 202, f'the inbound webhook answered {status}: {body}')
        return body['conversation_id']

    def conversation(self, conversation_id):
        return self.get(f'/v1/conversations/{urllib.parse.quote(conversation_id)}')

    def outbox_entry(self, entry_id):
        return self.get(f'/v1/outbox/{urllib.parse.quote(entry_id)}')


class Browser:
    """One browser context (its own cookie jar) with a page that records what must never happen."""

    def __init__(self, browser, base, name):
        self.base = base.rstrip('/')
        self.origin = '{0.scheme}://{0.netloc}'.format(urllib.parse.urlsplit(self.base))
        self.name = name
        self.context = browser.new_context(viewport={'width': SIZES[0][0], 'height': SIZES[0][1]}, locale='en-US')
        self.context.set_default_timeout(WAIT_MS)
        self.page = self.context.new_page()
        self.dialogs = []
        self.page_errors = []
        self.foreign_requests = []
        self.page.on('dialog', self._on_dialog)
        self.page.on('pageerror', lambda error: self.page_errors.append(str(error)))
        self.page.on('request', self._on_request)

    def _on_dialog(self, dialog):
        self.dialogs.append(f'{dialog.type}: {dialog.message}')
        dialog.dismiss()

    def _on_request(self, request):
        # `data:` URLs never leave the browser; anything else must go to the gateway.
        url = request.url
        if not url.startswith('data:') and not url.startswith(self.origin + '/'):
            self.foreign_requests.append(url)

    def open(self, route=''):
        self.page.goto(f'{self.base}/console/{route}')

    def route(self, route):
        """Goes to a hash route inside the running console, as a link click does (no reload)."""
        self.page.evaluate('(hash) => { location.hash = hash; }', route)

    def sign_in(self, token):
        page = self.page
        expect(page.locator('#signin')).to_be_visible()
        page.fill('#token', token)
        page.click('#signin-submit')
        expect(page.locator('#whoami')).not_to_be_empty()
        expect(page.locator('#signin-panel')).to_be_hidden()
        check(page.input_value('#token') == '', 'the token input still holds the token after signing in')

    def screenshot(self, directory, name):
        for width, height in SIZES:
            self.page.set_viewport_size({'width': width, 'height': height})
            self.page.screenshot(path=os.path.join(directory, f'{name}-{width}x{height}.png'))
        self.page.set_viewport_size({'width': SIZES[0][0], 'height': SIZES[0][1]})

    def assert_clean(self):
        check(not self.dialogs, f'{self.name}: a dialog opened: {self.dialogs}')
        check(not self.page_errors, f'{self.name}: the page threw: {self.page_errors}')
        check(not self.foreign_requests, f'{self.name}: requests left the gateway origin: {self.foreign_requests}')


def fits_width(page):
    """True when the page has no horizontal overflow at its current width."""
    return page.evaluate('document.documentElement.scrollWidth <= innerWidth + 1')


# --- a. the story ---------------------------------------------------------------------------------

def tab_to(page, selector, limit=150):
    """Presses Tab until `selector` has the focus, which proves the keyboard reaches it."""
    for _ in range(limit):
        if page.evaluate('(s) => document.activeElement !== null && document.activeElement.matches(s)', selector):
            return
        page.keyboard.press('Tab')
    raise StoryFailed(f'{selector} cannot be reached with Tab')


def queue_counts(page):
    return {row.get_attribute('data-queue'): int(row.locator('.count-open').inner_text())
            for row in page.locator('[data-queue]').all()}


def story(agent, gateway, args, run_id):
    page = agent.page
    agent.open()
    expect(page.locator('#signin')).to_be_visible()
    agent.screenshot(args.screenshots, 'signin')
    agent.sign_in(args.agent_token)
    ok('signed in as the agent; the token field was cleared')

    page.locator('html[lang^="en"]').wait_for()
    page.select_option('#lang', 'zh')
    expect(page.locator('html')).to_have_attribute('lang', 'zh-CN')
    expect(page.locator('.mainnav [data-nav="queues"]')).to_have_text('队列')
    page.select_option('#lang', 'en')
    expect(page.locator('.mainnav [data-nav="queues"]')).to_have_text('Queues')
    ok('the language switch relabels the page (zh / en)')

    agent.route('#/queues')
    page.locator('[data-queue] .count-open').first.wait_for()
    before = queue_counts(page)
    agent.screenshot(args.screenshots, 'queues')

    warm_up = gateway.customer_writes(f'warmup-{run_id}@example.com', '网站打不开', '网站一直打不开，急死了')
    queue = gateway.conversation(warm_up)['conversation']['queue']
    check(queue in before, f'the warm-up message went to queue {queue!r}, which the queues page does not list')
    count = page.locator(f'[data-queue="{queue}"] .count-open')
    expect(count).not_to_have_text(str(before[queue]), timeout=LIVE_WITHIN_MS)
    ok(f'the warm-up message raised the open count of {queue} live, without a reload')

    page.locator(f'[data-queue="{queue}"] th button').click()
    page.wait_for_url(f'**/console/#/queue/{queue}')
    expect(page.locator(f'#conversations [data-conversation="{warm_up}"]')).to_be_visible()
    # A reload would drop this marker: the new row must come by the event stream.
    page.evaluate('window.storyMarker = "still here"')

    # The same words as the warm-up, so the same route takes it to the same queue.
    conversation = gateway.customer_writes(args.story_from, '网站打不开', '网站一直打不开，急死了')
    check(len(gateway.conversation(conversation)['messages']) == 1,
          f'{args.story_from} already had an open conversation ({conversation}); run on fresh data or pass --story-from')
    row = page.locator(f'#conversations [data-conversation="{conversation}"]')
    expect(row).to_be_visible(timeout=LIVE_WITHIN_MS)
    check(page.evaluate('window.storyMarker') == 'still here', 'the queue view reloaded instead of updating in place')
    expect(row).to_contain_text(args.story_from)
    check(row.locator('.countdown[data-clock]').count() > 0, 'the new row shows no SLA countdown')
    ok(f'the new webhook message {conversation} appeared in the open {queue} queue within 2 s, with its countdowns')
    agent.screenshot(args.screenshots, 'queue')

    row.locator('button.customer-address').click()
    page.wait_for_url(f'**/console/#/conversation/{conversation}')
    expect(page.locator('#conv-state')).to_have_attribute('data-state', 'new')
    page.click('[data-action="claim"]')
    expect(page.locator('#conv-state')).to_have_attribute('data-state', 'assigned')
    expect(page.locator('#conv-owner')).not_to_have_attribute('data-owner', '')
    ok('claimed the conversation and opened it')

    detail = gateway.conversation(conversation)
    signals = {match['signal'] for message in detail['messages'] for match in message['classification']['matches']
               if isinstance(match.get('start'), int)}
    check(signals, 'the classification placed no match in the text, so there is nothing to highlight')
    marks = page.locator('#messages mark.term')
    expect(marks.first).to_be_visible()
    tips = [marks.nth(i).locator('.term-tip').text_content() for i in range(marks.count())]
    check(any(signal in tip for tip in tips for signal in signals),
          f'no term tooltip names a matched signal {sorted(signals)}: {tips}')
    marks.first.focus()
    expect(marks.first.locator('.term-tip')).to_be_visible()
    route_id = detail['messages'][0]['classification']['route']['route_id']
    expect(page.locator('#routing .route-id')).to_have_text(route_id)
    ok(f'{marks.count()} matched terms are marked; a focused one shows its tooltip; routing names {route_id}')

    page.click('#clocks + details > summary')
    expect(page.locator('#clock-log li[data-action="started"][data-clock-kind="first_response"]')).to_be_visible()
    ok('the clock log shows the first-response clock starting')

    # The reply flow from the keyboard alone: Tab to each control, arrows in the select, Enter to send.
    script, variables = pick_script(gateway, lambda s: s['id'] == 'delay-apology') or pick_script(gateway, lambda s: True)
    tab_to(page, '#reply-script')
    for _ in range(60):
        if page.input_value('#reply-script') == script:
            break
        page.keyboard.press('ArrowDown')
    check(page.input_value('#reply-script') == script, f'the arrow keys did not reach script {script} in #reply-script')
    # Leave out a free-text variable (`progress`), so the value filled in later is easy to find.
    empty = next((name for name in variables if 'time' not in name), variables[0])
    for name in variables:
        if name != empty:
            tab_to(page, f'input[data-variable="{name}"]')
            page.keyboard.type(sample_value(name))
    problem = page.locator('#preview-problems .problem[data-code="missing_template_variable"]')
    expect(problem).to_be_visible()
    expect(page.locator('#send-reply')).to_be_disabled()
    ok(f'script {script} without {empty}: the preview says missing_template_variable and Send is disabled')

    value = f'仓库已重新发货 {run_id}'
    tab_to(page, f'input[data-variable="{empty}"]')
    page.keyboard.type(value)
    expect(problem).to_have_count(0)
    expect(page.locator('#preview-text')).to_contain_text(value)
    expect(page.locator('#send-reply')).to_be_enabled()
    agent.screenshot(args.screenshots, 'conversation')
    tab_to(page, '#send-reply')
    page.keyboard.press('Enter')
    expect(page.locator('#reply-result')).to_contain_text('queued', ignore_case=True)
    expect(page.locator(f'#outbox [data-outbox="{page.get_attribute("#reply-result", "data-outbox")}"]')).to_be_visible()
    ok('from the keyboard alone: with the variable filled the preview shows it; the reply was sent and is queued')

    page.click('[data-action="resolve"]')
    page.fill('#action-resolution', 'Site is back; confirmed with the customer.')
    page.click('.action-form .action-confirm')
    expect(page.locator('#conv-state')).to_have_attribute('data-state', 'resolved')
    ok('resolved the conversation')
    print(f'conversation={conversation}', flush=True)
    return conversation, warm_up


def sample_value(variable):
    """A plausible value for a script variable an agent fills in."""
    if variable in ('amount', 'compensation'):
        return '¥800'
    return '明天 18:00' if 'time' in variable else '已安排补发'


def pick_script(gateway, wanted):
    """A script with a required variable (and no amount), and its required variables."""
    for script in gateway.get('/v1/scripts')['scripts']:
        required = [v['name'] for v in script['variables'] if v['required']]
        names = {v['name'] for v in script['variables']}
        if wanted(script) and required and not names & {'amount', 'compensation'}:
            return script['id'], required
    return None


# --- b. approval ------------------------------------------------------------------------------------

def approval(agent, supervisor, gateway, args, conversation):
    page = agent.page
    agent.route(f'#/conversation/{conversation}')
    expect(page.locator('#conv-state')).to_have_attribute('data-state', 'new')
    script = next((s for s in gateway.get('/v1/scripts')['scripts']
                   if any(v['name'] in ('amount', 'compensation') for v in s['variables'])), None)
    if script:
        page.select_option('#reply-script', script['id'])
        for variable in script['variables']:
            page.fill(f'input[data-variable="{variable["name"]}"]', sample_value(variable['name']))
    else:
        page.select_option('#reply-script', '')
        page.fill('#reply-text', '非常抱歉给您带来不便，我们将向您补偿 ¥800，明天 18:00 前到账。')
    expect(page.locator('#preview-approval')).to_contain_text('800')
    expect(page.locator('#send-reply')).to_be_enabled()
    page.click('#send-reply')
    result = page.locator('#reply-result')
    expect(result).to_have_attribute('data-status', 'awaiting_approval')
    expect(result).to_contain_text('awaiting approval', ignore_case=True)
    held_id = result.get_attribute('data-outbox')
    held = gateway.outbox_entry(held_id)
    check(held['status'] == 'awaiting_approval', f'the held reply {held_id} is {held["status"]}')
    ok(f'a reply promising ¥800 is held for approval ({held_id})')

    supervisor.open('#/approvals')
    supervisor.sign_in(args.supervisor_token)
    sp = supervisor.page
    row = sp.locator(f'[data-approval="{held_id}"]')
    expect(row).to_be_visible()
    shown = row.locator('.approval-body').text_content()
    check(shown == held['body'], f'the approval shows other text than was held:\n{shown!r}\n!=\n{held["body"]!r}')
    supervisor.screenshot(args.screenshots, 'approvals')
    row.locator('.approval-note').fill('Approved: delay over a week.')
    row.locator('.approve').click()
    expect(row).to_have_attribute('data-decided', 'queued')
    check(gateway.outbox_entry(held_id)['status'] != 'awaiting_approval', 'the approved reply is still awaiting approval')
    ok('the supervisor, in a second browser context, saw exactly the held text and approved it')
    print(f'approved={held_id}', flush=True)

    supervisor.route('#/report')
    sp.locator('#report h3').first.wait_for()
    supervisor.screenshot(args.screenshots, 'report')
    ok('the service report renders for the supervisor')


# --- c. hostile content -------------------------------------------------------------------------

def hostile_content(agent, gateway, run_id):
    page = agent.page
    long_word = 'W' * 10_000
    payload = ' '.join(HOSTILE)
    conversation = gateway.customer_writes(
        f'"{HOSTILE[0]}" <xss-{run_id}@example.com>',
        f'{payload} {RTL_OVERRIDE}override',
        f'{payload}\n{RTL_OVERRIDE}reversed text\n{long_word}')
    agent.route(f'#/conversation/{conversation}')
    message = page.locator('#messages .message').last
    expect(message.locator('.message-text')).to_contain_text(long_word)
    text = message.locator('.message-text').text_content()
    subject = message.locator('.message-subject').text_content()
    sender = message.locator('.message-sender').text_content()
    for fragment in HOSTILE:
        check(fragment in text, f'the message text does not show {fragment!r} literally')
        check(fragment in subject, f'the subject does not show {fragment!r} literally')
    check(HOSTILE[0] in sender, 'the sender does not show its markup literally')
    check(RTL_OVERRIDE in text, 'the RTL override was dropped from the text')
    expect(page.get_by_text(HOSTILE[1]).first).to_be_visible()
    check(page.locator('#messages img, #messages script, #messages a, #messages iframe').count() == 0,
          'customer markup became elements inside #messages')
    for width, height in SIZES:
        page.set_viewport_size({'width': width, 'height': height})
        check(fits_width(page),
              f'the page overflows horizontally at {width}px: scrollWidth {page.evaluate("document.documentElement.scrollWidth")}')
    page.set_viewport_size({'width': SIZES[0][0], 'height': SIZES[0][1]})
    agent.assert_clean()
    ok('hostile sender, subject and text render as inert text: no dialog, no element, no foreign request, no overflow')


# --- d. CSRF --------------------------------------------------------------------------------------

class ForgingSite:
    """Another origin (127.0.0.1 on another port) whose page auto-submits a form to the gateway."""

    def __init__(self, target):
        page = ('<!doctype html><title>prize</title>'
                f'<form id="f" method="POST" action="{target}"><input name="reason" value="forged"></form>'
                '<script>document.getElementById("f").submit()</script>').encode()

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_response(200)
                self.send_header('Content-Type', 'text/html; charset=utf-8')
                self.send_header('Content-Length', str(len(page)))
                self.end_headers()
                self.wfile.write(page)

            def log_message(self, *_):
                pass

        self.server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Handler)
        self.url = f'http://127.0.0.1:{self.server.server_port}/'
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def csrf(agent, gateway, conversation):
    target = f'{agent.base}/v1/conversations/{urllib.parse.quote(conversation)}/close'
    site = ForgingSite(target)
    forged = agent.context.new_page()
    try:
        with forged.expect_response(lambda r: r.url == target and r.request.method == 'POST') as answer:
            forged.goto(site.url)
        status = answer.value.status
    finally:
        forged.close()
        site.close()
    check(status >= 400, f'the forged cross-site form post was answered {status}')
    state = gateway.conversation(conversation)['conversation']['state']
    check(state == 'resolved', f'the cross-site form post changed the conversation to {state}')
    ok(f'a form on another origin could not close the conversation (answered {status}; still resolved)')

    status = agent.page.evaluate(
        """async (path) => (await fetch(path, {method: 'POST', headers: {'Content-Type': 'application/json'}, body: '{}'})).status""",
        f'/v1/conversations/{urllib.parse.quote(conversation)}/close')
    check(status == 403, f'a same-origin POST without X-CSRF-Token was answered {status}, not 403')
    state = gateway.conversation(conversation)['conversation']['state']
    check(state == 'resolved', f'the POST without a CSRF token changed the conversation to {state}')
    ok('a same-origin POST without X-CSRF-Token is refused with 403')


# --- e. an expired session ------------------------------------------------------------------------

def expired_session(agent, args, conversation, run_id):
    page = agent.page
    route = f'#/conversation/{conversation}'
    agent.route(route)
    expect(page.locator('#reply-script')).to_be_visible()
    page.select_option('#reply-script', '')
    draft = f'Draft kept across sign-in {run_id}: we are checking the courier now.'
    page.fill('#reply-text', draft)
    stored = page.evaluate('JSON.stringify({...localStorage}) + JSON.stringify({...sessionStorage}) + document.cookie')
    check(args.agent_token not in stored, 'the API token is kept in web storage or a script-readable cookie')

    agent.context.clear_cookies()
    page.click('#refresh')
    expect(page.locator('#signin')).to_be_visible()
    expect(page.locator('#app')).to_be_hidden()
    ok('with the session cookie gone, the next call brings up the sign-in form')

    agent.sign_in(args.agent_token)
    check(urllib.parse.urlsplit(page.url).fragment == route[1:], f'after signing in again the page is {page.url}, not {route}')
    expect(page.locator('#reply-text')).to_have_value(draft)
    ok('signed in again: back on the same conversation with the draft restored')


# --- h. a file with a reply -----------------------------------------------------------------------

ATTACHED_TEXT = b'Receipt 2026-12-05: order A123, 2 items, CNY 158.00\n'


def attachment(agent, gateway, run_id):
    """Picks a file in the composer: it is uploaded at once, listed, and goes out with the reply."""
    page = agent.page
    conversation = gateway.customer_writes(f'file-{run_id}@example.com', 'Receipt please', 'Can you send me the receipt for order A123?')
    agent.route(f'#/conversation/{conversation}')
    expect(page.locator('#reply-text')).to_be_visible()
    page.fill('#reply-text', 'Here is your receipt for order A123.')
    page.set_input_files('#reply-files', files=[{'name': 'receipt.txt', 'mimeType': 'text/plain', 'buffer': ATTACHED_TEXT}])
    expect(page.locator('#reply-attachments li')).to_have_count(1)
    expect(page.locator('#reply-attachments li')).to_contain_text('receipt.txt')
    expect(page.locator('#send-reply')).to_be_enabled()
    page.click('#send-reply')
    expect(page.locator('#reply-result')).to_contain_text('queued', ignore_case=True)
    expect(page.locator('#reply-attachments li')).to_have_count(0)
    agent.assert_clean()
    print(f'attached={conversation}', flush=True)
    ok('a file picked in the composer was uploaded, listed and sent with the reply')


# --- g. a countdown at its warning ----------------------------------------------------------------

ALARM_RED = 'rgb(179, 22, 27)'


def countdown_warning(browser, gateway, args, run_id):
    """Moves a fresh browser's clock to just past a running clock's warning: its countdown turns red."""
    conversation = gateway.customer_writes(f'clock-{run_id}@example.com', 'Website down', '网站一直打不开，急死了')
    detail = gateway.conversation(conversation)
    queue = detail['conversation']['queue']
    clock = next((c for c in detail['clocks'] if c['kind'] == 'first_response' and c['status'] == 'running'), None)
    check(clock is not None and clock.get('warn_at'), f'the new conversation has no running first-response clock: {detail["clocks"]}')
    watcher = Browser(browser, args.base, 'clock')
    page = watcher.page
    page.clock.install()
    watcher.open(f'#/queue/{urllib.parse.quote(queue)}')
    watcher.sign_in(args.agent_token)
    countdown = page.locator(f'[data-conversation="{conversation}"] .countdown[data-clock="first_response"]')
    expect(countdown).to_be_visible()
    check('warn' not in (countdown.get_attribute('class') or '').split(), 'the countdown is red before its warning')
    warn_at = calendar.timegm(time.strptime(clock['warn_at'], '%Y-%m-%dT%H:%M:%SZ'))
    page.clock.fast_forward(int(max(0, warn_at - time.time()) * 1000) + 2000)
    expect(countdown).to_have_class(re.compile(r'\bwarn\b'))
    color = countdown.evaluate('(el) => getComputedStyle(el).color')
    check(color == ALARM_RED, f'the countdown at its warning is {color}, not red')
    ok('the countdown turned red at its warning')

    # A tab hidden for a while lets its stream go; shown again, it resumes with what it missed.
    set_hidden = '(hidden) => { Object.defineProperty(document, "hidden", {configurable: true, get: () => hidden});' \
                 ' document.dispatchEvent(new Event("visibilitychange")); }'
    page.evaluate(set_hidden, True)
    page.clock.fast_forward(31_000)
    expect(page.locator('#live-status')).to_have_attribute('data-state', 'off')
    # The same words as the watched conversation, so the rules route it to the same queue.
    missed = gateway.customer_writes(f'hidden-{run_id}@example.com', 'Website down', '网站一直打不开，急死了')
    landed = gateway.conversation(missed)['conversation']['queue']
    check(landed == queue, f'the message written while hidden went to {landed}, not the watched queue {queue}')
    page.evaluate(set_hidden, False)
    expect(page.locator('#live-status')).to_have_attribute('data-state', 'on')
    expect(page.locator(f'[data-conversation="{missed}"]')).to_be_visible()
    watcher.assert_clean()
    watcher.context.close()
    ok('a hidden tab let its stream go and, shown again, caught up with what it missed')


# --- f. the ops page ------------------------------------------------------------------------------

def ops_page(browser, supervisor, args):
    if args.ops_token:
        ops = Browser(browser, args.base, 'ops')
        ops.open('#/ops')
        ops.sign_in(args.ops_token)
        expect(ops.page.locator('#rules-version')).not_to_be_empty()
        expect(ops.page.locator('#nodes tbody tr').first).to_be_visible()
        ops.screenshot(args.screenshots, 'ops')
        ops.assert_clean()
        ops.context.close()
        ok('the ops page shows the rules version and the nodes')
    else:
        # Without an ops token the page is shown as a supervisor meets it: not for their role.
        supervisor.route('#/ops')
        expect(supervisor.page.locator('#view .notice')).to_be_visible()
        supervisor.screenshot(args.screenshots, 'ops')
        ok('the ops page (no --ops-token: as a supervisor sees it, refused for the role)')


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--base', required=True, help='the gateway, e.g. http://127.0.0.1:8080')
    parser.add_argument('--agent-token', required=True)
    parser.add_argument('--supervisor-token', required=True)
    parser.add_argument('--ops-token', help='for the ops page; without it the page is shown as a supervisor sees it')
    parser.add_argument('--screenshots', required=True, help='directory for the PNG screenshots (created)')
    parser.add_argument('--inbound-path', required=True, help='the webhook source, e.g. /v1/inbound/webhook/demo')
    parser.add_argument('--story-from', default='story@example.com', help='the story customer\'s address')
    parser.add_argument('--chromium', default='/usr/bin/chromium')
    args = parser.parse_args()
    os.makedirs(args.screenshots, exist_ok=True)
    gateway = Gateway(args.base, args.agent_token, args.inbound_path)
    run_id = time.strftime('%H%M%S')
    started = time.monotonic()

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=args.chromium, args=['--no-sandbox'])
        agent = Browser(browser, args.base, 'agent')
        supervisor = Browser(browser, args.base, 'supervisor')
        current = agent
        try:
            conversation, warm_up = story(agent, gateway, args, run_id)
            current = supervisor
            approval(agent, supervisor, gateway, args, warm_up)
            current = agent
            hostile_content(agent, gateway, run_id)
            csrf(agent, gateway, conversation)
            expired_session(agent, args, warm_up, run_id)
            countdown_warning(browser, gateway, args, run_id)
            attachment(agent, gateway, run_id)
            current = supervisor
            ops_page(browser, supervisor, args)
            agent.assert_clean()
            supervisor.assert_clean()
        except (StoryFailed, PlaywrightError, AssertionError) as failure:
            shot = os.path.join(args.screenshots, f'failure-{current.name}.png')
            try:
                current.page.screenshot(path=shot, full_page=True)
            except PlaywrightError:
                shot = 'none'
            print(f'FAIL {type(failure).__name__}: {failure}\n(screenshot: {shot})', file=sys.stderr, flush=True)
            return 1
        finally:
            browser.close()
    ok(f'all steps passed in {time.monotonic() - started:.1f} s')
    return 0


if __name__ == '__main__':
    sys.exit(main())
