"""What arrives at the door: content types, documents, message types, idempotency keys, hashes.

No ORM here: this module is unit-tested and fuzzed in isolation. Error details never quote the
body (it may hold patient data).
"""

import copy
import hashlib
import json
import math
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timezone

import fastjsonschema
from jsonschema import Draft202012Validator
from lxml import etree

from . import crypto, schemas

JSON_TYPES = {"application/json"}
FHIR_TYPES = {"application/fhir+json"}
X12_TYPES = {"application/edi-x12"}
EDIFACT_TYPES = {"application/edifact"}
XML_TYPES = {"application/xml", "text/xml"}
ACCEPTED_TYPES = JSON_TYPES | FHIR_TYPES | X12_TYPES | EDIFACT_TYPES | XML_TYPES
# Door limits: whatever is stored or indexed has a bounded size, refused with a 422 naming the field
MAX_KEY = 255  # idempotency keys (event id, Idempotency-Key, interchange keys), webhook-id
MAX_TYPE = 128  # message types
MAX_PROPERTY_NAME = 255  # names of JSON object members
MAX_DEPTH = 32  # nesting of one document (a FHIR resource is about 8 deep)
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
    problem: str | None = None  # why the door refuses this document (names the field, never its value)


@dataclass
class ParsedDocument:
    kind: str
    documents: list = field(default_factory=list)


def normalise_content_type(header):
    return (header or "").split(";", 1)[0].strip().lower()


def canonical_json(obj):
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def canonical_json_hash(obj):
    # surrogatepass: a document refused for an unpaired surrogate still has a hash
    return hashlib.sha256(canonical_json(obj).encode("utf-8", "surrogatepass")).hexdigest()


def body_hash(body, content_type):
    if normalise_content_type(content_type) in JSON_TYPES | FHIR_TYPES:
        try:
            return canonical_json_hash(json.loads(body))
        except (ValueError, UnicodeDecodeError):
            pass
    return hashlib.sha256(body).hexdigest()


def _text(body):
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise UnreadableBody("The body is not valid UTF-8.") from None
    if "\x00" in text:
        raise UnreadableBody("The body contains NUL characters.")
    return text


# ---------------------------------------------------------------------------- door checks
_BAD_CHARS = re.compile("[\x00\ud800-\udfff]")
_PLAIN_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]{0,63}")


def _bad_text(text):
    """Why ``text`` cannot be stored as text (NUL, unpaired surrogate), or None."""
    found = _BAD_CHARS.search(text)
    if found is None:
        return None
    return "contains a NUL character" if found.group() == "\x00" else "contains an unpaired surrogate"


def _member(path, name):
    """``$.a.b`` / ``$["odd name"]``: the path of a member, its name shown safely and shortly."""
    if _PLAIN_NAME.fullmatch(name):
        return f"{path}.{name}"
    return f"{path}[{json.dumps(name[:40], ensure_ascii=True)}]"


def document_problem(obj, max_depth=MAX_DEPTH):
    """Why the door refuses this JSON document, naming the place, never the value; or None.

    Refused: NUL characters and unpaired surrogates in any string or member name (PostgreSQL
    and UTF-8 cannot hold them), member names longer than ``MAX_PROPERTY_NAME``, nesting deeper
    than ``max_depth``, NaN and infinite numbers. Iterative: any depth is safe.
    """
    stack = [(obj, "$", 0)]
    while stack:
        node, path, depth = stack.pop()
        if isinstance(node, str):
            bad = _bad_text(node)
            if bad:
                return f"{path}: {bad}"
        elif isinstance(node, (dict, list)):
            if depth >= max_depth:
                return f"{path}: nested more than {max_depth} levels deep"
            if isinstance(node, dict):
                children = []
                for name, value in node.items():
                    if len(name) > MAX_PROPERTY_NAME:
                        return f"{path}: a member name is longer than {MAX_PROPERTY_NAME} characters"
                    bad = _bad_text(name)
                    if bad:
                        return f"{path}: a member name {bad}"
                    children.append((value, _member(path, name), depth + 1))
            else:
                children = [(value, f"{path}[{i}]", depth + 1) for i, value in enumerate(node)]
            stack.extend(reversed(children))
        elif isinstance(node, float) and not math.isfinite(node):
            return f"{path}: must be a finite number"
    return None


