"""`python -m cxcompanion` runs the same entry point as the `cxcompanion` command."""

from cxcompanion.cli import main

if __name__ == "__main__":  # not when a helper process (sync/read_ahead.py) starts
    raise SystemExit(main())
