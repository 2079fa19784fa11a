#!/usr/bin/env python3
"""The SMTP server the mail transport tests send to (started by Tests/.../Support/TestMailServers.swift).

Listens on 127.0.0.1 on a free port, writes the port to <dir>/smtp.port and prints "ready <port>".
Each accepted message is delivered byte for byte (the DATA as received, dot-unstuffed, with no Received:
header added) into every recipient's INBOX on the test Dovecot by IMAP APPEND: the user is the recipient's
local part, the password the one given.

Scripted answers: <dir>/smtp-script.json holds a list like [{"stage": "DATA", "code": 451}]; each RCPT or
DATA takes the first entry when it is for its stage: 4xx answers "<code> 4.3.0 try again later", 5xx
"<code> 5.1.1 mailbox unavailable". With no entry for it, the stage succeeds.

With --introspection-url, AUTH XOAUTH2 and AUTH OAUTHBEARER are offered (without TLS, as this is
127.0.0.1 only): the bearer token in the client's response is POSTed as token=... to that RFC 7662
endpoint, and the login succeeds when it answers {"active": true}. Sending without AUTH still works.

Exits when its standard input closes, so it never outlives the test process that started it.
"""
import argparse
import asyncio
import base64
import binascii
import imaplib
import json
import os
import sys
import threading
import urllib.parse
import urllib.request
import uuid

try:
    from aiosmtpd.smtp import MISSING, SMTP, AuthResult
except ImportError:
    print("aiosmtpd is not installed for %s: run scripts/install-deps.sh --test" % sys.executable, file=sys.stderr)
    sys.exit(3)


class Handler:
    def __init__(self, directory, imap_port, password):
        self.script = os.path.join(directory, "smtp-script.json")
        self.imap_port = imap_port
        self.password = password

    def scripted(self, stage):
        """The scripted answer for this stage, if the script's next entry is for it."""
        try:
            with open(self.script) as file:
                entries = json.load(file)
        except (FileNotFoundError, ValueError):
            return None
        if not entries or entries[0].get("stage", "DATA").upper() != stage:
            return None
        code = int(entries.pop(0)["code"])
        with open(self.script + ".tmp", "w") as file:
            json.dump(entries, file)
        os.replace(self.script + ".tmp", self.script)
        if 400 <= code < 500:
            return "%d 4.3.0 try again later" % code
        return "%d 5.1.1 mailbox unavailable" % code

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        answer = self.scripted("RCPT")
        if answer:
            return answer
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 Ok"

    async def handle_DATA(self, server, session, envelope):
        answer = self.scripted("DATA")
        if answer:
            return answer
        content = envelope.original_content
        try:
            await asyncio.get_running_loop().run_in_executor(None, self.deliver, envelope.rcpt_tos, content)
        except Exception as error:  # the test sees a temporary failure and the reason in the log
            print("delivery failed: %r" % error, file=sys.stderr, flush=True)
            return "451 4.3.0 delivery to the test IMAP server failed"
        return "250 2.0.0 Ok: queued as %s" % uuid.uuid4().hex[:12].upper()

    def deliver(self, recipients, content):
        for recipient in recipients:
            user = recipient.split("@", 1)[0]
            imap = imaplib.IMAP4("127.0.0.1", self.imap_port)
            try:
                imap.login(user, self.password)
                status, detail = imap.append("INBOX", None, None, content)
                if status != "OK":
                    raise RuntimeError("APPEND for %s: %s %r" % (user, status, detail))
            finally:
                try:
                    imap.logout()
                except Exception:
                    pass


class OAuthHandler(Handler):
    """A Handler that also logs in OAuth2 access tokens, checked by introspection."""

    def __init__(self, directory, imap_port, password, introspection_url):
        super().__init__(directory, imap_port, password)
        self.introspection_url = introspection_url

    async def auth_XOAUTH2(self, server, args):
        return await self.bearer_login(server, args)

    async def auth_OAUTHBEARER(self, server, args):
        return await self.bearer_login(server, args)

    async def bearer_login(self, server, args):
        if len(args) > 1:
            try:
                response = base64.b64decode(args[1], validate=True)
            except binascii.Error:
                return AuthResult(success=False, handled=False, message="501 5.5.2 Can't decode base64")
        else:
            response = await server.challenge_auth("", encode_to_b64=False)
            if response is MISSING:
                return AuthResult(success=False, handled=True)
        token = None
        for field in response.split(b"\x01"):
            if field.startswith(b"auth=Bearer "):
                token = field[len(b"auth=Bearer "):].decode("ascii", "replace")
        active = False
        if token:
            active = await asyncio.get_running_loop().run_in_executor(None, self.introspect, token)
        if active:
            return AuthResult(success=True)
        return AuthResult(success=False, handled=False, message="535 5.7.8 Authentication credentials invalid")

    def introspect(self, token):
        request = urllib.request.Request(
            self.introspection_url, data=urllib.parse.urlencode({"token": token}).encode(), method="POST",
            headers={"Content-Type": "application/x-www-form-urlencoded"})
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:
                return json.load(answer).get("active") is True
        except Exception as error:
            print("introspection failed: %r" % error, file=sys.stderr, flush=True)
            return False


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--directory", required=True)
    parser.add_argument("--imap-port", type=int, required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--introspection-url")
    arguments = parser.parse_args()

    # The parent holds our stdin open; when it goes away, so do we.
    def watch_stdin():
        try:
            while sys.stdin.buffer.read(4096):
                pass
        finally:
            os._exit(0)

    threading.Thread(target=watch_stdin, daemon=True).start()

    options = {}
    if arguments.introspection_url:
        handler = OAuthHandler(arguments.directory, arguments.imap_port, arguments.password, arguments.introspection_url)
        # Only the token mechanisms: the built-in LOGIN and PLAIN have no authenticator here.
        options = {"auth_require_tls": False, "auth_exclude_mechanism": ["LOGIN", "PLAIN"]}
    else:
        handler = Handler(arguments.directory, arguments.imap_port, arguments.password)
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    server = loop.run_until_complete(
        loop.create_server(
            lambda: SMTP(handler, hostname="switchboard-test", decode_data=False, enable_SMTPUTF8=True, **options),
            host="127.0.0.1",
            port=0,
        )
    )
    port = server.sockets[0].getsockname()[1]
    port_file = os.path.join(arguments.directory, "smtp.port")
    with open(port_file + ".tmp", "w") as file:
        file.write(str(port))
    os.replace(port_file + ".tmp", port_file)
    print("ready %d" % port, flush=True)
    try:
        loop.run_forever()
    finally:
        server.close()


if __name__ == "__main__":
    main()