def sanitise(obj, depth=0):
    """A storable copy of a refused document: bad characters replaced, depth and names bounded."""
    if isinstance(obj, str):
        return _BAD_CHARS.sub("\ufffd", obj)
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    if isinstance(obj, (dict, list)) and depth >= MAX_DEPTH:
        return "(removed at the door: nested too deeply)"
    if isinstance(obj, dict):
        return {_BAD_CHARS.sub("\ufffd", k)[:MAX_PROPERTY_NAME]: sanitise(v, depth + 1) for k, v in obj.items()}
    if isinstance(obj, list):
        return [sanitise(v, depth + 1) for v in obj]
    return obj


def _clip(value, limit):
    return _BAD_CHARS.sub("\ufffd", value)[:limit] if isinstance(value, str) else value


def _checked(doc, type_field, key_field, structured=True):
    """Set ``doc.problem`` for what the door refuses; a refused document is made storable.

    ``structured``: the payload is a JSON value (else the text of an interchange).
    """
    if doc.problem is None and structured:
        doc.problem = document_problem(doc.payload)
    for value, name, limit in ((doc.message_type, type_field, MAX_TYPE), (doc.idempotency_key, key_field, MAX_KEY)):
        if doc.problem is None and isinstance(value, str):
            if len(value) > limit:
                doc.problem = f"{name}: longer than {limit} characters"
            elif _bad_text(value):
                doc.problem = f"{name}: {_bad_text(value)}"
    if doc.problem:
        doc.message_type = _clip(doc.message_type, MAX_TYPE)
        doc.idempotency_key = _clip(doc.idempotency_key, MAX_KEY)
        doc.occurred_at = None
        if structured:
            doc.payload = sanitise(doc.payload)
    return doc


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
    if type_header is not None:
        named = type_header.strip()
        bad = not 0 < len(named) <= MAX_TYPE or not named.isprintable()
        for doc in parsed.documents:
            doc.message_type = _clip(named, MAX_TYPE) or doc.message_type
            if bad and not doc.problem:
                doc.problem = f"X-HC-Message-Type: 1 to {MAX_TYPE} printable characters"
    return parsed


def _parse_json(body):
    obj = _json(body)
    if isinstance(obj, dict) and "events" in obj and isinstance(obj["events"], list):
        return ParsedDocument("batch", [_event_doc(item) for item in obj["events"]])
    return ParsedDocument("event", [_event_doc(obj)])


def _event_doc(obj):
    if not isinstance(obj, dict):
        return _checked(Doc(None, None, obj), "$.type", "$.id")
    doc = Doc(_str(obj.get("type")), _str(obj.get("id")), obj, _str(obj.get("occurred_at")))
    return _checked(doc, "$.type", "$.id")


def _str(value):
    return value if isinstance(value, str) and value else None


FHIR_MAX_ID = 64  # FHIR R4: an id is at most 64 characters


def fhir_key(resource):
    """``resourceType/id``: a FHIR resource's idempotency key, or None."""
    rtype = _str(resource.get("resourceType")) if isinstance(resource, dict) else None
    rid = _str(resource.get("id")) if isinstance(resource, dict) else None
    return f"{rtype}/{rid}" if rtype and rid else None


