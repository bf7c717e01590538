"""Bot signatures and ciphers: the published vectors exactly, then forged, stale,
truncated, badly padded and misaddressed requests, then round trips."""

from __future__ import annotations

import base64
import hashlib
import hmac
import struct
import xml.etree.ElementTree as ET
from collections.abc import Callable

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from indexer.errors import PolicyQAError
from service.bots.signatures import (
    SignatureError,
    WeComCipher,
    dingtalk_sign,
    feishu_decrypt,
    feishu_encrypt,
    feishu_signature,
    slack_signature,
    verify_dingtalk,
    verify_feishu,
    verify_slack,
    verify_wecom,
    wecom_signature,
)

# --- published vectors (docs/bot-protocols.md, issue 14) ------------------------------

WECOM_A = {
    "token": "QDG6eK",
    "key": "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C",
    "corp_id": "wx5823bf96d3bd56c7",
}
WECOM_B = {
    "token": "hJqcu3uJ9Tn2gXPmxx2w9kkCkCE2EPYo",
    "key": "6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt",
    "corp_id": "ww1436e0e65a779aee",
}
WECOM_A_POST = (
    "RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3Qczc"
    "dCUpj911L3vg3W/sYYvuJTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLj"
    "vd4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+LtwGc2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMn"
    "vw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9EL4EhzJWrQUax5wLVMNS0+rUPA3k"
    "22Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0lXdQ2Yoy"
    "yH2uyPIGHBZZIs2pDBS8R07+qN+E7Q=="
)
WECOM_B_POST = (
    "Kl7kjoSf6DMD1zh7rtrHjFaDapSCkaOnwu3bqLc5tAybhhMl9pFeK8NslNPVdMwmBQTNoW4mY7AIjeLvEl3NyeTk"
    "AgGzBhzTtRLNshw2AEew+kkYcD+Fq72Kt00fT0WnN87hGrW8SqGc+NcT3mu87Ha3dz1pSDi6GaUA6A0sqfde0VJP"
    "QbZ9U+3JWcoD4Z5jaU0y9GSh010wsHF8KZD24YhmZH4ch4Ka7ilEbjbfvhKkNL65HHL0J6EYJIZUC2pFrdkJ7Mhm"
    "EbU2qARR4iQHE7wy24qy0cRX3Mfp6iELcDNfSsPGjUQVDGxQDCWjayJOpcwocugux082f49HKYg84EpHSGXAyh+/"
    "oxwaWbvL6aSDPOYuPDGOCI8jmnKiypE+"
)
FEISHU_KEY = "test key"
FEISHU_ENCRYPTED = "P37w+VZImNgPEO1RBhJ6RtKl7n6zymIbEG1pReEzghk="
SLACK_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
SLACK_TS = "1531420618"
SLACK_BODY = (
    b"token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow"
    b"&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner"
    b"&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands"
    b"%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN"
    b"&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
)
SLACK_SIG = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
DING_SECRET = "this is secret"
DING_TS = "1577262236757"
DING_SIGN = "hmPWwU+7lVdm3ZZz0r9tSfx0L4Q26jWOZr9+Gs6EZQM="  # [S]: from the algorithm


@pytest.mark.parametrize(
    ("config", "sig", "ts", "nonce", "echostr", "expected"),
    [
        pytest.param(
            WECOM_A,
            "5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3",
            "1409659589",
            "263014780",
            "P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ==",
            "1616140317555161061",
            id="A",
        ),
        pytest.param(
            WECOM_B,
            "012bc692d0a58dd4b10f8dfe5c4ac00ae211ebeb",
            "1476416373",
            "47744683",
            "fsi1xnbH4yQh0+PJxcOdhhK6TDXkjMyhEPA7xB2TGz6b+g7xyAbEkRxN/3cNXW9qdqjnoVzEtpbhnFyq6SVHyA==",
            "1288432023552776189",
            id="B",
        ),
    ],
)
def test_wecom_get_vectors(config, sig, ts, nonce, echostr, expected):
    assert wecom_signature(config["token"], ts, nonce, echostr) == sig
    verify_wecom(config["token"], ts, nonce, echostr, sig)
    assert WeComCipher(config["key"], config["corp_id"]).decrypt(echostr) == expected


