"""X12 transaction sets <-> canonical documents (850, 855, 856, 810, 860, 997, 999)."""

from decimal import Decimal

from . import common
from .common import clean, compact_date, date8, dec, line_id

LEVEL_RANK = {"S": 0, "O": 1, "T": 2, "P": 3, "Q": 4, "I": 5, "F": 6}

X12_ITEM_QUALIFIERS = dict(common.X12_ITEM_QUALIFIERS, CB="buyer_part", VC="vendor_part")


def _e(seg, i):
    return seg[i].strip() if len(seg) > i and isinstance(seg[i], str) else ""


def _items(seg, start, out=None):
    """Qualifier/value pairs from ``start`` (1-based element index) into item keys."""
    out = out if out is not None else {"buyer_part": None, "vendor_part": None, "gtin": None}
    extra = {}
    i = start
    while i + 1 < len(seg):
        qual, value = _e(seg, i), _e(seg, i + 1)
        i += 2
        if not qual or not value:
            continue
        key = X12_ITEM_QUALIFIERS.get(qual)
        if key == "gtin":
            value = common.gtin14(value)
            if value is None:
                extra.setdefault(qual, _e(seg, i - 1))
                continue
        if key and (not out.get(key) or (key == "gtin" and qual in ("UK", "EN"))):
            out[key] = value
        elif not key:
            extra.setdefault(qual, value)
    return out, extra


def _party(segments, idx):
    """N1 loop starting at ``idx``: name, identifier, GLN, address."""
    n1 = segments[idx]
    party = {"name": clean(_e(n1, 2)), "gln": None, "id": None}
    qual, ident = _e(n1, 3), clean(_e(n1, 4))
    if qual == "UL":
        party["gln"] = ident
    else:
        party["id"] = ident
    for seg in segments[idx + 1 :]:
        tag = seg[0]
        if tag == "N3":
            party["street"] = clean(_e(seg, 1))
        elif tag == "N4":
            party["city"] = clean(_e(seg, 1))
            party["zip"] = clean(_e(seg, 3))
            party["country"] = clean(_e(seg, 4))
        elif tag in ("N2", "PER", "REF"):
            continue
        else:
            break
    return party


def map_set(tset, seps):
    mapper = MAPPERS.get(tset.set_id)
    if mapper is None:
        return None
    return mapper(tset.segments, seps)


# --------------------------------------------------------------------------- 850 / 860


def _order_lines(segments, line_tag):
    lines = []
    current = None
    for seg in segments:
        tag = seg[0]
        if tag == line_tag:
            if line_tag == "PO1":
                items, _ = _items(seg, 6)
                current = {
                    "line_id": line_id(_e(seg, 1)),
                    **items,
                    "description": None,
                    "quantity": dec(_e(seg, 2)),
                    "uom": clean(_e(seg, 3)),
                    "price": dec(_e(seg, 4)),
                    "requested_date": None,
                }
            else:  # POC
                items, _ = _items(seg, 8)
                current = {
                    "line_id": line_id(_e(seg, 1)),
                    "change_code": clean(_e(seg, 2)),
                    **items,
                    "description": None,
                    "quantity": dec(_e(seg, 3)),
                    "quantity_left": dec(_e(seg, 4)),
                    "uom": clean(_e(seg, 5)),
                    "price": dec(_e(seg, 6)),
                    "requested_date": None,
                }
                current["change"] = {"AI": "add", "DI": "delete"}.get(current["change_code"], "change")
            lines.append(current)
        elif current is None:
            continue
        elif tag == "PID" and not current["description"]:
            current["description"] = clean(_e(seg, 5))
        elif tag == "DTM" and _e(seg, 1) in ("002", "010", "037", "074", "106", "017", "067", "068"):
            current["requested_date"] = current["requested_date"] or date8(_e(seg, 2))
        elif tag == "SCH" and not current["requested_date"]:
            current["requested_date"] = date8(_e(seg, 6))
        elif tag in ("CTT", "AMT", "SE"):
            current = None
    return lines