def _fhir_doc(resource):
    rtype = _str(resource.get("resourceType")) if isinstance(resource, dict) else None
    doc = Doc(rtype, fhir_key(resource), resource)
    rid = resource.get("id") if isinstance(resource, dict) else None
    if isinstance(rid, str) and len(rid) > FHIR_MAX_ID:
        doc.problem = f"$.id: longer than {FHIR_MAX_ID} characters"
    elif rtype and len(rtype) > FHIR_MAX_ID:
        doc.problem = f"$.resourceType: longer than {FHIR_MAX_ID} characters"
    return _checked(doc, "$.resourceType", "$.id")


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
    return ParsedDocument("x12", [_checked(Doc(f"x12.{st01.strip()}", key, text), "ST01", "ISA06/ISA13", False)])


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
    doc = Doc(f"edifact.{mtype.strip()}", f"{sender.strip()}:{reference.strip()}", _text(body))
    return ParsedDocument("edifact", [_checked(doc, "UNH message type", "UNB sender/reference", False)])


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
    try:
        text = _text(body)
    except UnreadableBody:  # another declared encoding (UTF-16 ...): store it as UTF-8 text
        text = etree.tostring(root, encoding="unicode")
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
        return ParsedDocument(
            "xml", [_checked(Doc(f"cxml.{mtype}" if mtype else "cxml", key, text), "cXML element", "payloadID", False)]
        )
    if (tag.namespace or "").startswith(UBL_NS):
        ident = root.find(f"{{{CBC_NS}}}ID")
        key = ident.text.strip() if ident is not None and ident.text else None
        return ParsedDocument(
            "xml", [_checked(Doc(f"ubl.{tag.localname}", key, text), "root element", "cbc:ID", False)]
        )
    return ParsedDocument("xml", [_checked(Doc(f"xml.{tag.localname}", None, text), "root element", "key", False)])


_RFC3339 = re.compile(r"(\d{4}-\d{2}-\d{2})[Tt ](\d{2}:\d{2}:\d{2})(?:\.(\d+))?([Zz]|[+-]\d{2}:\d{2})")
MIN_YEAR, MAX_YEAR = 1900, 9999


def parse_instant(value):
    """An aware UTC ``datetime`` from an RFC 3339 string, or None when it is not a real instant.

    Leap seconds, impossible dates and instants outside the years 1900-9999 (in UTC) are refused:
    nothing downstream can store or compare them.
    """
    match = _RFC3339.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        return None
    day, clock, fraction, offset = match.groups()
    micro = (fraction or "0")[:6].ljust(6, "0")
    offset = "+00:00" if offset in "Zz" else offset
    try:
        moment = datetime.fromisoformat(f"{day}T{clock}.{micro}{offset}").astimezone(timezone.utc)
    except (ValueError, OverflowError):
        return None
    return moment if MIN_YEAR <= moment.year <= MAX_YEAR else None


def _is_instant(value):
    return not isinstance(value, str) or parse_instant(value) is not None


def _is_date(value):
    if not isinstance(value, str):
        return True
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return len(value) == 10


FORMATS = {"date-time": _is_instant, "date": _is_date}


_VALIDATORS = {}


def _validators(name, schema):
    """(fast check, readable validator) of a schema, compiled once per process and name."""
    pair = _VALIDATORS.get(name)
    if pair is None or pair[2] is not schema:
        from jsonschema import FormatChecker

        checker = FormatChecker(formats=())
        for fmt, func in FORMATS.items():
            checker.checks(fmt)(func)
        # fastjsonschema compiles to Python: ~15x faster for the common, valid case
        pair = (
            fastjsonschema.compile(schema, formats=FORMATS),
            Draft202012Validator(schema, format_checker=checker),
            schema,
        )
        _VALIDATORS[name] = pair
    return pair


def _message(err):
    """What is wrong, in words that never quote the sender's value (it may be patient data)."""
    kind, expected = err.validator, err.validator_value
    if kind == "required":
        missing = next((name for name in expected if isinstance(err.instance, dict) and name not in err.instance), None)
        return f"'{missing}' is a required property" if missing else "a required property is missing"
    if kind == "type":
        return f"must be of type {expected}"
    if kind == "enum":
        return f"must be one of {expected}"
    if kind == "anyOf":
        return "matches none of the allowed forms"
    if kind == "maxLength":
        return f"is longer than {expected} characters"
    if kind == "minLength":
        return f"is shorter than {expected} character(s)"
    if kind == "format":
        return {"date": "is not a real date (YYYY-MM-DD)"}.get(
            expected, f"is not a real date-time (RFC 3339, years {MIN_YEAR}-{MAX_YEAR})"
        )
    if kind == "propertyNames":
        return f"has a member name longer than {schemas.MAX_IDENTIFIER} characters or with a NUL character"
    if kind == "pattern" and expected == schemas.NO_NUL:
        return "contains a NUL character"
    if kind in ("pattern", "const", "minimum", "maximum", "exclusiveMinimum"):
        return f"fails '{kind}' ({expected})"
    return f"fails '{kind}'"


