"""Identifier and secret formats shared by every model: time-ordered ids, keys and tokens."""

import secrets
import uuid

import uuid6

# base57: digits and letters without the look-alikes 0, 1, O, I and l.
BASE57_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def uuid7() -> uuid.UUID:
    """Time-ordered UUID for new rows, so primary-key order follows creation order."""
    return uuid.UUID(int=uuid6.uuid7().int)


def encode_base57(number: int) -> str:
    digits = []
    while number:
        number, remainder = divmod(number, 57)
        digits.append(BASE57_ALPHABET[remainder])
    return "".join(reversed(digits)) or BASE57_ALPHABET[0]


def random_base57(length: int) -> str:
    return "".join(secrets.choice(BASE57_ALPHABET) for _ in range(length))


def generate_personal_api_key() -> str:
    """`phx_` + 35 random bytes in base57 with the top bit set: 48 (rarely 49) characters."""
    number = int.from_bytes(secrets.token_bytes(35), "big") | (1 << 279)
    return "phx_" + encode_base57(number)


def generate_project_api_token() -> str:
    return "phc_" + random_base57(44)


def generate_key_id() -> str:
    return secrets.token_urlsafe(16)


def generate_distinct_id() -> str:
    return secrets.token_urlsafe(32)
