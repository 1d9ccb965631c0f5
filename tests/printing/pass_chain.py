"""A certificate chain like Apple's for the tests: a root, an intermediate (as WWDR) and a
Pass Type ID certificate with its key (PEM), made once per run."""

from __future__ import annotations

import functools
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

PASS_TYPE_ID = "pass.kr.dangol.cafe"


def _cert(
    subject: str,
    key: rsa.RSAPrivateKey,
    issuer: tuple[x509.Certificate, rsa.RSAPrivateKey] | None,
    *,
    ca: bool,
) -> x509.Certificate:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)])
    now = datetime.now(UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(issuer[0].subject if issuer else name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if ca:
        builder = builder.add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False),
            critical=True,
        )
    return builder.sign(issuer[1] if issuer else key, hashes.SHA256())


@functools.cache
def pass_chain() -> dict[str, bytes]:
    """A root (Apple's, as far as the test knows), an intermediate (WWDR), a Pass Type ID."""
    keys = [rsa.generate_private_key(public_exponent=65537, key_size=2048) for _ in range(3)]
    root = _cert("Test Root CA", keys[0], None, ca=True)
    wwdr = _cert("Test WWDR Intermediate", keys[1], (root, keys[0]), ca=True)
    leaf = _cert(f"Pass Type ID: {PASS_TYPE_ID}", keys[2], (wwdr, keys[1]), ca=False)
    pem = serialization.Encoding.PEM
    files = {
        "root": root.public_bytes(pem),
        "wwdr": wwdr.public_bytes(pem),
        "cert": leaf.public_bytes(pem),
        "key": keys[2].private_bytes(
            pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ),
    }
    return files
