"""What arrives at the door: content types, documents, message types, idempotency keys, hashes.

No ORM here: this module is unit-tested and fuzzed in isolation. Error details never quote the
body (it may hold patient data).
"""

import copy
import hashlib
import json
from dataclasses import dataclass, field

import fastjsonschema
from jsonschema import Draft202012Validator
from lxml import etree

from . import crypto

JSON_TYPES = {"application/json"}
FHIR_TYPES = {"application/fhir+json"}
X12_TYPES = {"application/edi-x12"}
EDIFACT_TYPES = {"application/edifact"}
XML_TYPES = {"application/xml", "text/xml"}
ACCEPTED_TYPES = JSON_TYPES | FHIR_TYPES | X12_TYPES | EDIFACT_TYPES | XML_TYPES
UBL_NS = "urn:oasis:names:specification:ubl:schema:xsd:"
CBC_NS = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"


class UnsupportedMediaType(Exception):
    pass


class UnreadableBody(Exception):
    def __init__(self, detail):
        super().__init__(detail)
        self.detail = detail


@dataclass
class Doc:
    message_type: str | None
    idempotency_key: str | None
    payload: object
    occurred_at: str | None = None


@dataclass
class ParsedDocument:
    kind: str
    documents: list = field(default_factory=list)


def normalise_content_type(header):
    return (header or "").split(";", 1)[0].strip().lower()


def canonical_json(obj):
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def canonical_json_hash(obj):
    return hashlib.sha256(canonical_json(obj).encode()).hexdigest()


def body_hash(body, content_type):
    if normalise_content_type(content_type) in JSON_TYPES | FHIR_TYPES:
        try:
            return canonical_json_hash(json.loads(body))
        except (ValueError, UnicodeDecodeError):
            pass
    return hashlib.sha256(body).hexdigest()


def _text(body):
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        raise UnreadableBody("The body is not valid UTF-8.") from None


def _json(body):
    text = _text(body)
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        raise UnreadableBody("The body is not valid JSON.") from None


def parse_document(body, content_type, type_header=None):
    """Split a body into documents with their message type and idempotency key."""
    ctype = normalise_content_type(content_type)
    if ctype not in ACCEPTED_TYPES:
        raise UnsupportedMediaType(ctype)
    if ctype in JSON_TYPES:
        parsed = _parse_json(body)
    elif ctype in FHIR_TYPES:
        parsed = _parse_fhir(body)
    elif ctype in X12_TYPES:
        parsed = _parse_x12(body)
    elif ctype in EDIFACT_TYPES:
        parsed = _parse_edifact(body)
    else:
        parsed = _parse_xml(body)
    if type_header:
        for doc in parsed.documents:
            doc.message_type = type_header.strip()[:128]
    return parsed


def _parse_json(body):
    obj = _json(body)
    if isinstance(obj, dict) and "events" in obj and isinstance(obj["events"], list):
        docs = []
        for item in obj["events"]:
            if isinstance(item, dict):
                docs.append(Doc(_str(item.get("type")), _str(item.get("id")), item, _str(item.get("occurred_at"))))
            else:
                docs.append(Doc(None, None, item))
        return ParsedDocument("batch", docs)
    if not isinstance(obj, dict):
        return ParsedDocument("event", [Doc(None, None, obj)])
    return ParsedDocument("event", [Doc(_str(obj.get("type")), _str(obj.get("id")), obj, _str(obj.get("occurred_at")))])


def _str(value):
    return value if isinstance(value, str) and value else None


def _fhir_doc(resource):
    rtype = _str(resource.get("resourceType")) if isinstance(resource, dict) else None
    rid = _str(resource.get("id")) if isinstance(resource, dict) else None
    key = f"{rtype}/{rid}" if rtype and rid else None
    return Doc(rtype, key, resource)


