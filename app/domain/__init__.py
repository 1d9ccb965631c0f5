"""The shop's loyalty rules as pure functions and values: no I/O, no database, no Qt."""
