import sys

from include.ledger.cli import main

sys.exit(main())
