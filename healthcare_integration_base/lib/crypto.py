"""Secrets at rest (Fernet) and pseudonymisation of patient references (keyed hash). No ORM."""

import base64
import hashlib
import hmac

from cryptography.fernet import Fernet


def derive_fernet_key(server_secret):
    """A Fernet key derived from the server configuration's secret."""
    digest = hashlib.sha256(b"hc-fernet-v1:" + server_secret.encode()).digest()
    return base64.urlsafe_b64encode(digest)


def encrypt(key, plaintext):
    return Fernet(key).encrypt(plaintext.encode()).decode()


def decrypt(key, token):
    return Fernet(key).decrypt(token.encode()).decode()


def pseudonymise(key, value):
    """``ph_`` + HMAC-SHA256: the same reference always maps to the same pseudonym, irreversibly."""
    if isinstance(key, str):
        key = key.encode()
    return "ph_" + hmac.new(key, str(value).encode(), hashlib.sha256).hexdigest()
