"""``python -m volunteer_rules`` runs the command line, as the ``volunteer-rules`` program does.

Through the same guarded entry point (``_volunteer_rules_cli``): Ctrl-C while the command line
is being imported ends with one line and status 130, not a traceback.
"""

import sys

from _volunteer_rules_cli import main

sys.exit(main())