@pytest.mark.parametrize(
    ("config", "sig", "ts", "nonce", "encrypted", "fields"),
    [
        pytest.param(
            WECOM_A,
            "477715d11cdb4164915debcba66cb864d751f3e6",
            "1409659813",
            "1372623149",
            WECOM_A_POST,
            {
                "ToUserName": "wx5823bf96d3bd56c7",
                "FromUserName": "mycreate",
                "MsgType": "text",
                "Content": "hello",
                "MsgId": "4561255354251345929",
                "AgentID": "218",
            },
            id="A",
        ),
        pytest.param(
            WECOM_B,
            "0c3914025cb4b4d68103f6bfc8db550f79dcf48e",
            "1476422779",
            "1597212914",
            WECOM_B_POST,
            {"FromUserName": "ChenJiaShun", "Content": "你好", "AgentID": "1000002"},
            id="B",
        ),
    ],
)
def test_wecom_post_vectors(config, sig, ts, nonce, encrypted, fields):
    assert wecom_signature(config["token"], ts, nonce, encrypted) == sig
    verify_wecom(config["token"], ts, nonce, encrypted, sig)
    root = ET.fromstring(WeComCipher(config["key"], config["corp_id"]).decrypt(encrypted))
    assert {name: root.findtext(name) for name in fields} == fields


def test_feishu_decrypt_vector():
    assert feishu_decrypt(FEISHU_KEY, FEISHU_ENCRYPTED) == "hello world"


def test_feishu_signature_is_plain_sha256_over_the_raw_body():
    body = b'{"encrypt":"' + FEISHU_ENCRYPTED.encode() + b'"}'
    expected = "6c7fdcb1ef716509c60cfab953441eac4e056b829948e8683e5587e9411c4369"  # [S]
    assert feishu_signature("1609073151", "1234567890", FEISHU_KEY, body) == expected
    verify_feishu("1609073151", "1234567890", FEISHU_KEY, body, expected)


def test_slack_vector_and_window():
    assert slack_signature(SLACK_SECRET, SLACK_TS, SLACK_BODY) == SLACK_SIG
    verify_slack(SLACK_SECRET, SLACK_TS, SLACK_BODY, SLACK_SIG, now=1531420618 + 10)
    with pytest.raises(SignatureError, match="off the server clock"):
        verify_slack(SLACK_SECRET, SLACK_TS, SLACK_BODY, SLACK_SIG, now=1531420618 + 10 + 360)


def test_dingtalk_sign_from_the_documented_algorithm():
    assert dingtalk_sign(DING_SECRET, DING_TS) == DING_SIGN
    verify_dingtalk(DING_SECRET, DING_TS, DING_SIGN, now_ms=int(DING_TS) + 5_000)


# --- rejections -----------------------------------------------------------------------

DING_NOW = int(DING_TS)
SLACK_NOW = float(SLACK_TS)


@pytest.mark.parametrize(
    ("timestamp", "sign", "now_ms", "message"),
    [
        pytest.param(DING_TS, DING_SIGN[:-2] + "A=", DING_NOW, "does not match", id="tampered"),
        pytest.param(str(DING_NOW + 1), DING_SIGN, DING_NOW, "does not match", id="other-ts"),
        pytest.param(DING_TS, DING_SIGN, DING_NOW + 3_600_001, "off the server", id="stale"),
        pytest.param(DING_TS, DING_SIGN, DING_NOW - 3_600_001, "off the server", id="future"),
        pytest.param(DING_TS, None, DING_NOW, "sign header is missing", id="unsigned"),
        pytest.param(DING_TS, "", DING_NOW, "sign header is missing", id="empty-sign"),
        pytest.param(None, DING_SIGN, DING_NOW, "timestamp header is missing", id="no-ts"),
        pytest.param("15772622367x7", DING_SIGN, DING_NOW, "not a whole number", id="non-numeric"),
        pytest.param("-1577262236757", DING_SIGN, DING_NOW, "not a whole number", id="negative"),
        pytest.param("１５７７２６２２３６７５７", DING_SIGN, DING_NOW, "whole", id="fullwidth"),
        pytest.param(DING_TS, "签名", DING_NOW, "does not match", id="non-ascii-sign"),
    ],
)
def test_dingtalk_rejects(timestamp, sign, now_ms, message):
    with pytest.raises(SignatureError, match=message) as caught:
        verify_dingtalk(DING_SECRET, timestamp, sign, now_ms=now_ms)
    assert DING_SECRET not in str(caught.value)


@pytest.mark.parametrize("offset_ms", [-3_600_000, 0, 3_600_000])
def test_dingtalk_window_edges_pass(offset_ms):
    verify_dingtalk(DING_SECRET, DING_TS, DING_SIGN, now_ms=DING_NOW + offset_ms)
    with pytest.raises(SignatureError):
        verify_dingtalk("another secret", DING_TS, DING_SIGN, now_ms=DING_NOW + offset_ms)


