"""Drives the board in headless Chromium over the DevTools protocol, with
the standard library only: a minimal WebSocket client (RFC 6455, text
frames, client masking) and Runtime.evaluate.

usage: board_cdp.py CHROMIUM URL USER PASSWORD TICKET NOTE PROFILE_DIR

Loads URL, logs in through the board's form, types NOTE, clicks the
acknowledge button of TICKET's row and waits until the row shows it
acknowledged. Exits 0 on success, 1 with the reason otherwise. Every wait
has a deadline."""
import base64, json, os, re, socket, struct, subprocess, sys, time, urllib.request

chromium, url, user, password, ticket, note, profile = sys.argv[1:8]


def fail(why):
    print("board_cdp: " + why, file=sys.stderr)
    sys.exit(1)


class Ws:
    def __init__(self, ws_url):
        m = re.match(r"ws://([^:/]+):(\d+)(/.*)", ws_url)
        self.s = socket.create_connection((m.group(1), int(m.group(2))), timeout=60)
        key = base64.b64encode(os.urandom(16)).decode()
        self.s.sendall(("GET %s HTTP/1.1\r\nHost: %s:%s\r\nUpgrade: websocket\r\n"
                        "Connection: Upgrade\r\nSec-WebSocket-Key: %s\r\n"
                        "Sec-WebSocket-Version: 13\r\n\r\n"
                        % (m.group(3), m.group(1), m.group(2), key)).encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.s.recv(4096)
            if not chunk:
                fail("the DevTools socket closed during the handshake")
            head += chunk
        if b" 101 " not in head.split(b"\r\n")[0]:
            fail("no WebSocket upgrade: %r" % head[:200])
        self.buf = head.split(b"\r\n\r\n", 1)[1]
        self.next_id = 0

    def _read(self, n):
        while len(self.buf) < n:
            chunk = self.s.recv(65536)
            if not chunk:
                fail("the DevTools socket closed")
            self.buf += chunk
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def send(self, obj):
        data = json.dumps(obj).encode()
        mask = os.urandom(4)
        n = len(data)
        head = bytes([0x81]) + (bytes([0x80 | n]) if n < 126 else
                               bytes([0x80 | 126]) + struct.pack(">H", n) if n < 65536 else
                               bytes([0x80 | 127]) + struct.pack(">Q", n))
        self.s.sendall(head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(data)))

    def recv(self):
        message = b""
        while True:
            b0, b1 = self._read(2)
            n = b1 & 0x7F
            if n == 126:
                n = struct.unpack(">H", self._read(2))[0]
            elif n == 127:
                n = struct.unpack(">Q", self._read(8))[0]
            payload = self._read(n)
            if b0 & 0x0F in (0x9, 0xA):  # ping/pong: not for us
                continue
            message += payload
            if b0 & 0x80:
                return json.loads(message)

    def evaluate(self, expr):
        self.next_id += 1
        self.send({"id": self.next_id, "method": "Runtime.evaluate",
                   "params": {"expression": expr, "returnByValue": True, "awaitPromise": True}})
        while True:
            m = self.recv()
            if m.get("id") == self.next_id:
                if "exceptionDetails" in m.get("result", {}):
                    fail("the page threw: %s" % m["result"]["exceptionDetails"])
                return m.get("result", {}).get("result", {}).get("value")


def wait_until(ws, expr, what, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if ws.evaluate(expr):
            return
        time.sleep(0.2)
    fail("%s: not within %d s; error bar: %r" % (what, seconds,
                                                  ws.evaluate("document.getElementById('error').textContent")))


proc = subprocess.Popen([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                         "--remote-debugging-port=0", "--user-data-dir=" + profile, url],
                        stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
try:
    port = None
    deadline = time.monotonic() + 90
    while port is None and time.monotonic() < deadline:
        line = proc.stderr.readline()
        if not line:
            fail("chromium ended before it listened")
        m = re.search(r"DevTools listening on ws://127\.0\.0\.1:(\d+)/", line)
        if m:
            port = m.group(1)
    if port is None:
        fail("chromium never listened for DevTools")
    page = None
    while page is None and time.monotonic() < deadline:
        targets = json.load(urllib.request.urlopen("http://127.0.0.1:%s/json/list" % port, timeout=30))
        page = next((t for t in targets if t.get("type") == "page" and t.get("url", "").startswith(url)), None)
        if page is None:
            time.sleep(0.2)
    if page is None:
        fail("no page target for %s" % url)
    ws = Ws(page["webSocketDebuggerUrl"])
    row = "document.getElementById(%s)" % json.dumps("t-" + ticket)
    wait_until(ws, row + " !== null", "the ticket's row")
    ws.evaluate("document.getElementById('user').value = %s; document.getElementById('pass').value = %s;"
                "document.getElementById('login-btn').click(); true" % (json.dumps(user), json.dumps(password)))
    wait_until(ws, "document.getElementById('who').textContent.startsWith(%s)" % json.dumps(user + " "),
               "the login")
    ws.evaluate("document.getElementById('note').value = %s; true" % json.dumps(note))
    ws.evaluate(row + ".querySelector('button[data-verb=ack]').click(); true")
    wait_until(ws, row + ".dataset.state === 'acknowledged'", "the acknowledgement in the row")
    print("board_cdp: acknowledged %s from the browser" % ticket)
finally:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
