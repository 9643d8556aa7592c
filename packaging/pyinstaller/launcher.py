"""PyInstaller needs a script file rather than ``-m``: this is the console script, as a file."""

import sys

from desktop_assistant.app.cli import main

sys.exit(main())
