"""`dangol` with no command opens the counter screen; with a command, the command line runs."""

from __future__ import annotations

import sys

_WITH_VALUE = ("--db", "--lang")


def gui_options(args: list[str]) -> dict[str, str] | None:
    """The options of a bare `dangol [--db X] [--lang ko|en]`, or None when a command is given."""
    options: dict[str, str] = {}
    rest = list(args)
    while rest:
        arg = rest.pop(0)
        name, _, value = arg.partition("=")
        if name in _WITH_VALUE:
            if not value:
                if not rest:
                    return None
                value = rest.pop(0)
            options[name.lstrip("-")] = value
        else:
            return None
    return options


def main() -> int:
    args = sys.argv[1:]
    options = gui_options(args)
    if options is not None:
        from app.ui.app import run_gui

        return run_gui(options.get("db"), options.get("lang"))
    from app.cli.main import main as cli_main

    return cli_main(args)


if __name__ == "__main__":
    sys.exit(main())
