"""What an upload's own metadata adds to it: its prompt and settings, and its place in the lineage.

The prompt, model, seed and settings another tool wrote into the file (media.found_metadata)
become the upload's inputParams, so they are searched (db.search_text folds every string input)
and shown in the viewer's details like a generation's own. Which tool wrote them is kept in
outputMetadata.metadata_from.

Lineage by content: a file carrying this app's provenance names the generation it was exported
from and that generation's parents (ids and content hashes). When the artist has not named a
parent, the upload is linked as a child of the generation it came from, found by id or else by the
stored original's SHA-256 (the same picture known under another id, e.g. imported from another
installation); failing both, it is linked to that generation's own inputs, by id or hash. Only
generations the uploader may read are linked, so a file cannot reveal or reach other boards.

Video and sound are read the same way (media.found_av_metadata: our JSON or the WebUI's text, as an
export writes them). Content Credentials (C2PA) a picture, video or audio file arrives with are
read and validated (media.content_credentials):
who signed them, with what the file was made, and whether they hold go to
outputMetadata.content_credentials.
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from boards_desktop.db.queries.lineage import InputArtifact
from boards_desktop.db.queries.provenance import readable_generations, readable_generations_with_hashes
from boards_desktop.graphql.context import RequestContext
from boards_desktop.media.content_credentials import read_credentials
from boards_desktop.media.found_av_metadata import read_av_metadata
from boards_desktop.media.found_metadata import FoundMetadata, read_found_metadata

LINEAGE_ROLE = "parent"  # the role an upload's named parent has (media.uploads)
_MAX_PARENTS = 16


@dataclass
class UploadFindings:
    input_params: dict[str, Any] = field(default_factory=dict)
    output_metadata: dict[str, Any] = field(default_factory=dict)
    parents: list[InputArtifact] = field(default_factory=list)  # lineage by content


async def findings_of(
    ctx: RequestContext, path: Path, artifact_type: str, file_format: str, *, has_parent: bool
) -> UploadFindings:
    """What the staged upload at `path` says about itself: the Content Credentials, prompt, settings and
    lineage written into a picture, video or sound file."""
    if artifact_type not in ("image", "video", "audio"):
        return UploadFindings()
    credentials = await asyncio.to_thread(read_credentials, path, file_format)
    reader = read_found_metadata if artifact_type == "image" else read_av_metadata
    found = await asyncio.to_thread(reader, path)
    if found is None:
        return UploadFindings(output_metadata={"content_credentials": credentials} if credentials else {})
    findings = UploadFindings(input_params=dict(found.settings), output_metadata={"metadata_from": found.tool})
    if credentials:
        findings.output_metadata["content_credentials"] = credentials
    if found.other:
        findings.input_params["settings"] = found.other
    if found.comfyui_workflow:
        findings.output_metadata["comfyui_workflow"] = True  # the workflow stays in the stored file, unchanged
    if found.provenance is not None:
        embedded = found.provenance.get("generation_id")
        if isinstance(embedded, str):
            findings.output_metadata["embedded_generation_id"] = embedded[:36]
        if not has_parent:
            findings.parents = await _lineage(ctx, found)
    return findings


async def _lineage(ctx: RequestContext, found: FoundMetadata) -> list[InputArtifact]:
    document = found.provenance or {}
    source_id = _uuid(document.get("generation_id"))
    parents = [item for item in document.get("parents", []) if isinstance(item, dict)][:_MAX_PARENTS]
    async with ctx.sessions.read() as session:
        known = await readable_generations(
            session, ctx.actor, [i for i in [source_id, *(_uuid(p.get("generation_id")) for p in parents)] if i]
        )
        if source_id in known:
            return [InputArtifact(source_id, LINEAGE_ROLE, known[source_id][1])]
        hashes = [document.get("sha256"), *(p.get("sha256") for p in parents)]
        by_hash = await readable_generations_with_hashes(session, ctx.actor, [h for h in hashes if isinstance(h, str)])
    source_hash = document.get("sha256")
    if isinstance(source_hash, str) and source_hash in by_hash:
        generation_id, artifact_type = by_hash[source_hash]
        return [InputArtifact(generation_id, LINEAGE_ROLE, artifact_type)]
    linked: list[InputArtifact] = []
    for parent in parents:
        role = str(parent.get("role") or LINEAGE_ROLE)[:100]
        parent_id = _uuid(parent.get("generation_id"))
        if parent_id is not None and parent_id in known:
            linked.append(InputArtifact(parent_id, role, known[parent_id][1]))
        elif isinstance(parent.get("sha256"), str) and parent["sha256"] in by_hash:
            generation_id, artifact_type = by_hash[parent["sha256"]]
            linked.append(InputArtifact(generation_id, role, artifact_type))
    return list(dict.fromkeys(linked))


def _uuid(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value)) if isinstance(value, str) else None
    except ValueError:
        return None
