import sys

from include.remediation.cli import main

sys.exit(main())
