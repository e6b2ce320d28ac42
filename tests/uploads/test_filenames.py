"""The contract's filename rule, on inputs a form cannot carry as they are (backslashes, NUL, length)."""

from __future__ import annotations

import pytest

from boards_desktop.media.uploads import sanitize_filename


@pytest.mark.parametrize(
    ("raw", "kept"),
    [
        ("picture.png", "picture.png"),
        ("../../etc/passwd", "passwd"),
        ("/absolute/path/x.jpg", "x.jpg"),
        ("C:\\Users\\me\\x.png", "C__Users_me_x.png"),  # basename by '/', then every '\\' and ':' to '_'
        ('a<b>c:d"e|f?g*h.png', "a_b_c_d_e_f_g_h.png"),
        ("nul\x00byte.png", "nulbyte.png"),
        ("tab\there.png", "tab_here.png"),
        (" . .dots and spaces. . ", "dots and spaces"),
        ("....", "uploaded_file"),
        ("dir/", "uploaded_file"),
        ("", "uploaded_file"),
        (None, "uploaded_file"),
        ("ünïcödé 图片.png", "ünïcödé 图片.png"),
    ],
)
def test_sanitize_filename(raw: str | None, kept: str) -> None:
    assert sanitize_filename(raw) == kept


def test_a_long_name_keeps_its_extension() -> None:
    kept = sanitize_filename("x" * 400 + ".png")
    assert len(kept) == 255
    assert kept.endswith("x.png")
