"""cXML and UBL: a safe lxml parser (no entities, no DTD, no network), mappings, cXML writer."""

from decimal import Decimal

from lxml import etree

from . import common
from .common import dec, iso_date, line_id
from .errors import EdiError
from .model import Group, Interchange, Set

UBL_NS = "urn:oasis:names:specification:ubl:schema:xsd:"
CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
MAX_BYTES = 50 * 1024 * 1024


def _parser():
    return etree.XMLParser(
        resolve_entities=False,
        load_dtd=False,
        no_network=True,
        dtd_validation=False,
        huge_tree=False,
        remove_blank_text=False,
    )


def parse_xml(data):
    if isinstance(data, str):
        data = data.encode("utf-8")
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise EdiError("not_an_interchange", "The document is not bytes.")
    data = bytes(data)
    if len(data) > MAX_BYTES:
        raise EdiError("too_large", "The XML document is too large.")
    text = data.lstrip(b"\xef\xbb\xbf").lstrip()
    if b"<!ENTITY" in text[:65536].upper():
        raise EdiError("entities_refused", "XML entity declarations are not accepted.")
    try:
        root = etree.fromstring(text, _parser())
    except (etree.XMLSyntaxError, ValueError) as err:
        raise EdiError("xml_syntax", "The XML document is not well-formed.") from err
    if root is None:
        raise EdiError("xml_syntax", "The XML document is empty.")
    return root


def local(el):
    tag = el.tag
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]


def sniff_xml(data):
    root = parse_xml(data)
    name = local(root)
    if name.lower() == "cxml":
        return "cxml"
    if isinstance(root.tag, str) and root.tag.startswith("{" + UBL_NS):
        return "ubl"
    raise EdiError("not_an_interchange", "The XML document is neither cXML nor UBL.")


def _children(el, name):
    return [c for c in el if local(c) == name] if el is not None else []


def _child(el, *path):
    cur = el
    for name in path:
        if cur is None:
            return None
        cur = next((c for c in cur if local(c) == name), None)
    return cur


def _text(el, *path):
    node = _child(el, *path) if path else el
    if node is None:
        return None
    text = "".join(node.itertext()) if len(node) else (node.text or "")
    return text.strip() or None


def _find_all(el, name):
    if el is None:
        return []
    return [n for n in el.iter() if isinstance(n.tag, str) and local(n) == name]


def _first(el, name):
    found = _find_all(el, name)
    return found[0] if found else None


def parse(data, syntax=None):
    root = parse_xml(data)
    name = local(root)
    if name.lower() == "cxml":
        return _parse_cxml(root)
    if isinstance(root.tag, str) and root.tag.startswith("{" + UBL_NS):
        return _parse_ubl(root)
    raise EdiError("not_an_interchange", "The XML document is neither cXML nor UBL.")


# --------------------------------------------------------------------------- cXML


def _credential(header, role):
    cred = _child(header, role, "Credential")
    if cred is None:
        return "", ""
    return (_text(cred, "Identity") or ""), (cred.get("domain") or "")


def _parse_cxml(root):
    header = _child(root, "Header")
    sender_id, sender_domain = _credential(header, "From")
    receiver_id, receiver_domain = _credential(header, "To")
    secret = _text(header, "Sender", "Credential", "SharedSecret") if header is not None else None
    body = _child(root, "Request")
    test = False
    if body is not None:
        test = body.get("deploymentMode") == "test"
        element = next((c for c in body if isinstance(c.tag, str)), None)
    else:
        element = next((c for c in root if isinstance(c.tag, str) and local(c) in ("Response", "Message")), None)
    set_id = local(element) if element is not None else ""
    ic = Interchange(
        syntax="cxml",
        version=root.get("version") or "",
        sender_id=sender_id,
        sender_qualifier=sender_domain,
        receiver_id=receiver_id,
        receiver_qualifier=receiver_domain,
        control_number=root.get("payloadID") or "",
        date=iso_date(root.get("timestamp")),
        test=test,
    )
    ic.auth = {
        "sender_identity": _text(header, "Sender", "Credential", "Identity") if header is not None else None,
        "shared_secret": secret,
    }
    tset = Set(set_id=set_id, control_number=root.get("payloadID") or "", message_type=f"cxml.{set_id}", segments=root)
    mapper = CXML_MAPPERS.get(set_id)
    if mapper is not None and element is not None:
        tset.document = mapper(element)
    ic.groups.append(Group(functional_id="", control_number="", sets=[tset]))
    return ic


def _money(el):
    money = _child(el, "Money") if el is not None else None
    if money is None:
        return None, None
    return dec(money.text), money.get("currency")


def _cxml_items(item_id, detail=None):
    out = {"buyer_part": None, "vendor_part": None, "gtin": None}
    if item_id is not None:
        out["vendor_part"] = _text(item_id, "SupplierPartID")
        out["buyer_part"] = _text(item_id, "BuyerPartID")
        for ref in _children(item_id, "IdReference"):
            if (ref.get("domain") or "").upper() in ("GTIN", "EAN", "EAN-13", "UPC"):
                out["gtin"] = common.gtin14(ref.get("identifier"))
    if detail is not None:
        for ext in _children(detail, "Extrinsic"):
            if (ext.get("name") or "").upper() in ("GTIN", "EAN", "UPC", "EANID"):
                out["gtin"] = out["gtin"] or common.gtin14(_text(ext))
        for cls in _children(detail, "Classification"):
            if (cls.get("domain") or "").upper() in ("GTIN", "EAN"):
                out["gtin"] = out["gtin"] or common.gtin14(_text(cls))
    return out


def _cxml_address(node):
    if node is None:
        return None
    address = _child(node, "Address")
    if address is None:
        return None
    postal = _child(address, "PostalAddress")
    country = _child(postal, "Country")
    ident = address.get("addressID")
    return {
        "name": _text(address, "Name"),
        "gln": ident if ident and ident.isdigit() and len(ident) == 13 else None,
        "id": ident if not (ident and ident.isdigit() and len(ident) == 13) else None,
        "street": _text(postal, "Street"),
        "city": _text(postal, "City"),
        "zip": _text(postal, "PostalCode"),
        "country": country.get("isoCountryCode") if country is not None else None,
    }


def map_cxml_order(request):
    head = _child(request, "OrderRequestHeader")
    total, currency = _money(_child(head, "Total"))
    kind = (head.get("type") if head is not None else None) or "new"
    doc = {
        "kind": "order" if kind == "new" else "order_change",
        "name": head.get("orderID") if head is not None else None,
        "date": iso_date(head.get("orderDate")) if head is not None else None,
        "currency": currency,
        "buyer": None,
        "supplier": None,
        "ship_to": _cxml_address(_child(head, "ShipTo")),
        "requested_date": None,
        "notes": _text(head, "Comments"),
        "total": total,
    }
    if kind != "new":
        doc["change"] = "cancel" if kind == "delete" else "change"
    lines = []
    for item in _children(request, "ItemOut"):
        detail = _child(item, "ItemDetail")
        price, line_currency = _money(_child(detail, "UnitPrice"))
        doc["currency"] = doc["currency"] or line_currency
        lines.append(
            {
                "line_id": line_id(item.get("lineNumber")),
                **_cxml_items(_child(item, "ItemID"), detail),
                "description": _text(detail, "Description"),
                "quantity": dec(item.get("quantity")),
                "uom": _text(detail, "UnitOfMeasure"),
                "price": price,
                "requested_date": iso_date(item.get("requestedDeliveryDate")),
            }
        )
    doc["lines"] = lines
    return doc


