"""A Redfish BMC we did not write: serves one of DMTF's public mockups
(../shared/redfish/mockups/...) over HTTP or HTTPS, with Basic and session
authentication, ComputerSystem.Reset changing PowerState in memory, and an
optional "mangled" variant whose properties are set to null, removed or given
wrong types (all legal or at least seen in the field) to prove cmcd's reader
never trusts BMC JSON.

Usage as a program:  mockup_bmc.py MOCKUP_DIR [--port P] [--mangle] [--tls]
"""
import argparse
import base64
import copy
import json
import os
import secrets
import ssl
import subprocess
import sys
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HERE = os.path.dirname(os.path.abspath(__file__))
MOCKUPS = os.environ.get("CMC_MOCKUPS", os.path.normpath(os.path.join(HERE, "..", "..", "data", "redfish-mockups")))
PUBLIC = {"/redfish", "/redfish/v1", "/redfish/v1/odata", "/redfish/v1/$metadata"}


def mangle(doc):
    """Returns a copy of a Redfish document with the properties DMTF allows to
    be null set to null, others removed or of the wrong type. Navigation
    (@odata.id, Members) stays mostly intact so discovery gets that far."""
    d = copy.deepcopy(doc)

    def walk(o):
        if isinstance(o, dict):
            for k in list(o.keys()):
                v = o[k]
                if k == "Health":
                    o[k] = None
                elif k == "PowerState":
                    o[k] = 7
                elif k == "Model":
                    o[k] = 5
                elif k == "SerialNumber":
                    del o[k]
                    continue
                elif k == "Manufacturer":
                    o[k] = ["Contoso"]
                elif k == "Count":
                    o[k] = "two"
                elif k == "TotalSystemMemoryGiB":
                    o[k] = None
                elif k == "MACAddress":
                    o[k] = None
                elif k == "PermanentMACAddress":
                    o[k] = 12
                elif k in ("UUID", "BiosVersion"):
                    o[k] = {} if k == "UUID" else False
                elif k == "FirmwareVersion":
                    o[k] = None
                elif k == "Members" and isinstance(v, list):
                    o[k] = [42, {"@odata.id": None}, "garbage"] + v
                    continue
                elif k == "Chassis" and isinstance(v, list) and v:
                    o[k] = v[0]  # an object where the schema says an array
                    continue
                elif k == "Status" and isinstance(v, dict):
                    o[k] = None
                    continue
                walk(o[k])
        elif isinstance(o, list):
            for e in o:
                walk(e)

    walk(d)
    return d


