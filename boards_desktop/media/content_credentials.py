"""Content Credentials (C2PA) on exported pictures, video and audio, and reading those that arrive with uploads.

An exported generation is signed with a manifest (the C2PA project's own library, `c2pa-python`)
that says it was made by an AI model (the `c2pa.created` action with the IPTC digital source type
`trainedAlgorithmicMedia`), with which generator and model (the action's softwareAgent and
parameters), and from what: each parent generation is an ingredient (`inputTo`), with its id and
content hash. Our provenance document rides along as an assertion of its own
(`app.boards-desktop.provenance`). The same manifest goes on PNG, JPEG, WebP, MP4, MOV, M4A, WAV,
MP3 and FLAC (the C2PA library writes it where each format keeps it: a `uuid` box in MP4/MOV, a
RIFF chunk in WAV, an ID3 `GEOB` frame in MP3).

The key: each installation makes its own on first use, an ES256 key with a certificate issued by a
local CA made alongside (C2PA refuses a self-signed signing certificate), kept in
`<data dir>/content-credentials/` readable by the owner only, as the API token is. Validators show
such a signature as valid but its signer as untrusted (no public CA vouches for it). An artist with a
certificate of their own points `BOARDS_C2PA_CERT` (a PEM chain, signer first) and `BOARDS_C2PA_KEY`
(its PEM private key) at it. The manifest's thumbnail is left out: it would add 20 KB and hundreds
of milliseconds to a picture that is its own thumbnail.

Uploads: a file that arrives with credentials is read and validated; who signed it, with what it
was made, and whether the signature holds are kept in outputMetadata.content_credentials.
"""

from __future__ import annotations

import datetime
import functools
import io
import json
import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from boards_desktop import __version__
from boards_desktop.media.provenance import APP_NAME, Provenance

log = logging.getLogger("boards.media")

AI_SOURCE_TYPE = "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"
PROVENANCE_ASSERTION = "app.boards-desktop.provenance"
# What c2pa-python signs and reads of the formats the app stores (`Builder.get_supported_mime_types()`):
# WebM and Ogg are not among them and leave with no credentials; GIF is, but is not signed here yet.
MIME_TYPES = {
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "webp": "image/webp",
    "mp4": "video/mp4",
    "mov": "video/quicktime",
    "m4a": "audio/mp4",
    "wav": "audio/wav",
    "mp3": "audio/mpeg",
    "flac": "audio/flac",
}
# Signed one file at a time (c2pa hashes the whole file, about 15 ms a MB): a film over this leaves
# with its metadata only rather than keep a download waiting for minutes.
MAX_SIGNED_BYTES = 1024 * 1024 * 1024
_FOLDER = "content-credentials"
_CHAIN_FILE = "signing-chain.pem"
_KEY_FILE = "signing-key.pem"
_VALID_YEARS = 10


class CredentialsError(RuntimeError):
    """The signing key or certificate cannot be used; the message says which file and why."""


@dataclass(frozen=True)
class SigningIdentity:
    chain_pem: bytes  # the signer's certificate first, then its issuers
    key_pem: bytes
    own: bool  # the artist's certificate (True) or the installation's (False)


def load_identity(data_dir: Path, certificate: Path | None = None, key: Path | None = None) -> SigningIdentity:
    """The artist's certificate when both files are given, else the installation's, made once."""
    if certificate is not None or key is not None:
        if certificate is None or key is None:
            raise CredentialsError(
                "set both BOARDS_C2PA_CERT (the PEM certificate chain) and BOARDS_C2PA_KEY (its key)"
            )
        try:
            return SigningIdentity(certificate.read_bytes(), key.read_bytes(), own=True)
        except OSError as exc:
            raise CredentialsError(
                f"cannot read {exc.filename}: {exc.strerror}; check BOARDS_C2PA_CERT and BOARDS_C2PA_KEY"
            ) from None
    folder = data_dir / _FOLDER
    chain, private = folder / _CHAIN_FILE, folder / _KEY_FILE
    if not (chain.is_file() and private.is_file()):
        _make_identity(folder)
    return SigningIdentity(chain.read_bytes(), private.read_bytes(), own=False)