def schema_violations(name, schema, obj):
    """Human-readable violations of ``obj`` against a JSON Schema (empty when valid).

    Each names the field (``$.item.code: ...``) and the rule, never the value (it may be patient
    data). ``name`` keys the compiled validators (one per schema per process).
    """
    check, validator, _schema = _validators(name, schema)
    quantity = obj.get("quantity") if isinstance(obj, dict) else None
    finite = not (isinstance(quantity, float) and not math.isfinite(quantity))
    try:
        check(obj)
        if finite:
            return []  # valid: the common case; errors are collected only for invalid documents
    except fastjsonschema.JsonSchemaException:
        pass
    errors = [] if finite else ["$.quantity: must be a finite number"]
    for err in sorted(validator.iter_errors(obj), key=lambda e: [str(p) for p in e.absolute_path]):
        path = "$"
        for part in err.absolute_path:
            path = f"{path}[{part}]" if isinstance(part, int) else _member(path, str(part))
        errors.append(f"{path}: {_message(err)}"[:300])
    return errors


PATIENT_KEYS = ("patient_ref", "encounter_ref")
# members of a FHIR resource that refer to (or may name) the patient: every reference inside is replaced
FHIR_PATIENT_KEYS = ("subject", "patient", "encounter", "context", "performer", "receiver", "beneficiary")
# resources that are about a person: only their type and a pseudonymised id are kept
FHIR_PERSON_RESOURCES = ("Patient", "RelatedPerson", "Person")
REFERENCE_FIELDS = ("reference", "display")
NARRATIVE_REMOVED = (
    '<div xmlns="http://www.w3.org/1999/xhtml">Narrative removed on arrival (may name the patient).</div>'
)
NOTE_REMOVED = "Note removed on arrival (may name the patient)."


def _pseudonym(key, value):
    """The pseudonym of any JSON value: a string as is, anything else by its canonical JSON text."""
    text = value if isinstance(value, str) else canonical_json(value)
    return crypto.pseudonymise(key, text)


def pseudonymise_event(obj, key, depth=0):
    """Replace ``patient_ref``/``encounter_ref`` by keyed hashes, whatever they hold, wherever they are.

    Numbers, objects and strings that already look like pseudonyms are hashed too: the sender's
    value is never kept. Only null and the empty string are left alone. Members of that name
    nested anywhere in the document (an event inside a list, an extension) are replaced as well.
    """
    if depth > MAX_DEPTH + 1:
        return obj
    if isinstance(obj, list):
        return [pseudonymise_event(item, key, depth + 1) for item in obj]
    if not isinstance(obj, dict):
        return obj
    out = {}
    for name, value in obj.items():
        if name in PATIENT_KEYS:
            out[name] = value if value is None or value == "" else _pseudonym(key, value)
        elif isinstance(value, (dict, list)):
            out[name] = pseudonymise_event(value, key, depth + 1)
        else:
            out[name] = value
    return out


def _pseudonymise_identifier(node, key):
    if isinstance(node, list):
        for item in node:
            _pseudonymise_identifier(item, key)
    elif isinstance(node, dict):
        for name in ("value", "system"):
            if node.get(name) not in (None, ""):
                node[name] = _pseudonym(key, node[name])
    elif node not in (None, ""):
        return _pseudonym(key, node)
    return node