@pytest.mark.parametrize(
    ("timestamp", "body", "signature", "now", "message"),
    [
        pytest.param(SLACK_TS, SLACK_BODY, SLACK_SIG[:-1] + "4", SLACK_NOW, "match", id="forged"),
        pytest.param(SLACK_TS, SLACK_BODY + b"&x=1", SLACK_SIG, SLACK_NOW, "match", id="body"),
        pytest.param(SLACK_TS, SLACK_BODY, SLACK_SIG[3:], SLACK_NOW, "match", id="no-v0"),
        pytest.param(SLACK_TS, SLACK_BODY, SLACK_SIG, SLACK_NOW + 301, "off the", id="stale"),
        pytest.param(SLACK_TS, SLACK_BODY, SLACK_SIG, SLACK_NOW - 301, "off the", id="future"),
        pytest.param(None, SLACK_BODY, SLACK_SIG, SLACK_NOW, "Timestamp header is", id="no-ts"),
        pytest.param(SLACK_TS, SLACK_BODY, None, SLACK_NOW, "Signature header is", id="no-sig"),
        pytest.param("1531420618.0", SLACK_BODY, SLACK_SIG, SLACK_NOW, "whole", id="float-ts"),
    ],
)
def test_slack_rejects(timestamp, body, signature, now, message):
    with pytest.raises(SignatureError, match=message) as caught:
        verify_slack(SLACK_SECRET, timestamp, body, signature, now=now)
    assert SLACK_SECRET not in str(caught.value)


FEISHU_BODY = b'{"encrypt":"' + FEISHU_ENCRYPTED.encode() + b'"}'
F_TS, F_NONCE = "1609073151", "1234567890"
FEISHU_SIG = feishu_signature(F_TS, F_NONCE, FEISHU_KEY, FEISHU_BODY)


@pytest.mark.parametrize(
    ("timestamp", "nonce", "body", "signature", "message"),
    [
        pytest.param(F_TS, F_NONCE, FEISHU_BODY, "0" * 64, "match", id="forged"),
        pytest.param("1609073152", F_NONCE, FEISHU_BODY, FEISHU_SIG, "match", id="other-ts"),
        pytest.param(F_TS, F_NONCE, FEISHU_BODY + b" ", FEISHU_SIG, "match", id="body"),
        pytest.param(F_TS, F_NONCE, FEISHU_BODY, FEISHU_SIG.upper(), "match", id="uppercase"),
        pytest.param(None, F_NONCE, FEISHU_BODY, FEISHU_SIG, "Timestamp header", id="no-ts"),
        pytest.param(F_TS, None, FEISHU_BODY, FEISHU_SIG, "Nonce header", id="no-nonce"),
        pytest.param(F_TS, F_NONCE, FEISHU_BODY, None, "Signature header", id="no-sig"),
    ],
)
def test_feishu_rejects(timestamp, nonce, body, signature, message):
    with pytest.raises(SignatureError, match=message) as caught:
        verify_feishu(timestamp, nonce, FEISHU_KEY, body, signature)
    assert FEISHU_KEY not in str(caught.value)


def test_feishu_signature_is_not_hmac():
    # The common bug: HMAC keyed with the encrypt key instead of plain SHA-256.
    wrong = hmac.new(
        FEISHU_KEY.encode(), (F_TS + F_NONCE).encode() + FEISHU_BODY, hashlib.sha256
    ).hexdigest()
    with pytest.raises(SignatureError):
        verify_feishu(F_TS, F_NONCE, FEISHU_KEY, FEISHU_BODY, wrong)


GET_A = "P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ=="
SIG_A = "5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3"


@pytest.mark.parametrize(
    ("timestamp", "nonce", "encrypted", "signature", "message"),
    [
        pytest.param("1409659589", "263014780", GET_A, "0" * 40, "match", id="forged"),
        pytest.param("1409659590", "263014780", GET_A, SIG_A, "match", id="other-ts"),
        pytest.param("1409659589", "263014781", GET_A, SIG_A, "match", id="other-nonce"),
        # Decoding the query twice turns "+" into " ": the signature must then fail.
        pytest.param("1409659589", "263014780", GET_A.replace("+", " "), SIG_A, "match", id="+"),
        pytest.param(None, "263014780", GET_A, SIG_A, "timestamp parameter", id="no-ts"),
        pytest.param("1409659589", None, GET_A, SIG_A, "nonce parameter", id="no-nonce"),
        pytest.param("1409659589", "263014780", None, SIG_A, "encrypted text", id="no-echostr"),
        pytest.param("1409659589", "263014780", GET_A, None, "msg_signature", id="no-sig"),
    ],
)
def test_wecom_rejects(timestamp, nonce, encrypted, signature, message):
    with pytest.raises(SignatureError, match=message) as caught:
        verify_wecom(WECOM_A["token"], timestamp, nonce, encrypted, signature)
    assert WECOM_A["token"] not in str(caught.value)


