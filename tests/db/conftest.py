from __future__ import annotations

from pathlib import Path

import pytest

from tests.db.support import SchemaFolder


@pytest.fixture
def schema_folder(tmp_path: Path) -> SchemaFolder:
    """An empty schemas folder of the test's own (the runner and loaders take `directory=`)."""
    return SchemaFolder(tmp_path / "schemas")
