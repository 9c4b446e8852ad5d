#!/usr/bin/env python3
"""Writes the CSDL (OData XML) of each OEM schema family from its JSON schemas:
schemas/redfish/OpenCMC<X>.v<N>.json -> schemas/redfish/csdl/OpenCMC<X>_v1.xml,
shaped like DMTF's <X>_v1.xml: an unversioned namespace and one namespace per
version, whose ComplexType <X> (the name after the version in @odata.type)
derives from Resource.OemObject, and from the previous version for a later
one, which then lists only what it added. cmcd serves these files at
/redfish/v1/Schemas/ and references them from /redfish/v1/$metadata.

    python3 schemas/redfish/csdl/generate_csdl.py          # (re)write the files
    python3 schemas/redfish/csdl/generate_csdl.py --check  # exit 1 when a file is stale
"""
import glob
import json
import os
import re
import sys
from xml.sax.saxutils import quoteattr

HERE = os.path.dirname(os.path.abspath(__file__))
JSON_DIR = os.path.dirname(HERE)

HEADER = """<?xml version="1.0" encoding="UTF-8"?>
<!-- OpenCMC OEM schema: {family}, written by schemas/redfish/csdl/generate_csdl.py from -->
<!-- {files}. Do not edit: change the JSON schema and run the script. -->
<edmx:Edmx xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx" Version="4.0">

  <edmx:Reference Uri="http://docs.oasis-open.org/odata/odata/v4.0/errata03/csd01/complete/vocabularies/Org.OData.Core.V1.xml">
    <edmx:Include Namespace="Org.OData.Core.V1" Alias="OData"/>
  </edmx:Reference>
  <edmx:Reference Uri="http://docs.oasis-open.org/odata/odata/v4.0/errata03/csd01/complete/vocabularies/Org.OData.Measures.V1.xml">
    <edmx:Include Namespace="Org.OData.Measures.V1" Alias="Measures"/>
  </edmx:Reference>
  <edmx:Reference Uri="http://redfish.dmtf.org/schemas/v1/RedfishExtensions_v1.xml">
    <edmx:Include Namespace="RedfishExtensions.v1_0_0" Alias="Redfish"/>
    <edmx:Include Namespace="Validation.v1_0_0" Alias="Validation"/>
  </edmx:Reference>
  <edmx:Reference Uri="http://redfish.dmtf.org/schemas/v1/Resource_v1.xml">
    <edmx:Include Namespace="Resource"/>
    <edmx:Include Namespace="Resource.v1_0_0"/>
  </edmx:Reference>

  <edmx:DataServices>
"""


def camel(name):
    name = re.sub(r"[^A-Za-z0-9]", "", name)
    return name[:1].upper() + name[1:]


