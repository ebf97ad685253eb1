"""``python -m inplace_fixer``: the same command line as ``inplace-fixer``."""

from inplace_fixer.cli import main

if __name__ == "__main__":
    main()