def _order_header(segments, start_tag):
    doc = {
        "name": None,
        "date": None,
        "currency": None,
        "buyer": None,
        "supplier": None,
        "ship_to": None,
        "requested_date": None,
        "notes": None,
    }
    notes = []
    for idx, seg in enumerate(segments):
        tag = seg[0]
        if tag in ("PO1", "POC"):
            break
        if tag == "BEG":
            doc["name"] = clean(_e(seg, 3))
            doc["date"] = date8(_e(seg, 5))
            doc["purpose"] = clean(_e(seg, 1))
        elif tag == "BCH":
            doc["name"] = clean(_e(seg, 3))
            doc["date"] = date8(_e(seg, 6))
            doc["purpose"] = clean(_e(seg, 1))
        elif tag == "CUR":
            doc["currency"] = clean(_e(seg, 2))
        elif tag == "DTM" and _e(seg, 1) in ("002", "010", "037", "074", "106"):
            doc["requested_date"] = doc["requested_date"] or date8(_e(seg, 2))
        elif tag == "MSG":
            if _e(seg, 1):
                notes.append(_e(seg, 1))
        elif tag == "N1":
            party = _party(segments, idx)
            role = _e(seg, 1)
            if role == "BY" and not doc["buyer"]:
                doc["buyer"] = {k: party.get(k) for k in ("name", "gln", "id")}
            elif role in ("SE", "SU", "VN") and not doc["supplier"]:
                doc["supplier"] = {k: party.get(k) for k in ("name", "gln", "id")}
            elif role == "ST" and not doc["ship_to"]:
                doc["ship_to"] = {k: party.get(k) for k in ("name", "gln", "id", "street", "city", "zip", "country")}
    doc["notes"] = "\n".join(notes) or None
    return doc


def map_850(segments, seps):
    doc = {"kind": "order", **_order_header(segments, "BEG")}
    doc["lines"] = _order_lines(segments, "PO1")
    return doc


def map_860(segments, seps):
    doc = {"kind": "order_change", **_order_header(segments, "BCH")}
    doc["change"] = "cancel" if doc.get("purpose") in ("01", "03") else "change"
    doc["lines"] = _order_lines(segments, "POC")
    return doc


def _party_segments(role, party, ship=False):
    if not party:
        return []
    if party.get("gln"):
        segs = [("N1", role, party.get("name") or "", "UL", party["gln"])]
    elif party.get("id") not in (None, ""):
        segs = [("N1", role, party.get("name") or "", "92", party["id"])]
    else:
        segs = [("N1", role, party.get("name") or "")]
    if ship:
        if party.get("street"):
            segs.append(("N3", party["street"]))
        if party.get("city") or party.get("zip") or party.get("country"):
            segs.append(("N4", party.get("city") or "", "", party.get("zip") or "", party.get("country") or ""))
    return segs


def _item_pairs(line):
    pairs = []
    for qual, key in (("VP", "vendor_part"), ("BP", "buyer_part"), ("UK", "gtin")):
        if line.get(key):
            pairs.extend([qual, line[key]])
    return pairs


def _quantity_total(lines):
    total = Decimal(0)
    for line in lines:
        qty = common.to_decimal(line.get("quantity"))
        if qty is not None:
            total += qty
    return common.fmt_decimal(total)


def _line_detail_segments(line):
    """PID description and DTM*002 requested date after an order line (850 PO1 / 860 POC)."""
    out = []
    if line.get("description"):
        out.append(("PID", "F", "", "", "", line["description"][:80]))
    if line.get("requested_date"):
        out.append(("DTM", "002", compact_date(line["requested_date"])))
    return out


def _ctt(lines):
    return ("CTT", str(len(lines)), _quantity_total(lines))


def _notes_segments(po):
    segs = []
    if po.get("notes"):
        segs.append(("N9", "L1", "NOTES"))
        for raw_line in str(po["notes"]).splitlines():
            text = raw_line.strip()
            while text:
                segs.append(("MSG", text[:264]))
                text = text[264:]
    return segs


