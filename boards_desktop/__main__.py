from boards_desktop.cli import run

run()
