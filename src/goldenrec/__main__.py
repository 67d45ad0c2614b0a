"""``python -m goldenrec``: the command line."""

from goldenrec._cli import main

if __name__ == "__main__":
    raise SystemExit(main())
