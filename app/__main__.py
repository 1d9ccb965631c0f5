"""`python -m app` runs the same command line as `dangol`."""

import sys

from app.cli.main import main

sys.exit(main())
