"""`python -m app` is the same as `dangol`: the counter screen, or a command."""

import sys

from app.launch import main

sys.exit(main())