class Writer:
    """The types of one version namespace: complex and enum types by name."""

    def __init__(self, ns, doc):
        self.ns = ns
        self.doc = doc
        self.patterns = {}  # property -> Validation.Pattern of an enumeration of non-identifiers
        self.types = {}  # name -> (kind, xml lines)
        self.order = []

    def ref(self, s):
        if "$ref" in s:
            target = s["$ref"].rsplit("/", 1)[-1]
            return self.doc["definitions"][target]
        return s

    def add(self, name, kind, lines):
        key = (kind, tuple(lines))
        base = name
        n = 2
        while name in self.types and self.types[name] != key:
            name = "%s%d" % (base, n)
            n += 1
        if name not in self.types:
            self.types[name] = key
            self.order.append(name)
        return self.ns + "." + name

    def is_link(self, s):
        s = self.ref(s)
        return s.get("type") == "object" and list(s.get("properties", {})) == ["@odata.id"]

    def type_of(self, prop, s):
        """(CSDL type, nullable, is navigation)"""
        nullable = False
        if "anyOf" in s:
            alts = [a for a in s["anyOf"] if a.get("type") != "null"]
            nullable = len(alts) < len(s["anyOf"])
            s = alts[0] if len(alts) == 1 else {"type": "object"}
        if "$ref" in s and self.is_link(s):
            return "Resource.Item", nullable, True
        s = self.ref(s)
        t = s.get("type")
        if isinstance(t, list):
            nullable = nullable or "null" in t
            t = [x for x in t if x != "null"][0]
        if "enum" in s and not all(re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", str(v)) for v in s["enum"] if v is not None):
            # Not CSDL identifiers ("power-fault"): a string held to the values by a pattern.
            values = [re.escape(str(v)) for v in s["enum"] if v is not None]
            self.patterns[prop] = "^(%s)$" % "|".join(values)
            return "Edm.String", nullable or None in s["enum"], False
        if "enum" in s:
            members = ['      <Member Name=%s/>' % quoteattr(str(v)) for v in s["enum"] if v is not None]
            nullable = nullable or None in s["enum"]
            return self.add(camel(prop), "EnumType", members), nullable, False
        if t == "array":
            inner, _, nav = self.type_of(prop, s.get("items", {}))
            return "Collection(%s)" % inner, False, nav
        if t == "object":
            if self.is_link(s):
                return "Resource.Item", nullable, True
            return self.complex(camel(prop), s), nullable, False
        if t == "string":
            return ("Edm.DateTimeOffset" if s.get("format") == "date-time" else "Edm.String"), nullable, False
        if t == "integer":
            return "Edm.Int64", nullable, False
        if t == "number":
            return "Edm.Decimal", nullable, False
        if t == "boolean":
            return "Edm.Boolean", nullable, False
        return "Edm.String", nullable, False

    def properties(self, s, skip=()):
        lines = []
        required = set(s.get("required", []))
        for prop, ps in s.get("properties", {}).items():
            if prop.startswith("@odata.") or prop in skip:
                continue
            t, nullable, nav = self.type_of(prop, ps)
            tag = "NavigationProperty" if nav else "Property"
            attrs = 'Name=%s Type="%s"' % (quoteattr(prop), t)
            if not nullable and not nav and not t.startswith("Collection("):
                attrs += ' Nullable="false"'
            lines.append("        <%s %s>" % (tag, attrs))
            lines.append('          <Annotation Term="OData.Permissions" EnumMember="OData.Permission/Read"/>')
            desc = ps.get("description") or self.ref(ps).get("description")
            if desc:
                lines.append('          <Annotation Term="OData.Description" String=%s/>' % quoteattr(desc))
            if nav:
                lines.append('          <Annotation Term="OData.AutoExpandReferences"/>')
            if prop in self.patterns:
                lines.append('          <Annotation Term="Validation.Pattern" String=%s/>' % quoteattr(self.patterns.pop(prop)))
            if prop in required:
                lines.append('          <Annotation Term="Redfish.Required"/>')
            lines.append("        </%s>" % tag)
        return lines

    def complex(self, name, s):
        lines = []
        extra = s.get("additionalProperties", True)
        lines.append('        <Annotation Term="OData.AdditionalProperties" Bool="%s"/>'
                     % ("false" if extra is False else "true"))
        if s.get("description"):
            lines.append('        <Annotation Term="OData.Description" String=%s/>' % quoteattr(s["description"]))
        lines += self.properties(s)
        return self.add(name, "ComplexType", lines)

    def xml(self):
        out = []
        for name in self.order:
            kind, lines = self.types[name]
            out.append("      <%s Name=%s>" % (kind, quoteattr(name)))
            out += list(lines)
            out.append("      </%s>" % kind)
            out.append("")
        return out


def version_key(path):
    v = re.search(r"\.v(\d+)_(\d+)_(\d+)\.json$", path)
    return tuple(int(x) for x in v.groups())


def family_csdl(family, files):
    out = [HEADER.format(family=family, files=", ".join(os.path.basename(f) for f in files))]
    out.append('    <Schema xmlns="http://docs.oasis-open.org/odata/ns/edm" Namespace="%s">' % family)
    out.append('      <Annotation Term="Redfish.OwningEntity" String="OpenCMC"/>')
    out.append('      <Annotation Term="Redfish.Language" String="en"/>')
    out.append("    </Schema>")
    previous = None
    for f in files:
        with open(f) as fh:
            doc = json.load(fh)
        version = "v%d_%d_%d" % version_key(f)
        ns = "%s.%s" % (family, version)
        pattern = doc["properties"]["@odata.type"]["pattern"]
        resource = os.path.basename(f).split(".")[0][len("OpenCMC"):] or family
        m = re.search(r"\\\.v\d+_\d+_\d+\\\.(\w+)", pattern)
        if m:
            resource = m.group(1)
        w = Writer(ns, doc)
        skip = tuple(previous[1].get("properties", {})) if previous else ()
        lines = []
        if doc.get("description"):
            lines.append('        <Annotation Term="OData.Description" String=%s/>' % quoteattr(doc["description"]))
        lines.append('        <Annotation Term="OData.AdditionalProperties" Bool="false"/>')
        lines += w.properties(doc, skip)
        top = ['      <ComplexType Name=%s BaseType="%s">' % (
            quoteattr(resource), "%s.%s" % (previous[0], resource) if previous else "Resource.OemObject")]
        top += lines + ["      </ComplexType>", ""]
        out.append("")
        out.append('    <Schema xmlns="http://docs.oasis-open.org/odata/ns/edm" Namespace="%s">' % ns)
        out.append('      <Annotation Term="Redfish.OwningEntity" String="OpenCMC"/>')
        out.append("")
        out += top
        out += w.xml()
        out.append("    </Schema>")
        previous = (ns, doc)
    out.append("")
    out.append("  </edmx:DataServices>")
    out.append("</edmx:Edmx>")
    return "\n".join(out) + "\n"


def main():
    check = "--check" in sys.argv[1:]
    families = {}
    for f in glob.glob(os.path.join(JSON_DIR, "OpenCMC*.v*.json")):
        families.setdefault(os.path.basename(f).split(".")[0], []).append(f)
    stale = []
    for family, files in sorted(families.items()):
        text = family_csdl(family, sorted(files, key=version_key))
        path = os.path.join(HERE, family + "_v1.xml")
        old = open(path).read() if os.path.exists(path) else None
        if old != text:
            stale.append(path)
            if not check:
                with open(path, "w") as fh:
                    fh.write(text)
    if check and stale:
        print("stale CSDL (run %s): %s" % (os.path.relpath(__file__), ", ".join(stale)))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
