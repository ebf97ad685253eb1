"""Where pygls 2's JSON-RPC layer falls short, corrected in our protocol class.

- Answers: pygls logs a request whose params do not fit the method's types, or a body that is
  not JSON, and answers nothing: the client waits forever for its response. Here such a request
  is answered with the JSON-RPC error (Invalid Params, Parse Error) and the server carries on.
- Memory: pygls files every handler's future in ``_request_futures`` under a message id, so that
  a ``$/cancelRequest`` can find it, but removes it only when the answer to a client's request is
  sent. A notification handled by one of its own generator handlers (``didOpen``, ``didChange``,
  ``didSave``, ``didClose``) files a future under a fresh uuid that nothing removes: about 1.7 KiB
  (the future, its condition, lock and key) per keystroke, forever. Here every future leaves the
  map once done; a finished handler has nothing left to cancel.
"""

from __future__ import annotations

import json
from functools import partial
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

    def _execute_handler(self, msg_id, handler, callback, args=None, kwargs=None):
        super()._execute_handler(msg_id, handler, callback, args, kwargs)
        future = self._request_futures.get(msg_id)
        if future is not None:
            # Added after pygls's own callback, so a request's answer is sent first; a future
            # that is already done runs this at once.
            future.add_done_callback(partial(self._forget_future, msg_id, future))

    def _forget_future(self, msg_id, future, _done) -> None:
        if self._request_futures.get(msg_id) is future:
            del self._request_futures[msg_id]


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
