from litestar import get

from boards_desktop import __version__


@get("/health", sync_to_thread=False)
def health() -> dict[str, str]:
    return {"status": "healthy", "version": __version__}
