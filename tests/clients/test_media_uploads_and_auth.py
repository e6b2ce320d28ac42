"""What surrounds GraphQL, as upstream's hooks meet it: media URLs that tags load, uploads, errors, auth."""

from __future__ import annotations

import time
import uuid
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import httpx
import pytest

from tests.app_harness import AppClient, running_app
from tests.clients.upstream_client import InvalidUrl, UploadFailed, UpstreamClient, new_url
from tests.graphql.helpers import create_board
from tests.uploads.samples import mp4_bytes, png_bytes


async def test_media_urls_are_absolute_signed_and_load_without_a_header(
    upstream: UpstreamClient, client: AppClient, api_url: str
) -> None:
    board = await create_board(client, "Media")
    content = png_bytes((120, 80))
    uploaded = await upstream.upload(board, "image", "harbour.png", content, "image/png")
    url = uploaded["storageUrl"]
    parts = new_url(url)  # the reference app's `new URL(storageUrl)` no longer throws
    assert f"{parts.scheme}://{parts.netloc}" == api_url
    assert set(parse_qs(parts.query)) == {"expires", "user", "signature"}
    assert parse_qs(parts.query)["user"] == [str(client.services.actor.user_id)]  # issued to the one who asked
    with pytest.raises(InvalidUrl):
        new_url(parts.path)  # what it was given before: a relative URL

    image = await upstream.load_media(url)
    assert image.status_code == 200 and image.content == content
    assert (await upstream.load_media(uploaded["thumbnailUrl"])).headers["content-type"] == "image/webp"
    part = await upstream.load_media(url, headers={"Range": "bytes=0-9"})
    assert part.status_code == 206 and part.content == content[:10]
    saved = await upstream.load_media(upstream.download_url(url, "my harbour.png"))
    assert saved.status_code == 200 and 'filename="my harbour.png"' in saved.headers["content-disposition"]

    # The page asks the API again and gets the same URL: browsers cache media by URL.
    again = await client.data("query($id: UUID!) { generation(id: $id) { storageUrl } }", {"id": uploaded["id"]})
    assert urlsplit(again["generation"]["storageUrl"]).path == parts.path


async def test_a_bad_or_expired_signature_is_a_404_and_opens_nothing_else(
    upstream: UpstreamClient, client: AppClient, api_url: str
) -> None:
    board = await create_board(client, "Signed")
    first = await upstream.upload(board, "image", "a.png", png_bytes(), "image/png")
    second = await upstream.upload(board, "image", "b.png", png_bytes((10, 10)), "image/png")
    first_url, second_url = urlsplit(first["storageUrl"]), urlsplit(second["storageUrl"])
    signer = client.services.security.media_signer
    expired = signer.query(unquote(first_url.path), 60, user=str(client.services.actor.user_id), now=time.time() - 7200)
    tampered = first_url.query[:-1] + ("A" if first_url.query[-1] != "A" else "B")
    bare = httpx.AsyncClient(base_url=api_url)
    async with bare:
        for path, query in [
            (first_url.path, tampered),
            (first_url.path, expired),
            (second_url.path, first_url.query),  # one file's signature does not open another
            (first_url.path, "expires=99999999999&signature=" + parse_qs(first_url.query)["signature"][0]),
            # The signature binds the user: the same URL claiming another user opens nothing.
            (first_url.path, first_url.query.replace(str(client.services.actor.user_id), str(uuid.uuid4()))),
        ]:
            refused = await bare.get(f"{path}?{query}")
            assert refused.status_code == 404, (path, query, refused.text)
            assert "expired or is not valid" in refused.json()["detail"]
        # Without a signature the token is needed, as before; a signature opens no other route or method.
        assert (await bare.get(first_url.path)).status_code == 401
        assert (await bare.post(f"/graphql?{first_url.query}", json={"query": "{ me { id } }"})).status_code == 401
        assert (await bare.delete(f"{first_url.path}?{first_url.query}")).status_code == 401