def _pseudonymise_reference(node, key, depth=0):
    """Every reference, display and identifier inside ``node`` (a Reference, a list, a backbone
    element such as ``performer: [{actor: Reference}]``) becomes a pseudonym."""
    if depth > MAX_DEPTH:
        return "(removed)"
    if isinstance(node, dict):
        for name, value in list(node.items()):
            if name in REFERENCE_FIELDS and value not in (None, ""):
                node[name] = _pseudonym(key, value)
            elif name == "identifier":
                node[name] = _pseudonymise_identifier(value, key)
            elif isinstance(value, (dict, list)):
                node[name] = _pseudonymise_reference(value, key, depth + 1)
            elif name in ("text", "authorString", "valueString") and value not in (None, ""):
                node[name] = _pseudonym(key, value)
    elif isinstance(node, list):
        return [_pseudonymise_reference(item, key, depth + 1) for item in node]
    elif node not in (None, ""):
        return _pseudonym(key, node)
    return node


def _person_resource(resource, key):
    out = {"resourceType": resource["resourceType"]}
    if resource.get("id") not in (None, ""):
        out["id"] = _pseudonym(key, resource["id"])[:64]
    return out


def _patient_reference(node):
    """True for a Reference that points at a person (``Patient/1``, ``type: Patient``)."""
    if not isinstance(node, dict):
        return False
    ref, rtype = node.get("reference"), node.get("type")
    persons = FHIR_PERSON_RESOURCES
    return (isinstance(rtype, str) and rtype in persons) or (
        isinstance(ref, str) and any(part in persons for part in ref.split("/")[-3:-1])
    )


def pseudonymise_fhir(resource, key):
    """A copy of a resource with nothing left that identifies the patient.

    Patient, RelatedPerson and Person resources (on their own, contained, or a Bundle entry)
    keep only their type and a pseudonymised id; ``subject``, ``patient``, ``encounter``,
    ``context``, ``performer``, ``receiver`` and ``beneficiary`` have every reference, display
    and identifier (single or list) replaced, as has any Reference to a person wherever it is;
    notes and narratives are removed. The caller bounds the depth (``document_problem``).
    """
    if isinstance(resource, dict) and resource.get("resourceType") in FHIR_PERSON_RESOURCES:
        return _person_resource(resource, key)
    out = copy.deepcopy(resource)

    def walk(node):
        if isinstance(node, dict):
            if "resourceType" in node and isinstance(node.get("text"), dict):
                # the narrative is free text written for people: it often names the patient
                node["text"] = {"status": "empty", "div": NARRATIVE_REMOVED}
            for name, value in list(node.items()):
                if name in FHIR_PATIENT_KEYS or _patient_reference(value):
                    node[name] = _pseudonymise_reference(value, key)
                elif name == "note":
                    node[name] = _pseudonymise_note(value, key)
                elif isinstance(value, dict) and value.get("resourceType") in FHIR_PERSON_RESOURCES:
                    node[name] = _person_resource(value, key)
                elif isinstance(value, list):
                    node[name] = [
                        _person_resource(item, key)
                        if isinstance(item, dict) and item.get("resourceType") in FHIR_PERSON_RESOURCES
                        else _pseudonymise_reference(item, key)
                        if _patient_reference(item)
                        else item
                        for item in value
                    ]
                    walk(node[name])
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(out)
    return out


def _pseudonymise_note(value, key):
    notes = value if isinstance(value, list) else [value]
    out = []
    for note in notes:
        if isinstance(note, dict):
            clean = {**note, "text": NOTE_REMOVED}
            for name in ("authorString", "authorReference"):
                if name in clean:
                    clean[name] = _pseudonymise_reference(clean[name], key)
            out.append(clean)
        else:
            out.append(NOTE_REMOVED)
    return out if isinstance(value, list) else out[0]


__all__ = [
    "Doc",
    "ParsedDocument",
    "UnreadableBody",
    "UnsupportedMediaType",
    "body_hash",
    "canonical_json_hash",
    "document_problem",
    "fhir_key",
    "normalise_content_type",
    "parse_document",
    "pseudonymise_event",
    "pseudonymise_fhir",
    "sanitise",
    "schema_violations",
]
