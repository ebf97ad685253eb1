"""``python -m inplace_fixer.lsp``: the same server as ``inplace-fixer lsp``."""

from inplace_fixer.lsp import lsp

lsp(prog_name="inplace-fixer lsp")
