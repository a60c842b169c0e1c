"""Entry point of the frozen bundle (PyInstaller): the same ``mgso4`` command as a wheel install.

With no arguments it opens the app; with a subcommand it runs it (``mgso4 assess ...``).
"""

from __future__ import annotations

import sys

from mgso4.cli import main

if __name__ == "__main__":
    sys.exit(main())
