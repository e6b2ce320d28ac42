"""Content Credentials (C2PA) on exported pictures, read back with the C2PA project's own reader, and
read from uploads that arrive with them. On SQLite and PostgreSQL, through the real app."""

from __future__ import annotations

import datetime
import io
import json
import stat

import c2pa
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from boards_desktop.media import store_media
from boards_desktop.media.content_credentials import AI_SOURCE_TYPE, PROVENANCE_ASSERTION
from tests.app_harness import AppClient, running_app
from tests.conftest import ENGINES_AND_BACKENDS
from tests.graphql.helpers import create_board, create_generation
from tests.jobs.support import new_board, queue, wait_for
from tests.media.samples import image_bytes
from tests.media.support import finish
from tests.metadata.support import pixels, png_texts, stored_path, xmp_fields, zip_entries
from tests.uploads.support import upload

GENERATION = "query($id: UUID!) { generation(id: $id) { outputMetadata } }"


def manifest(data: bytes, mime: str) -> tuple[dict, str, list[str]]:
    """The active manifest, the validation state and the problems c2pa's reader reports."""
    reader = c2pa.Reader(mime, io.BytesIO(data))
    report = json.loads(reader.json())
    state = str(reader.get_validation_state())
    reader.close()
    problems = [item["code"] for item in report.get("validation_status", [])]
    return report["manifests"][report["active_manifest"]], state, problems


def created_action(active: dict) -> dict:
    actions = next(a for a in active["assertions"] if a["label"].startswith("c2pa.actions"))["data"]["actions"]
    return next(action for action in actions if action["action"] == "c2pa.created")


async def test_an_exported_result_says_an_ai_made_it_with_what_and_from_which_parents(database_url, tmp_path):
    data_dir = tmp_path / "data"
    async with running_app(database_url, data_dir) as client:
        board = await new_board(client, "Signed")
        card = await queue(client, board, "local-title-card", {"prompt": "Signed, sealed", "width": 320, "height": 200})
        card = await wait_for(client, card["id"], timeout=60)
        resized = await queue(
            client, board, "local-image-resize", {"image": card["id"], "mode": "longest_side", "size": 160}
        )
        resized = await wait_for(client, resized["id"], timeout=60)
        original = stored_path(client, resized["storageUrl"]).read_bytes()

        exported = (await client.http.get(resized["storageUrl"], params={"download": "true"})).content
        active, state, problems = manifest(exported, "image/png")
        assert state == "Valid"  # the signature and every hash hold
        assert problems == ["signingCredential.untrusted"]  # the installation's own key: no public CA vouches for it
        assert active["signature_info"]["common_name"] == "Boards Desktop on this computer"
        assert active["claim_generator_info"][0]["name"] == "Boards Desktop"
        created = created_action(active)
        assert created["digitalSourceType"] == AI_SOURCE_TYPE
        assert created["softwareAgent"]["name"] == "local-image-resize"
        assert [i["instance_id"] for i in active["ingredients"]] == [f"urn:boards-desktop:generation:{card['id']}"]
        assert active["ingredients"][0]["relationship"] == "inputTo"
        ours = next(a for a in active["assertions"] if a["label"] == PROVENANCE_ASSERTION)["data"]
        assert (
            ours["generation_id"] == resized["id"] and ours["parents"][0]["sha256"] == card["outputMetadata"]["sha256"]
        )
        # The WebUI's parameters and our JSON are still there, the pixels are the stored ones.
        assert set(png_texts(exported)) >= {"parameters", "boards_provenance"}
        assert pixels(exported) == pixels(original)
        assert stored_path(client, resized["storageUrl"]).read_bytes() == original

        # The zip export signs too.
        archive = await client.http.get("/api/exports/zip", params={"ids": resized["id"]})
        (entry,) = zip_entries(archive.content).values()
        assert manifest(entry, "image/png")[1] == "Valid"

        # The installation's key was made once, readable by its owner only.
        folder = data_dir / "content-credentials"
        assert sorted(p.name for p in folder.iterdir()) == ["signing-chain.pem", "signing-key.pem"]
        assert stat.S_IMODE((folder / "signing-key.pem").stat().st_mode) == 0o600

        # An upload of the signed file shows who signed it and with what it was made.
        body = (await upload(client, board, exported, filename="signed.png")).json()
        metadata = (await client.data(GENERATION, {"id": body["id"]}))["generation"]["outputMetadata"]
        assert metadata["content_credentials"] == {
            "signed_by": "Boards Desktop on this computer",
            "issuer": "Boards Desktop",
            "claim_generator": "Boards Desktop",
            "state": "Valid",
            "problems": ["signingCredential.untrusted"],
            "ai_generated": True,
            "made_with": "local-image-resize",
        }
        # Uploads are not signed on the way out (nothing says an AI made them): the file leaves with the
        # credentials and the provenance it came with, as they were.
        again = (await client.http.get(body["storageUrl"], params={"download": "true"})).content
        assert manifest(again, "image/png")[0]["label"] == active["label"]
        assert json.loads(png_texts(again)["boards_provenance"])["generation_id"] == resized["id"]