def order_850(po):
    body = [("BEG", "00", "SA", po.get("name") or "", "", compact_date(po.get("date")))]
    if po.get("currency"):
        body.append(("CUR", "BY", po["currency"]))
    if po.get("requested_date"):
        body.append(("DTM", "002", compact_date(po["requested_date"])))
    body.extend(_notes_segments(po))
    body.extend(_party_segments("BY", po.get("buyer")))
    body.extend(_party_segments("SE", po.get("supplier")))
    body.extend(_party_segments("ST", po.get("ship_to"), ship=True))
    for line in po.get("lines") or []:
        body.append(
            (
                "PO1",
                str(line.get("line_id") or ""),
                common.fmt_decimal(line.get("quantity")),
                line.get("uom") or "",
                common.fmt_decimal(line.get("price")),
                "",
                *_item_pairs(line),
            )
        )
        body.extend(_line_detail_segments(line))
    body.append(_ctt(po.get("lines") or []))
    return body


def order_860(po, kind):
    purpose = "01" if kind == "cancel" else "04"
    body = [("BCH", purpose, "SA", po.get("name") or "", "", "", compact_date(po.get("date")))]
    if po.get("currency"):
        body.append(("CUR", "BY", po["currency"]))
    if po.get("requested_date"):
        body.append(("DTM", "002", compact_date(po["requested_date"])))
    body.extend(_notes_segments(po))
    body.extend(_party_segments("BY", po.get("buyer")))
    body.extend(_party_segments("SE", po.get("supplier")))
    body.extend(_party_segments("ST", po.get("ship_to"), ship=True))
    for line in po.get("lines") or []:
        change = line.get("change") or ("delete" if kind == "cancel" else "change")
        code = {"add": "AI", "delete": "DI"}.get(change, "CA")
        if line.get("change_code"):
            code = line["change_code"]
        body.append(
            (
                "POC",
                str(line.get("line_id") or ""),
                code,
                common.fmt_decimal(line.get("quantity")),
                common.fmt_decimal(line.get("quantity_left")),
                line.get("uom") or "",
                common.fmt_decimal(line.get("price")),
                "",
                *_item_pairs(line),
            )
        )
        body.extend(_line_detail_segments(line))
    body.append(_ctt(po.get("lines") or []))
    return body


# --------------------------------------------------------------------------- 855

BAK_STATUS = {
    "AC": "changed",
    "AE": "changed",
    "AD": "accepted",
    "AK": "accepted",
    "AT": "accepted",
    "AP": "accepted",
    "RD": "rejected",
    "RF": "rejected",
    "RJ": "rejected",
    "RN": "rejected",
    "RO": "rejected",
    "RV": "rejected",
    "ZZ": "changed",
}


