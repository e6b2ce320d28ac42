from tests.browser.test_board import open_board, upload, drop_files, TILE
from tests.plugins.generators import png_bytes
from tests.uploads.samples import mp4_bytes, wav_bytes


def test_shots(page, api, installation):
    board = api.create_board("Harbour studies", "Spring show. Mixed media.")
    other = api.create_board("Archive")
    import io
    from PIL import Image, ImageDraw
    for i in range(14):
        im = Image.new("RGB", (512, 384), (30 + i * 12, 60 + i * 7, 120 - i * 5))
        ImageDraw.Draw(im).ellipse((100 + i * 5, 80, 300 + i * 5, 280), fill=(240 - i * 10, 200, 90 + i * 8))
        b = io.BytesIO(); im.save(b, "PNG")
        upload(api, board, f"study {i}.png", b.getvalue())
    upload(api, board, "clip.mp4", mp4_bytes((320, 240)), "video", "video/mp4")
    upload(api, board, "sound.wav", wav_bytes(), "audio", "audio/wav")
    upload(api, board, "notes.txt", b"Notes for the harbour series: the light at six, the boats at rest, gulls.", "text", "text/plain")
    api.generate(board, "test-slow", "IMAGE", {"steps": 1000, "delay": 0.2})
    c = api.generate(board, "test-generator", "IMAGE", {"prompt": "cancel me"})
    api.gql("mutation($id: UUID!) { cancelGeneration(id: $id) { id } }", {"id": c})
    api.generate(board, "test-broken", "IMAGE", {"prompt": "broken"})
    for scheme in ("dark", "light"):
        page.emulate_media(color_scheme=scheme)
        open_board(page, installation, board)
        page.wait_for_timeout(1500)
        page.screenshot(path=f"/tmp/shots/look-{scheme}.png")
    page.locator("[data-size=small]").click()
    page.wait_for_timeout(500)
    page.screenshot(path="/tmp/shots/small.png")
    page.locator("[data-size=medium]").click()
    drop_files(page, "[data-testid=grid-scroll]", [("big.png", "image/png", list(png_bytes("#225588", 64))), ("setup.exe", "application/x-msdownload", [0x4D, 0x5A] * 8), ("fake.png", "image/png", [0x4D, 0x5A] * 8)])
    page.wait_for_timeout(800)
    page.screenshot(path="/tmp/shots/uploads.png")
    page.evaluate_handle("() => { const dt = new DataTransfer(); dt.items.add(new File(['x'], 'a.png', {type: 'image/png'})); document.querySelector('[data-testid=grid-scroll]').dispatchEvent(new DragEvent('dragenter', {bubbles: true, dataTransfer: dt})); document.querySelector('[data-testid=grid-scroll]').dispatchEvent(new DragEvent('dragover', {bubbles: true, cancelable: true, dataTransfer: dt})); }")
    page.wait_for_timeout(300)
    page.screenshot(path="/tmp/shots/dragover.png")
    page.evaluate("() => document.querySelector('[data-testid=drop-overlay]').hidden = true")
    page.keyboard.press("Control+a")
    page.locator("[data-action=bulk-move]").click()
    page.wait_for_timeout(300)
    page.screenshot(path="/tmp/shots/move.png")
