from boards_desktop.cli import main

raise SystemExit(main())
