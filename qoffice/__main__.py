"""`python -m qoffice` runs the same entry point as the `qoffice` command."""
import sys

from qoffice.main import main

sys.exit(main())
