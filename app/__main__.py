import sys

from app.cli.app_cli import main

sys.exit(main())
