#!/usr/bin/env python3
"""A lying registry: an HTTP proxy on a free 127.0.0.1 port in front of a
real docker-registry that misbehaves on request. Test tool only (Python
standard library), used by tests/hostile/registry.sh.

    liar.py UPSTREAM_HOST:PORT PORT_FILE LOG_FILE

It writes the port it listens on to PORT_FILE, then serves. Each proxied
request is logged to LOG_FILE as "METHOD PATH -> STATUS FAULT". Faults are
set over HTTP on the proxy itself:

    GET /_liar/set?fault=F&match=SUBSTR&count=N[&code=C][&secs=S]
    GET /_liar/reset

and apply to the next N requests (all when N is -1) whose path contains
SUBSTR and whose method is GET (HEAD too for "status"):

    status     answer HTTP C (429 and 503 carry "Retry-After: 0")
    stall      send the headers and half the body, wait S seconds, go on
    short      send the headers and half the body, then close
    baddigest  send the body with one byte changed
    huge       answer a manifest of 5 MiB (over kdoctor's 4 MiB limit)
    redirect   answer 307 to the real registry's URL for the same path
    loop       answer 307 to itself, forever
"""
import http.client
import os
import http.server
import sys
import threading
import time
import urllib.parse

UPSTREAM, PORT_FILE, LOG_FILE = sys.argv[1], sys.argv[2], sys.argv[3]
lock = threading.Lock()
rule = {}


def take_fault(method, path):
    """The fault for this request, if a rule matches (uses one count)."""
    with lock:
        if not rule or rule["match"] not in path or rule["count"] == 0:
            return None
        if method != "GET" and not (method == "HEAD" and rule["fault"] == "status"):
            return None
        if rule["count"] > 0:
            rule["count"] -= 1
        return dict(rule)


def log(line):
    with lock, open(LOG_FILE, "a") as f:
        f.write(line + "\n")


class Liar(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def control(self):
        q = urllib.parse.parse_qs(urllib.parse.urlparse(self.path).query)
        with lock:
            rule.clear()
            if self.path.startswith("/_liar/set"):
                rule.update(fault=q["fault"][0], match=q.get("match", [""])[0],
                            count=int(q.get("count", ["1"])[0]),
                            code=int(q.get("code", ["500"])[0]),
                            secs=float(q.get("secs", ["0"])[0]))
        self.reply(200, b"ok\n", {"Content-Type": "text/plain"})

    def reply(self, code, body, headers, send_body=True):
        self.send_response(code)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if send_body and self.command != "HEAD":
            self.wfile.write(body)

    def upstream(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else None
        c = http.client.HTTPConnection(UPSTREAM, timeout=60)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")}
        c.request(self.command, self.path, body=body, headers=headers)
        r = c.getresponse()
        data = r.read()
        hdrs = {k: v for k, v in r.getheaders()
                if k.lower() not in ("content-length", "transfer-encoding", "connection")}
        c.close()
        return r.status, hdrs, data

    def lie(self, f):
        kind = f["fault"]
        if kind == "status":
            extra = {"Retry-After": "0"} if f["code"] in (429, 503) else {}
            if f["code"] == 401:
                extra["WWW-Authenticate"] = 'Basic realm="liar"'
            body = b'{"errors":[{"code":"LIAR","message":"the liar said %d"}]}' % f["code"]
            self.reply(f["code"], body, dict(extra, **{"Content-Type": "application/json"}))
            return f["code"]
        if kind == "huge":
            body = b'{"schemaVersion":2,"layers":[' + b" " * (5 << 20) + b"]}"
            self.reply(200, body, {"Content-Type": "application/vnd.oci.image.manifest.v1+json"})
            return 200
        if kind in ("redirect", "loop"):
            to = "http://%s%s" % (UPSTREAM if kind == "redirect" else self.headers["Host"], self.path)
            self.reply(307, b"", {"Location": to})
            return 307
        code, hdrs, data = self.upstream()
        if code != 200 or not data:
            self.reply(code, data, hdrs)
            return code
        half = len(data) // 2
        if kind == "baddigest":
            data = data[:half] + bytes([data[half] ^ 0x55]) + data[half + 1:]
            self.reply(code, data, hdrs)
            return code
        self.send_response(code)
        for k, v in hdrs.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data[:half])
        self.wfile.flush()
        if kind == "stall":
            time.sleep(f["secs"])
            self.wfile.write(data[half:])
        else:  # short: the connection ends early
            self.close_connection = True
        return code

    def handle_any(self):
        if self.path.startswith("/_liar/"):
            self.control()
            return
        f = take_fault(self.command, self.path)
        try:
            if f:
                code = self.lie(f)
            else:
                code, hdrs, data = self.upstream()
                self.reply(code, data, hdrs)
        except (BrokenPipeError, ConnectionResetError):
            code = "gone"
        log("%s %s -> %s %s" % (self.command, self.path, code, f["fault"] if f else "-"))

    do_GET = do_HEAD = do_PUT = do_POST = do_PATCH = do_DELETE = handle_any


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True


def main():
    srv = Server(("127.0.0.1", 0), Liar)
    with open(PORT_FILE + ".tmp", "w") as f:
        f.write(str(srv.server_address[1]))
    os.rename(PORT_FILE + ".tmp", PORT_FILE)
    srv.serve_forever()


main()
