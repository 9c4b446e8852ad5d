"""A validating Redfish test client, for every northbound test (cmcd and the
blade BMC firmware alike).

Every JSON body the client sees is checked, and the test fails on the first
violation (an AssertionError naming the method, the URI and every error):
  - a resource, a collection or an Event against the DMTF JSON Schema of the
    version its @odata.type declares (tests/data/redfish-schemas/, a vendored
    copy of DMTF 2025.4: the check never skips); the version must be one DMTF
    published, and a property DMTF added after that version is a violation;
  - every Oem.OpenCMC object against schemas/redfish/<its @odata.type>.json;
  - an error body against redfish-error (DMTF error format, Base MessageIds);
  - a collection's Members@odata.count against its Members;
  - /redfish and the OData service document against their fixed shapes.
`Client.validated` counts what was checked (by schema); `STATS` sums all clients.

    from rfcheck import Client
    c = Client("http://127.0.0.1:8080", "admin", "pw")      # Basic auth
    r = c.get("/redfish/v1/Systems")                        # r.status, r.headers, r.json
    c.login()                                               # a session: X-Auth-Token from now on
"""
import base64
import collections
import http.client
import json
import os
import re
import socket
import ssl
import threading
import time
import urllib.parse

import jsonschema

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
DMTF_DIR = os.environ.get("CMC_REDFISH_SCHEMAS", os.path.join(ROOT, "tests", "data", "redfish-schemas"))
OEM_DIR = os.path.join(ROOT, "schemas", "redfish")
PREFIX = "http://redfish.dmtf.org/schemas/v1/"
PUBLIC = ("/redfish", "/redfish/v1", "/redfish/v1/odata", "/redfish/v1/$metadata")

TYPE = re.compile(r"^#([A-Za-z0-9]+)\.(?:v(\d+)_(\d+)_(\d+)\.)?([A-Za-z0-9]+)$")
VERSIONED = re.compile(r"^([A-Za-z0-9-]+)\.v(\d+)_(\d+)_(\d+)\.json$")
STATS = collections.Counter()


def _version(s):
    return tuple(int(x) for x in s.lstrip("v").split("_"))


class Schemas:
    """The vendored DMTF schemas and our OEM schemas, loaded once."""
    _instance = None
    _lock = threading.Lock()

    @classmethod
    def get(cls):
        with cls._lock:
            if cls._instance is None:
                cls._instance = cls()
            return cls._instance

    def __init__(self):
        if not os.path.isfile(os.path.join(DMTF_DIR, "Resource.json")):
            raise RuntimeError("no DMTF schemas in %s (run tests/tools/vendor-schemas.py)" % DMTF_DIR)
        self.store, self.newest = {}, {}
        for name in os.listdir(DMTF_DIR):
            if not name.endswith(".json"):
                continue
            with open(os.path.join(DMTF_DIR, name)) as f:
                doc = json.load(f)
            self.store[PREFIX + name] = doc
            m = VERSIONED.match(name)
            if m:
                v = _version("_".join(m.groups()[1:]))
                if m.group(1) not in self.newest or v > self.newest[m.group(1)][0]:
                    self.newest[m.group(1)] = (v, name)
        self.oem = {}
        for name in os.listdir(OEM_DIR):
            if name.endswith(".json") and ".v" in name:
                with open(os.path.join(OEM_DIR, name)) as f:
                    self.oem[name[:-len(".json")]] = json.load(f)
        self.validators = {}

    def fetch(self, url):
        """A $ref target: the file, or the newest errata of a versioned file (DMTF
        keeps versions backward compatible; the bundle holds the newest only)."""
        url = url.split("#", 1)[0]
        if url in self.store:
            return self.store[url]
        name = url.rsplit("/", 1)[-1]
        m = VERSIONED.match(name)
        if m and m.group(1) in self.newest:
            return self.store[PREFIX + self.newest[m.group(1)][1]]
        raise jsonschema.RefResolutionError(
            "%s is not in the vendored schemas %s: add its type to ROOTS in tests/tools/vendor-schemas.py" % (
                name, DMTF_DIR))

    def validator(self, file_name, definition):
        key = (file_name, definition)
        if key not in self.validators:
            base = PREFIX + file_name
            resolver = jsonschema.RefResolver(base, self.store[base], store=self.store,
                                              handlers={"http": self.fetch, "https": self.fetch})
            self.validators[key] = jsonschema.Draft7Validator({"$ref": base + "#/definitions/" + definition},
                                                              resolver=resolver)
        return self.validators[key]

    def published(self, namespace, version):
        """Whether DMTF published this version of the namespace (its unversioned
        file lists the newest errata of every minor version)."""
        doc = self.store.get(PREFIX + namespace + ".json")
        if doc is None:
            return False
        for m in re.finditer(re.escape(namespace) + r"\.v(\d+)_(\d+)_(\d+)\.json", json.dumps(doc)):
            listed = tuple(int(x) for x in m.groups())
            if listed[:2] == version[:2] and listed[2] >= version[2]:
                return True
        newest = self.newest.get(namespace)
        return bool(newest) and newest[0] == version


