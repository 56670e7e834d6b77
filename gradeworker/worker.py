"""The untrusted worker: executes the student's definitions and answers calls.

Run as ``python -m gradeworker.worker``. It talks to the grader over the pipes it
was started with (``gradeworker.protocol`` frames on stdin/stdout); the student's
own prints are sent to stderr so they cannot corrupt the protocol. Nothing
here knows expected values or hidden-test source.
"""

import os
import sys
import traceback
import types

from gradeworker import protocol, tripwires

MAX_MESSAGE_CHARS = 600
_ABSENT = object()


def _short(text):
    text = str(text)
    return text if len(text) <= MAX_MESSAGE_CHARS else text[:MAX_MESSAGE_CHARS] + "..."


def _where(error):
    """'cell 7, line 3' for the innermost frame that is the student's own code."""
    where = None
    for frame in traceback.extract_tb(error.__traceback__):
        if frame.filename.startswith("<cell "):
            where = f"{frame.filename[1:-1]}, line {frame.lineno}"
    return where


def _error_payload(error):
    return {"type": type(error).__name__, "message": _short(error), "where": _where(error)}


# Exceptions a trusted callee may raise back into the student's code (by name only).
_CALLBACK_ERRORS = {cls.__name__: cls for cls in (ValueError, TypeError, IndexError,
                                                   ZeroDivisionError, OverflowError)}


class Worker:
    def __init__(self, requests=None, replies=None):
        self.module = types.ModuleType("student_notebook")
        self.namespace = self.module.__dict__
        sys.modules["student_notebook"] = self.module
        self.failed = {}
        self.requests, self.replies = requests, replies
        self.trusted_used = set()

    def load(self, units):
        """Execute each unit on its own so one broken cell spoils only its own names."""
        for unit in units:
            filename = f"<cell {unit['cell']}>"
            try:
                padded = "\n" * (unit["line"] - 1) + unit["source"]
                exec(compile(padded, filename, "exec"), self.namespace)
            except BaseException as error:  # SystemExit too: a unit must not end the worker
                for name in unit["names"]:
                    self.failed[name] = f"its definition raised {type(error).__name__}: {_short(error)}"
        defined = sorted(k for k in self.namespace if not k.startswith("__"))
        return {"ok": True, "defined": defined, "failed": self.failed}

    def _trusted_stub(self, name):
        """Stands in for the student's ``name`` during a re-check: the grader computes it."""
        def trusted(*args, **kwargs):
            self.trusted_used.add(name)
            try:
                request = {"callback": name, "args": protocol.encode(list(args)),
                           "kwargs": protocol.encode(kwargs)}
            except protocol.ProtocolError as error:
                raise TypeError(f"{name}: these arguments cannot be checked ({error})") from None
            protocol.write_message(self.replies, request)
            answer = protocol.read_message(self.requests)
            if "error" in answer:
                kind = _CALLBACK_ERRORS.get(answer["error"], RuntimeError)
                raise kind(f"{name} rejected these arguments")
            return protocol.decode(answer.get("value"))
        trusted.__name__ = trusted.__qualname__ = name
        return trusted

    def _swap_in_trusted(self, names):
        """Replace the student's ``names`` by trusted stubs; returns what to restore."""
        saved = {name: self.namespace.get(name, _ABSENT) for name in names}
        for name in names:
            self.namespace[name] = self._trusted_stub(name)
        return saved

    def _restore(self, saved):
        for name, original in saved.items():
            if original is _ABSENT:
                self.namespace.pop(name, None)
            else:
                self.namespace[name] = original

    def _run(self, function, args, kwargs, forbid, trusted=()):
        self.trusted_used = set()
        saved = self._swap_in_trusted(trusted)
        tripwires.arm(forbid)
        try:
            value = function(*args, **kwargs)
        except tripwires.ForbiddenOperationUsed:
            return {"ok": False, "forbidden": tripwires.disarm()}
        except BaseException as error:
            used = tripwires.disarm()
            return {"ok": False, "error": _error_payload(error), "forbidden": used}
        finally:
            self._restore(saved)
        used = tripwires.disarm()
        try:
            encoded = protocol.encode(value)
        except protocol.ProtocolError as error:
            return {"ok": False, "bad_return": str(error), "forbidden": used}
        return {"ok": True, "value": encoded, "forbidden": used,
                "trusted_used": sorted(self.trusted_used)}

    def call(self, message):
        name = message["name"]
        if name not in self.namespace:
            return {"ok": False, "missing": name}
        args = protocol.decode(message.get("args", []))
        kwargs = protocol.decode(message.get("kwargs", {"__dict__": []}))
        # The function under test is always the student's own, never a stub.
        trusted = [n for n in message.get("trusted", []) if n != name]
        return self._run(self.namespace[name], args, kwargs, message.get("forbid", []), trusted)

    def tool(self, message):
        from gradeworker.tools import TOOLS
        tool = TOOLS[message["tool"]]
        args = protocol.decode(message.get("args", []))
        kwargs = protocol.decode(message.get("kwargs", {"__dict__": []}))
        return self._run(lambda *a, **k: tool(self.namespace, *a, **k), args, kwargs, [],
                         message.get("trusted", []))

    def handle(self, message):
        op = message.get("op")
        if op == "load":
            return self.load(message["units"])
        if op == "call":
            return self.call(message)
        if op == "tool":
            return self.tool(message)
        if op == "ping":
            return {"ok": True}
        return {"ok": False, "error": {"type": "ProtocolError", "message": f"unknown op {op!r}"}}


def _private_channels():
    """Keep the protocol on duplicated fds; point fd 0/1 away from it."""
    requests = os.fdopen(os.dup(0), "rb")
    replies = os.fdopen(os.dup(1), "wb")
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.dup2(2, 1)  # student prints go to stderr, which the grader captures
    sys.stdout = os.fdopen(1, "w", buffering=1)
    return requests, replies


def drop_privileges():
    """Inside the sandbox as root: become the unprivileged uid the launcher chose, before
    any student code runs (resource limits such as RLIMIT_NPROC do not bind uid 0)."""
    uid = os.environ.pop("GRADEWORKER_DROP_TO", None)
    if uid is None or os.getuid() != 0:
        return
    os.setgroups([])
    os.setgid(int(uid))
    os.setuid(int(uid))


def main():
    drop_privileges()
    return serve()


def serve():
    """Answer the grader's requests on fds 0/1 until it shuts this worker down."""
    requests, replies = _private_channels()
    tripwires.install()
    worker = Worker(requests, replies)
    while True:
        try:
            message = protocol.read_message(requests)
        except EOFError:
            return 0
        if message.get("op") == "shutdown":
            return 0
        try:
            reply = worker.handle(message)
        except protocol.ProtocolError as error:
            reply = {"ok": False, "error": {"type": "ProtocolError", "message": str(error)}}
        reply["seq"] = message.get("seq")
        protocol.write_message(replies, reply)


if __name__ == "__main__":
    sys.exit(main())
