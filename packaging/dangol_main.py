"""Entry point of the built app: the same `dangol` as the installed script (app.launch)."""

import sys

from app.launch import main

if __name__ == "__main__":
    sys.exit(main())