def _errors_of(validator, body, prefix=""):
    out = []
    for e in sorted(validator.iter_errors(body), key=lambda e: [str(p) for p in e.path]):
        where = "/".join(str(p) for p in e.absolute_path)
        detail = e.message
        if e.context:  # anyOf: the closest branch's reasons
            best = jsonschema.exceptions.best_match(e.context)
            detail += " [%s: %s]" % ("/".join(str(p) for p in best.absolute_path), best.message)
        out.append("%s%s: %s" % (prefix, where or "(root)", detail[:600]))
    return out


def _version_added_errors(schemas, file_name, definition, body, declared, path=""):
    """Properties DMTF added after the declared version, within the resource's own
    versioned file (its Links, Actions and inline objects)."""
    doc = schemas.store[PREFIX + file_name]
    out = []

    def walk(defn, inst, where, depth):
        if depth > 8 or not isinstance(inst, dict):
            return
        props = defn.get("properties", {})
        for key, value in inst.items():
            p = props.get(key)
            if not isinstance(p, dict):
                continue
            added = p.get("versionAdded")
            if added and _version(added) > declared:
                out.append("%s%s: added in %s, after the declared v%s" % (
                    path, where + key, added, "_".join(map(str, declared))))
            for sub in [p] + p.get("anyOf", []) + ([p["items"]] if isinstance(p.get("items"), dict) else []):
                ref = sub.get("$ref", "") if isinstance(sub, dict) else ""
                if ref.startswith("#/definitions/"):
                    target = doc["definitions"].get(ref.split("/")[-1], {})
                    added = target.get("enumVersionAdded", {})
                    for item in (value if isinstance(value, list) else [value]):
                        if isinstance(item, str) and item in added and _version(added[item]) > declared:
                            out.append("%s%s: value %s added in %s, after the declared v%s" % (
                                path, where + key, item, added[item], "_".join(map(str, declared))))
                    for item in (value if isinstance(value, list) else [value]):
                        walk(target, item, where + key + "/", depth + 1)
    walk(doc["definitions"].get(definition, {}), body, "", 0)
    return out