async def test_uploads_answer_200_and_failures_show_the_servers_detail(
    upstream: UpstreamClient, client: AppClient
) -> None:
    board = await create_board(client, "Uploads")
    clip = await upstream.upload(board, "video", "clip.mp4", mp4_bytes(), "video/mp4", user_description="waves")
    assert clip["artifactType"] == "video" and clip["status"] == "completed"
    assert (await upstream.load_media(clip["storageUrl"])).headers["content-type"] == "video/mp4"

    with pytest.raises(UploadFailed) as wrong_type:
        await upstream.upload(board, "image", "clip.mp4", mp4_bytes(), "video/mp4")
    assert "video" in str(wrong_type.value) and "Upload failed" not in str(wrong_type.value)
    with pytest.raises(UploadFailed) as no_board:
        await upstream.upload("5f0c7d1e-0000-4000-8000-000000000000", "image", "a.png", png_bytes(), "image/png")
    assert "not found" in str(no_board.value).lower()


async def test_an_unauthenticated_request_runs_the_clients_auth_handling(client: AppClient, api_url: str) -> None:
    tokens = iter(["a-token-that-expired", client.token])

    async def provider() -> str:
        return next(tokens)

    hooks = UpstreamClient(api_url, provider)
    try:
        result = await hooks.execute("query { me { id } }")
        assert result.network_error is None and result.graphql_errors == []
        assert result.data["me"]["id"] == str(client.services.actor.user_id)
        assert hooks.refreshes == 1  # the auth exchange saw UNAUTHENTICATED, refreshed, retried once
    finally:
        await hooks.aclose()

    async def wrong() -> str:
        return "never-the-token"

    hooks = UpstreamClient(api_url, wrong)
    try:
        result = await hooks.execute("query { me { id } }")
        assert result.error_codes == ["UNAUTHENTICATED"] and hooks.refreshes == 1  # once, not in a loop
        assert "Authorization: Bearer" in result.graphql_errors[0]["message"]
    finally:
        await hooks.aclose()


async def test_rest_errors_carry_detail_beside_error_and_code(client: AppClient, api_url: str) -> None:
    async with httpx.AsyncClient(base_url=api_url, headers={"Authorization": f"Bearer {client.token}"}) as http:
        for path, status, code in [
            ("/api/sse/generations/not-an-id/progress", 400, "BAD_USER_INPUT"),
            ("/api/storage/nothing/here.png", 404, "NOT_FOUND"),
            ("/api/no-such-route", 404, "NOT_FOUND"),
            ("/api/exports/zip?ids=", 400, "BAD_USER_INPUT"),
        ]:
            response = await http.get(path)
            body = response.json()
            assert response.status_code == status and body["code"] == code, (path, body)
            assert body["detail"] == body["error"] and body["detail"], (path, body)
        async with httpx.AsyncClient(base_url=api_url) as stranger:
            refused = (await stranger.get("/api/storage/a.png")).json()
            assert refused["code"] == "UNAUTHENTICATED" and refused["detail"] == refused["error"]


async def test_a_public_url_setting_is_where_media_urls_point(database_url: str, tmp_path: Path) -> None:
    async with running_app(database_url, tmp_path / "data", BOARDS_PUBLIC_URL="https://boards.example.com/") as app:
        board = await create_board(app, "Behind a proxy")
        answer = await app.http.post(
            "/api/uploads/artifact",
            data={"board_id": board, "artifact_type": "image"},
            files={"file": ("a.png", png_bytes(), "image/png")},
        )
        assert answer.status_code == 200
        assert answer.json()["storageUrl"].startswith("https://boards.example.com/api/storage/")
        covers = "query($id: UUID!) { board(id: $id) { coverThumbnails } }"
        listed = await app.data(covers, {"id": board})
        assert listed["board"]["coverThumbnails"][0].startswith("https://boards.example.com/api/storage/")
        # The app's own window gets its own address: its page loads media from its own origin only.
        transport = httpx.ASGITransport(app=app.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as window:
            launch = app.services.security.launch_url("http://127.0.0.1")
            assert (await window.get(launch, follow_redirects=True)).status_code == 200
            seen = (await window.post("/graphql", json={"query": covers, "variables": {"id": board}})).json()
        assert seen["data"]["board"]["coverThumbnails"][0].startswith("http://127.0.0.1/api/storage/")
