"""``inplace-fixer lsp``: the language server, a thin adapter over ``check_source``.

Only this command imports pygls, and only when it runs, so the rest of the CLI starts fast.
"""

from __future__ import annotations

import click


def _parse_address(ctx: click.Context, param: click.Parameter, value: str | None):
    if value is None:
        return None
    host, sep, port = value.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise click.BadParameter(f"expected HOST:PORT, such as 127.0.0.1:2087, got {value!r}")
    return host.strip("[]"), int(port)


@click.command("lsp")
@click.option(
    "--tcp",
    "address",
    metavar="HOST:PORT",
    callback=_parse_address,
    help="Listen on a TCP address instead of talking over stdin/stdout.",
)
def lsp(address: tuple[str, int] | None) -> None:
    """Run the language server (LSP) on stdin/stdout: diagnostics, quick-fixes, fix-all."""
    from importlib import metadata

    from inplace_fixer.collector import collect_less_often
    from inplace_fixer.lsp.server import build_server

    try:
        version = metadata.version("inplace-fixer")
    except metadata.PackageNotFoundError:  # running from a source checkout
        version = "0+unknown"
    server = build_server(version)
    # The server keeps each open document's parse alive (reparse.py): hundreds of thousands of
    # objects that Python's default collector scans again and again. On bench/bench_lsp.py's
    # 5,000-line document the slowest analyses took 331 ms with the default and 206 ms with
    # rarer collections (the same as with no collection at all); cycles are still collected.
    collect_less_often()
    if address is None:
        server.start_io()
    else:
        server.start_tcp(*address)
