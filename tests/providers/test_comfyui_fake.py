"""The fake ComfyUI speaks as ComfyUI does: its messages in ComfyUI's order, to the prompt's own client."""

from __future__ import annotations

import asyncio
import json
import struct

import httpx
from websockets.asyncio.client import connect

from boards_desktop.generators.providers.comfyui_catalog import SHIPPED_DIR
from tests.providers.comfyui_support import comfyui_fake


async def test_a_prompt_runs_with_comfyuis_messages_in_comfyuis_order():
    graph = json.loads((SHIPPED_DIR / "text-to-image.json").read_text())["workflow"]
    graph["3"]["inputs"]["steps"] = 4
    async with comfyui_fake(running=False) as (fake, server), httpx.AsyncClient(base_url=server.url) as http:
        async with connect(server.url.replace("http://", "ws://") + "/ws?clientId=me") as socket:
            first = json.loads(await socket.recv())
            assert first == {"type": "status", "data": {"status": {"exec_info": {"queue_remaining": 0}}, "sid": "me"}}
            answer = await http.post("/prompt", json={"prompt": graph, "client_id": "me", "prompt_id": "p-1"})
            assert answer.status_code == 200 and answer.json()["prompt_id"] == "p-1"
            seen, previews = [], 0
            while not seen or seen[-1] != ("executing", None):
                try:
                    frame = await asyncio.wait_for(socket.recv(), 0.05)
                except TimeoutError:
                    fake.clock.advance(1)  # the clock moves only when told: the prompt has started by now
                    continue
                if isinstance(frame, bytes):
                    assert struct.unpack(">II", frame[:8]) == (1, 2) and frame[8:12] == b"\x89PNG"
                    previews += 1
                    continue
                message = json.loads(frame)
                data = message["data"]
                if message["type"] == "status":
                    continue
                assert data.get("prompt_id") == "p-1"
                seen.append((message["type"], data["value"] if message["type"] == "progress" else data.get("node")))
        assert seen == [
            ("execution_start", None),
            ("execution_cached", None),
            ("executing", "4"),
            ("executing", "6"),
            ("executing", "7"),
            ("executing", "5"),
            ("executing", "3"),
            ("progress", 1),
            ("progress", 2),
            ("progress", 3),
            ("progress", 4),
            ("executing", "8"),
            ("executing", "9"),
            ("executed", "9"),
            ("execution_success", None),
            ("executing", None),
        ]
        assert previews == 1
        entry = (await http.get("/history/p-1")).json()["p-1"]
        assert entry["status"]["status_str"] == "success" and entry["status"]["completed"] is True
        (image,) = entry["outputs"]["9"]["images"]
        assert image["type"] == "output" and image["filename"].startswith("boards-desktop_")
        picture = await http.get("/view", params=image)
        assert picture.status_code == 200 and picture.content.startswith(b"\x89PNG")
        # The same prompt again: every node but the seeded sampler's chain comes from the cache.
        graph["3"]["inputs"]["seed"] = 1
        await http.post("/prompt", json={"prompt": graph, "client_id": "me", "prompt_id": "p-2"})
        while "p-2" not in (await http.get("/history")).json():
            await asyncio.sleep(0.02)
            fake.clock.advance(1)
        messages = (await http.get("/history/p-2")).json()["p-2"]["status"]["messages"]
        assert [kind for kind, _ in messages] == ["execution_start", "execution_cached", "execution_success"]
        assert sorted(messages[1][1]["nodes"]) == ["4", "5", "6", "7"]


async def test_a_refused_prompt_gets_comfyuis_error_shapes():
    graph = json.loads((SHIPPED_DIR / "text-to-image.json").read_text())["workflow"]
    async with comfyui_fake() as (fake, server), httpx.AsyncClient(base_url=server.url) as http:
        graph["4"]["inputs"]["ckpt_name"] = "missing.safetensors"
        graph["3"]["inputs"]["steps"] = 0
        refused = (await http.post("/prompt", json={"prompt": graph})).json()
        assert refused["error"]["type"] == "prompt_outputs_failed_validation"
        assert refused["node_errors"]["4"]["errors"][0]["type"] == "value_not_in_list"
        assert refused["node_errors"]["3"]["errors"][0]["message"] == "Value 0 smaller than min of 1"
        unknown = (await http.post("/prompt", json={"prompt": {"1": {"class_type": "Nope", "inputs": {}}}})).json()
        assert unknown["error"]["message"] == "Cannot execute because node Nope does not exist."
        assert fake.prompts == []
