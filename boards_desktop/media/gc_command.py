"""`boards-desktop media gc`: what it prints and how it exits (the work is in media.gc)."""

from __future__ import annotations

import sys

from sqlalchemy.exc import DBAPIError

from boards_desktop.db.engine import Database
from boards_desktop.media.gc import GcRefused, GcReport, collect_garbage
from boards_desktop.media.store import MediaStore
from boards_desktop.settings import Settings


async def run_gc_command(settings: Settings, *, dry_run: bool, grace_minutes: float, force: bool) -> int:
    store = MediaStore.for_settings(settings)
    if store.bucket is None and not store.root.is_dir():
        print(f"no media folder at {store.root}: nothing to remove")
        return 0
    if settings.sqlite_path is not None and not settings.sqlite_path.exists():
        # Without the database every file would look orphaned: refuse rather than empty the folder.
        print(f"boards-desktop: no database at {settings.sqlite_path}; check BOARDS_DATABASE_URL", file=sys.stderr)
        return 2
    database = Database(settings.database_url)
    try:
        report = await collect_garbage(database, store, grace_minutes=grace_minutes, dry_run=dry_run, force=force)
    except GcRefused as exc:
        print(f"boards-desktop: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # the bucket did not answer or refused the listing
        print(f"boards-desktop: cannot list the media in {store.location}: {exc}", file=sys.stderr)
        return 2
    except DBAPIError as exc:
        print(
            f"boards-desktop: cannot read the generations from the database ({exc.orig}); "
            "start the app once or run `boards-desktop db upgrade`",
            file=sys.stderr,
        )
        return 2
    finally:
        await database.dispose()
    _print(report, store, dry_run=dry_run, grace_minutes=grace_minutes)
    return 1 if report.errors else 0


def _print(report: GcReport, store: MediaStore, *, dry_run: bool, grace_minutes: float) -> None:
    verb = "would remove" if dry_run else "removed"
    for orphan in report.orphans:
        print(f"{verb}  {orphan.key}  ({human_size(orphan.size)}; {orphan.reason})")
    for error in report.errors:
        print(f"could not remove  {error}", file=sys.stderr)
    files = "file" if len(report.orphans) == 1 else "files"
    summary = f"{verb} {len(report.orphans)} {files} ({human_size(report.size)}) from {store.location}"
    if report.folders_removed:
        summary += f" and {report.folders_removed} empty folders"
    print(summary)
    kept = []
    if report.recent:
        kept.append(f"{report.recent} unnamed files younger than {grace_minutes:g} minutes (a job may be writing them)")
    if report.live:
        kept.append(f"the folders of {report.live} generations still pending or processing")
    if report.foreign:
        kept.append(f"{report.foreign} entries at the top of the media folder that Boards did not make")
    if kept:
        print("kept: " + "; ".join(kept))
    if dry_run and report.orphans:
        print("nothing was removed (--dry-run); run without --dry-run to remove them")


def human_size(size: int) -> str:
    value = float(size)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{int(value)} bytes" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GB"  # pragma: no cover
