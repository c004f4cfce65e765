"""``python -m ipe_sdt.sim.lwm2m``: the same as ``cse sim lwm2m``."""

import sys

from .cli import main

sys.exit(main())