CXML_CONFIRM = {
    "accept": "accepted",
    "allDetail": "changed",
    "detail": "changed",
    "except": "changed",
    "backordered": "backordered",
    "reject": "rejected",
    "replace": "substituted",
    "unknown": "on_hold",
}


def map_cxml_confirmation(request):
    head = _child(request, "ConfirmationHeader")
    header_type = head.get("type") if head is not None else None
    doc = {
        "kind": "po_ack",
        "po_number": (
            _child(request, "OrderReference").get("orderID") if _child(request, "OrderReference") is not None else None
        ),
        "ack_number": (head.get("confirmID") or None) if head is not None else None,
        "date": iso_date(head.get("noticeDate")) if head is not None else None,
        "status": {"accept": "accepted", "reject": "rejected"}.get(header_type, "changed"),
        "raw_status": header_type,
        "lines": [],
        "po_payload_ids": [
            r.get("payloadID")
            for r in _children(_child(request, "OrderReference"), "DocumentReference")
            if r.get("payloadID")
        ],
    }
    for item in _children(request, "ConfirmationItem"):
        base_uom = _text(item, "UnitOfMeasure")
        statuses = _children(item, "ConfirmationStatus") or [None]
        for status in statuses:
            raw = status.get("type") if status is not None else header_type
            price, _ = _money(_child(status, "UnitPrice")) if status is not None else (None, None)
            items = _cxml_items(_child(status, "ItemIn", "ItemID") if status is not None else None)
            extrinsic = {e.get("name"): _text(e) for e in _children(status, "Extrinsic")} if status is not None else {}
            items["vendor_part"] = items["vendor_part"] or extrinsic.get("SupplierPartID")
            substitute = None
            item_in = _child(status, "ItemIn") if status is not None else None
            canonical = CXML_CONFIRM.get(raw or "", "on_hold")
            if item_in is not None and raw in ("detail", "allDetail", "replace", "except"):
                sub = _cxml_items(_child(item_in, "ItemID"), _child(item_in, "ItemDetail"))
                substitute = {**sub, "description": _text(_child(item_in, "ItemDetail"), "Description")}
                if raw == "replace" or (status is not None and status.get("substitute") == "yes"):
                    canonical = "substituted"
                items = {"buyer_part": None, "vendor_part": extrinsic.get("SupplierPartID"), "gtin": None}
            doc["lines"].append(
                {
                    "line_id": line_id(item.get("lineNumber")),
                    **items,
                    "status": canonical,
                    "raw_status": raw,
                    "quantity": dec(status.get("quantity"))
                    if status is not None and status.get("quantity")
                    else dec(item.get("quantity")),
                    "uom": (_text(status, "UnitOfMeasure") if status is not None else None) or base_uom,
                    "price": price,
                    "date": iso_date(status.get("deliveryDate") or status.get("shipmentDate"))
                    if status is not None
                    else None,
                    "substitute": substitute,
                }
            )
    return doc


def map_cxml_ship_notice(request):
    head = _child(request, "ShipNoticeHeader")
    doc = {
        "kind": "asn",
        "asn_number": head.get("shipmentID") if head is not None else None,
        "po_numbers": [],
        "ship_date": iso_date(head.get("shipmentDate")) if head is not None else None,
        "expected_date": iso_date(head.get("deliveryDate")) if head is not None else None,
        "date": iso_date(head.get("noticeDate")) if head is not None else None,
        "lines": [],
        "po_payload_ids": [],
    }
    for portion in _children(request, "ShipNoticePortion"):
        ref = _child(portion, "OrderReference")
        po = ref.get("orderID") if ref is not None else None
        for doc_ref in _children(ref, "DocumentReference"):
            if doc_ref.get("payloadID") and doc_ref.get("payloadID") not in doc["po_payload_ids"]:
                doc["po_payload_ids"].append(doc_ref.get("payloadID"))
        if po and po not in doc["po_numbers"]:
            doc["po_numbers"].append(po)
        for item in _children(portion, "ShipNoticeItem"):
            detail = _child(item, "ShipNoticeItemDetail")
            batch = _child(item, "Batch")
            serials = [_text(s) for s in _find_all(item, "SerialNumber") if _text(s)]
            serials += [a.get("serialNumber") for a in _find_all(item, "AssetInfo") if a.get("serialNumber")]
            sscc = None
            for code in _find_all(item, "ShippingContainerSerialCode"):
                sscc = sscc or _text(code)
            doc["lines"].append(
                {
                    "line_id": line_id(item.get("lineNumber")),
                    "po_number": po,
                    **_cxml_items(_child(item, "ItemID"), detail),
                    "quantity": dec(item.get("quantity")),
                    "uom": _text(item, "UnitOfMeasure"),
                    "lot": (_text(batch, "SupplierBatchID") or _text(batch, "BuyerBatchID"))
                    if batch is not None
                    else None,
                    "expiry": iso_date(batch.get("expirationDate")) if batch is not None else None,
                    "serials": serials,
                    "sscc": sscc,
                    "udi": _cxml_udi(item),
                    "description": _text(detail, "Description"),
                }
            )
    return doc


def _cxml_udi(item):
    """The UDI of a ship-notice item: an ``Extrinsic`` named UDI (on the item or its detail)."""
    for extrinsic in _find_all(item, "Extrinsic"):
        if (extrinsic.get("name") or "").strip().upper() in ("UDI", "UDI-DI", "UNIQUEDEVICEIDENTIFIER"):
            text = _text(extrinsic)
            if text:
                return text.strip()
    return None