def map_855(segments, seps):
    doc = common.empty_po_ack()
    po1 = None
    acks = []
    header_date = None

    def flush():
        if po1 is None:
            return
        base, items, ctp_price, dtm_date, description = po1
        if not acks:
            status = "rejected" if doc["status"] == "rejected" else "accepted"
            doc["lines"].append(
                {
                    **base,
                    **items,
                    "status": status,
                    "date": dtm_date,
                    "raw_status": None,
                    "substitute": None,
                    "price": ctp_price or base["price"],
                    "description": description,
                }
            )
            return
        for ack in acks:
            raw = _e(ack, 1)
            status = common.ACK_STATUS.get(raw, "on_hold")
            substitute = None
            sub_items, _ = _items(ack, 7)
            if any(sub_items.values()):
                substitute = {**sub_items, "description": None}
            doc["lines"].append(
                {
                    **base,
                    **items,
                    "status": status,
                    "raw_status": raw or None,
                    "quantity": dec(_e(ack, 2)) or base["quantity"],
                    "uom": clean(_e(ack, 3)) or base["uom"],
                    "price": ctp_price or base["price"],
                    "date": date8(_e(ack, 5)) or dtm_date,
                    "substitute": substitute,
                    "description": description,
                }
            )

    for seg in segments:
        tag = seg[0]
        if tag == "BAK":
            doc["po_number"] = clean(_e(seg, 3))
            doc["po_date"] = date8(_e(seg, 4))
            doc["ack_number"] = clean(_e(seg, 8))
            doc["date"] = date8(_e(seg, 9)) or date8(_e(seg, 4))
            doc["raw_status"] = clean(_e(seg, 2))
            doc["status"] = BAK_STATUS.get(_e(seg, 2), "accepted")
        elif tag == "CUR" and po1 is None:
            doc["currency"] = clean(_e(seg, 2))
        elif tag == "DTM" and po1 is None:
            header_date = header_date or date8(_e(seg, 2))
        elif tag == "PO1":
            flush()
            items, _ = _items(seg, 6)
            base = {
                "line_id": line_id(_e(seg, 1)),
                "quantity": dec(_e(seg, 2)),
                "uom": clean(_e(seg, 3)),
                "price": dec(_e(seg, 4)),
            }
            po1 = [base, items, None, None, None]
            acks = []
        elif po1 is None:
            continue
        elif tag == "REF" and _e(seg, 1) == "LI" and po1[0]["line_id"] is None:
            po1[0]["line_id"] = line_id(_e(seg, 2))
        elif tag == "CTP":
            po1[2] = po1[2] or dec(_e(seg, 3))
        elif tag == "PID":
            po1[4] = po1[4] or clean(_e(seg, 5))
        elif tag == "DTM":
            po1[3] = po1[3] or date8(_e(seg, 2))
        elif tag == "SCH":
            po1[3] = po1[3] or date8(_e(seg, 6))
        elif tag == "ACK":
            acks.append(seg)
        elif tag in ("CTT", "SE"):
            flush()
            po1 = None
    flush()
    doc["expected_date"] = header_date
    return doc


def ack_855(ack):
    """Writer used by tests and partner simulators: canonical po_ack -> 855 body."""
    body = [
        (
            "BAK",
            "00",
            {"accepted": "AD", "rejected": "RD"}.get(ack.get("status"), "AC"),
            ack.get("po_number") or "",
            compact_date(ack.get("po_date") or ack.get("date")),
            "",
            "",
            "",
            ack.get("ack_number") or "",
            compact_date(ack.get("date")),
        )
    ]
    for line in ack.get("lines") or []:
        body.append(
            (
                "PO1",
                str(line.get("line_id") or ""),
                common.fmt_decimal(line.get("quantity")),
                line.get("uom") or "",
                common.fmt_decimal(line.get("price")),
                "",
                *_item_pairs(line),
            )
        )
        sub = line.get("substitute") or {}
        raw = line.get("raw_status") or common.STATUS_TO_ACK.get(line.get("status"), "IA")
        body.append(
            (
                "ACK",
                raw,
                common.fmt_decimal(line.get("quantity")),
                line.get("uom") or "",
                "068" if line.get("date") else "",
                compact_date(line.get("date")),
                "",
                *_item_pairs(sub),
            )
        )
    body.append(("CTT", str(len(ack.get("lines") or []))))
    return body


# --------------------------------------------------------------------------- 856


