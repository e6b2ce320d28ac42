"""The DDL files: statement splitting, naming rules, and which files apply to which engine."""

from __future__ import annotations

import sqlite3

import pytest

from boards_desktop.db.schema_files import SchemaFile, SchemaFileError, load_schema_files, split_statements
from tests.db.support import SCHEMAS


def test_comments_are_dropped_and_do_not_split():
    sql = """
    -- a comment; with a semicolon
    CREATE TABLE a (x INTEGER); /* block; comment */
    /* only a comment */
    CREATE TABLE b (y INTEGER) -- trailing; comment
    ;
    -- nothing after this
    """
    assert split_statements(sql) == ["CREATE TABLE a (x INTEGER)", "CREATE TABLE b (y INTEGER)"]


def test_a_file_of_only_comments_has_no_statement():
    assert split_statements("-- nothing here;\n/* nor; here */\n") == []


def test_semicolons_inside_quotes_do_not_split():
    sql = "INSERT INTO t VALUES ('a;b', 'it''s; fine'); CREATE TABLE \"odd;name\" (x TEXT);"
    assert split_statements(sql) == [
        "INSERT INTO t VALUES ('a;b', 'it''s; fine')",
        'CREATE TABLE "odd;name" (x TEXT)',
    ]


def test_comment_markers_inside_quotes_are_text():
    assert split_statements("SELECT '-- not a comment; really', '/* nor */';") == [
        "SELECT '-- not a comment; really', '/* nor */'"
    ]


def test_dollar_quoted_bodies_stay_whole():
    sql = """
    CREATE FUNCTION touch() RETURNS trigger AS $$
    BEGIN
        NEW.updated_at = now(); RETURN NEW;
    END;
    $$ LANGUAGE plpgsql;
    CREATE FUNCTION two() RETURNS int AS $body$ SELECT 1; $body$ LANGUAGE sql;
    SELECT 1;
    """
    statements = split_statements(sql)
    assert len(statements) == 3
    assert statements[0].startswith("CREATE FUNCTION touch()") and statements[0].endswith("LANGUAGE plpgsql")
    assert "RETURN NEW;" in statements[0]
    assert statements[1].endswith("$body$ SELECT 1; $body$ LANGUAGE sql")
    assert statements[2] == "SELECT 1"


def test_sqlite_trigger_bodies_stay_whole_and_run():
    sql = """
    CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER, touched INTEGER DEFAULT 0);
    CREATE TRIGGER t_touch AFTER UPDATE OF n ON t
    BEGIN
        UPDATE t SET touched = touched + 1 WHERE id = NEW.id;
        SELECT CASE WHEN NEW.n < 0 THEN RAISE(ABORT, 'negative; no') END;
    END;
    INSERT INTO t (id, n) VALUES (1, 1);
    """
    statements = split_statements(sql)
    assert len(statements) == 3
    assert statements[1].startswith("CREATE TRIGGER") and statements[1].endswith("END")
    connection = sqlite3.connect(":memory:")
    for statement in statements:
        connection.execute(statement)
    connection.execute("UPDATE t SET n = 2 WHERE id = 1")
    assert connection.execute("SELECT touched FROM t").fetchone() == (1,)


def test_postgresql_begin_atomic_bodies_stay_whole():
    sql = """
    CREATE FUNCTION sign_of(n integer) RETURNS text LANGUAGE sql
    BEGIN ATOMIC
        SELECT CASE WHEN n < 0 THEN 'negative' ELSE 'not negative' END;
    END;
    SELECT sign_of(-1);
    """
    statements = split_statements(sql)
    assert len(statements) == 2
    assert statements[0].endswith("END") and "BEGIN ATOMIC" in statements[0]
    assert statements[1] == "SELECT sign_of(-1)"


def test_a_plain_begin_is_not_a_block():
    assert split_statements("BEGIN; CREATE TABLE a (x TEXT); COMMIT;") == ["BEGIN", "CREATE TABLE a (x TEXT)", "COMMIT"]


def test_words_containing_begin_or_end_are_not_blocks():
    sql = "CREATE TABLE legend (beginning TEXT, ending TEXT); CREATE TABLE weekend (x TEXT);"
    assert len(split_statements(sql)) == 2