def map_cxml_invoice(request):
    head = _child(request, "InvoiceDetailRequestHeader")
    doc = {
        "kind": "invoice",
        "invoice_number": head.get("invoiceID") if head is not None else None,
        "date": iso_date(head.get("invoiceDate")) if head is not None else None,
        "currency": None,
        "po_numbers": [],
        "total": None,
        "tax_total": None,
        "charges": [],
        "lines": [],
        "purpose": head.get("purpose") if head is not None else None,
        "po_payload_ids": [],
    }
    orders = _children(request, "InvoiceDetailOrder") or [request]
    for order in orders:
        po = None
        info = _child(order, "InvoiceDetailOrderInfo")
        for node in _find_all(info, "OrderReference") + _find_all(info, "OrderIDInfo"):
            po = po or node.get("orderID")
        for ref in _find_all(info, "DocumentReference"):
            # the payloadID of our OrderRequest: what identifies the PO when orderID is absent
            if ref.get("payloadID") and ref.get("payloadID") not in doc["po_payload_ids"]:
                doc["po_payload_ids"].append(ref.get("payloadID"))
        if po and po not in doc["po_numbers"]:
            doc["po_numbers"].append(po)
        for item in _children(order, "InvoiceDetailItem"):
            price, currency = _money(_child(item, "UnitPrice"))
            doc["currency"] = doc["currency"] or currency
            ref = _child(item, "InvoiceDetailItemReference")
            amount, _ = _money(_child(item, "SubtotalAmount"))
            doc["lines"].append(
                {
                    "line_id": line_id(ref.get("lineNumber")) if ref is not None else None,
                    "po_number": po,
                    **_cxml_items(_child(ref, "ItemID"), ref),
                    "quantity": dec(item.get("quantity")),
                    "uom": _text(item, "UnitOfMeasure"),
                    "price": price,
                    "amount": amount,
                    "description": _text(ref, "Description"),
                }
            )
    summary = _child(request, "InvoiceDetailSummary")
    if summary is not None:
        for name in ("DueAmount", "NetAmount", "GrossAmount"):
            value, currency = _money(_child(summary, name))
            if value is not None:
                doc["total"] = value
                doc["currency"] = doc["currency"] or currency
                break
        tax, _ = _money(_child(summary, "Tax"))
        doc["tax_total"] = tax
        for name, kind, sign in (
            ("ShippingAmount", "freight", 1),
            ("SpecialHandlingAmount", "other", 1),
            ("InvoiceDetailDiscount", "discount", -1),
        ):
            value, _ = _money(_child(summary, name))
            if value is not None:
                doc["charges"].append({"type": kind, "amount": common.fmt_decimal(Decimal(value) * sign)})
        if tax is not None:
            doc["charges"].append({"type": "tax", "amount": tax})
        subtotal, currency = _money(_child(summary, "SubtotalAmount"))
        if doc["total"] is None and subtotal is not None:
            total = Decimal(subtotal) + sum(Decimal(c["amount"]) for c in doc["charges"])
            doc["total"] = common.fmt_decimal(total)
            doc["currency"] = doc["currency"] or currency
    if doc["currency"] and len(doc["currency"]) != 3:
        doc["currency"] = None
    return doc


CXML_MAPPERS = {
    "OrderRequest": map_cxml_order,
    "ConfirmationRequest": map_cxml_confirmation,
    "ShipNoticeRequest": map_cxml_ship_notice,
    "InvoiceDetailRequest": map_cxml_invoice,
}


# --------------------------------------------------------------------------- UBL


def _u(el, *path):
    """Text at a path of local names under ``el``."""
    return _text(el, *path) if el is not None else None


def _ubl_party(node):
    if node is None:
        return None
    party = _child(node, "Party")
    if party is None:
        return None
    endpoint = _child(party, "EndpointID")
    ident = _child(party, "PartyIdentification", "ID")
    gln = None
    other = None
    for candidate in (endpoint, ident):
        if candidate is None:
            continue
        value = _text(candidate)
        if candidate.get("schemeID") == "0088" or (value and value.isdigit() and len(value) == 13):
            gln = gln or value
        else:
            other = other or value
    name = _u(party, "PartyName", "Name") or _u(party, "PartyLegalEntity", "RegistrationName")
    return {"name": name, "gln": gln, "id": other, "_endpoint": endpoint}


def _ubl_items(item):
    out = {"buyer_part": None, "vendor_part": None, "gtin": None, "description": None}
    if item is None:
        return out
    out["vendor_part"] = _u(item, "SellersItemIdentification", "ID")
    out["buyer_part"] = _u(item, "BuyersItemIdentification", "ID")
    std = _child(item, "StandardItemIdentification", "ID")
    if std is not None and _text(std):
        out["gtin"] = common.gtin14(_text(std))
    out["description"] = _u(item, "Name") or _u(item, "Description")
    return out


def _qty(node):
    if node is None:
        return None, None
    return dec(node.text), node.get("unitCode")


def _parse_ubl(root):
    name = local(root)
    sender = receiver = None
    if name in ("Order", "OrderChange", "OrderCancellation"):
        sender, receiver = _child(root, "BuyerCustomerParty"), _child(root, "SellerSupplierParty")
    elif name == "OrderResponse":
        sender, receiver = _child(root, "SellerSupplierParty"), _child(root, "BuyerCustomerParty")
    elif name == "DespatchAdvice":
        sender, receiver = _child(root, "DespatchSupplierParty"), _child(root, "DeliveryCustomerParty")
    elif name in ("Invoice", "CreditNote"):
        sender, receiver = _child(root, "AccountingSupplierParty"), _child(root, "AccountingCustomerParty")
    s_party, r_party = _ubl_party(sender), _ubl_party(receiver)

    def ident(party):
        if not party:
            return "", ""
        endpoint = party.get("_endpoint")
        if endpoint is not None and _text(endpoint):
            return _text(endpoint), endpoint.get("schemeID") or ""
        return (party.get("gln") or party.get("id") or ""), ("0088" if party.get("gln") else "")

    sid, squal = ident(s_party)
    rid, rqual = ident(r_party)
    ic = Interchange(
        syntax="ubl",
        version=_u(root, "UBLVersionID") or "2.1",
        sender_id=sid,
        sender_qualifier=squal,
        receiver_id=rid,
        receiver_qualifier=rqual,
        control_number=_u(root, "ID") or "",
        date=iso_date(_u(root, "IssueDate")),
    )
    tset = Set(set_id=name, control_number=ic.control_number, message_type=f"ubl.{name}", segments=root)
    mapper = UBL_MAPPERS.get(name)
    if mapper is not None:
        tset.document = mapper(root)
    ic.groups.append(Group(functional_id="", control_number="", sets=[tset]))
    return ic


def _strip_party(party):
    if not party:
        return None
    return {k: v for k, v in party.items() if not k.startswith("_")}


def map_ubl_order(root):
    delivery = _child(root, "Delivery")
    location = _child(delivery, "DeliveryLocation")
    ship_to = None
    if location is not None:
        address = _child(location, "Address")
        loc_id = _u(location, "ID")
        ship_to = {
            "name": _u(location, "Name") or _u(_child(delivery, "DeliveryParty"), "PartyName", "Name"),
            "gln": loc_id if loc_id and loc_id.isdigit() and len(loc_id) == 13 else None,
            "id": loc_id if not (loc_id and loc_id.isdigit() and len(loc_id) == 13) else None,
            "street": _u(address, "StreetName"),
            "city": _u(address, "CityName"),
            "zip": _u(address, "PostalZone"),
            "country": _u(address, "Country", "IdentificationCode"),
        }
    doc = {
        "kind": "order",
        "name": _u(root, "ID"),
        "date": iso_date(_u(root, "IssueDate")),
        "currency": _u(root, "DocumentCurrencyCode"),
        "buyer": _strip_party(_ubl_party(_child(root, "BuyerCustomerParty"))),
        "supplier": _strip_party(_ubl_party(_child(root, "SellerSupplierParty"))),
        "ship_to": ship_to,
        "requested_date": iso_date(_u(delivery, "RequestedDeliveryPeriod", "StartDate")),
        "notes": _u(root, "Note"),
        "lines": [],
    }
    for order_line in _children(root, "OrderLine"):
        item = _child(order_line, "LineItem")
        qty, uom = _qty(_child(item, "Quantity"))
        doc["lines"].append(
            {
                "line_id": line_id(_u(item, "ID")),
                **_ubl_items(_child(item, "Item")),
                "quantity": qty,
                "uom": uom,
                "price": dec(_u(item, "Price", "PriceAmount")),
                "requested_date": iso_date(_u(item, "Delivery", "RequestedDeliveryPeriod", "StartDate")),
            }
        )
    return doc