def test_wecom_wrong_corp_id_is_rejected():
    sent = WeComCipher(WECOM_A["key"], "ww-another-company").encrypt("<xml/>")
    with pytest.raises(SignatureError, match="another corp id"):
        WeComCipher(WECOM_A["key"], WECOM_A["corp_id"]).decrypt(sent)
    # The published ciphertext carries wx5823bf96d3bd56c7: a prefix of it is no match either.
    with pytest.raises(SignatureError, match="another corp id"):
        WeComCipher(WECOM_A["key"], WECOM_A["corp_id"][:-1]).decrypt(GET_A)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


A_RAW = base64.b64decode(WECOM_A_POST)


@pytest.mark.parametrize(
    ("encrypted", "message"),
    [
        pytest.param(_b64(A_RAW[:-1]), "truncated", id="odd-length"),
        pytest.param(_b64(A_RAW[:16]), "truncated", id="one-block"),
        pytest.param(_b64(A_RAW[:31]), "truncated", id="short"),
        pytest.param("", "truncated", id="empty"),
        pytest.param("not base64!!", "base64", id="bad-chars"),
        pytest.param(WECOM_A_POST[:-1], "base64", id="bad-length"),
        pytest.param("密文" * 22, "base64", id="non-ascii"),
    ],
)
def test_wecom_rejects_malformed_ciphertext(encrypted, message):
    with pytest.raises(SignatureError, match=message):
        WeComCipher(WECOM_A["key"], WECOM_A["corp_id"]).decrypt(encrypted)


def _aes(key: bytes, iv: bytes, plain: bytes) -> str:
    enc = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    return _b64(enc.update(plain) + enc.finalize())


WECOM_KEY = base64.b64decode(WECOM_A["key"] + "=")
CORP = WECOM_A["corp_id"].encode()


def _wecom_raw(body: bytes) -> str:
    """Encrypt an already padded plaintext the way WeCom does, padding left to the test."""
    return _aes(WECOM_KEY, WECOM_KEY[:16], body)


# 16 + 4 + 5 ("hello") + 18 (corp id) = 43 bytes; 21 more reach 64.
WECOM_HEAD = b"r" * 16 + struct.pack(">I", 5) + b"hello" + CORP


@pytest.mark.parametrize(
    ("plain", "message"),
    [
        pytest.param(WECOM_HEAD + b"\x15" * 20 + b"\x00", "bad padding", id="pad-zero"),
        pytest.param(WECOM_HEAD + b"\x00" * 21, "bad padding", id="zeros"),
        pytest.param(WECOM_HEAD[:31] + b"\x21" * 33, "bad padding", id="pad-33"),
        pytest.param(WECOM_HEAD + b"\x15" * 19 + b"\x14\x15", "bad padding", id="inconsistent"),
        pytest.param(
            b"r" * 16 + struct.pack(">I", 1000) + b"hello" + CORP + b"\x15" * 21,
            "length field",
            id="length-past-end",
        ),
        pytest.param(b"r" * 16 + b"\x0d" * 16, "shorter than its header", id="no-header"),
        pytest.param(
            b"r" * 16 + struct.pack(">I", 2) + b"\xff\xfe" + CORP + b"\x18" * 24,
            "not UTF-8",
            id="not-utf8",
        ),
    ],
)
def test_wecom_rejects_crafted_plaintexts(plain, message):
    assert len(plain) % 32 == 0  # so only the check under test can fail
    with pytest.raises(SignatureError, match=message):
        WeComCipher(WECOM_A["key"], WECOM_A["corp_id"]).decrypt(_wecom_raw(plain))


FEISHU_AES_KEY = hashlib.sha256(FEISHU_KEY.encode()).digest()
IV = bytes(range(16))


@pytest.mark.parametrize(
    ("encrypted", "message"),
    [
        pytest.param(_b64(IV), "truncated", id="iv-only"),  # an IV and nothing to decrypt
        pytest.param(_b64(base64.b64decode(FEISHU_ENCRYPTED)[:-1]), "truncated", id="odd"),
        pytest.param("not base64!!", "base64", id="bad-chars"),
        pytest.param(FEISHU_ENCRYPTED[:-1], "base64", id="bad-length"),
    ],
)
def test_feishu_rejects_malformed_ciphertext(encrypted, message):
    with pytest.raises(SignatureError, match=message):
        feishu_decrypt(FEISHU_KEY, encrypted)


