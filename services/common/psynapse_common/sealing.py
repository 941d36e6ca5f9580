"""Sealing env_vars for the jobs stream: only holders of the settings' key can read them."""

from __future__ import annotations

import msgspec
from cryptography.fernet import Fernet, InvalidToken


class SealError(ValueError):
    pass


def new_key() -> str:
    return Fernet.generate_key().decode("ascii")


def seal(env_vars: dict[str, str], key: str | None) -> bytes:
    if key is None:
        raise SealError("env_vars need a secret key: set PSYNAPSE_SECRET_KEY")
    return Fernet(key.encode("ascii")).encrypt(msgspec.msgpack.encode(env_vars))


def unseal(blob: bytes, key: str | None) -> dict[str, str]:
    if key is None:
        raise SealError("this runner has no PSYNAPSE_SECRET_KEY to read the run's env_vars")
    try:
        return msgspec.msgpack.decode(Fernet(key.encode("ascii")).decrypt(blob), type=dict[str, str])
    except InvalidToken:
        raise SealError("the run's env_vars were sealed with another key") from None
