"""The `boards-desktop` command: the window, serve, db, boards, library, media, storage, generators, graphql-schema.

Errors a user can fix (a bad setting, a read-only folder, a database that cannot be reached or is
from a newer version, another server on the same data folder) are printed as one line, without a
password, and exit with status 2; nothing is created or changed before they are found.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from boards_desktop import __version__
from boards_desktop.process_exit import exit_process
from boards_desktop.settings import SettingsError, load_settings


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="boards-desktop", description="Make and keep AI-generated media on boards.")
    parser.add_argument("--version", action="version", version=f"boards-desktop {__version__}")
    parser.add_argument(
        "--browser", action="store_true", help="with no command: open the app in the system browser, not a window"
    )
    commands = parser.add_subparsers(dest="command")

    serve = commands.add_parser("serve", help="run the server without a window and print its URL")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=0, help="port to listen on (default: a free one)")

    db = commands.add_parser("db", help="the database schema: upgrade, status, diff, models")
    db_commands = db.add_subparsers(dest="db_command", required=True)
    db_commands.add_parser("upgrade", help="apply pending schema files (backs a SQLite database up first)")
    db_commands.add_parser("status", help="list applied and pending schema files")
    diff = db_commands.add_parser("diff", help="compare the live database with the DDL; exit 1 when they differ")
    diff.add_argument("--sql", action="store_true", help="print the statements that bring it to the DDL and back")
    models = db_commands.add_parser("models", help="generate the SQLAlchemy models module from the DDL")
    models.add_argument("--check", action="store_true", help="exit 1 when the module is stale; write nothing")

    boards = commands.add_parser("boards", help="a board as one archive: export, import")
    board_commands = boards.add_subparsers(dest="boards_command", required=True)
    export = board_commands.add_parser("export", help="write a board, its generations and files into one zip")
    export.add_argument("board_id", help="the board's id (as its URL shows it)")
    export.add_argument("file", type=Path, help="the archive to write (board.zip)")
    board_import = board_commands.add_parser("import", help="add a board archive's board, generations and files")
    board_import.add_argument("file", type=Path, help="an archive written by `boards export`")

    library = commands.add_parser("library", help="the whole library: copy it into another database and storage")
    library_commands = library.add_subparsers(dest="library_command", required=True)
    copy = library_commands.add_parser(
        "copy", help="copy every board, with its generations, lineage and files, into another database (a team's)"
    )
    copy.add_argument("--to", required=True, metavar="DATABASE_URL", help="the database to copy into")
    copy.add_argument(
        "--to-storage",
        metavar="WHERE",
        help="where the copied media go: s3://bucket/prefix or a folder (default: BOARDS_STORAGE_URL as set now)",
    )

    storage = commands.add_parser("storage", help="the media bucket's keys in the OS keyring: credentials, status")
    storage_commands = storage.add_subparsers(dest="storage_command", required=True)
    credentials = storage_commands.add_parser(
        "credentials", help="store the bucket's access key id and secret (asked for, not shown) in the OS keyring"
    )
    credentials.add_argument("--access-key-id", help="the access key id (asked for when not given)")
    credentials.add_argument("--endpoint-url", help="the S3 endpoint (R2, MinIO, B2; not needed for AWS S3)")
    credentials.add_argument("--region", help="the bucket's region (R2: auto)")
    credentials.add_argument(
        "--secret-stdin", action="store_true", help="read the secret access key from stdin (scripts), not a prompt"
    )
    credentials.add_argument("--clear", action="store_true", help="remove the bucket's keys from the OS keyring")
    storage_commands.add_parser(
        "status", help="where the bucket's endpoint, region and keys come from (never the keys)"
    )

    commands.add_parser("graphql-schema", help="print the GraphQL schema (SDL)")

    commands.add_parser("generators", help="list the generators, what they make, and whether they can run")

    media = commands.add_parser("media", help="the media folder: gc")
    media_commands = media.add_subparsers(dest="media_command", required=True)
    gc = media_commands.add_parser("gc", help="remove files that no generation names (older than the grace period)")
    gc.add_argument("--dry-run", action="store_true", help="list what would be removed; remove nothing")
    gc.add_argument(
        "--grace-minutes", type=_minutes, default=60, help="spare files younger than this (default 60): jobs write them"
    )
    gc.add_argument("--force", action="store_true", help="remove even when no board folder belongs to this database")
    return parser


def run() -> NoReturn:
    """The `boards-desktop` command: main(), then the process ends with its code (see process_exit)."""
    exit_process(main())


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "serve":
            from boards_desktop.server import serve

            return serve(load_settings(), host=args.host, port=args.port)
        if args.command == "db":
            return _db(args)
        if args.command == "media":
            from boards_desktop.media.gc_command import run_gc_command

            return asyncio.run(
                run_gc_command(
                    load_settings(), dry_run=args.dry_run, grace_minutes=args.grace_minutes, force=args.force
                )
            )
        if args.command == "boards":
            return _boards(args)
        if args.command == "library":
            return _library_copy(args)
        if args.command == "storage":
            from boards_desktop.media.storage_command import run_credentials, run_status

            if args.storage_command == "status":
                return run_status(load_settings())
            return run_credentials(
                load_settings(),
                access_key_id=args.access_key_id,
                endpoint_url=args.endpoint_url,
                region=args.region,
                secret_stdin=args.secret_stdin,
                clear=args.clear,
            )
        if args.command == "generators":
            from boards_desktop.generators.listing import print_generators

            return print_generators(load_settings())
        if args.command == "graphql-schema":
            from boards_desktop.graphql import schema

            print(schema.as_str())
            return 0
        # No command: the app's window (or the browser), one instance per data folder.
        from boards_desktop.desktop import run_app

        return run_app(load_settings(), browser=args.browser)
    except SettingsError as exc:
        print(f"boards-desktop: {exc}", file=sys.stderr)
        return 2


def _minutes(raw: str) -> float:
    try:
        minutes = float(raw)
    except ValueError:
        minutes = float("nan")
    if not 0 <= minutes < float("inf"):
        raise argparse.ArgumentTypeError(f"{raw!r}: give a number of minutes, 0 or more")
    return minutes


def _boards(args: argparse.Namespace) -> int:
    from boards_desktop.archives.command import run_export, run_import
    from boards_desktop.writable import check_writable

    settings = load_settings()
    check_writable(settings)
    if args.boards_command == "export":
        return asyncio.run(run_export(settings, args.board_id, args.file))
    return asyncio.run(run_import(settings, args.file))


def _library_copy(args: argparse.Namespace) -> int:
    import os

    from boards_desktop.archives.library_copy import run_library_copy
    from boards_desktop.writable import check_writable

    source = load_settings()
    overrides = {"BOARDS_DATABASE_URL": args.to}
    if args.to_storage is not None:
        overrides["BOARDS_STORAGE_URL"] = args.to_storage
    target = load_settings({**os.environ, **overrides})
    check_writable(source)
    check_writable(target)
    return asyncio.run(run_library_copy(source, target))


def _db(args: argparse.Namespace) -> int:
    if args.db_command == "models":
        from boards_desktop.db.model_codegen import MODELS_PATH, models_are_current, write_models

        if args.check:
            if models_are_current():
                print("models are up to date")
                return 0
            print(f"{MODELS_PATH.name} is stale: run `boards-desktop db models`", file=sys.stderr)
            return 1
        print(f"wrote {MODELS_PATH}" if write_models() else "models are up to date")
        return 0
    from boards_desktop.db.commands import run_db_command
    from boards_desktop.writable import check_writable

    settings = load_settings()
    check_writable(settings)
    return asyncio.run(run_db_command(settings, args.db_command, sql=getattr(args, "sql", False)))