def self_signed(tmpdir):
    key = os.path.join(tmpdir, "key.pem")
    cert = os.path.join(tmpdir, "cert.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                    "-keyout", key, "-out", cert, "-days", "30", "-subj", "/CN=mockup-bmc",
                    "-addext", "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True)
    out = subprocess.run(["openssl", "x509", "-in", cert, "-noout", "-fingerprint", "-sha256"], check=True,
                         capture_output=True, text=True).stdout
    return cert, key, out.strip().split("=", 1)[1]


class MockupBmc:
    def __init__(self, mockup, mangled=False, tls=False, users=None, port=0):
        self.root = mockup if os.path.isabs(mockup) else os.path.join(MOCKUPS, mockup)
        if not os.path.isfile(os.path.join(self.root, "index.json")):
            raise FileNotFoundError("no mockup at " + self.root)
        self.mangled = mangled
        self.users = users or {"admin": "mockup-pw"}
        self.tokens = {}
        self.docs = {}  # path -> document, mutated in memory (PowerState after a reset)
        self.lock = threading.Lock()
        self.requests = []
        self.connections = set()
        self.fingerprint = None
        self.tmp = tempfile.TemporaryDirectory(prefix="mockup-bmc-")
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def setup(self):
                super().setup()
                with owner.lock:
                    owner.connections.add(self.connection)

            def finish(self):
                try:
                    super().finish()
                except OSError:
                    pass
                with owner.lock:
                    owner.connections.discard(self.connection)

            def handle(self):
                try:
                    super().handle()
                except OSError:
                    pass  # the client (or stop()) closed the connection

            def do_GET(self):
                owner.handle(self, "GET")

            def do_HEAD(self):
                owner.handle(self, "HEAD")

            def do_POST(self):
                owner.handle(self, "POST")

            def do_PATCH(self):
                owner.handle(self, "PATCH")

            def do_DELETE(self):
                owner.handle(self, "DELETE")

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        scheme = "http"
        if tls:
            cert, key, self.fingerprint = self_signed(self.tmp.name)
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(cert, key)
            self.server.socket = ctx.wrap_socket(self.server.socket, server_side=True)
            scheme = "https"
        self.port = self.server.server_address[1]
        self.url = "%s://127.0.0.1:%d" % (scheme, self.port)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        """Stops answering, as a dead BMC would: no new connections, and the
        keep-alive connections already open are cut."""
        self.server.shutdown()
        self.server.server_close()
        with self.lock:
            for c in list(self.connections):
                try:
                    c.shutdown(2)
                except OSError:
                    pass
                c.close()
        self.tmp.cleanup()

    # ------------------------------------------------------------ requests
    def doc(self, path):
        with self.lock:
            if path not in self.docs:
                rel = path[len("/redfish/v1"):].lstrip("/")
                f = os.path.join(self.root, rel, "index.json")
                if not os.path.normpath(f).startswith(self.root) or not os.path.isfile(f):
                    return None
                with open(f) as fh:
                    self.docs[path] = json.load(fh)
            return self.docs[path]

    def authorized(self, h):
        tok = h.headers.get("X-Auth-Token")
        if tok is not None:
            return tok in self.tokens
        auth = h.headers.get("Authorization", "")
        if auth.startswith("Basic "):
            try:
                user, _, pw = base64.b64decode(auth[6:]).decode().partition(":")
            except Exception:
                return False
            return self.users.get(user) == pw
        return False

    def reply(self, h, status, body=None, headers=()):
        data = b"" if body is None else json.dumps(body).encode()
        h.send_response(status)
        for k, v in headers:
            h.send_header(k, v)
        if body is not None:
            h.send_header("Content-Type", "application/json")
        h.send_header("Content-Length", str(len(data)))
        h.end_headers()
        if h.command != "HEAD":
            h.wfile.write(data)

    def error(self, h, status, msg):
        self.reply(h, status, {"error": {"code": "Base.1.22.1.GeneralError", "message": msg,
                                         "@Message.ExtendedInfo": [{"MessageId": "Base.1.22.1.GeneralError",
                                                                    "Message": msg}]}})

    def handle(self, h, method):
        length = int(h.headers.get("Content-Length") or 0)
        body = h.rfile.read(length) if length else b""
        path = h.path.split("?", 1)[0]
        while len(path) > 1 and path.endswith("/"):
            path = path[:-1]
        self.requests.append((method, path))
        if path == "/redfish" and method in ("GET", "HEAD"):
            return self.reply(h, 200, {"v1": "/redfish/v1/"})
        if method == "POST" and path == "/redfish/v1/SessionService/Sessions":
            try:
                cred = json.loads(body)
                ok = self.users.get(cred.get("UserName")) == cred.get("Password")
            except Exception:
                ok = False
            if not ok:
                return self.error(h, 401, "Invalid credentials")
            tok = secrets.token_hex(16)
            sid = secrets.token_hex(4)
            self.tokens[tok] = sid
            loc = "/redfish/v1/SessionService/Sessions/" + sid
            return self.reply(h, 201, {"@odata.id": loc, "Id": sid, "UserName": cred["UserName"]},
                              [("X-Auth-Token", tok), ("Location", loc)])
        if path not in PUBLIC and not self.authorized(h):
            return self.error(h, 401, "Authentication required")
        if method == "DELETE" and path.startswith("/redfish/v1/SessionService/Sessions/"):
            sid = path.rsplit("/", 1)[1]
            for tok, s in list(self.tokens.items()):
                if s == sid:
                    del self.tokens[tok]
            return self.reply(h, 204)
        if method == "POST" and path.endswith("/Actions/ComputerSystem.Reset"):
            system = path[: -len("/Actions/ComputerSystem.Reset")]
            doc = self.doc(system)
            try:
                rt = json.loads(body).get("ResetType")
            except Exception:
                rt = None
            if doc is None:
                return self.error(h, 404, "no such system")
            with self.lock:
                if rt in ("ForceOff", "GracefulShutdown"):
                    doc["PowerState"] = "Off"
                elif rt in ("On", "ForceOn", "ForceRestart", "GracefulRestart", "PowerCycle"):
                    doc["PowerState"] = "On"
                else:
                    return self.error(h, 400, "unsupported ResetType")
            return self.reply(h, 204)
        if method not in ("GET", "HEAD"):
            return self.error(h, 405, "method not allowed")
        doc = self.doc(path)
        if doc is None:
            return self.error(h, 404, "resource not found: " + path)
        with self.lock:
            out = mangle(doc) if self.mangled else copy.deepcopy(doc)
        self.reply(h, 200, out)


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("mockup")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--mangle", action="store_true")
    ap.add_argument("--tls", action="store_true")
    a = ap.parse_args()
    m = MockupBmc(a.mockup, mangled=a.mangle, tls=a.tls, port=a.port)
    print("mockup-bmc: %s (user admin / mockup-pw)%s" % (m.url, " fingerprint " + m.fingerprint if m.fingerprint
                                                          else ""), flush=True)
    try:
        m.thread.join()
    except KeyboardInterrupt:
        m.stop()


if __name__ == "__main__":
    sys.exit(main())
