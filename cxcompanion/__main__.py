"""`python -m cxcompanion` runs the same entry point as the `cxcompanion` command."""

from cxcompanion.cli import main

raise SystemExit(main())
