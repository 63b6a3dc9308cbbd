"""python -m launcher: what `make run` calls."""

from launcher.servers import main

raise SystemExit(main())
