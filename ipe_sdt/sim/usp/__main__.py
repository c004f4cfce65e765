"""``python -m ipe_sdt.sim.usp``: the same as ``cse sim usp``."""

import sys

from .cli import main

sys.exit(main())