@ENGINES_AND_BACKENDS
async def test_a_jpeg_is_signed_and_keeps_its_xmp(client: AppClient) -> None:
    """Also with media in a bucket; the first export of an installation signs every file it holds
    (its files are planned in several threads, which must share the one key made for them)."""
    board = await create_board(client, "Photos")
    generations = []
    for index in range(4):
        generation = await create_generation(client, board, {"prompt": f"a wet street at night #{index}"})
        stored = await store_media(
            client.services.media,
            board_id=board,
            generation_id=generation["id"],
            source=image_bytes("JPEG"),
            artifact_type="image",
        )
        await finish(client, generation["id"], stored)
        generations.append((generation["id"], stored))
    ids = ",".join(generation_id for generation_id, _stored in generations)
    archive = await client.http.get("/api/exports/zip", params={"ids": ids})
    assert archive.status_code == 200, archive.text
    entries = zip_entries(archive.content)
    assert len(entries) == 4
    for data in entries.values():
        active, state, problems = manifest(data, "image/jpeg")
        assert state == "Valid" and created_action(active)["softwareAgent"]["name"] == "test-generator"
        assert problems == ["signingCredential.untrusted"]  # the local CA; the signature itself holds

    generation_id, stored = generations[0]
    exported = (await client.http.get(stored.storage_url, params={"download": "true"})).content
    active, state, _problems = manifest(exported, "image/jpeg")
    assert state == "Valid" and created_action(active)["softwareAgent"]["name"] == "test-generator"
    assert xmp_fields(exported)["provenance"]["generation_id"] == generation_id


def _own_certificate(folder, name: str) -> tuple:
    now = datetime.datetime.now(datetime.UTC)
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"{name} CA")])
    no = dict.fromkeys(
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

    def certificate(subject, public_key, ca: bool):
        builder = (
            x509.CertificateBuilder().subject_name(subject).issuer_name(ca_name).public_key(public_key)
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=0 if ca else None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=not ca, key_cert_sign=ca, crl_sign=ca, **no), critical=True)
        )  # fmt: skip
        builder = builder.add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        if not ca:
            builder = builder.add_extension(
                x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False
            )
            builder = builder.add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
            )
        return builder.sign(ca_key, hashes.SHA256())

    ca = certificate(ca_name, ca_key.public_key(), True)
    leaf = certificate(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)]), key.public_key(), False)
    chain, private = folder / "mine.pem", folder / "mine.key"
    chain.write_bytes(leaf.public_bytes(serialization.Encoding.PEM) + ca.public_bytes(serialization.Encoding.PEM))
    private.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return chain, private


async def test_an_artist_signs_with_their_own_certificate_and_a_broken_one_only_turns_signing_off(tmp_path) -> None:
    chain, key = _own_certificate(tmp_path, "Ada's Studio")
    url = f"sqlite+aiosqlite:///{tmp_path / 'own.db'}"
    async with running_app(url, tmp_path / "own", BOARDS_C2PA_CERT=str(chain), BOARDS_C2PA_KEY=str(key)) as client:
        exported = await _exported_picture(client)
        active, state, _problems = manifest(exported, "image/png")
        assert state == "Valid" and active["signature_info"]["common_name"] == "Ada's Studio"
        assert not (tmp_path / "own" / "content-credentials").exists()  # no key of the installation's was made

    # A certificate that does not fit its key (the CA's alone): C2PA will not sign, the file leaves unsigned.
    ca_only = tmp_path / "ca-only.pem"
    ca_only.write_bytes(b"-----BEGIN CERTIFICATE-----" + chain.read_bytes().split(b"-----BEGIN CERTIFICATE-----")[2])
    url = f"sqlite+aiosqlite:///{tmp_path / 'mismatch.db'}"
    async with running_app(
        url, tmp_path / "mismatch", BOARDS_C2PA_CERT=str(ca_only), BOARDS_C2PA_KEY=str(key)
    ) as client:
        exported = await _exported_picture(client)
        assert "parameters" in png_texts(exported)
        try:
            manifest(exported, "image/png")
        except c2pa.C2paError:
            pass
        else:
            raise AssertionError("a certificate that does not fit its key must not sign")

    url = f"sqlite+aiosqlite:///{tmp_path / 'broken.db'}"
    async with running_app(
        url, tmp_path / "broken", BOARDS_C2PA_CERT=str(chain), BOARDS_C2PA_KEY=str(tmp_path / "gone.key")
    ) as client:
        exported = await _exported_picture(client)
        assert "parameters" in png_texts(exported)  # exported all the same, with its metadata, unsigned
        try:
            manifest(exported, "image/png")
        except c2pa.C2paError:
            pass
        else:
            raise AssertionError("a broken certificate setting must not sign")


async def _exported_picture(client: AppClient) -> bytes:
    board = await create_board(client, "Mine")
    generation = await create_generation(client, board, {"prompt": "my own"})
    stored = await store_media(
        client.services.media,
        board_id=board,
        generation_id=generation["id"],
        source=image_bytes("PNG"),
        artifact_type="image",
    )
    await finish(client, generation["id"], stored)
    response = await client.http.get(stored.storage_url, params={"download": "true"})
    assert response.status_code == 200
    return response.content