def _make_identity(folder: Path) -> None:
    """A local CA and an ES256 signing certificate it issues, written key first, each file whole or not at all."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = datetime.datetime.now(datetime.UTC)
    until = now + datetime.timedelta(days=365 * _VALID_YEARS)
    organisation = x509.NameAttribute(NameOID.ORGANIZATION_NAME, APP_NAME)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"{APP_NAME} local CA"), organisation])
    usage = dict.fromkeys(
        (
            "content_commitment",
            "key_encipherment",
            "data_encipherment",
            "key_agreement",
            "encipher_only",
            "decipher_only",
        ),
        False,
    )
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(until)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(digital_signature=False, key_cert_sign=True, crl_sign=True, **usage), critical=True
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"{APP_NAME} on this computer"), organisation])
    leaf = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(until)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(digital_signature=True, key_cert_sign=False, crl_sign=False, **usage), critical=True
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    pem = serialization.Encoding.PEM
    key_pem = key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    _write_private(folder / _KEY_FILE, key_pem)
    _write_private(folder / _CHAIN_FILE, leaf.public_bytes(pem) + ca.public_bytes(pem))
    # The CA's key is not kept: it has issued the one certificate it ever will.


def _write_private(path: Path, data: bytes) -> None:
    part = path.with_name(f".{path.name}.part")
    fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())
    os.replace(part, path)


class CredentialSigner:
    """Signs exported files with one identity. Thread-safe: exports sign from worker threads."""

    def __init__(self, identity: SigningIdentity) -> None:
        import c2pa

        self._c2pa = c2pa
        self._identity = identity
        self._lock = threading.Lock()
        settings = c2pa.Settings.from_dict({"builder": {"thumbnail": {"enabled": False}}})
        self._context = c2pa.Context(settings)
        self._signer = self._new_signer()  # made now: a key that does not fit its certificate is said at once

    def _new_signer(self) -> Any:
        info = self._c2pa.C2paSignerInfo(
            self._c2pa.C2paSigningAlg.ES256, self._identity.chain_pem, self._identity.key_pem, None
        )
        try:
            return self._c2pa.Signer.from_info(info)
        except self._c2pa.C2paError as exc:
            raise CredentialsError(f"the signing certificate or key cannot be used: {exc}") from None

    def sign(self, data: bytes, file_format: str, provenance: Provenance, title: str) -> bytes | None:
        """`data` with a signed manifest, or None for a format C2PA cannot carry here."""
        mime = MIME_TYPES.get(file_format.lower())
        if mime is None or len(data) > MAX_SIGNED_BYTES:
            return None
        out = io.BytesIO()
        if not self._sign_stream(mime, io.BytesIO(data), out, provenance, title):
            return None
        return out.getvalue()

    def sign_file(self, source: Path, dest: Path, file_format: str, provenance: Provenance, title: str) -> bool:
        """The file at `source` signed into `dest`, read and written as streams (a video too large to hold
        in memory); False for a format C2PA cannot carry here, or when it could not be signed."""
        mime = MIME_TYPES.get(file_format.lower())
        if mime is None or source.stat().st_size > MAX_SIGNED_BYTES:
            return False
        with source.open("rb") as reading, dest.open("w+b") as writing:
            return self._sign_stream(mime, reading, writing, provenance, title)

    def _sign_stream(self, mime: str, source: Any, dest: Any, provenance: Provenance, title: str) -> bool:
        builder = self._c2pa.Builder(manifest_of(provenance, title), self._context)
        try:
            with self._lock:  # one signer, used by one thread at a time
                builder.sign(self._signer, mime, source, dest)
        except self._c2pa.C2paError as exc:
            # A certificate C2PA will not sign with (the artist's own, say), or a file that is not the
            # format its name says: it leaves unsigned rather than not at all, and the log says why.
            log.warning("Content Credentials: %s was exported unsigned: %s", title, exc)
            return False
        finally:
            builder.close()
        return True


def manifest_of(provenance: Provenance, title: str) -> dict[str, Any]:
    document = provenance.document
    raw_inputs = document.get("inputs")
    inputs: dict[str, Any] = raw_inputs if isinstance(raw_inputs, dict) else {}
    parameters: dict[str, Any] = {"boards.generator": document.get("generator")}
    for key in ("prompt", "model"):
        if isinstance(inputs.get(key), str):
            parameters[f"boards.{key}"] = inputs[key][:2000]
    return {
        "claim_generator_info": [{"name": APP_NAME, "version": __version__}],
        "title": title,
        "assertions": [
            {
                "label": "c2pa.actions.v2",
                "data": {
                    "actions": [
                        {
                            "action": "c2pa.created",
                            "digitalSourceType": AI_SOURCE_TYPE,
                            "softwareAgent": {"name": str(document.get("generator"))},
                            "parameters": parameters,
                        }
                    ]
                },
            },
            {"label": PROVENANCE_ASSERTION, "data": document},
        ],
        "ingredients": [
            {
                "title": f"generation {parent['generation_id']}",
                "format": "application/octet-stream",
                "relationship": "inputTo",
                "instance_id": f"urn:boards-desktop:generation:{parent['generation_id']}",
                "metadata": {"boards": {"role": parent.get("role"), "sha256": parent.get("sha256")}},
            }
            for parent in document.get("parents", [])
        ],
    }


_SIGNER_LOCK = threading.Lock()


def signer_for(data_dir: Path, certificate: Path | None, key: Path | None) -> CredentialSigner | None:
    """The installation's signer (made once per process); None when credentials cannot be made here."""
    # One thread makes the installation's key and certificate while the others wait for it: exports
    # plan their files in several threads, and two threads making them at once could leave one's
    # certificate beside the other's key, which no signature would ever match.
    with _SIGNER_LOCK:
        return _signer_for(data_dir, certificate, key)