class Checker:
    """Validates Redfish JSON bodies; counts what it checked."""

    def __init__(self):
        self.schemas = Schemas.get()
        self.validated = collections.Counter()

    def _count(self, what):
        self.validated[what] += 1
        STATS[what] += 1

    def check_resource(self, body, where=""):
        """A resource, collection or Event with @odata.type: its DMTF schema, then its OEM objects."""
        errors = []
        odata_type = body.get("@odata.type")
        m = TYPE.match(odata_type) if isinstance(odata_type, str) else None
        if not m:
            return ["%s@odata.type: %r is not #Namespace[.vX_Y_Z].Type" % (where, odata_type)]
        namespace, definition = m.group(1), m.group(5)
        if m.group(2) is None:  # a collection or another unversioned type
            file_name = namespace + ".json"
            if PREFIX + file_name not in self.schemas.store:
                return ["%s@odata.type %s: no DMTF schema %s" % (where, odata_type, file_name)]
            declared = None
        else:
            declared = tuple(int(x) for x in m.groups()[1:4])
            if namespace not in self.schemas.newest:
                return ["%s@odata.type %s: no DMTF schema for %s in %s" % (where, odata_type, namespace, DMTF_DIR)]
            if not self.schemas.published(namespace, declared):
                return ["%s@odata.type %s: DMTF never published %s v%d_%d_%d" % (
                    (where, odata_type, namespace) + declared)]
            file_name = self.schemas.newest[namespace][1]
        if definition not in self.schemas.store[PREFIX + file_name].get("definitions", {}):
            return ["%s@odata.type %s: %s defines no %s" % (where, odata_type, file_name, definition)]
        errors += _errors_of(self.schemas.validator(file_name, definition), body, where)
        if declared:
            errors += _version_added_errors(self.schemas, file_name, definition, body, declared, where)
        if isinstance(body.get("Members"), list) and "Members@odata.nextLink" not in body:
            if body.get("Members@odata.count") != len(body["Members"]):
                errors.append("%sMembers@odata.count %r but %d Members" % (
                    where, body.get("Members@odata.count"), len(body["Members"])))
        self._count(namespace)
        return errors

    def check_oem(self, body, where=""):
        """Every Oem.OpenCMC object anywhere in the body, against its OEM schema."""
        errors = []

        def walk(node, at):
            if isinstance(node, dict):
                oem = node.get("Oem")
                if isinstance(oem, dict) and "OpenCMC" in oem:
                    obj = oem["OpenCMC"]
                    t = obj.get("@odata.type") if isinstance(obj, dict) else None
                    m = re.match(r"^#(OpenCMC[A-Za-z]+\.v\d+_\d+_\d+)\.[A-Za-z]+$", t or "")
                    if not m:
                        errors.append("%s%sOem/OpenCMC: @odata.type %r names no OEM schema" % (where, at, t))
                    elif m.group(1) not in self.schemas.oem:
                        errors.append("%s%sOem/OpenCMC: no schema schemas/redfish/%s.json" % (where, at, m.group(1)))
                    else:
                        v = jsonschema.Draft7Validator(self.schemas.oem[m.group(1)])
                        errors.extend(_errors_of(v, obj, "%s%sOem/OpenCMC/" % (where, at)))
                        self._count(m.group(1))
                for k, v in node.items():
                    walk(v, "%s%s/" % (at, k))
            elif isinstance(node, list):
                for i, v in enumerate(node):
                    walk(v, "%s%d/" % (at, i))
        walk(body, "")
        return errors

    def check(self, body, path="", method="GET", status=200):
        """All errors of one JSON response body (an empty list when it is valid)."""
        bare = urllib.parse.urlsplit(path).path.rstrip("/") or "/"
        if not isinstance(body, dict):
            return ["body is %s, not a JSON object" % type(body).__name__]
        if "error" in body and status >= 400 or set(body) == {"error"}:
            errors = _errors_of(self.schemas.validator("redfish-error.v1_0_2.json", "RedfishError"), body)
            info = body.get("error", {}).get("@Message.ExtendedInfo") if isinstance(body.get("error"), dict) else None
            if not info:
                errors.append("error/@Message.ExtendedInfo: missing or empty")
            for i, msg in enumerate(info or []):
                mid = msg.get("MessageId", "") if isinstance(msg, dict) else ""
                if not re.match(r"^[A-Za-z]+\.\d+\.\d+(\.\d+)?\.[A-Za-z]+$", mid):
                    errors.append("error/@Message.ExtendedInfo/%d/MessageId: %r is not Prefix.Major.Minor.Id" % (
                        i, mid))
                elif msg.get("@odata.type"):
                    errors += self.check_resource(msg, "error/@Message.ExtendedInfo/%d/" % i)
            self._count("RedfishError")
            return errors
        if status >= 400:
            return ["a %d answer without a DMTF error body" % status]
        if set(body) == {"@Message.ExtendedInfo"}:  # a success answer carrying messages only
            errors, info = [], body["@Message.ExtendedInfo"]
            if not isinstance(info, list) or not info:
                return ["@Message.ExtendedInfo: not a non-empty array"]
            for i, msg in enumerate(info):
                if not isinstance(msg, dict) or not msg.get("@odata.type"):
                    errors.append("@Message.ExtendedInfo/%d: a Message needs @odata.type" % i)
                else:
                    errors += self.check_resource(msg, "@Message.ExtendedInfo/%d/" % i)
            self._count("MessagesOnly")
            return errors
        if bare == "/redfish" and method in ("GET", "HEAD"):
            self._count("RedfishVersions")
            return [] if body == {"v1": "/redfish/v1/"} else ["/redfish must be {\"v1\": \"/redfish/v1/\"}"]
        if bare == "/redfish/v1/odata":
            ok = isinstance(body.get("value"), list) and all(
                isinstance(v, dict) and {"name", "kind", "url"} <= set(v) for v in body["value"])
            self._count("ODataServiceDocument")
            return [] if ok and "@odata.context" in body else ["the OData service document needs @odata.context "
                                                               "and value[] of {name, kind, url}"]
        errors = self.check_resource(body)
        odata_id = body.get("@odata.id")
        if method == "GET" and not urllib.parse.urlsplit(path).query and isinstance(odata_id, str) and \
                odata_id.rstrip("/") != bare and "/../" not in path and "%" not in path:
            errors.append("@odata.id %r is not the URI read (%s)" % (odata_id, bare))
        errors += self.check_oem(body)
        return errors

    def require_valid(self, body, path="", method="GET", status=200):
        errors = self.check(body, path, method, status)
        if errors:
            raise AssertionError("%s %s (%s): response violates the Redfish schemas:\n  %s\n--- body: %s" % (
                method, path, status, "\n  ".join(errors), json.dumps(body)[:3000]))