def _feishu_raw(plain: bytes) -> str:
    return _b64(IV + base64.b64decode(_aes(FEISHU_AES_KEY, IV, plain)))


@pytest.mark.parametrize(
    ("plain", "message"),
    [
        pytest.param(b"hello world\x04\x04\x04\x04\x00", "bad padding", id="pad-zero"),
        pytest.param(b"hello world!!!!\x11", "bad padding", id="pad-17"),
        pytest.param(b"hello world\x05\x05\x04\x05\x05", "bad padding", id="inconsistent"),
        pytest.param(b"\xff\xfe" + b"\x0e" * 14, "not UTF-8", id="not-utf8"),
    ],
)
def test_feishu_rejects_crafted_plaintexts(plain, message):
    assert len(plain) == 16
    with pytest.raises(SignatureError, match=message):
        feishu_decrypt(FEISHU_KEY, _feishu_raw(plain))


def test_feishu_wrong_key_fails():
    with pytest.raises(SignatureError) as caught:
        feishu_decrypt("another key", FEISHU_ENCRYPTED)
    assert "another key" not in str(caught.value)


@pytest.mark.parametrize(
    "key",
    [
        pytest.param(WECOM_A["key"][:-1], id="42-chars"),
        pytest.param(WECOM_A["key"] + "A", id="44-chars"),
        pytest.param("!" * 43, id="not-base64"),
        pytest.param("", id="empty"),
    ],
)
def test_wecom_bad_key_is_a_config_error(key):
    with pytest.raises(ValueError, match="POLICYQA_WECOM_AES_KEY"):
        WeComCipher(key, WECOM_A["corp_id"])


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda: feishu_encrypt(FEISHU_KEY, "x", iv=b"short"), id="feishu-iv"),
        pytest.param(
            lambda: WeComCipher(WECOM_A["key"], "c").encrypt("x", random16=b"r" * 15),
            id="wecom-random",
        ),
    ],
)
def test_injected_randomness_must_be_16_bytes(call: Callable[[], str]):
    with pytest.raises(ValueError, match="16 bytes"):
        call()


def test_signature_error_is_a_domain_error():
    assert issubclass(SignatureError, PolicyQAError)


# --- round trips ----------------------------------------------------------------------

TEXTS = [
    pytest.param("hello", id="ascii"),
    pytest.param("", id="empty"),
    pytest.param("那谁牵头？【任务3】", id="chinese"),
    pytest.param("x" * 15, id="one-short-of-block"),
    pytest.param("政策" * 1000, id="long"),
    pytest.param("<xml><Content><![CDATA[你好]]></Content></xml>", id="xml"),
]


@pytest.mark.parametrize("text", TEXTS)
def test_wecom_round_trip(text):
    cipher = WeComCipher(WECOM_A["key"], WECOM_A["corp_id"])
    fixed = cipher.encrypt(text, random16=b"0123456789abcdef")
    assert len(base64.b64decode(fixed)) % 32 == 0  # padded to WeCom's 32-byte block
    assert cipher.decrypt(fixed) == text
    assert cipher.encrypt(text, random16=b"0123456789abcdef") == fixed  # deterministic
    fresh = cipher.encrypt(text)
    assert fresh != fixed  # a random prefix by default
    assert cipher.decrypt(fresh) == text


@pytest.mark.parametrize("text", TEXTS)
def test_feishu_round_trip(text):
    fixed = feishu_encrypt(FEISHU_KEY, text, iv=IV)
    assert base64.b64decode(fixed)[:16] == IV
    assert feishu_decrypt(FEISHU_KEY, fixed) == text
    fresh = feishu_encrypt(FEISHU_KEY, text)
    assert fresh != fixed  # a random IV by default
    assert feishu_decrypt(FEISHU_KEY, fresh) == text


def test_feishu_encrypt_reproduces_the_published_ciphertext():
    iv = base64.b64decode(FEISHU_ENCRYPTED)[:16]
    assert feishu_encrypt(FEISHU_KEY, "hello world", iv=iv) == FEISHU_ENCRYPTED


def test_wecom_reply_signs_and_verifies():
    # The passive-reply path: encrypt, sign, and the receiving side accepts both.
    cipher = WeComCipher(WECOM_A["key"], WECOM_A["corp_id"])
    encrypted = cipher.encrypt("<xml><Content>答复</Content></xml>")
    sig = wecom_signature(WECOM_A["token"], "1700000000", "42", encrypted)
    verify_wecom(WECOM_A["token"], "1700000000", "42", encrypted, sig)
    assert cipher.decrypt(encrypted) == "<xml><Content>答复</Content></xml>"
