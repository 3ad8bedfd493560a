from civaffairs.cli import main

raise SystemExit(main())
