"""An Apple Wallet store card (.pkpass): pass.json, images, manifest.json, a detached signature.

Data in, bytes out: the pass's JSON (app.domain.mobile_wallet.pass_json), the owner's Pass
Type ID certificate and key and Apple's WWDR intermediate (PEM). The manifest lists the SHA-1
of every file; `signature` is a detached PKCS#7 (DER) of the manifest by the pass certificate,
the intermediate included, as Wallet requires.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from dataclasses import dataclass
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import Encoding, load_pem_private_key, pkcs7
from PIL import Image, ImageDraw

# Apple's sizes in points; @2x is twice. The icon shows in notifications, the logo on the card.
ICON = (29, 29)
LOGO = (160, 50)


class SigningMaterialInvalid(ValueError):
    """The certificate, its key or the intermediate is not usable PEM (or they do not match)."""


@dataclass(frozen=True)
class Signer:
    certificate: x509.Certificate
    key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
    intermediate: x509.Certificate

    @classmethod
    def from_pem(
        cls, certificate: bytes, key: bytes, intermediate: bytes, password: bytes | None = None
    ) -> Signer:
        try:
            cert = x509.load_pem_x509_certificate(certificate)
            wwdr = x509.load_pem_x509_certificate(intermediate)
            private = load_pem_private_key(key, password=password)
        except (ValueError, TypeError) as exc:
            raise SigningMaterialInvalid(str(exc)) from exc
        if not isinstance(private, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
            raise SigningMaterialInvalid("the key is neither RSA nor EC")
        if private.public_key().public_numbers() != cert.public_key().public_numbers():  # type: ignore[union-attr]
            raise SigningMaterialInvalid("the key is not the certificate's")
        return cls(cert, private, wwdr)


def images(colour: str, logo_path: str | None, initial: str) -> dict[str, bytes]:
    """icon.png and logo.png with their @2x: the owner's logo fitted in, else a coloured tile
    with the store's first letter."""
    found: dict[str, bytes] = {}
    for name, size in (("icon", ICON), ("logo", LOGO)):
        for scale, suffix in ((1, ""), (2, "@2x")):
            found[f"{name}{suffix}.png"] = _image(
                (size[0] * scale, size[1] * scale),
                colour,
                logo_path,
                initial,
                square=name == "icon",
            )
    return found


def _image(
    size: tuple[int, int], colour: str, logo_path: str | None, initial: str, *, square: bool
) -> bytes:
    canvas = Image.new("RGBA", size, (0, 0, 0, 0) if not square else colour)
    if logo_path:
        with Image.open(logo_path) as source:
            logo = source.convert("RGBA")
            logo.thumbnail(size)
            canvas.paste(logo, ((size[0] - logo.width) // 2, (size[1] - logo.height) // 2), logo)
    elif square:  # the store's first letter, centred, in the Korean font of the slips
        from app.printing.fonts import pil_font

        draw = ImageDraw.Draw(canvas)
        font = pil_font(int(size[1] * 0.62), bold=True)
        centre = (size[0] / 2, size[1] / 2)
        draw.text(centre, initial[:1], fill="white", font=font, anchor="mm")
    out = io.BytesIO()
    canvas.save(out, format="PNG")
    return out.getvalue()


def manifest(files: dict[str, bytes]) -> bytes:
    return json.dumps(
        {
            name: hashlib.sha1(data).hexdigest() for name, data in sorted(files.items())
        },  # Apple's manifest is SHA-1
        indent=2,
    ).encode()


def sign(data: bytes, signer: Signer) -> bytes:
    """A detached PKCS#7 signature (DER) of `data`, the intermediate included."""
    return (
        pkcs7.PKCS7SignatureBuilder()
        .set_data(data)
        .add_signer(signer.certificate, signer.key, hashes.SHA256())
        .add_certificate(signer.intermediate)
        .sign(Encoding.DER, [pkcs7.PKCS7Options.DetachedSignature, pkcs7.PKCS7Options.Binary])
    )


def build_pkpass(pass_data: dict[str, Any], files: dict[str, bytes], signer: Signer) -> bytes:
    """The .pkpass (a zip): pass.json, the images, manifest.json and signature."""
    contents = {"pass.json": json.dumps(pass_data, ensure_ascii=False, indent=2).encode(), **files}
    listed = manifest(contents)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in contents.items():
            archive.writestr(name, data)
        archive.writestr("manifest.json", listed)
        archive.writestr("signature", sign(listed, signer))
    return out.getvalue()