UBL_RESPONSE = {
    "AP": "accepted",
    "RE": "rejected",
    "CA": "changed",
    "AB": "accepted",
    "29": "accepted",
    "27": "rejected",
}
UBL_LINE = {"5": "accepted", "7": "rejected", "3": "changed", "1": "changed", "42": "accepted"}


def map_ubl_order_response(root):
    doc = {
        "kind": "po_ack",
        "po_number": _u(root, "OrderReference", "ID"),
        "ack_number": _u(root, "ID"),
        "date": iso_date(_u(root, "IssueDate")),
        "status": UBL_RESPONSE.get(_u(root, "OrderResponseCode") or "", "changed"),
        "raw_status": _u(root, "OrderResponseCode"),
        "lines": [],
    }
    for order_line in _children(root, "OrderLine"):
        item = _child(order_line, "LineItem")
        qty, uom = _qty(_child(item, "Quantity"))
        raw = _u(item, "LineStatusCode")
        status = UBL_LINE.get(raw or "", "accepted" if not raw else "on_hold")
        backorder = common.to_decimal(_u(item, "MaximumBackorderQuantity") or _u(item, "MinimumBackorderQuantity"))
        if backorder and backorder > 0 and status in ("accepted", "changed"):
            status = "backordered"
        substitute = None
        sub = _child(order_line, "SellerSubstitutedLineItem")
        if sub is not None:
            substitute = _ubl_items(_child(sub, "Item"))
            status = "substituted"
        ref_line = _u(order_line, "OrderLineReference", "LineID")
        items = _ubl_items(_child(item, "Item"))
        items.pop("description", None)
        delivery = _child(item, "Delivery")
        date = iso_date(
            _u(delivery, "PromisedDeliveryPeriod", "StartDate") or _u(delivery, "PromisedDeliveryPeriod", "EndDate")
        )
        doc["lines"].append(
            {
                "line_id": line_id(ref_line) if ref_line else line_id(_u(item, "ID")),
                **items,
                "status": status,
                "raw_status": raw,
                "quantity": qty,
                "uom": uom,
                "price": dec(_u(item, "Price", "PriceAmount")),
                "date": date,
                "substitute": substitute,
            }
        )
    return doc


def map_ubl_despatch(root):
    shipment = _child(root, "Shipment")
    delivery = _child(shipment, "Delivery")
    doc = {
        "kind": "asn",
        "asn_number": _u(root, "ID"),
        "po_numbers": [],
        "ship_date": iso_date(
            _u(shipment, "Consignment", "ActualDespatchDate")
            or _u(delivery, "Despatch", "ActualDespatchDate")
            or _u(root, "IssueDate")
        ),
        "expected_date": iso_date(
            _u(delivery, "EstimatedDeliveryPeriod", "StartDate")
            or _u(delivery, "EstimatedDeliveryPeriod", "EndDate")
            or _u(delivery, "PromisedDeliveryPeriod", "StartDate")
        ),
        "date": iso_date(_u(root, "IssueDate")),
        "lines": [],
    }
    header_po = _u(root, "OrderReference", "ID")
    if header_po:
        doc["po_numbers"].append(header_po)
    for line in _children(root, "DespatchLine"):
        qty, uom = _qty(_child(line, "DeliveredQuantity"))
        ref = _child(line, "OrderLineReference")
        po = _u(ref, "OrderReference", "ID") or header_po
        if po and po not in doc["po_numbers"]:
            doc["po_numbers"].append(po)
        item = _child(line, "Item")
        items = _ubl_items(item)
        lot = expiry = udi = None
        serials = []
        for instance in _children(item, "ItemInstance"):
            udi = udi or _u(instance, "ProductTraceID")
            serial = _u(instance, "SerialID")
            if serial:
                serials.append(serial)
            lot = lot or _u(instance, "LotIdentification", "LotNumberID")
            expiry = expiry or iso_date(_u(instance, "LotIdentification", "ExpiryDate"))
            expiry = expiry or iso_date(_u(instance, "BestBeforeDate"))
        sscc = None
        for thu in _find_all(line, "TransportHandlingUnit"):
            sscc = sscc or _u(thu, "ID")
        for package in _find_all(line, "Package"):
            sscc = sscc or _u(package, "ID")
        doc["lines"].append(
            {
                "line_id": line_id(_u(ref, "LineID")),
                "po_number": po,
                **items,
                "quantity": qty,
                "uom": uom,
                "lot": lot,
                "expiry": expiry,
                "serials": serials,
                "sscc": sscc,
                "udi": udi,
            }
        )
    return doc


def map_ubl_invoice(root):
    name = local(root)
    doc = {
        "kind": "invoice",
        "invoice_number": _u(root, "ID"),
        "date": iso_date(_u(root, "IssueDate")),
        "currency": _u(root, "DocumentCurrencyCode"),
        "po_numbers": [],
        "total": _u(root, "LegalMonetaryTotal", "PayableAmount")
        and dec(_u(root, "LegalMonetaryTotal", "PayableAmount")),
        "tax_total": dec(_u(root, "TaxTotal", "TaxAmount")),
        "charges": [],
        "lines": [],
        "credit_note": name == "CreditNote",
    }
    po = _u(root, "OrderReference", "ID")
    if po:
        doc["po_numbers"].append(po)
    for charge in _children(root, "AllowanceCharge"):
        is_charge = (_u(charge, "ChargeIndicator") or "").lower() == "true"
        amount = dec(_u(charge, "Amount"))
        if amount is None:
            continue
        reason = _u(charge, "AllowanceChargeReasonCode")
        kind = "freight" if reason in ("FC", "FI", "ABW", "DL") else ("other" if is_charge else "discount")
        doc["charges"].append(
            {"type": kind, "amount": amount if is_charge else common.fmt_decimal(-Decimal(amount)), "code": reason}
        )
    if doc["tax_total"] is not None:
        doc["charges"].append({"type": "tax", "amount": doc["tax_total"]})
    for line in _children(root, "InvoiceLine") + _children(root, "CreditNoteLine"):
        qty_node = _child(line, "InvoicedQuantity")
        if qty_node is None:
            qty_node = _child(line, "CreditedQuantity")
        qty, uom = _qty(qty_node)
        price = dec(_u(line, "Price", "PriceAmount"))
        base = dec(_u(line, "Price", "BaseQuantity"))
        if price is not None and base not in (None, "0", "1") and Decimal(base) != 0:
            price = common.fmt_decimal(Decimal(price) / Decimal(base))
        items = _ubl_items(_child(line, "Item"))
        line_po = _u(line, "OrderLineReference", "OrderReference", "ID") or po
        if line_po and line_po not in doc["po_numbers"]:
            doc["po_numbers"].append(line_po)
        doc["lines"].append(
            {
                "line_id": line_id(_u(line, "OrderLineReference", "LineID")),
                "po_number": line_po,
                **items,
                "quantity": qty,
                "uom": uom,
                "price": price,
                "amount": dec(_u(line, "LineExtensionAmount")),
            }
        )
    return doc


