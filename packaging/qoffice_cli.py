"""Entry script of the frozen console executable `qoffice-cli` (see build.spec)."""
import sys

from qoffice.main import main

if __name__ == "__main__":
    sys.exit(main())
