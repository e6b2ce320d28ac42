"""The UI's files as the app serves them: the page at `/`, its modules under `/ui/`."""

from __future__ import annotations

from boards_desktop.api.ui_files import UI_DIR


async def test_the_page_preloads_every_module_of_the_ui(client) -> None:
    response = await client.http.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page = response.text
    modules = sorted(path.relative_to(UI_DIR).as_posix() for path in (UI_DIR / "js").rglob("*.js"))
    assert "js/pages/board.js" in modules and "js/grid/grid.js" in modules
    for module in modules:
        assert f'<link rel="modulepreload" href="/ui/{module}">' in page
    assert page.index("modulepreload") < page.index("</head>")


async def test_modules_and_styles_are_served_with_their_types_and_revalidated(client) -> None:
    script = await client.http.get("/ui/js/app.js")
    assert script.status_code == 200
    assert script.headers["content-type"].split(";")[0] in ("text/javascript", "application/javascript")
    assert "no-cache" in script.headers["cache-control"]
    style = await client.http.get("/ui/css/base.css")
    assert style.status_code == 200 and style.headers["content-type"].startswith("text/css")


async def test_nothing_outside_the_ui_folder_is_served(client) -> None:
    for path in ("/ui/../api/ui_files.py", "/ui/%2e%2e/api/ui_files.py", "/ui/js/../../app.py"):
        response = await client.http.get(path)
        assert response.status_code == 404, path
        assert "UI_DIR" not in response.text