def _parse_fhir(body):
    obj = _json(body)
    if not isinstance(obj, dict) or not _str(obj.get("resourceType")):
        raise UnreadableBody("A FHIR body must be a JSON object with a resourceType.")
    if obj["resourceType"] == "Bundle":
        entries = obj.get("entry") or []
        if not isinstance(entries, list):
            raise UnreadableBody("Bundle.entry must be an array.")
        docs = [_fhir_doc(e.get("resource") if isinstance(e, dict) else None) for e in entries]
        docs = [d for d in docs if d.payload is not None]
        if not docs:
            raise UnreadableBody("The Bundle has no entry with a resource.")
        return ParsedDocument("fhir", docs)
    return ParsedDocument("fhir", [_fhir_doc(obj)])


def _parse_x12(body):
    text = _text(body).lstrip("\ufeff \r\n\t")
    if not text.startswith("ISA") or len(text) < 106:
        raise UnreadableBody("An X12 interchange must start with an ISA segment.")
    element = text[3]
    terminator = text[105]
    if terminator in "\r\n":
        terminator = "\n"
    segments = [s.strip("\r\n ") for s in text.split(terminator)]
    isa = segments[0].split(element)
    if len(isa) < 17:
        raise UnreadableBody("The ISA segment is incomplete.")
    key = f"{isa[6].strip()}:{isa[13].strip()}"
    st01 = next(
        (s.split(element)[1] for s in segments if s.startswith("ST" + element) and len(s.split(element)) > 1), None
    )
    if not st01:
        raise UnreadableBody("The interchange has no transaction set (ST).")
    return ParsedDocument("x12", [Doc(f"x12.{st01.strip()}", key, text)])


def _parse_edifact(body):
    text = _text(body).lstrip("\ufeff \r\n\t")
    comp, elem, release, term = ":", "+", "?", "'"
    if text.startswith("UNA") and len(text) >= 9:
        comp, elem, release, term = text[3], text[4], text[6], text[8]
        text = text[9:].lstrip("\r\n ")
    if not text.startswith("UNB"):
        raise UnreadableBody("An EDIFACT interchange must start with UNB (after an optional UNA).")
    segments = _split_unescaped(text, term, release)
    unb = _split_unescaped(segments[0], elem, release)
    if len(unb) < 6:
        raise UnreadableBody("The UNB segment is incomplete.")
    sender = _split_unescaped(unb[2], comp, release)[0]
    reference = unb[5]
    unh = next((s for s in segments if s.strip().startswith("UNH" + elem)), None)
    if not unh:
        raise UnreadableBody("The interchange has no message (UNH).")
    parts = _split_unescaped(unh.strip(), elem, release)
    if len(parts) < 3:
        raise UnreadableBody("The UNH segment is incomplete.")
    mtype = _split_unescaped(parts[2], comp, release)[0]
    return ParsedDocument(
        "edifact", [Doc(f"edifact.{mtype.strip()}", f"{sender.strip()}:{reference.strip()}", _text(body))]
    )


def _split_unescaped(text, sep, release):
    out, cur, escaped = [], [], False
    for ch in text:
        if escaped:
            cur.append(ch)
            escaped = False
        elif ch == release:
            escaped = True
        elif ch == sep:
            out.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    out.append("".join(cur))
    return [s.strip("\r\n") for s in out]


_XML_PARSER = None


def _xml_parser():
    global _XML_PARSER
    if _XML_PARSER is None:
        _XML_PARSER = etree.XMLParser(
            resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False, dtd_validation=False
        )
    return _XML_PARSER


