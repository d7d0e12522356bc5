"""Calling an ASGI app with a :class:`Request`: one event loop and one lifespan per container.

Lambda reuses a process for many invocations, so the loop is made once and the lifespan
startup runs once; running it per invocation is mangum's issue #342. The shutdown runs at a
defined point only: the handler's ``close()``, Lambda's SIGTERM, or interpreter exit. Never from
the garbage collector, which runs inside whatever code allocates at that moment (on CPython 3.11
an ``ast.parse`` elsewhere failed with ``SystemError``).
"""

from __future__ import annotations

import asyncio
import atexit
import contextvars
import enum
import logging
import signal
import threading
from collections.abc import Coroutine
from typing import TYPE_CHECKING
from typing import Any
from typing import TypeVar

from lambdash._message import Request
from lambdash._message import Response
from lambdash._scope import ROOT_IN_PATH
from lambdash._scope import scope_for
from lambdash._types import ASGIApp
from lambdash._types import Message
from lambdash.exceptions import AppProtocolError
from lambdash.exceptions import LifespanError

if TYPE_CHECKING:
    from types import FrameType

    from lambdash._types import LifespanMode

__all__ = ["ASGIRunner"]


logger = logging.getLogger("lambdash")

_LIFESPAN_SHUTDOWN_TIMEOUT = 5.0
_T = TypeVar("_T")


class _Phase(enum.Enum):
    """Where an HTTP response stands; each message is legal in one phase only."""

    START = "waiting for http.response.start"
    BODY = "waiting for http.response.body"
    DONE = "response complete"


