"""LibCST codemod commands that run inplace-fixer's rewrites through ``python -m libcst.tool``.

From the repository root (where ``.libcst.codemod.yaml`` lists this package)::

    python -m libcst.tool codemod --no-format inplace.FixInplace PATH

From anywhere else, name the class directly with ``-x codemods.inplace.FixInplace``.
"""
