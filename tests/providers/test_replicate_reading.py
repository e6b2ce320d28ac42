"""What the Replicate provider reads from the service: progress in logs, refusals, what a model makes."""

from __future__ import annotations

import httpx

from boards_desktop.providers.replicate import ReplicateProvider, progress_of, read_replicate_error
from boards_desktop.providers.replicate_models import file_urls, output_kind, text_of


def test_progress_is_the_last_tqdm_line_of_the_logs():
    logs = (
        "Using seed: 42\n"
        "  0%|          | 0/28 [00:00<?, ?it/s]\r 25%|██▌       | 7/28 [00:01<00:03,  6.1it/s]\r"
        " 50%|█████     | 14/28 [00:02<00:02,  6.0it/s]"
    )
    assert progress_of(logs) == (0.5, "running on Replicate: 14 of 28 (50%)")
    # A second bar (an upscale pass) starts again: the newest line counts (the provider keeps the high mark).
    assert progress_of(logs + "\nupscaling\n 10%|█         | 1/10 [00:00<00:04]\n")[0] == 0.1
    assert progress_of("loading weights\nwarming up\n") == (None, "running on Replicate: warming up")
    assert progress_of("") == (None, "running on Replicate")
    assert progress_of("", ["Once", " upon", " a"]) == (None, "writing on Replicate: 3 tokens so far")
    assert progress_of("", ["https://replicate.delivery/a.png"]) == (None, "running on Replicate")


def _response(status: int, body) -> httpx.Response:
    return httpx.Response(status, json=body, request=httpx.Request("POST", "https://api.replicate.com/v1/predictions"))


def test_a_refusal_names_the_input_it_is_about():
    one = {"title": "Input validation failed", "status": 422, "detail": "- input.num_outputs: Must be ...\n",
           "invalid_fields": [{"type": "number_lte", "field": "input.num_outputs",
                               "description": "Must be less than or equal to 4"}]}  # fmt: skip
    read = read_replicate_error(_response(422, one))
    assert (read.field, read.message) == ("num_outputs", "Must be less than or equal to 4")
    two = {**one, "invalid_fields": [
        {"type": "required", "field": "input", "description": "prompt is required"},
        {"type": "enum", "field": "input.mode", "description": "input.mode must be one of the following: \"standard\""},
    ]}  # fmt: skip
    read = read_replicate_error(_response(422, two))
    assert read.field is None
    assert read.message == 'prompt is required; mode: input.mode must be one of the following: "standard"'
    read = read_replicate_error(
        _response(402, {"title": "Insufficient credit", "detail": "You have insufficient credit"})
    )
    assert read.message == "You have insufficient credit"
    assert read_replicate_error(_response(404, {"title": "Not found"})).message == "Not found"
    plain = httpx.Response(502, text="<html>Bad gateway</html>", headers={"content-type": "text/html"})
    assert read_replicate_error(plain).message == "<html>Bad gateway</html>"


def test_what_a_model_makes_is_read_from_its_output_schema_and_example():
    uri = {"type": "string", "format": "uri"}
    files = {"type": "array", "items": uri}
    assert output_kind(uri, {}, {"default_example": {"output": "https://replicate.delivery/x/clip.mp4"}}) == "video"
    assert output_kind(files, {}, {"default_example": {"output": ["https://replicate.delivery/x/a.webp"]}}) == "image"
    assert output_kind(files, {}, {"description": "Turn your photo into a short video"}) == "video"
    assert output_kind(uri, {}, {"description": "Music from a text prompt"}) == "audio"
    assert output_kind(uri, {}, {"description": "Upscale a photo 4x"}) == "image"
    object_output = {"$ref": "#/components/schemas/ModelOutput"}
    schemas = {"ModelOutput": {"type": "object", "properties": {"audio_out": uri, "seconds": {"type": "number"}}}}
    assert output_kind(object_output, schemas, {}) == "audio"
    tokens = {"type": "array", "items": {"type": "string"}, "x-cog-array-type": "iterator"}
    assert output_kind(tokens, {}, {"description": "A video captioning model"}) == "text"
    assert output_kind({"type": "string"}, {}, {}) == "text"
    assert output_kind({"type": "object", "properties": {"caption": {"type": "string"}}}, {}, {}) == "text"


def test_outputs_in_any_shape_become_files_or_text():
    assert file_urls("https://replicate.delivery/a.png") == ["https://replicate.delivery/a.png"]
    assert file_urls({"video": "https://r/b.mp4", "frames": ["data:image/png;base64,AA", "not a url"], "n": 3}) == [
        "https://r/b.mp4", "data:image/png;base64,AA",
    ]  # fmt: skip
    assert file_urls(None) == [] and file_urls(["plain text"]) == []
    iterator = {"type": "array", "items": {"type": "string"}, "x-cog-array-display": "concatenate"}
    assert text_of(["Hel", "lo", "!"], iterator) == "Hello!"
    assert text_of(["one caption", "another"], {"type": "array", "items": {"type": "string"}}) == "one caption\nanother"
    assert text_of("done") == "done"
    assert text_of({"caption": "a cat", "score": 0.9}) == '{\n  "caption": "a cat",\n  "score": 0.9\n}'


def test_the_token_is_sent_to_replicate_hosts_only():
    provider = ReplicateProvider(http=None, base_url="http://127.0.0.1:8123/v1", api_key=lambda: "r8_x")
    owns = provider._owns
    assert owns("http://127.0.0.1:8123/delivery/a.png")
    assert not owns("http://127.0.0.1:8124/delivery/a.png")
    assert owns("https://replicate.delivery/pbxt/a.png") and owns("https://tjzk.replicate.delivery/a.png")
    assert owns("https://api.replicate.com/v1/files/abc")
    assert not owns("http://replicate.delivery/a.png")  # never over plain HTTP
    assert not owns("https://replicate.delivery.example.com/a.png") and not owns("https://example.com/a.png")