@functools.lru_cache(maxsize=4)
def _signer_for(data_dir: Path, certificate: Path | None, key: Path | None) -> CredentialSigner | None:
    try:
        return CredentialSigner(load_identity(data_dir, certificate, key))
    except ImportError:
        log.warning("Content Credentials are off: the c2pa-python package is not installed")
    except (CredentialsError, OSError) as exc:
        log.warning("Content Credentials are off: %s", exc)
    return None


def read_credentials(path: Path, file_format: str) -> dict[str, Any] | None:
    """Who signed the credentials a file carries, what made it, and whether they hold; None without any."""
    mime = MIME_TYPES.get(file_format.lower())
    if mime is None:
        return None
    try:
        import c2pa
    except ImportError:
        return None
    try:
        with path.open("rb") as stream:
            reader = c2pa.Reader(mime, stream)
            report = json.loads(reader.json())
            state = reader.get_validation_state()
            reader.close()
    except Exception:  # noqa: BLE001 - no manifest, or one the library cannot read: both mean no credentials
        return None
    manifest = report.get("manifests", {}).get(report.get("active_manifest", ""), {})
    if not isinstance(manifest, dict):
        return None
    signature = manifest.get("signature_info") or {}
    generator = (manifest.get("claim_generator_info") or [{}])[0]
    found: dict[str, Any] = {
        "signed_by": signature.get("common_name") or signature.get("issuer"),
        "issuer": signature.get("issuer"),
        "claim_generator": generator.get("name") if isinstance(generator, dict) else None,
        "state": str(state),  # Valid, Trusted or Invalid
        "problems": sorted(
            {item.get("code") for item in report.get("validation_status", []) if isinstance(item, dict)}
        ),
    }
    for assertion in manifest.get("assertions", []):
        if not isinstance(assertion, dict) or not str(assertion.get("label", "")).startswith("c2pa.actions"):
            continue
        for action in (assertion.get("data") or {}).get("actions", []):
            if isinstance(action, dict) and action.get("action") == "c2pa.created":
                found["ai_generated"] = action.get("digitalSourceType") == AI_SOURCE_TYPE
                agent = action.get("softwareAgent")
                found["made_with"] = agent.get("name") if isinstance(agent, dict) else agent
    return {key: value for key, value in found.items() if value not in (None, [], "")}
