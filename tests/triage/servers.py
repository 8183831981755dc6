"""Real local servers for the notification tests: an SMTP server (aiosmtpd)
with STARTTLS or implicit TLS and a login, and an HTTPS webhook receiver,
both on 127.0.0.1 with a self-signed certificate made by openssl."""

from __future__ import annotations

import json
import ssl
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests.imap.dovecot import free_port, make_cert  # noqa: F401 - re-exported for the tests


@dataclass
class Received:
    mails: list[bytes] = field(default_factory=list)
    logins: list[tuple[str, str]] = field(default_factory=list)
    starttls: list[bool] = field(default_factory=list)


class SmtpServer:
    def __init__(self, cert, key, *, implicit: bool = False, user: str = "duty", password: str = "s3cret"):
        from aiosmtpd.controller import Controller
        from aiosmtpd.smtp import AuthResult, LoginPassword

        self.got = Received()
        self.port = free_port()
        got = self.got

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                got.mails.append(envelope.original_content or envelope.content)
                got.starttls.append(bool(session.ssl))
                return "250 OK"

        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = isinstance(auth_data, LoginPassword) and (auth_data.login.decode(), auth_data.password.decode()) \
                == (user, password)
            if ok:
                got.logins.append((user, "***"))
            return AuthResult(success=ok)

        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(str(cert), str(key))
        kwargs = dict(hostname="127.0.0.1", port=self.port, authenticator=authenticator, auth_required=True,
                      auth_require_tls=True)
        if implicit:
            # The whole connection is TLS (aiosmtpd does not count it as
            # STARTTLS, so it would hide AUTH); a plain client cannot connect.
            kwargs["auth_require_tls"] = False
            self.controller = Controller(Handler(), ssl_context=ctx, **kwargs)
        else:
            self.controller = Controller(Handler(), tls_context=ctx, require_starttls=True, **kwargs)

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.controller.stop()


class WebhookServer:
    """Answers each POST with the next status in ``statuses`` (the last one
    repeats) and keeps what it was sent."""

    def __init__(self, cert, key, statuses=(200,)):
        self.requests: list[dict] = []
        self.statuses = list(statuses)
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                outer.requests.append({"path": self.path, "headers": dict(self.headers), "body": body,
                                       "json": json.loads(body or b"null")})
                status = outer.statuses.pop(0) if len(outer.statuses) > 1 else outer.statuses[0]
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(str(cert), str(key))
        self.httpd.socket = ctx.wrap_socket(self.httpd.socket, server_side=True)
        self.port = self.httpd.server_address[1]
        self.url = f"https://127.0.0.1:{self.port}/hooks/intake"
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()