def test_the_real_files_split_into_statements_sqlite_accepts():
    connection = sqlite3.connect(":memory:")
    for schema_file in load_schema_files("sqlite", SCHEMAS):
        for statement in schema_file.statements:
            connection.execute(statement)
    assert connection.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0] >= 9


@pytest.mark.parametrize("name", ["1_short.sql", "001-dash.sql", "001_Upper.sql", "001_x.mysql.sql", "abc_x.sql"])
def test_a_malformed_file_name_is_a_clear_error(schema_folder, name):
    schema_folder.write("001_fine.sql", "SELECT 1;").write(name, "SELECT 1;")
    with pytest.raises(SchemaFileError) as error:
        load_schema_files("sqlite", schema_folder.path)
    assert name in str(error.value)
    assert "NNN_name.sql" in str(error.value)


def test_a_duplicate_version_is_a_clear_error(schema_folder):
    schema_folder.write("002_alpha.sql", "SELECT 1;").write("002_beta.sql", "SELECT 2;")
    with pytest.raises(SchemaFileError) as error:
        load_schema_files("postgresql", schema_folder.path)
    message = str(error.value)
    assert "002_alpha.sql" in message and "002_beta.sql" in message and "002" in message


def test_a_portable_file_and_a_dialect_file_may_not_share_a_version(schema_folder):
    schema_folder.write("004_search.sql", "SELECT 1;").write("004_search.sqlite.sql", "SELECT 2;")
    with pytest.raises(SchemaFileError):
        load_schema_files("sqlite", schema_folder.path)
    # PostgreSQL does not see the SQLite file, so for it there is no clash.
    assert [f.name for f in load_schema_files("postgresql", schema_folder.path)] == ["004_search.sql"]


def test_dialect_specific_files_are_picked_per_engine(schema_folder):
    schema_folder.write("001_base.sql", "CREATE TABLE a (x TEXT);")
    schema_folder.write("002_search.sqlite.sql", "CREATE VIRTUAL TABLE s USING fts5(x);")
    schema_folder.write("002_search.postgresql.sql", "CREATE INDEX ix_a_x ON a USING gin (to_tsvector('simple', x));")
    schema_folder.write("003_more.sql", "CREATE TABLE b (y TEXT);")
    on_sqlite = load_schema_files("sqlite", schema_folder.path)
    on_postgres = load_schema_files("postgresql", schema_folder.path)
    assert [f.name for f in on_sqlite] == ["001_base.sql", "002_search.sqlite.sql", "003_more.sql"]
    assert [f.name for f in on_postgres] == ["001_base.sql", "002_search.postgresql.sql", "003_more.sql"]
    assert [f.dialect for f in on_sqlite] == [None, "sqlite", None]
    assert [f.version for f in on_postgres] == [1, 2, 3]


def test_an_unknown_dialect_is_refused(schema_folder):
    with pytest.raises(ValueError):
        load_schema_files("mysql", schema_folder.path)


def test_files_come_in_version_order_whatever_the_names(schema_folder):
    schema_folder.write("010_zeta.sql", "SELECT 1;").write("002_omega.sql", "SELECT 1;").write(
        "003_alpha.sql", "SELECT 1;"
    )
    assert [f.version for f in load_schema_files("sqlite", schema_folder.path)] == [2, 3, 10]


def test_the_checksum_ignores_line_endings_only():
    unix = SchemaFile(1, "001_a.sql", None, "CREATE TABLE a (x TEXT);\n")
    windows = SchemaFile(1, "001_a.sql", None, "CREATE TABLE a (x TEXT);\r\n")
    edited = SchemaFile(1, "001_a.sql", None, "CREATE TABLE a (x TEXT); -- note\n")
    assert unix.checksum == windows.checksum
    assert unix.checksum != edited.checksum


def test_the_folder_comes_from_boards_schemas_dir(schema_folder, monkeypatch):
    schema_folder.write("001_only.sql", "CREATE TABLE a (x TEXT);")
    monkeypatch.setenv("BOARDS_SCHEMAS_DIR", str(schema_folder.path))
    assert [f.name for f in load_schema_files("sqlite")] == ["001_only.sql"]