class Response:
    def __init__(self, status, headers, raw):
        self.status, self.headers, self.raw = status, headers, raw
        self.text = raw.decode(errors="replace")
        self.json = None
        ctype = headers.get("Content-Type", "") or ""
        if raw and ("json" in ctype or raw[:1] in (b"{", b"[")):
            try:
                self.json = json.loads(raw)
            except ValueError:
                self.json = None

    def header(self, name, default=None):
        return self.headers.get(name, default)

    def __iter__(self):  # status, headers, body = c.get(...)
        return iter((self.status, self.headers, self.json if self.json is not None else self.text))

    def __repr__(self):
        return "<%d %s>" % (self.status, self.text[:300])


class Client:
    """HTTP(S) to a Redfish service: Basic auth, or a session after login();
    every JSON response validated (see the module doc)."""

    def __init__(self, url, username=None, password=None, token=None, timeout=15, insecure=True,
                 validate=True):
        u = urllib.parse.urlsplit(url)
        self.url, self.scheme, self.host, self.port = url.rstrip("/"), u.scheme, u.hostname, u.port
        self.username, self.password, self.token = username, password, token
        self.session_uri = None
        self.timeout, self.validate = timeout, validate
        self.collected = None  # a list: violations are collected there instead of failing at once
        self.checker = Checker()
        self.ctx = None
        if self.scheme == "https":
            self.ctx = ssl.create_default_context()
            if insecure:
                self.ctx.check_hostname = False
                self.ctx.verify_mode = ssl.CERT_NONE

    @property
    def validated(self):
        return self.checker.validated

    def _connection(self, timeout=None):
        if self.scheme == "https":
            return http.client.HTTPSConnection(self.host, self.port, timeout=timeout or self.timeout, context=self.ctx)
        return http.client.HTTPConnection(self.host, self.port, timeout=timeout or self.timeout)

    def auth_headers(self, auth=True):
        if not auth:
            return {}
        if self.token:
            return {"X-Auth-Token": self.token}
        if self.username is not None:
            tok = base64.b64encode(("%s:%s" % (self.username, self.password)).encode()).decode()
            return {"Authorization": "Basic " + tok}
        return {}

    def request(self, method, path, body=None, raw=None, headers=None, auth=True, validate=None, timeout=None):
        """Returns a Response (status, headers, json, text); the JSON body is validated."""
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        hdrs = {"Accept": "application/json"}
        if data is not None:
            hdrs["Content-Type"] = "application/json"
        hdrs.update(self.auth_headers(auth))
        hdrs.update(headers or {})
        conn = self._connection(timeout)
        try:
            try:
                conn.request(method, path, body=data, headers=hdrs)
            except (BrokenPipeError, ConnectionResetError):
                pass  # a server may answer (413) and close before reading a huge body
            r = conn.getresponse()
            resp = Response(r.status, r.headers, r.read())
        finally:
            conn.close()
        if (self.validate if validate is None else validate) and method != "HEAD":
            if resp.json is not None:
                self._require_valid(resp.json, path, method, resp.status)
            elif resp.status >= 400 and resp.raw:
                self._violation("%s %s: %d with a non-JSON body: %r" % (method, path, resp.status, resp.text[:300]))
        return resp

    def _violation(self, message):
        if self.collected is None:
            raise AssertionError(message)
        self.collected.append(message)

    def _require_valid(self, body, path, method, status):
        try:
            self.checker.require_valid(body, path, method, status)
        except AssertionError as e:
            self._violation(str(e))

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, body=None, **kw):
        return self.request("POST", path, body, **kw)

    def patch(self, path, body=None, **kw):
        return self.request("PATCH", path, body, **kw)

    def put(self, path, body=None, **kw):
        return self.request("PUT", path, body, **kw)

    def delete(self, path, **kw):
        return self.request("DELETE", path, **kw)

    def json(self, path):
        """GET that must answer 200; the validated body."""
        r = self.get(path)
        assert r.status == 200, (path, r.status, r.text[:500])
        return r.json

    def has(self, path):
        return self.get(path).status == 200

    def login(self, username=None, password=None):
        """Creates a session; later requests carry its X-Auth-Token. Returns the Response."""
        r = self.post("/redfish/v1/SessionService/Sessions",
                      {"UserName": username or self.username, "Password": password or self.password}, auth=False)
        if r.status == 201:
            self.token = r.header("X-Auth-Token")
            loc = r.header("Location", "")
            self.session_uri = urllib.parse.urlsplit(loc).path if loc else None
        return r

    def logout(self):
        r = self.delete(self.session_uri) if self.session_uri else None
        self.token = self.session_uri = None
        return r

    def crawl(self, start="/redfish/v1", limit=2000, skip=(), fail=True):
        """GETs every resource reachable from start by @odata.id links; returns
        {uri: Response}, after failing with every violation seen (not the first only)."""
        outer, self.collected = self.collected, []
        try:
            seen = self._crawl(start, limit, skip)
            self.crawl_violations = list(self.collected)
            if self.collected and fail:
                raise AssertionError("%d of %d responses violate the Redfish schemas:\n%s" % (
                    len(self.collected), len(seen), "\n".join(self.collected)))
        finally:
            self.collected = outer
        return seen

    def _crawl(self, start, limit, skip):
        seen, todo = {}, [start]
        while todo and len(seen) < limit:
            uri = todo.pop(0)
            if uri in seen or any(re.search(s, uri) for s in skip):
                continue
            r = self.get(uri)
            seen[uri] = r
            if r.status == 200 and r.json is not None:
                for link in _links(r.json):
                    p = urllib.parse.urlsplit(link).path
                    if p.startswith("/redfish/v1") and "#" not in link and p not in seen:
                        todo.append(p)
        return seen

    def sse(self, path, seconds, until=None, headers=None):
        """Reads an SSE stream for up to `seconds` (or until `until(events)` is true);
        returns [(id, parsed data)]: every event's data is validated."""
        conn = self._connection(timeout=seconds + 5)
        hdrs = {"Accept": "text/event-stream"}
        hdrs.update(self.auth_headers())
        hdrs.update(headers or {})
        events = []
        try:
            conn.request("GET", path, headers=hdrs)
            r = conn.getresponse()
            if r.status != 200:
                raw = r.read()
                resp = Response(r.status, r.headers, raw)
                if resp.json is not None:
                    self._require_valid(resp.json, path, "GET", r.status)
                return resp
            sock = conn.sock
            deadline = time.monotonic() + seconds
            event = {"id": None, "data": []}
            while time.monotonic() < deadline:
                if sock is not None:
                    sock.settimeout(max(0.05, deadline - time.monotonic()))
                try:
                    line = r.readline()  # de-chunked
                except (socket.timeout, TimeoutError):
                    break
                if not line:
                    break
                line = line.decode().rstrip("\r\n")
                if line.startswith("id:"):
                    event["id"] = line[3:].strip()
                elif line.startswith("data:"):
                    event["data"].append(line[5:].lstrip())
                elif line == "" and event["data"]:
                    data = json.loads("\n".join(event["data"]))
                    self._require_valid(data, path, "SSE", 200)
                    events.append((event["id"], data))
                    event = {"id": None, "data": []}
                    if until and until(events):
                        break
        finally:
            conn.close()
        return events


