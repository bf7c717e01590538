"""Request signatures and body ciphers of the messaging-bot platforms, as pure functions.

Each ``verify_*`` returns ``None`` or raises ``SignatureError``; callers run it on the
raw request bytes before parsing anything. Clocks are arguments, never read here, so
the time windows are testable. Specs and vectors: docs/bot-protocols.md (shared).

>>> dingtalk_sign("this is secret", "1577262236757")
'hmPWwU+7lVdm3ZZz0r9tSfx0L4Q26jWOZr9+Gs6EZQM='
>>> feishu_decrypt("test key", "P37w+VZImNgPEO1RBhJ6RtKl7n6zymIbEG1pReEzghk=")
'hello world'
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import struct

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from indexer.errors import PolicyQAError


class SignatureError(PolicyQAError):
    """A bot request failed verification; the message says which check failed and why
    (never echoes secrets)."""


def _within(platform: str, off_s: float, window_s: float) -> None:
    """Refuse a request whose timestamp is more than ``window_s`` off the server clock."""
    if off_s > window_s:
        raise SignatureError(
            f"{platform}: the timestamp is {off_s:.0f} s off the server clock "
            f"(limit {window_s:.0f} s); replayed request or wrong clock"
        )


def _same(a: str, b: str) -> bool:
    # compare_digest refuses non-ASCII str, and a forged header may hold anything.
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))


def _present(platform: str, name: str, value: str | None) -> str:
    if not value:
        raise SignatureError(f"{platform}: the {name} is missing")
    return value


def _integer(platform: str, name: str, value: str) -> int:
    # isdigit alone accepts "²" and other Unicode digits that int() then rejects.
    if not (value.isascii() and value.isdigit()):
        raise SignatureError(f"{platform}: the {name} {value[:20]!r} is not a whole number")
    return int(value)


def _aes_cbc(key: bytes, iv: bytes, data: bytes, *, encrypt: bool) -> bytes:
    cipher = Cipher(algorithms.AES(key), modes.CBC(iv))
    op = cipher.encryptor() if encrypt else cipher.decryptor()
    return op.update(data) + op.finalize()


def _pad(data: bytes, block: int) -> bytes:
    n = block - len(data) % block
    return data + bytes([n]) * n


def _unpad(platform: str, data: bytes, block: int) -> bytes:
    # Strict PKCS#7: a lax unpad (Tencent's samples) lets a garbled body through. Callers
    # check the signature first, so a padding error is no oracle to a forger.
    n = data[-1] if data else 0
    if not 1 <= n <= min(block, len(data)) or data[-n:] != bytes([n]) * n:
        raise SignatureError(f"{platform}: the decrypted body has bad padding")
    return data[:-n]


def _b64decode(platform: str, text: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise SignatureError(f"{platform}: the encrypted text is not valid base64") from None


# --- DingTalk -------------------------------------------------------------------------


def dingtalk_sign(app_secret: str, timestamp_ms: str) -> str:
    """``base64(HMAC-SHA256(key=app_secret, msg=timestamp + "\\n" + app_secret))``."""
    msg = f"{timestamp_ms}\n{app_secret}".encode()
    return base64.b64encode(hmac.new(app_secret.encode(), msg, hashlib.sha256).digest()).decode()


def verify_dingtalk(
    app_secret: str,
    timestamp_ms: str | None,
    sign: str | None,
    *,
    now_ms: int,
    window_ms: int = 3_600_000,
) -> None:
    """Check the ``timestamp`` and ``sign`` headers of a DingTalk robot callback."""
    timestamp_ms = _present("DingTalk", "timestamp header", timestamp_ms)
    sign = _present("DingTalk", "sign header", sign)
    off_ms = abs(now_ms - _integer("DingTalk", "timestamp", timestamp_ms))
    _within("DingTalk", off_ms / 1000, window_ms / 1000)
    if not _same(sign, dingtalk_sign(app_secret, timestamp_ms)):
        raise SignatureError("DingTalk: the sign does not match the app secret")


# --- Feishu / Lark --------------------------------------------------------------------


def feishu_signature(timestamp: str, nonce: str, encrypt_key: str, raw_body: bytes) -> str:
    """Plain SHA-256 (not HMAC) over ``timestamp + nonce + encrypt_key + raw_body``, hex."""
    return hashlib.sha256((timestamp + nonce + encrypt_key).encode() + raw_body).hexdigest()


def verify_feishu(
    timestamp: str | None,
    nonce: str | None,
    encrypt_key: str,
    raw_body: bytes,
    signature: str | None,
) -> None:
    """Check ``X-Lark-Signature``; Feishu documents no time window, so none is applied."""
    timestamp = _present("Feishu", "X-Lark-Request-Timestamp header", timestamp)
    nonce = _present("Feishu", "X-Lark-Request-Nonce header", nonce)
    signature = _present("Feishu", "X-Lark-Signature header", signature)
    if not _same(signature, feishu_signature(timestamp, nonce, encrypt_key, raw_body)):
        raise SignatureError("Feishu: the X-Lark-Signature does not match the encrypt key")


def _feishu_key(encrypt_key: str) -> bytes:
    return hashlib.sha256(encrypt_key.encode()).digest()


def feishu_decrypt(encrypt_key: str, encrypted_b64: str) -> str:
    """Decrypt the ``encrypt`` field: IV is the first 16 bytes, then AES-256-CBC, PKCS#7."""
    raw = _b64decode("Feishu", encrypted_b64)
    if len(raw) < 32 or len(raw) % 16:
        raise SignatureError(f"Feishu: the ciphertext is truncated ({len(raw)} bytes)")
    plain = _aes_cbc(_feishu_key(encrypt_key), raw[:16], raw[16:], encrypt=False)
    try:
        return _unpad("Feishu", plain, 16).decode("utf-8")
    except UnicodeDecodeError:
        raise SignatureError("Feishu: the decrypted body is not UTF-8 (wrong key?)") from None


