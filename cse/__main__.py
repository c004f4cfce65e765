import sys

from cse.cli import main

sys.exit(main())