UBL_MAPPERS = {
    "Order": map_ubl_order,
    "OrderResponse": map_ubl_order_response,
    "DespatchAdvice": map_ubl_despatch,
    "Invoice": map_ubl_invoice,
    "CreditNote": map_ubl_invoice,
}


# --------------------------------------------------------------------------- writing cXML


def _el(parent, _tag, text=None, **attrs):
    node = etree.SubElement(parent, _tag, {k: str(v) for k, v in attrs.items() if v not in (None, "")})
    if text not in (None, ""):
        node.text = str(text)
    return node


def _stamp(when):
    if when.tzinfo is None:
        return when.strftime("%Y-%m-%dT%H:%M:%S+00:00")
    return when.isoformat(timespec="seconds")


def _header(root, env, shared_secret):
    header = _el(root, "Header")
    for role, ident, domain in (
        ("From", env.sender_id, env.sender_qualifier),
        ("To", env.receiver_id, env.receiver_qualifier),
    ):
        cred = _el(_el(header, role), "Credential", domain=domain or "NetworkId")
        _el(cred, "Identity", ident)
    sender = _el(header, "Sender")
    cred = _el(sender, "Credential", domain=env.sender_qualifier or "NetworkId")
    _el(cred, "Identity", env.sender_id)
    if shared_secret:
        _el(cred, "SharedSecret", shared_secret)
    _el(sender, "UserAgent", "Healthcare Integration Suite")


def _cxml_root(env, shared_secret):
    payload = f"{env.interchange_control_number}.{env.when.strftime('%Y%m%d%H%M%S')}@{env.sender_id}"
    root = etree.Element(
        "cXML",
        {
            "payloadID": payload,
            "timestamp": _stamp(env.when),
            "version": "1.2.050",
            "{http://www.w3.org/XML/1998/namespace}lang": "en-US",
        },
    )
    _header(root, env, shared_secret)
    return root


def _serialize(root, doctype=None):
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True, doctype=doctype)


CXML_DOCTYPE = '<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.050/cXML.dtd">'


def _address(parent, tag, party):
    if not party:
        return
    wrapper = _el(parent, tag)
    address = _el(wrapper, "Address", addressID=party.get("gln") or party.get("id"))
    _el(address, "Name", party.get("name") or "", **{"{http://www.w3.org/XML/1998/namespace}lang": "en"})
    postal = _el(address, "PostalAddress")
    if party.get("street"):
        _el(postal, "Street", party["street"])
    _el(postal, "City", party.get("city") or "")
    if party.get("zip"):
        _el(postal, "PostalCode", party["zip"])
    _el(postal, "Country", party.get("country") or "", isoCountryCode=party.get("country"))


def _check_text(value):
    text = "" if value is None else str(value)
    if any(ord(ch) < 32 and ch not in "\t\r\n" for ch in text):
        raise EdiError("bad_character", "A value contains a control character that XML cannot carry.")
    return text


def render_order_request(po, env, *, shared_secret=None, operation="new"):
    _check_all(po)
    root = _cxml_root(env, shared_secret)
    request = _el(root, "Request", deploymentMode="test" if env.test else "production")
    order = _el(request, "OrderRequest")
    total = Decimal(0)
    for line in po.get("lines") or []:
        qty, price = common.to_decimal(line.get("quantity")), common.to_decimal(line.get("price"))
        if qty is not None and price is not None:
            total += qty * price
    head = _el(
        order,
        "OrderRequestHeader",
        orderID=po.get("name"),
        orderDate=(po.get("date") or "") and f"{po['date']}T00:00:00+00:00",
        type=operation,
    )
    if operation != "new":
        head.set("orderVersion", str(po.get("version") or 2))
    _el(_el(head, "Total"), "Money", common.fmt_decimal(total), currency=po.get("currency"))
    _address(head, "ShipTo", po.get("ship_to"))
    if po.get("notes"):
        _el(head, "Comments", po["notes"])
    if operation != "new" and po.get("document_reference"):
        # the payloadID of the order being changed or cancelled
        _el(head, "DocumentReference", payloadID=po["document_reference"])
    if po.get("buyer") and (po["buyer"].get("gln") or po["buyer"].get("id")):
        _el(head, "Extrinsic", po["buyer"].get("gln") or po["buyer"].get("id"), name="BuyerID")
    for line in po.get("lines") or []:
        item = _el(
            order,
            "ItemOut",
            quantity=common.fmt_decimal(line.get("quantity")),
            lineNumber=line.get("line_id"),
            requestedDeliveryDate=(line.get("requested_date") or "") and f"{line['requested_date']}T00:00:00+00:00",
        )
        item_id = _el(item, "ItemID")
        _el(item_id, "SupplierPartID", line.get("vendor_part") or line.get("buyer_part") or "")
        if line.get("buyer_part"):
            _el(item_id, "BuyerPartID", line["buyer_part"])
        detail = _el(item, "ItemDetail")
        _el(_el(detail, "UnitPrice"), "Money", common.fmt_decimal(line.get("price")), currency=po.get("currency"))
        _el(
            detail, "Description", line.get("description") or "", **{"{http://www.w3.org/XML/1998/namespace}lang": "en"}
        )
        _el(detail, "UnitOfMeasure", line.get("uom") or "EA")
        if line.get("gtin"):
            _el(detail, "Classification", line["gtin"], domain="GTIN")
    return _serialize(root, CXML_DOCTYPE)


def _check_all(value):
    if isinstance(value, dict):
        for v in value.values():
            _check_all(v)
    elif isinstance(value, (list, tuple)):
        for v in value:
            _check_all(v)
    elif isinstance(value, str):
        _check_text(value)