def _parse_xml(body):
    try:
        root = etree.fromstring(body, _xml_parser())
    except (etree.XMLSyntaxError, ValueError):
        raise UnreadableBody("The body is not well-formed XML.") from None
    text = body.decode("utf-8", "replace")
    tag = etree.QName(root)
    if tag.localname == "cXML":
        key = root.get("payloadID")
        mtype = None
        for section in root:
            if not isinstance(section.tag, str):
                continue
            if etree.QName(section).localname in ("Request", "Message", "Response"):
                child = next((c for c in section if isinstance(c.tag, str)), None)
                if child is not None:
                    mtype = etree.QName(child).localname
                    break
        return ParsedDocument("xml", [Doc(f"cxml.{mtype}" if mtype else "cxml", key, text)])
    if (tag.namespace or "").startswith(UBL_NS):
        ident = root.find(f"{{{CBC_NS}}}ID")
        key = ident.text.strip() if ident is not None and ident.text else None
        return ParsedDocument("xml", [Doc(f"ubl.{tag.localname}", key, text)])
    return ParsedDocument("xml", [Doc(f"xml.{tag.localname}", None, text)])


_VALIDATORS = {}


def _validators(name, schema):
    """(fast check, readable validator) of a schema, compiled once per process and name."""
    pair = _VALIDATORS.get(name)
    if pair is None or pair[2] is not schema:
        # fastjsonschema compiles to Python: ~15x faster for the common, valid case
        pair = (fastjsonschema.compile(schema), Draft202012Validator(schema), schema)
        _VALIDATORS[name] = pair
    return pair


def schema_violations(name, schema, obj):
    """Human-readable violations of ``obj`` against a JSON Schema (empty when valid).

    Messages name the path and the rule, never the offending value (it may be patient data).
    """
    check, validator, _schema = _validators(name, schema)
    try:
        check(obj)
        return []  # valid: the common case; errors are collected only for invalid documents
    except fastjsonschema.JsonSchemaException:
        pass
    errors = []
    for err in sorted(validator.iter_errors(obj), key=lambda e: [str(p) for p in e.absolute_path]):
        path = "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in err.absolute_path)
        message = err.message if err.validator in ("required", "type", "enum", "anyOf") else f"fails '{err.validator}'"
        if err.validator in ("pattern", "enum", "const", "minimum", "exclusiveMinimum"):
            message = f"fails '{err.validator}' ({err.validator_value})"
        errors.append(f"{path}: {message}"[:300])
    return errors


PATIENT_KEYS = ("patient_ref", "encounter_ref")
FHIR_PATIENT_KEYS = ("subject", "patient", "encounter", "context")
NARRATIVE_REMOVED = (
    '<div xmlns="http://www.w3.org/1999/xhtml">Narrative removed on arrival (may name the patient).</div>'
)


def pseudonymise_event(obj, key):
    out = dict(obj)
    for name in PATIENT_KEYS:
        value = out.get(name)
        if isinstance(value, str) and value and not value.startswith("ph_"):
            out[name] = crypto.pseudonymise(key, value)
    return out


def _pseudonymise_reference(node, key):
    if isinstance(node, dict):
        for name in ("reference", "display"):
            if isinstance(node.get(name), str) and node[name] and not node[name].startswith("ph_"):
                node[name] = crypto.pseudonymise(key, node[name])
        ident = node.get("identifier")
        if isinstance(ident, dict) and isinstance(ident.get("value"), str):
            ident["value"] = crypto.pseudonymise(key, ident["value"])
    elif isinstance(node, list):
        for item in node:
            _pseudonymise_reference(item, key)


def pseudonymise_fhir(resource, key):
    """Replace patient and encounter references anywhere in a resource (and contained/Bundle entries)."""
    out = copy.deepcopy(resource)

    def walk(node):
        if isinstance(node, dict):
            if "resourceType" in node and isinstance(node.get("text"), dict):
                # the narrative is free text written for people: it often names the patient
                node["text"] = {"status": "empty", "div": NARRATIVE_REMOVED}
            for name, value in node.items():
                if name in FHIR_PATIENT_KEYS:
                    _pseudonymise_reference(value, key)
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(out)
    return out


__all__ = [
    "Doc",
    "ParsedDocument",
    "UnreadableBody",
    "UnsupportedMediaType",
    "body_hash",
    "canonical_json_hash",
    "normalise_content_type",
    "parse_document",
    "pseudonymise_event",
    "pseudonymise_fhir",
    "schema_violations",
]
