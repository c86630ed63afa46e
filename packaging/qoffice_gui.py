"""Entry script of the frozen windowed executable `qoffice` (see build.spec): opens the window,
refuses commands (qoffice.main.gui_main)."""
import sys

from qoffice.main import gui_main

if __name__ == "__main__":
    sys.exit(gui_main())
