"""``python -m desktop_assistant`` runs the same entry point as the ``desktop-assistant`` script."""

import sys

from desktop_assistant.app.cli import main

sys.exit(main())
