"""``python -m volunteer_rules`` runs the command line."""

import sys

from volunteer_rules.cli import main

sys.exit(main())