def map_856(segments, seps):
    doc = {
        "kind": "asn",
        "asn_number": None,
        "po_numbers": [],
        "ship_date": None,
        "expected_date": None,
        "date": None,
        "lines": [],
    }
    nodes = {}
    order = []
    current = None
    stack = []
    for seg in segments:
        tag = seg[0]
        if tag == "BSN":
            doc["asn_number"] = clean(_e(seg, 2))
            doc["date"] = date8(_e(seg, 3))
        elif tag == "HL":
            hl_id = _e(seg, 1) or str(len(order) + 1)
            level = _e(seg, 3)
            parent = _e(seg, 2) or None
            rank = LEVEL_RANK.get(level, 5)
            if parent is None or parent not in nodes:
                while stack and LEVEL_RANK.get(nodes[stack[-1]]["level"], 5) >= rank:
                    stack.pop()
                parent = stack[-1] if stack else None
            else:
                while stack and stack[-1] != parent:
                    stack.pop()
            current = {"id": hl_id, "parent": parent, "level": level, "segments": []}
            nodes[hl_id] = current
            order.append(hl_id)
            stack.append(hl_id)
        elif current is None:
            if tag == "DTM":
                _asn_dates(doc, seg)
        else:
            current["segments"].append(seg)
            if tag == "DTM" and current["level"] == "S":
                _asn_dates(doc, seg)

    def ancestors(node):
        seen = set()
        while node is not None and node["id"] not in seen:
            seen.add(node["id"])
            yield node
            node = nodes.get(node["parent"]) if node["parent"] else None

    for hl_id in order:
        node = nodes[hl_id]
        if node["level"] == "O":
            for seg in node["segments"]:
                if seg[0] == "PRF" and _e(seg, 1) and _e(seg, 1) not in doc["po_numbers"]:
                    doc["po_numbers"].append(_e(seg, 1))
        has_lin = any(seg[0] == "LIN" for seg in node["segments"])
        if not has_lin:
            continue
        line = {
            "line_id": None,
            "po_number": None,
            "buyer_part": None,
            "vendor_part": None,
            "gtin": None,
            "quantity": None,
            "uom": None,
            "lot": None,
            "expiry": None,
            "serials": [],
            "sscc": None,
            "udi": None,
            "description": None,
            "hl": hl_id,
        }
        for seg in node["segments"]:
            tag = seg[0]
            if tag == "LIN":
                line["line_id"] = line_id(_e(seg, 1))
                _, extra = _items(seg, 2, line)
                line["lot"] = line["lot"] or clean(extra.get("LT"))
                for qual in ("SN", "SE"):
                    if extra.get(qual):
                        line["serials"].append(extra[qual])
                if extra.get("UD"):
                    line["udi"] = extra["UD"]
            elif tag == "SN1":
                line["quantity"] = dec(_e(seg, 2))
                line["uom"] = clean(_e(seg, 3))
                if not line["line_id"]:
                    line["line_id"] = line_id(_e(seg, 1))
            elif tag == "REF" and _e(seg, 1) == "LT":
                line["lot"] = line["lot"] or clean(_e(seg, 2))
            elif tag == "REF" and _e(seg, 1) in ("UDI", "UD") and not line["udi"]:
                line["udi"] = clean(_e(seg, 2))
            elif tag == "REF" and _e(seg, 1) in ("SE", "SN"):
                line["serials"].append(_e(seg, 2))
            elif tag == "REF" and _e(seg, 1) == "LI" and not line["line_id"]:
                line["line_id"] = line_id(_e(seg, 2))
            elif tag == "SLN" and not line["line_id"]:
                line["line_id"] = line_id(_e(seg, 1))
            elif tag == "DTM" and _e(seg, 1) in ("036", "208"):
                line["expiry"] = date8(_e(seg, 2))
            elif tag == "MAN" and _e(seg, 1) == "GM" and not line["sscc"]:
                line["sscc"] = _sscc(_e(seg, 2))
            elif tag == "PID":
                line["description"] = line["description"] or clean(_e(seg, 5))
            elif tag == "PRF":
                line["po_number"] = clean(_e(seg, 1))
        # serial numbers in SN segments of child item HLs? also children at deeper levels
        for child_id in order:
            child = nodes[child_id]
            if child["parent"] == hl_id and not any(s[0] == "LIN" for s in child["segments"]):
                for seg in child["segments"]:
                    if seg[0] == "REF" and _e(seg, 1) == "LT":
                        line["lot"] = line["lot"] or clean(_e(seg, 2))
                    elif seg[0] == "REF" and _e(seg, 1) in ("SE", "SN"):
                        line["serials"].append(_e(seg, 2))
                    elif seg[0] == "DTM" and _e(seg, 1) in ("036", "208"):
                        line["expiry"] = line["expiry"] or date8(_e(seg, 2))
        for anc in list(ancestors(node))[1:]:
            for seg in anc["segments"]:
                if seg[0] == "MAN" and _e(seg, 1) == "GM" and not line["sscc"] and anc["level"] in ("P", "T"):
                    line["sscc"] = _sscc(_e(seg, 2))
                elif seg[0] == "PRF" and not line["po_number"]:
                    line["po_number"] = clean(_e(seg, 1))
                elif seg[0] == "DTM" and _e(seg, 1) in ("036", "208") and not line["expiry"] and anc["level"] != "S":
                    line["expiry"] = date8(_e(seg, 2))
                elif seg[0] == "REF" and _e(seg, 1) == "LT" and not line["lot"] and anc["level"] != "S":
                    line["lot"] = clean(_e(seg, 2))
        line["serials"] = [s for s in line["serials"] if s]
        doc["lines"].append(line)
    if len(doc["po_numbers"]) == 1:
        for line in doc["lines"]:
            line["po_number"] = line["po_number"] or doc["po_numbers"][0]
    for line in doc["lines"]:
        if line["po_number"] and line["po_number"] not in doc["po_numbers"]:
            doc["po_numbers"].append(line["po_number"])
    return doc


