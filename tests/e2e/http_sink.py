"""A real HTTP receiver for the end-to-end tests (http.server).

Usage: http_sink.py DIR PORTFILE
Listens on 127.0.0.1, port chosen by the kernel and written to PORTFILE. Each
request is recorded as DIR/N.json (method, path, headers, body). The path
chooses the answer: /ok 200; /flaky 500 on the first request, then 200;
/bad 400; /gone 301; /slow waits 5 s, then 200; /sms imitates Kannel's
sendsms (202 "0: Accepted for delivery").
"""
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

OUTDIR = sys.argv[1]
LOCK = threading.Lock()
STATE = {"count": 0, "flaky": 0}


class Handler(BaseHTTPRequestHandler):
    def log_message(self, fmt, *args):
        pass

    def record(self, body):
        with LOCK:
            STATE["count"] += 1
            n = STATE["count"]
        rec = {"method": self.command, "path": self.path, "headers": dict(self.headers.items()),
               "body": body.decode("utf-8", "replace")}
        tmp = os.path.join(OUTDIR, "%d.tmp" % n)
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(rec, f, ensure_ascii=False)
        os.rename(tmp, os.path.join(OUTDIR, "%d.json" % n))

    def answer(self, status, text=b""):
        self.send_response(status)
        self.send_header("Content-Length", str(len(text)))
        self.end_headers()
        self.wfile.write(text)

    def handle_any(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        path = self.path.split("?", 1)[0]
        if path == "/slow":
            time.sleep(5)
        self.record(body)
        if path == "/flaky":
            with LOCK:
                STATE["flaky"] += 1
                first = STATE["flaky"] == 1
            return self.answer(500 if first else 200)
        if path == "/bad":
            return self.answer(400, b"bad request")
        if path == "/gone":
            return self.answer(301)
        return self.answer(202 if path.startswith("/cgi-bin") else 200, b"0: Accepted")

    do_GET = handle_any
    do_POST = handle_any


def main():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    portfile = sys.argv[2]
    with open(portfile + ".tmp", "w") as f:
        f.write("%d\n" % server.server_address[1])
    os.rename(portfile + ".tmp", portfile)
    server.serve_forever()


if __name__ == "__main__":
    main()
