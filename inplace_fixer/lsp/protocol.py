"""JSON-RPC error answers that pygls 2 does not give on its own.

pygls logs a request whose params do not fit the method's types, or a body that is not JSON,
and answers nothing: the client waits forever for its response. Here such a request is answered
with the JSON-RPC error (Invalid Params, Parse Error) and the server carries on.
"""

from __future__ import annotations

import json
from typing import Any

from pygls.exceptions import JsonRpcException, JsonRpcParseError
from pygls.protocol import LanguageServerProtocol

# What ``structure_message`` returns for a request it has already answered with an error.
_ANSWERED = object()


class AnsweringProtocol(LanguageServerProtocol):
    def structure_message(self, data: dict[str, Any]):
        try:
            return super().structure_message(data)
        except JsonRpcException as error:
            if "id" in data and "method" in data:  # a request must get an answer
                self._send_response(data["id"], error=error.to_response_error())
                return _ANSWERED
            raise

    def handle_message(self, message):
        if message is not _ANSWERED:
            super().handle_message(message)


def answer_parse_error(protocol: LanguageServerProtocol, error: Exception) -> bool:
    """Answer a body that is not JSON as the spec says (id null); False for other errors."""
    if not isinstance(error, json.JSONDecodeError):
        return False
    parse_error = JsonRpcParseError(message=f"{JsonRpcParseError.MESSAGE}: {error}")
    protocol._send_data(
        {
            "jsonrpc": "2.0",
            "id": None,
            "error": protocol._converter.unstructure(parse_error.to_response_error()),
        }
    )
    return True