def _asn_dates(doc, seg):
    qual, value = _e(seg, 1), date8(_e(seg, 2))
    if qual == "011":
        doc["ship_date"] = doc["ship_date"] or value
    elif qual in ("017", "067", "002"):
        doc["expected_date"] = doc["expected_date"] or value


def _sscc(value):
    text = (value or "").strip()
    if len(text) == 20 and text.startswith("00") and text.isdigit():
        return text[2:]
    return text or None


def asn_856(asn):
    """Writer used by tests and partner simulators: canonical asn -> 856 body (S/O/P/I)."""
    body = [("BSN", "00", asn.get("asn_number") or "", compact_date(asn.get("date") or asn.get("ship_date")), "0000")]
    hl = 1
    body.append(("HL", "1", "", "S"))
    if asn.get("ship_date"):
        body.append(("DTM", "011", compact_date(asn["ship_date"])))
    if asn.get("expected_date"):
        body.append(("DTM", "017", compact_date(asn["expected_date"])))
    by_po = {}
    for line in asn.get("lines") or []:
        by_po.setdefault(line.get("po_number") or (asn.get("po_numbers") or [""])[0], []).append(line)
    for po, lines in by_po.items():
        hl += 1
        order_hl = hl
        body.append(("HL", str(order_hl), "1", "O"))
        body.append(("PRF", po))
        for line in lines:
            parent = order_hl
            if line.get("sscc"):
                hl += 1
                body.append(("HL", str(hl), str(order_hl), "P"))
                body.append(("MAN", "GM", line["sscc"]))
                parent = hl
            hl += 1
            pairs = _item_pairs(line)
            if line.get("lot"):
                pairs.extend(["LT", line["lot"]])
            if line.get("udi"):
                pairs.extend(["UD", line["udi"]])  # the GS1 UDI element string, read back by map_856
            body.append(("HL", str(hl), str(parent), "I"))
            body.append(("LIN", str(line.get("line_id") or ""), *pairs))
            body.append(("SN1", "", common.fmt_decimal(line.get("quantity")), line.get("uom") or "EA"))
            if line.get("expiry"):
                body.append(("DTM", "036", compact_date(line["expiry"])))
            for serial in line.get("serials") or []:
                body.append(("REF", "SE", serial))
    body.append(("CTT", str(hl)))
    return body


# --------------------------------------------------------------------------- 810

SAC_TYPES = {"D240": "freight", "G830": "freight", "C310": "discount", "H850": "tax", "H750": "tax"}