def _links(node):
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "@odata.id" and isinstance(v, str):
                yield v
            elif k not in ("@odata.id",):
                yield from _links(v)
    elif isinstance(node, list):
        for v in node:
            yield from _links(v)


class ValidatingProxy:
    """An HTTP proxy in front of a Redfish service for clients the test does not
    write (redfishtool, sushy, curl): every JSON response that passes through,
    and every event of an SSE stream, is validated. `violations` lists what
    failed; `assert_clean()` fails the test on any. Use `url` as the service's URL."""

    def __init__(self, target):
        import http.server
        self.target = urllib.parse.urlsplit(target)
        self.checker = Checker()
        self.violations, self.seen = [], 0
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _forward(self):
                try:
                    self._relay()
                except Exception as e:  # the client sees a closed connection; the test sees why
                    proxy.violations.append("proxy: %s %s failed: %r" % (self.command, self.path, e))
                    self.close_connection = True

            def _relay(self):
                length = int(self.headers.get("Content-Length") or 0)
                data = self.rfile.read(length) if length else None
                hop = {"host", "connection", "keep-alive", "proxy-connection", "transfer-encoding", "content-length",
                       "server", "date"}
                headers = {k: v for k, v in self.headers.items() if k.lower() not in hop}
                cls = http.client.HTTPSConnection if proxy.target.scheme == "https" else http.client.HTTPConnection
                kw = {"context": ssl._create_unverified_context()} if proxy.target.scheme == "https" else {}
                conn = cls(proxy.target.hostname, proxy.target.port, timeout=60, **kw)
                try:
                    conn.request(self.command, self.path, body=data, headers=headers)
                    r = conn.getresponse()
                    stream = (r.getheader("Content-Type") or "").startswith("text/event-stream")
                    self.send_response(r.status)
                    for k, v in r.getheaders():
                        if k.lower() not in hop:
                            self.send_header(k, v)
                    if stream:
                        self.send_header("Connection", "close")
                        self.end_headers()
                        proxy._relay_stream(r, self.wfile, self.path)
                        self.close_connection = True
                        return
                    raw = r.read()
                    self.send_header("Content-Length", str(len(raw)))
                    if self.close_connection:  # the client asked to close: say so (else it reuses the socket)
                        self.send_header("Connection", "close")
                    self.end_headers()
                    if self.command != "HEAD":
                        self.wfile.write(raw)
                    proxy._check(self.command, self.path, r.status, r.getheader("Content-Type") or "", raw)
                finally:
                    conn.close()

            do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = do_HEAD = do_OPTIONS = _forward

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = "http://127.0.0.1:%d" % self.server.server_address[1]
        self.hostport = "127.0.0.1:%d" % self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def _check(self, method, path, status, ctype, raw):
        if method == "HEAD" or not raw:
            return
        try:
            body = json.loads(raw)
        except ValueError:
            if status >= 400:
                self.violations.append("%s %s: %d with a non-JSON body" % (method, path, status))
            return
        self.seen += 1
        try:
            self.checker.require_valid(body, path, method, status)
        except AssertionError as e:
            self.violations.append(str(e))

    def _relay_stream(self, r, out, path):
        data = []
        try:
            while True:
                line = r.readline()  # de-chunked
                if not line:
                    break
                out.write(line)
                out.flush()
                text = line.decode(errors="replace").rstrip("\r\n")
                if text.startswith("data:"):
                    data.append(text[5:].lstrip())
                elif text == "" and data:
                    self._check("SSE", path, 200, "application/json", "\n".join(data).encode())
                    data = []
        except (BrokenPipeError, ConnectionResetError, OSError):
            pass

    def assert_clean(self):
        """Fails on the violations seen since the last call (and forgets them)."""
        violations, self.violations = self.violations, []
        if violations:
            raise AssertionError("%d responses through the proxy violate the Redfish schemas:\n%s" % (
                len(violations), "\n".join(violations)))

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
