from perfdoc.cli import main

raise SystemExit(main())