def map_810(segments, seps):
    doc = {
        "kind": "invoice",
        "invoice_number": None,
        "date": None,
        "currency": None,
        "po_numbers": [],
        "total": None,
        "tax_total": None,
        "charges": [],
        "lines": [],
    }
    line = None
    tax = Decimal(0)
    has_tax = False
    for seg in segments:
        tag = seg[0]
        if tag == "BIG":
            doc["date"] = date8(_e(seg, 1))
            doc["invoice_number"] = clean(_e(seg, 2))
            if _e(seg, 4):
                doc["po_numbers"].append(_e(seg, 4))
        elif tag == "CUR":
            doc["currency"] = doc["currency"] or clean(_e(seg, 2))
        elif tag == "REF" and _e(seg, 1) == "PO" and line is None:
            if _e(seg, 2) and _e(seg, 2) not in doc["po_numbers"]:
                doc["po_numbers"].append(_e(seg, 2))
        elif tag == "IT1":
            items, _ = _items(seg, 6)
            qty, price = dec(_e(seg, 2)), dec(_e(seg, 4))
            amount = None
            if qty is not None and price is not None:
                amount = common.fmt_decimal(Decimal(qty) * Decimal(price))
            line = {
                "line_id": line_id(_e(seg, 1)),
                "po_number": None,
                **items,
                "quantity": qty,
                "uom": clean(_e(seg, 3)),
                "price": price,
                "amount": amount,
                "description": None,
            }
            doc["lines"].append(line)
        elif tag == "PID" and line is not None:
            line["description"] = line["description"] or clean(_e(seg, 5))
        elif tag == "REF" and line is not None and _e(seg, 1) == "LI" and line["line_id"] is None:
            line["line_id"] = line_id(_e(seg, 2))
        elif tag == "REF" and line is not None and _e(seg, 1) == "PO":
            line["po_number"] = clean(_e(seg, 2))
        elif tag == "TDS":
            line = None
            doc["total"] = dec(_e(seg, 1), implied=2)
        elif tag == "SAC":
            amount = dec(_e(seg, 5), implied=2)
            if amount is None:
                continue
            code = _e(seg, 2)
            kind = SAC_TYPES.get(code, "discount" if _e(seg, 1) == "A" else "other")
            if _e(seg, 1) == "A":
                amount = common.fmt_decimal(-abs(Decimal(amount)))
            charge = {"type": kind, "amount": amount, "code": code or None}
            if line is not None:
                charge["line_id"] = line["line_id"]
            doc["charges"].append(charge)
        elif tag == "TXI":
            amount = dec(_e(seg, 2))
            if amount is not None:
                tax += Decimal(amount)
                has_tax = True
                if line is None:
                    doc["charges"].append({"type": "tax", "amount": amount, "code": clean(_e(seg, 1))})
        elif tag in ("CTT", "ISS", "CAD"):
            line = None
    if has_tax:
        doc["tax_total"] = common.fmt_decimal(tax)
    if len(doc["po_numbers"]) == 1:
        for item in doc["lines"]:
            item["po_number"] = item["po_number"] or doc["po_numbers"][0]
    return doc


def invoice_810(inv):
    """Writer used by tests and partner simulators: canonical invoice -> 810 body."""
    pos = inv.get("po_numbers") or [""]
    body = [("BIG", compact_date(inv.get("date")), inv.get("invoice_number") or "", "", pos[0])]
    if inv.get("currency"):
        body.append(("CUR", "SE", inv["currency"]))
    for line in inv.get("lines") or []:
        body.append(
            (
                "IT1",
                str(line.get("line_id") or ""),
                common.fmt_decimal(line.get("quantity")),
                line.get("uom") or "",
                common.fmt_decimal(line.get("price")),
                "",
                *_item_pairs(line),
            )
        )
    body.append(("TDS", common.cents(inv.get("total"))))
    if inv.get("tax_total"):
        body.append(("TXI", "TX", common.fmt_decimal(inv["tax_total"])))
    for charge in inv.get("charges") or []:
        if charge.get("type") == "tax":
            continue
        amount = common.to_decimal(charge.get("amount")) or Decimal(0)
        code = {"freight": "D240", "discount": "C310"}.get(charge.get("type"), "ZZZZ")
        body.append(("SAC", "A" if amount < 0 else "C", code, "", "", common.cents(abs(amount))))
    body.append(("CTT", str(len(inv.get("lines") or []))))
    return body


# --------------------------------------------------------------------------- 997 / 999


def map_fa(segments, seps):
    return {"kind": "functional_ack"}


