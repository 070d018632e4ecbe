"""``python -m locales update | stat | extract DIR`` (see locales/__init__.py)."""

import sys

import locales

USAGE = "usage: python -m locales update | stat | extract DIR"

if __name__ == "__main__":
    command, *args = sys.argv[1:] or ["?"]
    if command == "update" and not args:
        locales.update()
    elif command == "stat" and not args:
        locales.stat()
    elif command == "extract" and len(args) == 1:
        sys.exit(locales._extract_here(locales.Path(args[0]).resolve()))
    else:
        sys.exit(USAGE)
