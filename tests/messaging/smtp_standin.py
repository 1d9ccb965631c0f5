"""A small SMTP server on 127.0.0.1 for the tests (socketserver; the standard library's smtpd
is gone): EHLO/HELO, AUTH PLAIN and LOGIN against one user, MAIL, RCPT, DATA, RSET, NOOP,
QUIT. What it is made to do: refuse a recipient (`refuse_rcpt`, 550), refuse the message
(`refuse_data`, 554), advertise STARTTLS or not (it never offers it: a test of the refusal).
Every message taken is in `messages` as (envelope from, recipients, raw bytes)."""

from __future__ import annotations

import base64
import socketserver
import threading
from dataclasses import dataclass, field


@dataclass
class Received:
    sender: str
    recipients: list[str]
    data: bytes


@dataclass
class SmtpStandIn:
    user: str = "shop@example.test"
    password: str = "s3cret-비번"
    refuse_rcpt: set[str] = field(default_factory=set)
    refuse_data: bool = False
    messages: list[Received] = field(default_factory=list)
    logins: list[str] = field(default_factory=list)

    def start(self) -> SmtpStandIn:
        stand = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                stand._session(self)

        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    # --- one connection ----------------------------------------------------------------

    def _session(self, conn: socketserver.StreamRequestHandler) -> None:
        def say(line: str) -> None:
            conn.wfile.write(line.encode() + b"\r\n")
            conn.wfile.flush()

        def read() -> str:
            return conn.rfile.readline().decode("utf-8", "replace").rstrip("\r\n")

        say("220 standin ESMTP")
        sender, recipients, authed = "", [], False
        while True:
            line = read()
            if not line and conn.rfile.closed:
                return
            verb, _, rest = line.partition(" ")
            verb = verb.upper()
            if verb == "EHLO":
                say("250-standin")
                say("250-8BITMIME")
                say("250-SIZE 10485760")
                say("250 AUTH PLAIN LOGIN")
            elif verb == "HELO":
                say("250 standin")
            elif verb == "AUTH":
                mechanism, _, initial = rest.partition(" ")
                if mechanism.upper() == "PLAIN":
                    if not initial:
                        say("334 ")
                        initial = read()
                    _, user, password = base64.b64decode(initial).decode().split("\0")
                else:  # LOGIN
                    say("334 VXNlcm5hbWU6")
                    user = base64.b64decode(read()).decode()
                    say("334 UGFzc3dvcmQ6")
                    password = base64.b64decode(read()).decode()
                if (user, password) == (self.user, self.password):
                    authed = True
                    self.logins.append(user)
                    say("235 2.7.0 Authentication successful")
                else:
                    say("535 5.7.8 Authentication credentials invalid")
            elif verb == "MAIL":
                if self.user and not authed:
                    say("530 5.7.0 Authentication required")
                    continue
                sender, recipients = rest.partition(":")[2].split()[0].strip("<>"), []
                say("250 OK")
            elif verb == "RCPT":
                address = rest.partition(":")[2].strip().strip("<>")
                if address in self.refuse_rcpt:
                    say(f"550 5.1.1 <{address}>: Recipient address rejected: User unknown")
                else:
                    recipients.append(address)
                    say("250 OK")
            elif verb == "DATA":
                say("354 End data with <CR><LF>.<CR><LF>")
                chunks: list[bytes] = []
                while True:
                    raw = conn.rfile.readline()
                    if raw in (b".\r\n", b".\n", b""):
                        break
                    chunks.append(raw[1:] if raw.startswith(b"..") else raw)
                if self.refuse_data:
                    say("554 5.7.1 Message rejected as spam")
                else:
                    self.messages.append(Received(sender, recipients, b"".join(chunks)))
                    say("250 OK queued")
            elif verb in ("RSET", "NOOP"):
                say("250 OK")
            elif verb == "QUIT":
                say("221 Bye")
                return
            elif not line:
                return
            else:
                say("502 5.5.2 Command not recognized")
