"""The content of the screenshot set, made through the app's API as a script would make it: boards of
pictures, a clip, a sound and a note; title cards, an adjusted picture and a contact sheet from the
built-in generators; tags, favourites, deleted ones in the Trash, a running job and waiting ones.
With a teammate (PostgreSQL), a board each shares with the other."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from tests.browser.conftest import ApiClient
from tests.screenshots import pictures

CREATE_TAG = "mutation($input: CreateTagInput!) { createTag(input: $input) { id } }"
TAG = "mutation($ids: [UUID!]!, $tag: UUID!) { addTagToGenerations(generationIds: $ids, tagId: $tag) { id } }"
STAR = "mutation($ids: [UUID!]!) { setFavourite(generationIds: $ids, favourite: true) { id } }"
DELETE = "mutation($ids: [UUID!]!) { deleteGenerations(ids: $ids) }"
NAME = "mutation($input: UpdateUserInput!) { updateUser(input: $input) { id } }"
SHARE = "mutation($input: AddBoardMemberInput!) { addBoardMember(input: $input) { id } }"


@dataclass
class Scene:
    harbour: str = ""
    ferries: str = ""
    empty: str = ""
    shared: str | None = None  # a teammate's board shared with you (PostgreSQL only)
    pictures: list[str] = field(default_factory=list)  # seascapes on the harbour board, oldest first
    adjusted: str = ""  # made from pictures[2]
    note: str = ""
    card: str = ""


def seed(api: ApiClient, teammate: ApiClient | None = None) -> Scene:
    scene = Scene()
    if teammate is not None:
        api.gql(NAME, {"input": {"displayName": "Ada Lovelace", "email": "ada@studio.example"}})
        teammate.gql(NAME, {"input": {"displayName": "Grace Hopper", "email": "grace@studio.example"}})
    scene.harbour = api.create_board(
        "Harbour studies", "Spring show: the light at six, the boats at rest. Prints for the east wall."
    )
    scene.ferries = api.create_board("Ferries", "Crossings, wakes and gulls.")
    scene.empty = api.create_board("Lighthouse (to do)")

    made: list[str] = []
    for index, (mood, size) in enumerate(
        [("dawn", (1024, 768)), ("noon", (768, 1024)), ("dusk", (1280, 720)), ("fog", (900, 900)),
         ("night", (1024, 640)), ("storm", (720, 960))]
    ):  # fmt: skip
        scene.pictures.append(_upload(api, scene.harbour, f"harbour-{mood}.png", pictures.seascape(mood, size, index)))
    _upload(api, scene.harbour, "gull-cut-out.png", pictures.cut_out())
    _upload(api, scene.harbour, "sunset-pier.mp4", pictures.clip(), "video/mp4")
    _upload(api, scene.harbour, "waves-on-shingle.wav", pictures.sound(), "audio/wav")
    scene.note = _upload(api, scene.harbour, "show-notes.txt", pictures.NOTE.encode(), "text/plain")
    scene.card = api.generate(
        scene.harbour,
        "local-title-card",
        "IMAGE",
        {
            "prompt": "Harbour\nSpring show",
            "width": 1200,
            "height": 800,
            "background_color": "#1d1b38",
            "gradient_end_color": "#e0685a",
            "text_color": "#fff4e0",
        },
    )
    made.append(scene.card)
    made.append(
        api.generate(
            scene.harbour,
            "local-title-card",
            "IMAGE",
            {
                "prompt": "The light at six",
                "width": 800,
                "height": 1000,
                "background_color": "#f4efe6",
                "text_color": "#2b3a67",
            },
        )
    )
    scene.adjusted = api.generate(
        scene.harbour, "local-image-adjust", "IMAGE", {"image": scene.pictures[2], "saturation": 1.6, "contrast": 1.2}
    )
    made.append(scene.adjusted)
    made.append(
        api.generate(
            scene.harbour,
            "local-contact-sheet",
            "IMAGE",
            {
                "images": scene.pictures[:4],
                "columns": 2,
                "cell_width": 320,
                "cell_height": 240,
                "gap": 12,
                "background_color": "#f4efe6",
            },
        )
    )
    made.append(
        api.generate(
            scene.harbour, "local-image-resize", "IMAGE", {"image": scene.pictures[4], "mode": "width", "size": 512}
        )
    )
    for mood, size in [("fog", (1024, 768)), ("noon", (900, 900)), ("dawn", (768, 1024)), ("storm", (1280, 720))]:
        _upload(api, scene.ferries, f"ferry-{mood}.png", pictures.seascape(mood, size, seed=len(mood), boats=1))
    _wait_finished(api, made)

    tags = {
        name: api.gql(CREATE_TAG, {"input": {"name": name}})["createTag"]["id"]
        for name in ("dusk", "boats", "for print")
    }
    api.gql(TAG, {"ids": [scene.pictures[2], scene.adjusted, scene.pictures[0]], "tag": tags["dusk"]})
    api.gql(TAG, {"ids": scene.pictures[:4], "tag": tags["boats"]})
    api.gql(TAG, {"ids": [scene.pictures[2], scene.card], "tag": tags["for print"]})
    api.gql(STAR, {"ids": [scene.pictures[2], scene.adjusted, scene.card]})

    # Deleted ones wait in the Trash.
    gone = [
        _upload(api, scene.harbour, f"rejected-{i}.png", pictures.seascape("storm", (640, 480), 40 + i))
        for i in range(3)
    ]
    api.gql(DELETE, {"ids": gone})

    # One job develops while two wait behind it (the darkroom runs one at a time).
    for prompt in ["Harbour lights, long exposure", "Boats at rest, blue hour", "Gulls over the breakwater"]:
        api.generate(scene.harbour, "darkroom-long-exposure", "IMAGE", {"prompt": prompt, "minutes": 30})

    if teammate is not None:
        scene.shared = teammate.create_board("Lighthouse series", "Grace's prints for the north wall.")
        for index, mood in enumerate(["night", "fog", "dawn"]):
            _upload(
                teammate, scene.shared, f"lighthouse-{mood}.png", pictures.seascape(mood, (960, 720), 60 + index, 0)
            )
        teammate.gql(SHARE, {"input": {"boardId": scene.shared, "email": "ada@studio.example", "role": "EDITOR"}})
        api.gql(SHARE, {"input": {"boardId": scene.harbour, "email": "grace@studio.example", "role": "VIEWER"}})
    return scene


def _upload(api: ApiClient, board: str, name: str, content: bytes, mime: str = "image/png") -> str:
    return api.upload(board, name, content, mime)["id"]


def _wait_finished(api: ApiClient, ids: list[str], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    pending = set(ids)
    while pending:
        for generation_id in list(pending):
            status = api.generation(generation_id)["status"]
            if status in ("FAILED", "CANCELLED"):
                message = api.gql(
                    "query($id: UUID!) { generation(id: $id) { generatorName errorMessage } }", {"id": generation_id}
                )
                raise RuntimeError(f"a generation ended {status}: {message}")
            if status == "COMPLETED":
                pending.discard(generation_id)
        if pending and time.monotonic() > deadline:
            raise RuntimeError(f"{len(pending)} generations did not finish within {timeout} s")
        time.sleep(0.2)
