"""A real SMTP receiver for the end-to-end tests (aiosmtpd).

Usage: smtp_sink.py DIR PORTFILE [--tls CERT KEY] [--implicit-tls] [--require-tls]
                    [--auth USER:PASS] [--port N]
--tls offers STARTTLS; with --implicit-tls the same certificate serves TLS from
the first byte instead (smtps).
Listens on 127.0.0.1, port chosen by the kernel (or N with --port: a server
that comes up where a client has been failing) and written to PORTFILE. Each
accepted message is written to DIR/N.eml (the bytes as received) and
DIR/N.env (sender, recipients, whether the session was TLS). Recipients
starting with "busy" get 450, "nobody" 550.
"""
import asyncio
import os
import ssl
import sys

from aiosmtpd.smtp import SMTP, AuthResult


class Sink:
    def __init__(self, outdir):
        self.outdir = outdir
        self.count = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("busy"):
            return "450 4.2.1 mailbox busy, try later"
        if address.startswith("nobody"):
            return "550 5.1.1 no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        base = os.path.join(self.outdir, str(self.count))
        with open(base + ".env", "w") as f:
            f.write("%s\n%s\n%d\n" % (envelope.mail_from, " ".join(envelope.rcpt_tos),
                                      server.transport.get_extra_info("ssl_object") is not None))
        with open(base + ".tmp", "wb") as f:
            f.write(envelope.original_content)
        os.rename(base + ".tmp", base + ".eml")
        return "250 2.0.0 queued"


def main():
    outdir, portfile = sys.argv[1], sys.argv[2]
    args = sys.argv[3:]
    kw = {"hostname": "sink.test", "decode_data": False}
    implicit_ctx = None
    port = 0
    while args:
        a = args.pop(0)
        if a == "--tls":
            ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            ctx.load_cert_chain(args.pop(0), args.pop(0))
            kw["tls_context"] = ctx
        elif a == "--implicit-tls":
            implicit_ctx = kw.pop("tls_context")
        elif a == "--port":
            port = int(args.pop(0))
        elif a == "--require-tls":
            kw["require_starttls"] = True
        elif a == "--auth":
            user, password = args.pop(0).split(":", 1)

            def check(server, session, envelope, mechanism, data, u=user, p=password):
                ok = data.login.decode() == u and data.password.decode() == p
                return AuthResult(success=ok, handled=False)

            kw["authenticator"] = check
            kw["auth_required"] = True
    handler = Sink(outdir)

    async def serve():
        loop = asyncio.get_running_loop()
        server = await loop.create_server(lambda: SMTP(handler, **kw), "127.0.0.1", port,
                                          ssl=implicit_ctx, reuse_address=True)
        bound = server.sockets[0].getsockname()[1]
        with open(portfile + ".tmp", "w") as f:
            f.write("%d\n" % bound)
        os.rename(portfile + ".tmp", portfile)
        await server.serve_forever()

    asyncio.run(serve())


if __name__ == "__main__":
    main()