def read_fa(tset):
    """One FunctionalAck-shaped dict per AK1 in a 997/999 set."""
    acks = []
    current = None
    set_ack = None
    for seg in tset.segments:
        tag = seg[0]
        if tag == "AK1":
            current = {"functional_id": _e(seg, 1), "group_control_number": _e(seg, 2), "status": "", "set_acks": []}
            acks.append(current)
        elif current is None:
            continue
        elif tag == "AK2":
            set_ack = {"set_id": _e(seg, 1), "control_number": _e(seg, 2), "status": "", "errors": []}
            current["set_acks"].append(set_ack)
        elif tag in ("AK3", "IK3") and set_ack is not None:
            set_ack["errors"].append(f"{tag} segment {_e(seg, 1)} at {_e(seg, 2)}: code {_e(seg, 4)}".strip())
        elif tag in ("AK4", "IK4") and set_ack is not None:
            set_ack["errors"].append(f"{tag} element {_e(seg, 1)}: code {_e(seg, 3)}".strip())
        elif tag in ("AK5", "IK5") and set_ack is not None:
            set_ack["status"] = _e(seg, 1)
            codes = [_e(seg, i) for i in range(2, 7) if _e(seg, i)]
            if codes:
                set_ack["errors"].append(f"{tag} codes {' '.join(codes)}")
        elif tag == "AK9":
            current["status"] = _e(seg, 1)
    return acks


# 997/999 error codes for our problem codes
AK5_CODE = {"count_mismatch": "4", "control_mismatch": "3", "truncated": "2", "bad_segment": "5"}
AK3_CODE = {"bad_segment": "1", "segment_outside_set": "2", "count_mismatch": "8"}
# 716: 3 trailer missing, 4 control numbers differ, 5 set count differs
AK9_CODE = {"count_mismatch": "5", "control_mismatch": "4", "truncated": "3"}

WARNING_CODES = {"isa_not_fixed_width"}


def fa_body(ic, group, kind):
    """997/999 body acknowledging one received group."""
    body = []
    if kind == "999":
        body.append(("AK1", group.functional_id, group.control_number, group.version))
    else:
        body.append(("AK1", group.functional_id, group.control_number))
    interchange_errors = [p for p in ic.problems if p.code not in WARNING_CODES]
    interchange_warnings = [p for p in ic.problems if p.code in WARNING_CODES]
    accepted = 0
    for tset in group.sets:
        if kind == "999":
            body.append(("AK2", tset.set_id, tset.control_number, tset.version or group.version))
        else:
            body.append(("AK2", tset.set_id, tset.control_number))
        errors = list(tset.problems)
        seg_errors = [p for p in errors if p.segment_tag and p.segment_tag not in ("SE", "ST")]
        for p in seg_errors:
            tag = (p.segment_tag or "")[:3]
            body.append(
                ("IK3" if kind == "999" else "AK3", tag, str(p.segment_position or ""), "", AK3_CODE.get(p.code, "8"))
            )
            if p.element_position:
                body.append(("IK4" if kind == "999" else "AK4", str(p.element_position), "", "7"))
        status = "R" if errors or interchange_errors or group.problems else "A"
        if status == "A" and interchange_warnings:
            status = "E"
        codes = [AK5_CODE.get(p.code, "5") for p in errors if not (p.segment_tag and p.segment_tag not in ("SE", "ST"))]
        if seg_errors and not codes:
            codes = ["5"]
        codes = list(dict.fromkeys(codes))[:5]
        body.append(("IK5" if kind == "999" else "AK5", status, *codes))
        if status != "R":
            accepted += 1
    received = len(group.sets)
    if received and accepted == received:
        status = "E" if interchange_warnings else "A"
    elif accepted:
        status = "P"
    else:
        status = "R"
    # interchange-level errors (IEA counts, ISA) have no 716 code: the AK9 rejects without one
    codes = [AK9_CODE[p.code] for p in group.problems if p.code in AK9_CODE]
    body.append(("AK9", status, str(received), str(received), str(accepted), *list(dict.fromkeys(codes))[:5]))
    return body


MAPPERS = {
    "850": map_850,
    "855": map_855,
    "856": map_856,
    "810": map_810,
    "860": map_860,
    "997": map_fa,
    "999": map_fa,
}
