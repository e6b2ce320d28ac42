"""The generated models module follows the DDL: a stale module fails here."""

from __future__ import annotations

import ast
import importlib.util
import subprocess
import sys

from boards_desktop.db.model_codegen import MODELS_PATH, render_models
from tests.db.support import ALL_FILES, FIRST, LINEAGE, REPO


def test_db_models_check_passes_on_the_committed_module():
    result = subprocess.run(
        [sys.executable, "-m", "boards_desktop", "db", "models", "--check"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, (
        f"{MODELS_PATH.name} is stale: run `boards-desktop db models`\n{result.stdout}{result.stderr}"
    )


def test_a_ddl_folder_with_an_extra_table_renders_a_different_module(schema_folder):
    schema_folder.copy(*ALL_FILES)
    assert render_models(schema_folder.path) == MODELS_PATH.read_text(encoding="utf-8")

    schema_folder.write(
        "901_palettes.sql",
        """
        CREATE TABLE palettes (
            id VARCHAR(36) NOT NULL,
            board_id VARCHAR(36) NOT NULL,
            colours JSONB NOT NULL DEFAULT '[]',
            created_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT CURRENT_TIMESTAMP,
            PRIMARY KEY (id),
            FOREIGN KEY (board_id) REFERENCES boards (id) ON DELETE CASCADE
        );
        """,
    )
    rendered = render_models(schema_folder.path)
    assert rendered != MODELS_PATH.read_text(encoding="utf-8")
    ast.parse(rendered)  # still a valid module
    assert "class Palette(Base):" in rendered
    assert (
        'board_id: Mapped[uuid.UUID] = mapped_column(UUIDText(), ForeignKey("boards.id", ondelete="CASCADE"), nullable=False)'
        in rendered
    )
    assert "colours: Mapped[Any] = mapped_column(JSONDocument, nullable=False, default=list" in rendered


def test_the_generated_module_imports_and_matches_the_tables(schema_folder, tmp_path, monkeypatch):
    schema_folder.copy(FIRST, LINEAGE).write(
        "003_palettes.sql", "CREATE TABLE palettes (id VARCHAR(36) NOT NULL, name TEXT, PRIMARY KEY (id));"
    )
    path = tmp_path / "generated_models.py"
    path.write_text(render_models(schema_folder.path), encoding="utf-8")
    # The ORM resolves the string annotations through the module, so it must be a real one.
    spec = importlib.util.spec_from_file_location("generated_models", path)
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "generated_models", module)
    spec.loader.exec_module(module)
    tables = set(module.Base.metadata.tables)
    assert {"tenants", "users", "boards", "generations", "generation_lineage"} <= tables
    assert "palettes" in tables and "schema_migrations" not in tables
    assert module.Palette.__table__.c.name.nullable