def render_ubl_order(po, env):
    """Minimal Peppol BIS Ordering 3 Order (the models side may prefer Odoo's own builder)."""
    _check_all(po)
    ns = "urn:oasis:names:specification:ubl:schema:xsd:Order-2"
    nsmap = {None: ns, "cac": CAC, "cbc": CBC}
    root = etree.Element(f"{{{ns}}}Order", nsmap=nsmap)

    def cbc(parent, name, text, **attrs):
        return _el(parent, f"{{{CBC}}}{name}", text, **attrs)

    def cac(parent, name):
        return _el(parent, f"{{{CAC}}}{name}")

    cbc(root, "CustomizationID", "urn:fdc:peppol.eu:poacc:trns:order:3")
    cbc(root, "ProfileID", "urn:fdc:peppol.eu:poacc:bis:ordering:3")
    cbc(root, "ID", po.get("name"))
    cbc(root, "IssueDate", po.get("date") or env.when.date().isoformat())
    if po.get("notes"):
        cbc(root, "Note", po["notes"])
    cbc(root, "DocumentCurrencyCode", po.get("currency"))
    for tag, party, endpoint in (
        ("BuyerCustomerParty", po.get("buyer"), (env.sender_id, env.sender_qualifier)),
        ("SellerSupplierParty", po.get("supplier"), (env.receiver_id, env.receiver_qualifier)),
    ):
        node = cac(cac(root, tag), "Party")
        cbc(node, "EndpointID", endpoint[0], schemeID=endpoint[1] or "0088")
        values = party or {}
        if values.get("gln") or values.get("id"):
            ident = cac(node, "PartyIdentification")
            cbc(ident, "ID", values.get("gln") or values.get("id"), schemeID="0088" if values.get("gln") else None)
        if values.get("name"):
            cbc(cac(node, "PartyName"), "Name", values["name"])
    ship = po.get("ship_to")
    if ship or po.get("requested_date"):
        delivery = cac(root, "Delivery")
        if ship:
            location = cac(delivery, "DeliveryLocation")
            if ship.get("gln") or ship.get("id"):
                cbc(location, "ID", ship.get("gln") or ship.get("id"), schemeID="0088" if ship.get("gln") else None)
            if ship.get("name"):
                cbc(location, "Name", ship["name"])
            address = cac(location, "Address")
            if ship.get("street"):
                cbc(address, "StreetName", ship["street"])
            if ship.get("city"):
                cbc(address, "CityName", ship["city"])
            if ship.get("zip"):
                cbc(address, "PostalZone", ship["zip"])
            if ship.get("country"):
                cbc(cac(address, "Country"), "IdentificationCode", ship["country"])
        if po.get("requested_date"):
            cbc(cac(delivery, "RequestedDeliveryPeriod"), "StartDate", po["requested_date"])
    for line in po.get("lines") or []:
        item = cac(cac(root, "OrderLine"), "LineItem")
        cbc(item, "ID", line.get("line_id"))
        cbc(item, "Quantity", common.fmt_decimal(line.get("quantity")), unitCode=line.get("uom") or "EA")
        if line.get("requested_date"):
            cbc(cac(cac(item, "Delivery"), "RequestedDeliveryPeriod"), "StartDate", line["requested_date"])
        price = cac(item, "Price")
        cbc(price, "PriceAmount", common.fmt_decimal(line.get("price")), currencyID=po.get("currency"))
        node = cac(item, "Item")
        cbc(node, "Name", line.get("description") or line.get("vendor_part") or line.get("buyer_part") or "")
        if line.get("buyer_part"):
            cbc(cac(node, "BuyersItemIdentification"), "ID", line["buyer_part"])
        if line.get("vendor_part"):
            cbc(cac(node, "SellersItemIdentification"), "ID", line["vendor_part"])
        if line.get("gtin"):
            cbc(cac(node, "StandardItemIdentification"), "ID", line["gtin"], schemeID="0160")
    return _serialize(root)


# cXML supplier documents (partner simulators and tests)

STATUS_TO_CXML = {
    "accepted": "accept",
    "changed": "detail",
    "backordered": "backordered",
    "substituted": "detail",
    "rejected": "reject",
    "on_hold": "unknown",
}
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def _stamp_date(value):
    return f"{value}T00:00:00+00:00" if value else None


def _request(env, shared_secret):
    root = _cxml_root(env, shared_secret)
    return root, _el(root, "Request", deploymentMode="test" if env.test else "production")


def _item_id(parent, line):
    item_id = _el(parent, "ItemID")
    _el(item_id, "SupplierPartID", line.get("vendor_part") or line.get("buyer_part") or "")
    if line.get("buyer_part"):
        _el(item_id, "BuyerPartID", line["buyer_part"])
    if line.get("gtin"):
        _el(item_id, "IdReference", identifier=line["gtin"], domain="GTIN")
    return item_id


def render_confirmation_request(ack, env, *, shared_secret=None):
    _check_all(ack)
    root, request = _request(env, shared_secret)
    conf = _el(request, "ConfirmationRequest")
    header_type = {"accepted": "accept", "rejected": "reject"}.get(ack.get("status"), "detail")
    _el(
        conf,
        "ConfirmationHeader",
        confirmID=ack.get("ack_number") or "",
        operation="new",
        type=header_type,
        noticeDate=_stamp_date(ack.get("date")) or _stamp(env.when),
    )
    _el(_el(conf, "OrderReference", orderID=ack.get("po_number")), "DocumentReference", payloadID="")
    for line in ack.get("lines") or []:
        item = _el(
            conf, "ConfirmationItem", quantity=common.fmt_decimal(line.get("quantity")), lineNumber=line.get("line_id")
        )
        _el(item, "UnitOfMeasure", line.get("uom") or "EA")
        status = _el(
            item,
            "ConfirmationStatus",
            quantity=common.fmt_decimal(line.get("quantity")),
            type=line.get("raw_status")
            if line.get("raw_status") in CXML_CONFIRM
            else STATUS_TO_CXML.get(line.get("status"), "accept"),
            deliveryDate=_stamp_date(line.get("date")),
        )
        _el(status, "UnitOfMeasure", line.get("uom") or "EA")
        if line.get("price") not in (None, ""):
            _el(
                _el(status, "UnitPrice"),
                "Money",
                common.fmt_decimal(line["price"]),
                currency=ack.get("currency") or "USD",
            )
        sub = line.get("substitute")
        if sub and line.get("status") == "substituted":
            status.set("type", "replace")
            item_in = _el(status, "ItemIn", quantity=common.fmt_decimal(line.get("quantity")))
            _item_id(item_in, sub)
            detail = _el(item_in, "ItemDetail")
            _el(
                _el(detail, "UnitPrice"),
                "Money",
                common.fmt_decimal(line.get("price")) or "0",
                currency=ack.get("currency") or "USD",
            )
            _el(detail, "Description", sub.get("description") or "", **{XML_LANG: "en"})
            _el(detail, "UnitOfMeasure", line.get("uom") or "EA")
        if line.get("vendor_part"):
            _el(status, "Extrinsic", line["vendor_part"], name="SupplierPartID")
    return _serialize(root, CXML_DOCTYPE)


