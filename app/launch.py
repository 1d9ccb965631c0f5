"""`dangol` with no command opens the counter screen; with a command, the command line runs."""

from __future__ import annotations

import sys


def main() -> int:
    args = sys.argv[1:]
    if not args or args[0] in ("gui", "counter"):
        from app.ui.app import run_gui

        target = None
        if len(args) >= 3 and args[1] == "--db":
            target = args[2]
        return run_gui(target)
    from app.cli.main import main as cli_main

    return cli_main(args)


if __name__ == "__main__":
    sys.exit(main())
