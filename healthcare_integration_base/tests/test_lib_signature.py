"""Standard Webhooks verification: plain Python, no database (fast, fuzzed)."""

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from standardwebhooks.webhooks import Webhook

from ..lib import signature


def headers(secret, body, msg_id="msg_1", ts=None):
    ts = int(time.time()) if ts is None else ts
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(ts),
        "webhook-signature": signature.sign(secret, msg_id, ts, body),
    }


def test_sign_matches_the_reference_implementation_and_verifies():
    secret = signature.generate_secret()
    body = b'{"a": 1}'
    hdrs = headers(secret, body)
    Webhook(secret).verify(body, hdrs)  # the reference library accepts our signature
    signature.verify([secret], hdrs, body, now=time.time(), tolerance=300)


def test_any_of_several_signatures_and_secrets():
    old, new = signature.generate_secret(), signature.generate_secret()
    body = b"x"
    hdrs = headers(new, body)
    hdrs["webhook-signature"] = "v1,bm90LWl0 v2,whatever " + hdrs["webhook-signature"]
    signature.verify([old, new], hdrs, body, now=time.time(), tolerance=300)


@pytest.mark.parametrize(
    ("mutate", "reason"),
    [
        (lambda h: h.pop("webhook-signature"), "missing_headers"),
        (lambda h: h.update({"webhook-timestamp": "soon"}), "bad_timestamp"),
        (lambda h: h.update({"webhook-timestamp": str(int(time.time()) - 301)}), "stale_timestamp"),
        (lambda h: h.update({"webhook-signature": "v1,AAAA"}), "no_match"),
    ],
)
def test_refusals(mutate, reason):
    secret = signature.generate_secret()
    hdrs = headers(secret, b"body")
    mutate(hdrs)
    with pytest.raises(signature.SignatureError) as err:
        signature.verify([secret], hdrs, b"body", now=time.time(), tolerance=300)
    assert err.value.reason == reason


def test_body_tampering_is_detected():
    secret = signature.generate_secret()
    hdrs = headers(secret, b'{"quantity": 1}')
    with pytest.raises(signature.SignatureError):
        signature.verify([secret], hdrs, b'{"quantity": 9}', now=time.time(), tolerance=300)


def test_api_keys_are_hashed_and_compared():
    key = signature.generate_api_key()
    stored = signature.hash_api_key(key)
    assert key not in stored
    assert signature.verify_api_key(key, ["x" * 64, stored])
    assert not signature.verify_api_key(key + "x", [stored])


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(["webhook-id", "webhook-timestamp", "webhook-signature", "other"]), st.text(max_size=80)
    ),
    st.binary(max_size=200),
)
def test_fuzz_verify_raises_only_signature_error(hdrs, body):
    secret = "whsec_" + "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo="
    try:
        signature.verify([secret, "not base64 !"], hdrs, body, now=time.time(), tolerance=300)
    except signature.SignatureError:
        pass
