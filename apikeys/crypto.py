"""Generating API keys and digesting them. The server keeps the digest, never the key."""

import hashlib
import hmac
import re
import secrets
import string

# `tj_` lets people and secret scanners recognise a leaked key; the prefix identifies the key
# in lists and is its database lookup; the secret is 40 base62 characters (~238 bits).
KEY_PREFIX = "tj_"
PREFIX_LENGTH = 10
SECRET_LENGTH = 40
_PREFIX_ALPHABET = string.ascii_lowercase + string.digits
_SECRET_ALPHABET = string.ascii_letters + string.digits
KEY_PATTERN = re.compile(rf"^{KEY_PREFIX}([a-z0-9]{{{PREFIX_LENGTH}}})_([A-Za-z0-9]{{{SECRET_LENGTH}}})$")


def generate_key() -> tuple[str, str]:
    """A new (prefix, full key)."""
    prefix = "".join(secrets.choice(_PREFIX_ALPHABET) for _ in range(PREFIX_LENGTH))
    secret = "".join(secrets.choice(_SECRET_ALPHABET) for _ in range(SECRET_LENGTH))
    return prefix, f"{KEY_PREFIX}{prefix}_{secret}"


def split_key(key: str) -> str | None:
    """The prefix of a well-formed key, or None."""
    match = KEY_PATTERN.match(key)
    return match.group(1) if match else None


def digest(key: str) -> str:
    # A fast digest is safe here: keys are long random secrets, not guessable passwords, so
    # a slow password hash would only cost every request time without adding protection.
    return hashlib.sha256(key.encode()).hexdigest()


def digest_matches(key: str, stored: str) -> bool:
    return hmac.compare_digest(digest(key), stored)