class _Lifespan:
    """The app's lifespan task, parked between invocations on the runner's loop."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.queue: asyncio.Queue[Message] = asyncio.Queue()
        self.startup: asyncio.Future[None] = loop.create_future()
        self.shutdown: asyncio.Future[None] = loop.create_future()
        self.task: asyncio.Task[None] | None = None
        self.supported = False

    async def receive(self) -> Message:
        return await self.queue.get()

    async def send(self, message: Message) -> None:
        kind = message.get("type")
        if kind == "lifespan.startup.complete" and not self.startup.done():
            self.startup.set_result(None)
        elif kind == "lifespan.startup.failed" and not self.startup.done():
            self.startup.set_exception(
                LifespanError(
                    f"ASGI lifespan startup failed: {message.get('message', '')}"
                )
            )
        elif kind == "lifespan.shutdown.complete" and not self.shutdown.done():
            self.shutdown.set_result(None)
        elif kind == "lifespan.shutdown.failed" and not self.shutdown.done():
            self.shutdown.set_exception(
                LifespanError(
                    f"ASGI lifespan shutdown failed: {message.get('message', '')}"
                )
            )
        else:
            msg = f"the ASGI app sent {kind!r} out of order on the lifespan protocol"
            raise AppProtocolError(msg)

    async def run(
        self, app: ASGIApp, state: dict[str, Any], mode: LifespanMode
    ) -> None:
        scope = {
            "type": "lifespan",
            "asgi": {"version": "3.0", "spec_version": "2.0"},
            "state": state,
        }

        async def main() -> None:
            await app(scope, self.receive, self.send)

        self.task = self.loop.create_task(main())
        self.queue.put_nowait({"type": "lifespan.startup"})
        await asyncio.wait(
            [self.startup, self.task], return_when=asyncio.FIRST_COMPLETED
        )
        if self.startup.done():
            self.startup.result()
            self.supported = True
            return
        error = self.task.exception()
        if mode == "on":
            msg = "the ASGI app finished its lifespan task without completing startup"
            raise LifespanError(msg) from error
        # "auto": an app that rejects the lifespan scope simply does not support it.
        logger.debug(
            "ASGI lifespan unsupported by the app; continuing without it",
            exc_info=error,
        )

    async def stop(self) -> None:
        """Ask for shutdown; done when the app confirms it or its lifespan task returns."""
        assert self.task is not None
        self.queue.put_nowait({"type": "lifespan.shutdown"})
        done, _ = await asyncio.wait(
            [self.shutdown, self.task],
            timeout=_LIFESPAN_SHUTDOWN_TIMEOUT,
            return_when=asyncio.FIRST_COMPLETED,
        )
        if not done:
            logger.warning(
                "ASGI lifespan shutdown did not finish within %s s",
                _LIFESPAN_SHUTDOWN_TIMEOUT,
            )
        elif self.shutdown.done():
            self.shutdown.result()


def _close(loop: asyncio.AbstractEventLoop, lifespan: _Lifespan | None) -> None:
    """Shut the lifespan down, cancel what is left and close *loop*.

    When another event loop runs in this thread (another handler's invocation closing this one),
    *loop* cannot run here; then the work happens in a short-lived thread of its own.
    """
    if asyncio._get_running_loop() is not None:
        worker = threading.Thread(
            target=_close, args=(loop, lifespan), name="lambdash-close"
        )
        worker.start()
        worker.join()
        return
    try:
        if lifespan is not None and lifespan.supported:
            loop.run_until_complete(lifespan.stop())
    except Exception:
        logger.exception("ASGI lifespan shutdown failed")
    finally:
        for task in asyncio.all_tasks(loop):
            task.cancel()
        loop.run_until_complete(asyncio.sleep(0))
        loop.close()


class _Open:
    """The runners not closed yet, closed at interpreter exit or on SIGTERM, newest first.

    They are held strongly: a runner the app drops stays open until one of those points, rather
    than having the garbage collector run its shutdown in the middle of other code.
    """

    def __init__(self) -> None:
        self.runners: dict[ASGIRunner, None] = {}
        self.lock = threading.Lock()
        self.hooked = False
        self.previous: object = signal.SIG_DFL

    def add(self, runner: ASGIRunner, *, shutdown: bool) -> None:
        """Keep *runner* until it is closed; with *shutdown*, it has a lifespan to shut down."""
        with self.lock:
            self.runners[runner] = None
            if not self.hooked:
                self.hooked = True
                atexit.register(self.close_all)
        # Lambda sends the runtime SIGTERM before it shuts an execution environment down, when
        # an extension is registered, and SIGKILL once the Shutdown phase's time is up
        # (https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html#runtimes-lifecycle-shutdown;
        # https://github.com/aws-samples/graceful-shutdown-with-aws-lambda). Python lets only the
        # main thread set a signal handler; elsewhere, close() and interpreter exit remain.
        if (
            shutdown
            and threading.current_thread() is threading.main_thread()
            and signal.getsignal(signal.SIGTERM) != self.on_sigterm
        ):
            self.previous = signal.signal(signal.SIGTERM, self.on_sigterm)

    def discard(self, runner: ASGIRunner) -> None:
        with self.lock:
            self.runners.pop(runner, None)

    def close_all(self) -> None:
        with self.lock:
            runners = list(self.runners)
        for runner in reversed(runners):
            runner.close()

    def on_sigterm(self, signum: int, frame: FrameType | None) -> None:
        self.close_all()
        previous = self.previous
        if callable(previous):
            previous(signum, frame)
        elif previous != signal.SIG_IGN:
            # SIG_DFL, or a handler set outside Python: the process ends, as SIGTERM would have
            # ended it, but through SystemExit, so that buffered output and logs are flushed.
            raise SystemExit(128 + signum)


_OPEN = _Open()


class ASGIRunner:
    """Runs an ASGI app on a private event loop, starting its lifespan once.

    Every invocation runs in a fresh copy of *context* (by default, the context ``ASGIRunner`` was
    made in), so context variables the caller sets, or a previous invocation left, do not leak in.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        lifespan: LifespanMode,
        context: contextvars.Context | None = None,
        layout: str = ROOT_IN_PATH,
    ) -> None:
        self._app = app
        self._loop = asyncio.new_event_loop()
        self._context = context if context is not None else contextvars.copy_context()
        self._layout = layout
        self._state: dict[str, Any] = {}
        self._lifespan: _Lifespan | None = None
        self._closing = threading.Lock()
        if lifespan != "off":
            self._lifespan = _Lifespan(self._loop)
            try:
                self._run(self._lifespan.run(app, self._state, lifespan))
            except BaseException:
                _close(self._loop, None)
                raise
        _OPEN.add(
            self, shutdown=self._lifespan is not None and self._lifespan.supported
        )

    def __call__(self, request: Request) -> Response:
        return self._run(self._cycle(request))

    def close(self) -> None:
        """Run the lifespan shutdown, if the app started one, and close the loop; once only."""
        with self._closing:
            if self._loop.is_closed():
                return
            if self._loop.is_running():
                logger.warning(
                    "close() was called while the handler serves a request; call it between invocations"
                )
                return
            _OPEN.discard(self)
            _close(self._loop, self._lifespan)

    def _run(self, coro: Coroutine[Any, Any, _T]) -> _T:
        try:
            task = self._loop.create_task(coro, context=self._context.copy())
        except RuntimeError as exc:  # asyncio's "Event loop is closed"
            coro.close()
            msg = "this handler was closed, and its ASGI app shut down; make a new one with make_handler"
            raise LifespanError(msg) from exc
        return self._loop.run_until_complete(task)

    async def _cycle(self, request: Request) -> Response:
        phase = _Phase.START
        status = 0
        headers: list[tuple[str, str]] = []
        chunks: list[bytes] = []
        delivered = False
        complete = asyncio.Event()

        async def receive() -> Message:
            nonlocal delivered
            if not delivered:
                delivered = True
                return {
                    "type": "http.request",
                    "body": request.body,
                    "more_body": False,
                }
            # After the body, receive() waits for the client to go away: here, the end of the response.
            await complete.wait()
            return {"type": "http.disconnect"}

        async def send(message: Message) -> None:
            nonlocal phase, status, headers
            kind = message.get("type")
            if phase is _Phase.START and kind == "http.response.start":
                status, headers = _start(message)
                phase = _Phase.BODY
            elif phase is _Phase.BODY and kind == "http.response.body":
                body = message.get("body", b"")
                if not isinstance(body, bytes):
                    msg = f"the ASGI app sent a {type(body).__name__} body; the ASGI spec requires bytes"
                    raise AppProtocolError(msg)
                chunks.append(body)
                if not message.get("more_body", False):
                    phase = _Phase.DONE
                    complete.set()
            else:
                msg = f"the ASGI app sent {kind!r} while {phase.value}"
                raise AppProtocolError(msg)

        try:
            await self._app(
                scope_for(request, self._state, layout=self._layout),
                receive,
                send,
            )
        except Exception:
            if phase is not _Phase.DONE:
                raise
            # The response was complete: the client gets it, and the error is logged.
            logger.exception("the ASGI app raised after completing its response")
        if phase is not _Phase.DONE:
            msg = (
                f"the ASGI app returned without completing its response ({phase.value})"
            )
            raise AppProtocolError(msg)
        return Response(status=status, headers=headers, body=b"".join(chunks))


def _start(message: Message) -> tuple[int, list[tuple[str, str]]]:
    status = message.get("status")
    if (
        not isinstance(status, int)
        or isinstance(status, bool)
        or not 100 <= status <= 999
    ):
        msg = f"the ASGI app sent an invalid status {status!r}; use an integer such as 200"
        raise AppProtocolError(msg)
    raw = message.get("headers", ())
    try:
        items = list(raw)
    except TypeError as exc:
        msg = f"the ASGI app sent headers {raw!r}; use an iterable of (name, value) pairs of bytes"
        raise AppProtocolError(msg) from exc
    headers: list[tuple[str, str]] = []
    for item in items:
        try:
            name, value = item
            headers.append((name.decode("latin-1"), value.decode("latin-1")))
        except (TypeError, ValueError, AttributeError) as exc:
            msg = f"the ASGI app sent an invalid header {item!r}; use (name, value) pairs of bytes"
            raise AppProtocolError(msg) from exc
    return status, headers