def render_ship_notice_request(asn, env, *, shared_secret=None):
    _check_all(asn)
    root, request = _request(env, shared_secret)
    notice = _el(request, "ShipNoticeRequest")
    _el(
        notice,
        "ShipNoticeHeader",
        shipmentID=asn.get("asn_number"),
        operation="new",
        noticeDate=_stamp_date(asn.get("date") or asn.get("ship_date")) or _stamp(env.when),
        shipmentDate=_stamp_date(asn.get("ship_date")),
        deliveryDate=_stamp_date(asn.get("expected_date")),
    )
    by_po = {}
    for line in asn.get("lines") or []:
        by_po.setdefault(line.get("po_number") or (asn.get("po_numbers") or [""])[0], []).append(line)
    for po, lines in by_po.items():
        portion = _el(notice, "ShipNoticePortion")
        _el(_el(portion, "OrderReference", orderID=po), "DocumentReference", payloadID="")
        for line in lines:
            item = _el(
                portion,
                "ShipNoticeItem",
                quantity=common.fmt_decimal(line.get("quantity")),
                lineNumber=line.get("line_id"),
            )
            _item_id(item, line)
            _el(item, "UnitOfMeasure", line.get("uom") or "EA")
            if line.get("sscc"):
                packaging = _el(item, "Packaging")
                _el(packaging, "PackagingCode", "Pallet", **{XML_LANG: "en"})
                _el(packaging, "ShippingContainerSerialCode", line["sscc"])
            if line.get("lot") or line.get("expiry"):
                batch = _el(item, "Batch", expirationDate=line.get("expiry"))
                if line.get("lot"):
                    _el(batch, "SupplierBatchID", line["lot"])
            if line.get("serials"):
                info = _el(item, "SerialNumberInfo")
                for serial in line["serials"]:
                    _el(info, "SerialNumber", serial)
            if line.get("udi"):
                _el(item, "Extrinsic", line["udi"], name="UDI")
    return _serialize(root, CXML_DOCTYPE)


def render_invoice_detail_request(inv, env, *, shared_secret=None):
    _check_all(inv)
    root, request = _request(env, shared_secret)
    invoice = _el(request, "InvoiceDetailRequest")
    currency = inv.get("currency") or "USD"
    _el(
        _el(
            invoice,
            "InvoiceDetailRequestHeader",
            invoiceID=inv.get("invoice_number"),
            purpose="standard",
            operation="new",
            invoiceDate=_stamp_date(inv.get("date")),
        ),
        "InvoiceDetailLineIndicator",
    )
    by_po = {}
    for line in inv.get("lines") or []:
        by_po.setdefault(line.get("po_number") or (inv.get("po_numbers") or [""])[0], []).append(line)
    subtotal = Decimal(0)
    for po, lines in by_po.items():
        order = _el(invoice, "InvoiceDetailOrder")
        _el(_el(_el(order, "InvoiceDetailOrderInfo"), "OrderReference", orderID=po), "DocumentReference", payloadID="")
        for number, line in enumerate(lines, 1):
            item = _el(
                order, "InvoiceDetailItem", invoiceLineNumber=number, quantity=common.fmt_decimal(line.get("quantity"))
            )
            _el(item, "UnitOfMeasure", line.get("uom") or "EA")
            _el(_el(item, "UnitPrice"), "Money", common.fmt_decimal(line.get("price")), currency=currency)
            ref = _el(item, "InvoiceDetailItemReference", lineNumber=line.get("line_id"))
            _item_id(ref, line)
            amount = line.get("amount")
            if amount in (None, ""):
                qty, price = common.to_decimal(line.get("quantity")), common.to_decimal(line.get("price"))
                amount = common.fmt_decimal(qty * price) if qty is not None and price is not None else "0"
            subtotal += common.to_decimal(amount) or 0
            _el(_el(item, "SubtotalAmount"), "Money", common.fmt_decimal(amount), currency=currency)
    summary = _el(invoice, "InvoiceDetailSummary")
    _el(_el(summary, "SubtotalAmount"), "Money", common.fmt_decimal(subtotal), currency=currency)
    tax = _el(summary, "Tax")
    _el(tax, "Money", common.fmt_decimal(inv.get("tax_total") or "0"), currency=currency)
    _el(tax, "Description", "Tax", **{XML_LANG: "en"})
    for charge in inv.get("charges") or []:
        kind = charge.get("type")
        amount = common.to_decimal(charge.get("amount"))
        if amount is None or kind == "tax":
            continue
        name = {"freight": "ShippingAmount", "discount": "InvoiceDetailDiscount"}.get(kind, "SpecialHandlingAmount")
        _el(_el(summary, name), "Money", common.fmt_decimal(abs(amount)), currency=currency)
    _el(_el(summary, "NetAmount"), "Money", common.fmt_decimal(inv.get("total")), currency=currency)
    return _serialize(root, CXML_DOCTYPE)


# UBL supplier documents (partner simulators and tests), Peppol BIS 3 shapes


def _ubl_root(name):
    ns = f"urn:oasis:names:specification:ubl:schema:xsd:{name}-2"
    root = etree.Element(f"{{{ns}}}{name}", nsmap={None: ns, "cac": CAC, "cbc": CBC})
    return root


def _cbc(parent, name, text, **attrs):
    return _el(parent, f"{{{CBC}}}{name}", text, **attrs)


def _cac(parent, name):
    return _el(parent, f"{{{CAC}}}{name}")


def _ubl_party_el(parent, tag, ident, qualifier, name=None):
    party = _cac(_cac(parent, tag), "Party")
    _cbc(party, "EndpointID", ident, schemeID=qualifier or "0088")
    if name:
        _cbc(_cac(party, "PartyName"), "Name", name)
    return party


def _ubl_item_el(parent, line, name=None):
    item = _cac(parent, "Item")
    _cbc(item, "Name", name or line.get("description") or line.get("vendor_part") or line.get("buyer_part") or "item")
    if line.get("buyer_part"):
        _cbc(_cac(item, "BuyersItemIdentification"), "ID", line["buyer_part"])
    if line.get("vendor_part"):
        _cbc(_cac(item, "SellersItemIdentification"), "ID", line["vendor_part"])
    if line.get("gtin"):
        _cbc(_cac(item, "StandardItemIdentification"), "ID", line["gtin"], schemeID="0160")
    return item


UBL_STATUS_CODE = {
    "accepted": "5",
    "rejected": "7",
    "changed": "3",
    "backordered": "3",
    "substituted": "3",
    "on_hold": "3",
}