def feishu_encrypt(encrypt_key: str, plaintext: str, iv: bytes | None = None) -> str:
    """Inverse of ``feishu_decrypt``; a random IV unless one is given (tests)."""
    iv = os.urandom(16) if iv is None else iv
    if len(iv) != 16:
        raise ValueError(f"the IV must be 16 bytes, not {len(iv)}")
    body = _aes_cbc(_feishu_key(encrypt_key), iv, _pad(plaintext.encode(), 16), encrypt=True)
    return base64.b64encode(iv + body).decode()


# --- WeCom ----------------------------------------------------------------------------


def wecom_signature(token: str, timestamp: str, nonce: str, encrypted: str) -> str:
    """SHA-1 hex of the sorted, concatenated ``[token, timestamp, nonce, encrypted]``."""
    return hashlib.sha1("".join(sorted([token, timestamp, nonce, encrypted])).encode()).hexdigest()


def verify_wecom(
    token: str,
    timestamp: str | None,
    nonce: str | None,
    encrypted: str | None,
    msg_signature: str | None,
) -> None:
    """Check ``msg_signature`` over the ``echostr`` (GET) or the ``Encrypt`` element (POST)."""
    timestamp = _present("WeCom", "timestamp parameter", timestamp)
    nonce = _present("WeCom", "nonce parameter", nonce)
    encrypted = _present("WeCom", "encrypted text", encrypted)
    msg_signature = _present("WeCom", "msg_signature parameter", msg_signature)
    if not _same(msg_signature, wecom_signature(token, timestamp, nonce, encrypted)):
        raise SignatureError("WeCom: the msg_signature does not match the token")


class WeComCipher:
    """AESKey = b64decode(EncodingAESKey + "="), AES-256-CBC, IV = key[:16], PKCS#7 padding
    to 32-byte blocks. Plaintext layout: 16 random bytes, 4-byte big-endian length,
    message bytes (UTF-8), corp id."""

    BLOCK = 32  # WeCom pads to 32 bytes, not AES's 16

    def __init__(self, encoding_aes_key: str, corp_id: str) -> None:
        # A bad key is a configuration mistake, not a bad request: ValueError, at startup.
        key = None
        if len(encoding_aes_key) == 43:
            try:
                key = base64.b64decode(encoding_aes_key + "=", validate=True)
            except (binascii.Error, ValueError):
                key = None
        if key is None or len(key) != 32:
            raise ValueError(
                "POLICYQA_WECOM_AES_KEY must be the 43-character EncodingAESKey copied from "
                "the WeCom console (it decodes to 32 bytes)"
            )
        self._key = key
        self._corp_id = corp_id.encode()

    def decrypt(self, encrypted_b64: str) -> str:
        """The message inside an ``echostr`` or ``Encrypt``, after checking the corp id."""
        raw = _b64decode("WeCom", encrypted_b64)
        if len(raw) < self.BLOCK or len(raw) % 16:
            raise SignatureError(f"WeCom: the ciphertext is truncated ({len(raw)} bytes)")
        plain = _unpad("WeCom", _aes_cbc(self._key, self._key[:16], raw, encrypt=False), 32)
        if len(plain) < 20:
            raise SignatureError("WeCom: the decrypted body is shorter than its header")
        (size,) = struct.unpack(">I", plain[16:20])
        if 20 + size > len(plain):
            raise SignatureError("WeCom: the length field runs past the decrypted body")
        # Not secret, but a mismatch means another company's message: reject it.
        if not hmac.compare_digest(plain[20 + size :], self._corp_id):
            raise SignatureError("WeCom: the message is for another corp id")
        try:
            return plain[20 : 20 + size].decode("utf-8")
        except UnicodeDecodeError:
            raise SignatureError("WeCom: the decrypted message is not UTF-8") from None

    def encrypt(self, plaintext: str, random16: bytes | None = None) -> str:
        """Inverse of ``decrypt``; random prefix unless one is given (tests)."""
        prefix = os.urandom(16) if random16 is None else random16
        if len(prefix) != 16:
            raise ValueError(f"the random prefix must be 16 bytes, not {len(prefix)}")
        msg = plaintext.encode()
        plain = _pad(prefix + struct.pack(">I", len(msg)) + msg + self._corp_id, self.BLOCK)
        return base64.b64encode(_aes_cbc(self._key, self._key[:16], plain, encrypt=True)).decode()


# --- Slack ----------------------------------------------------------------------------


def slack_signature(signing_secret: str, timestamp: str, raw_body: bytes) -> str:
    """``"v0=" + hex(HMAC-SHA256(signing_secret, "v0:" + ts + ":" + body))``."""
    base = b"v0:" + timestamp.encode() + b":" + raw_body
    return "v0=" + hmac.new(signing_secret.encode(), base, hashlib.sha256).hexdigest()


def verify_slack(
    signing_secret: str,
    timestamp: str | None,
    raw_body: bytes,
    signature: str | None,
    *,
    now: float,
    window_s: int = 300,
) -> None:
    """Check ``X-Slack-Request-Timestamp`` (within ``window_s``) and ``X-Slack-Signature``."""
    timestamp = _present("Slack", "X-Slack-Request-Timestamp header", timestamp)
    signature = _present("Slack", "X-Slack-Signature header", signature)
    _within("Slack", abs(now - _integer("Slack", "timestamp", timestamp)), window_s)
    if not _same(signature, slack_signature(signing_secret, timestamp, raw_body)):
        raise SignatureError("Slack: the X-Slack-Signature does not match the signing secret")