def render_ubl_order_response(ack, env):
    _check_all(ack)
    root = _ubl_root("OrderResponse")
    _cbc(root, "CustomizationID", "urn:fdc:peppol.eu:poacc:trns:order_response:3")
    _cbc(root, "ProfileID", "urn:fdc:peppol.eu:poacc:bis:ordering:3")
    _cbc(root, "ID", ack.get("ack_number") or str(env.interchange_control_number))
    _cbc(root, "IssueDate", ack.get("date") or env.when.date().isoformat())
    _cbc(root, "OrderResponseCode", {"accepted": "AP", "rejected": "RE"}.get(ack.get("status"), "CA"))
    if ack.get("currency"):
        _cbc(root, "DocumentCurrencyCode", ack["currency"])
    _cbc(_cac(root, "OrderReference"), "ID", ack.get("po_number"))
    _ubl_party_el(root, "SellerSupplierParty", env.sender_id, env.sender_qualifier)
    _ubl_party_el(root, "BuyerCustomerParty", env.receiver_id, env.receiver_qualifier)
    for number, line in enumerate(ack.get("lines") or [], 1):
        order_line = _cac(root, "OrderLine")
        item = _cac(order_line, "LineItem")
        _cbc(item, "ID", str(number))
        _cbc(item, "LineStatusCode", UBL_STATUS_CODE.get(line.get("status"), "5"))
        _cbc(item, "Quantity", common.fmt_decimal(line.get("quantity")), unitCode=line.get("uom") or "EA")
        if line.get("status") == "backordered":
            qty = common.fmt_decimal(line.get("quantity"))
            _cbc(item, "MaximumBackorderQuantity", qty, unitCode=line.get("uom") or "EA")
        if line.get("date"):
            _cbc(_cac(_cac(item, "Delivery"), "PromisedDeliveryPeriod"), "StartDate", line["date"])
        if line.get("price") not in (None, ""):
            _cbc(
                _cac(item, "Price"),
                "PriceAmount",
                common.fmt_decimal(line["price"]),
                currencyID=ack.get("currency") or "EUR",
            )
        _ubl_item_el(item, line)
        sub = line.get("substitute")
        if sub and line.get("status") == "substituted":
            substituted = _cac(order_line, "SellerSubstitutedLineItem")
            _cbc(substituted, "ID", str(number))
            _ubl_item_el(substituted, sub, name=sub.get("description"))
        if line.get("line_id") not in (None, ""):
            _cbc(_cac(order_line, "OrderLineReference"), "LineID", str(line["line_id"]))
    return _serialize(root)


def render_ubl_despatch_advice(asn, env):
    _check_all(asn)
    root = _ubl_root("DespatchAdvice")
    _cbc(root, "CustomizationID", "urn:fdc:peppol.eu:poacc:trns:despatch_advice:3")
    _cbc(root, "ProfileID", "urn:fdc:peppol.eu:poacc:bis:despatch_advice:3")
    _cbc(root, "ID", asn.get("asn_number"))
    _cbc(root, "IssueDate", asn.get("date") or asn.get("ship_date") or env.when.date().isoformat())
    pos = asn.get("po_numbers") or []
    if len(pos) == 1:
        _cbc(_cac(root, "OrderReference"), "ID", pos[0])
    _ubl_party_el(root, "DespatchSupplierParty", env.sender_id, env.sender_qualifier)
    _ubl_party_el(root, "DeliveryCustomerParty", env.receiver_id, env.receiver_qualifier)
    shipment = _cac(root, "Shipment")
    _cbc(shipment, "ID", asn.get("asn_number") or "1")
    _cbc(_cac(shipment, "Consignment"), "ID", asn.get("asn_number") or "1")
    delivery = _cac(shipment, "Delivery")
    if asn.get("expected_date"):
        _cbc(_cac(delivery, "EstimatedDeliveryPeriod"), "StartDate", asn["expected_date"])
    if asn.get("ship_date"):
        _cbc(_cac(delivery, "Despatch"), "ActualDespatchDate", asn["ship_date"])
    for number, line in enumerate(asn.get("lines") or [], 1):
        node = _cac(root, "DespatchLine")
        _cbc(node, "ID", str(number))
        _cbc(node, "DeliveredQuantity", common.fmt_decimal(line.get("quantity")), unitCode=line.get("uom") or "EA")
        ref = _cac(node, "OrderLineReference")
        _cbc(ref, "LineID", str(line.get("line_id") or ""))
        if line.get("po_number") and len(pos) != 1:
            _cbc(_cac(ref, "OrderReference"), "ID", line["po_number"])
        item = _ubl_item_el(node, line)
        serials = line.get("serials") or []
        if line.get("udi"):
            # ProductTraceID: the GS1 UDI element string (read back by map_ubl_despatch)
            _cbc(_cac(item, "ItemInstance"), "ProductTraceID", line["udi"])
        if line.get("lot") or line.get("expiry"):
            instance = _cac(item, "ItemInstance")
            lot = _cac(instance, "LotIdentification")
            _cbc(lot, "LotNumberID", line.get("lot"))
            _cbc(lot, "ExpiryDate", line.get("expiry"))
        for serial in serials:
            _cbc(_cac(item, "ItemInstance"), "SerialID", serial)
        if line.get("sscc"):
            _cbc(_cac(_cac(node, "Shipment"), "TransportHandlingUnit"), "ID", line["sscc"])
    return _serialize(root)


def render_ubl_invoice(inv, env):
    _check_all(inv)
    root = _ubl_root("Invoice")
    currency = inv.get("currency") or "EUR"
    _cbc(root, "CustomizationID", "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0")
    _cbc(root, "ProfileID", "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0")
    _cbc(root, "ID", inv.get("invoice_number"))
    _cbc(root, "IssueDate", inv.get("date") or env.when.date().isoformat())
    _cbc(root, "InvoiceTypeCode", "380")
    _cbc(root, "DocumentCurrencyCode", currency)
    pos = inv.get("po_numbers") or []
    if pos:
        _cbc(_cac(root, "OrderReference"), "ID", pos[0])
    _ubl_party_el(root, "AccountingSupplierParty", env.sender_id, env.sender_qualifier)
    _ubl_party_el(root, "AccountingCustomerParty", env.receiver_id, env.receiver_qualifier)
    for charge in inv.get("charges") or []:
        amount = common.to_decimal(charge.get("amount"))
        if amount is None or charge.get("type") == "tax":
            continue
        node = _cac(root, "AllowanceCharge")
        _cbc(node, "ChargeIndicator", "false" if amount < 0 else "true")
        code = {"freight": "FC", "discount": "95"}.get(charge.get("type"))
        _cbc(node, "AllowanceChargeReasonCode", code)
        _cbc(node, "AllowanceChargeReason", charge.get("type") or "other")
        _cbc(node, "Amount", common.fmt_decimal(abs(amount)), currencyID=currency)
    _cbc(_cac(root, "TaxTotal"), "TaxAmount", common.fmt_decimal(inv.get("tax_total") or "0"), currencyID=currency)
    totals = _cac(root, "LegalMonetaryTotal")
    _cbc(totals, "PayableAmount", common.fmt_decimal(inv.get("total")), currencyID=currency)
    for number, line in enumerate(inv.get("lines") or [], 1):
        node = _cac(root, "InvoiceLine")
        _cbc(node, "ID", str(number))
        _cbc(node, "InvoicedQuantity", common.fmt_decimal(line.get("quantity")), unitCode=line.get("uom") or "EA")
        amount = line.get("amount")
        if amount in (None, ""):
            qty, price = common.to_decimal(line.get("quantity")), common.to_decimal(line.get("price"))
            amount = common.fmt_decimal(qty * price) if qty is not None and price is not None else "0"
        _cbc(node, "LineExtensionAmount", common.fmt_decimal(amount), currencyID=currency)
        ref = _cac(node, "OrderLineReference")
        _cbc(ref, "LineID", str(line.get("line_id") or ""))
        if line.get("po_number") and pos and line["po_number"] != pos[0]:
            _cbc(_cac(ref, "OrderReference"), "ID", line["po_number"])
        _ubl_item_el(node, line)
        _cbc(_cac(node, "Price"), "PriceAmount", common.fmt_decimal(line.get("price")), currencyID=currency)
    return _serialize(root)
