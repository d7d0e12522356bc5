"""Running the function like Lambda: worker processes, one invocation at a time each.

Each worker is a fresh interpreter (``spawn``) that imports the function once (the init phase)
and then serves invocations. Events and results cross the process boundary as JSON text, so a
result that is not JSON-serialisable fails as it does on Lambda. A worker that crashes or runs
past its timeout is killed, and the next invocation starts a new one.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import multiprocessing
import os
import resource
import sys
import threading
import time
import traceback
import uuid
from multiprocessing.connection import Connection

from lambdash.exceptions import LambdashError
from lambdash.local._target import Target
from lambdash.local._target import TargetError
from lambdash.local._target import load

__all__ = ["Invocation", "WorkerPool"]

logger = logging.getLogger("lambdash.local")
# Lambda's init phase may take 10 s before it is retried inside the invocation.
_INIT_TIMEOUT = 10.0


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class Invocation:
    """The outcome of one invocation: a JSON *payload*, or an *error* in plain words."""

    request_id: str
    payload: str | None = None
    error: str | None = None
    gateway_timed_out: bool = False


class LocalContext:
    """The context object the Python runtime passes to handlers."""

    def __init__(
        self, *, request_id: str, deadline: float, function_name: str, memory_size: int
    ) -> None:
        self.aws_request_id = request_id
        self.function_name = function_name
        self.function_version = "$LATEST"
        self.memory_limit_in_mb = str(memory_size)
        self.invoked_function_arn = (
            f"arn:aws:lambda:us-east-1:123456789012:function:{function_name}"
        )
        self.log_group_name = f"/aws/lambda/{function_name}"
        self.log_stream_name = "local"
        self._deadline = deadline

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.time()) * 1000))


def _max_memory_mb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


def _worker_main(
    conn: Connection,
    target: Target,
    env: dict[str, str],
    function_name: str,
    memory_size: int,
) -> None:
    os.environ.update(env)
    # Lambda's code directory is read-only, so nothing writes bytecode there; a .pyc written here
    # could also hide an edit made within the same second from --reload.
    sys.dont_write_bytecode = True
    started = time.perf_counter()
    try:
        handler = load(target)
    except LambdashError as exc:
        # The import's failures, said plainly, with the app's own traceback when it has one.
        conn.send(
            (
                "init-error",
                str(exc),
                getattr(exc, "hint", ""),
                getattr(exc, "details", ""),
            )
        )
        return
    except BaseException as exc:
        conn.send(
            ("init-error", f"{type(exc).__name__}: {exc}", "", traceback.format_exc())
        )
        return
    conn.send(("ready", (time.perf_counter() - started) * 1000))
    while True:
        try:
            message = conn.recv()
        except (EOFError, KeyboardInterrupt):
            return
        request_id, event_json, deadline = message
        context = LocalContext(
            request_id=request_id,
            deadline=deadline,
            function_name=function_name,
            memory_size=memory_size,
        )
        began = time.perf_counter()
        try:
            payload = json.dumps(handler(json.loads(event_json), context))
        except Exception as exc:
            traceback.print_exc()
            conn.send(
                (
                    "error",
                    f"{type(exc).__name__}: {exc}",
                    (time.perf_counter() - began) * 1000,
                    _max_memory_mb(),
                )
            )
        else:
            conn.send(
                ("ok", payload, (time.perf_counter() - began) * 1000, _max_memory_mb())
            )


def _log_init_failure(failure: TargetError) -> None:
    lines = [
        failure.details,
        f"error: {failure}",
        f"hint: {failure.hint}" if failure.hint else "",
    ]
    logger.error(
        "the function failed to initialise:\n%s",
        "\n".join(line for line in lines if line),
    )


class _Worker:
    def __init__(self, pool: WorkerPool) -> None:
        self.generation = pool.generation
        parent, child = multiprocessing.get_context("spawn").Pipe()
        self.conn = parent
        self.process = multiprocessing.get_context("spawn").Process(
            target=_worker_main,
            args=(child, pool.target, pool.env, pool.function_name, pool.memory_size),
            name="lambdash-worker",
            daemon=True,
        )
        self.process.start()
        child.close()
        self.init_ms: float | None = None
        self.init_error: str | None = None
        self.init_failure: TargetError | None = None
        if not parent.poll(max(_INIT_TIMEOUT, pool.timeout)):
            self.kill()
            self.init_error = f"the function's init phase did not finish within {max(_INIT_TIMEOUT, pool.timeout):g} s"
            return
        try:
            reply = parent.recv()
        except EOFError:
            self.init_error = (
                f"the worker exited during init (exit code {self.process.exitcode})"
            )
            return
        if reply[0] == "ready":
            self.init_ms = reply[1]
        else:
            _, self.init_error, hint, details = reply
            self.init_failure = TargetError(self.init_error, hint=hint, details=details)

    def kill(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=5)
        self.conn.close()


class WorkerPool:
    """Up to *size* workers; an invocation waits for a free one, as Lambda queues at its concurrency cap."""

    def __init__(
        self,
        target: Target,
        *,
        size: int = 4,
        timeout: float = 30.0,
        memory_size: int = 512,
        function_name: str = "lambdash-local",
    ) -> None:
        self.target = target
        self.size = max(1, size)
        self.timeout = timeout
        self.memory_size = memory_size
        self.function_name = function_name
        self.env = {
            "AWS_LAMBDA_FUNCTION_NAME": function_name,
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(memory_size),
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_REGION": os.environ.get("AWS_REGION", "us-east-1"),
            "AWS_EXECUTION_ENV": f"AWS_Lambda_python{sys.version_info.major}.{sys.version_info.minor}",
            "LAMBDA_TASK_ROOT": os.path.abspath(target.code_dir),
        }
        self.generation = 0
        self._idle: list[_Worker] = []
        self._busy = 0
        self._lock = threading.Condition()
        self._closed = False

    def start(self) -> float:
        """Start one worker now, so that import errors show at once; returns its init time in ms.

        :raises TargetError: when the function's import fails, with a hint and the app's traceback.
        :raises RuntimeError: with the reason when the worker hangs or exits during init.
        """
        worker = _Worker(self)
        if worker.init_failure is not None:
            raise worker.init_failure
        if worker.init_error is not None:
            raise RuntimeError(worker.init_error)
        assert worker.init_ms is not None
        with self._lock:
            self._idle.append(worker)
        return worker.init_ms

    def restart(self) -> None:
        """Replace every worker: idle ones now, busy ones when they finish (``--reload``)."""
        with self._lock:
            self.generation += 1
            stale, self._idle = self._idle, []
        for worker in stale:
            worker.kill()

    def close(self) -> None:
        """Stop every idle worker and refuse new invocations."""
        with self._lock:
            self._closed = True
            stale, self._idle = self._idle, []
            self._lock.notify_all()
        for worker in stale:
            worker.kill()

    def _acquire(self) -> _Worker | None:
        with self._lock:
            while not self._idle and self._busy >= self.size and not self._closed:
                self._lock.wait()
            if self._closed:
                msg = "the gateway is shutting down"
                raise RuntimeError(msg)
            self._busy += 1
            return self._idle.pop() if self._idle else None

    def _release(self, worker: _Worker | None) -> None:
        with self._lock:
            self._busy -= 1
            if (
                worker is not None
                and worker.generation == self.generation
                and not self._closed
            ):
                self._idle.append(worker)
                worker = None
            self._lock.notify()
        if worker is not None:
            worker.kill()

    def invoke(
        self, event_json: str, *, gateway_timeout: float | None = None
    ) -> Invocation:
        """Run one invocation, logging CloudWatch-style START, END and REPORT lines."""
        request_id = str(uuid.uuid4())
        worker = self._acquire()
        try:
            if worker is not None and not worker.process.is_alive():
                # An idle worker that died (killed from outside, say): like Lambda replacing a
                # lost execution environment, this invocation gets a fresh one.
                logger.info(
                    "an idle worker exited (exit code %s); starting a new one",
                    worker.process.exitcode,
                )
                worker.kill()
                worker = None
            if worker is None:
                worker = _Worker(self)
                if worker.init_error is not None:
                    failed, worker = worker, None
                    failed.kill()
                    if failed.init_failure is not None:
                        _log_init_failure(failed.init_failure)
                    return Invocation(
                        request_id=request_id,
                        error=f"Runtime.InitError: {failed.init_error}",
                    )
            init_ms, worker.init_ms = worker.init_ms, None
            return self._run(worker, request_id, event_json, init_ms, gateway_timeout)
        except BaseException:
            if worker is not None:
                worker.kill()
                worker = None
            raise
        finally:
            if worker is not None and not worker.process.is_alive():
                worker = None
            self._release(worker)

    def _run(
        self,
        worker: _Worker,
        request_id: str,
        event_json: str,
        init_ms: float | None,
        gateway_timeout: float | None,
    ) -> Invocation:
        logger.info("START RequestId: %s Version: $LATEST", request_id)
        began = time.monotonic()
        wait = (
            self.timeout
            if gateway_timeout is None
            else min(self.timeout, gateway_timeout)
        )
        outcome: Invocation
        memory = 0
        try:
            worker.conn.send((request_id, event_json, time.time() + self.timeout))
            answered = worker.conn.poll(wait)
            if answered:
                kind, value, duration, memory = worker.conn.recv()
        except (EOFError, OSError):
            # The worker's process is gone: it died before the send (a broken pipe; invoke
            # checked it was alive just before) or while it ran the invocation.
            outcome = self._exited(worker, request_id)
            duration = (time.monotonic() - began) * 1000
        else:
            if answered:
                outcome = (
                    Invocation(request_id=request_id, payload=value)
                    if kind == "ok"
                    else Invocation(request_id=request_id, error=value)
                )
            else:
                worker.kill()
                elapsed = time.monotonic() - began
                if gateway_timeout is not None and gateway_timeout < self.timeout:
                    outcome = Invocation(
                        request_id=request_id,
                        gateway_timed_out=True,
                        error=f"the integration timed out after {gateway_timeout:g} s",
                    )
                else:
                    outcome = Invocation(
                        request_id=request_id,
                        error=f"Task timed out after {elapsed:.2f} seconds",
                    )
                duration = elapsed * 1000
        logger.info("END RequestId: %s", request_id)
        init = f"\tInit Duration: {init_ms:.2f} ms" if init_ms is not None else ""
        logger.info(
            "REPORT RequestId: %s\tDuration: %.2f ms\tBilled Duration: %d ms\tMemory Size: %d MB\tMax Memory Used: %d MB%s",
            request_id,
            duration,
            int(duration) + 1,
            self.memory_size,
            memory,
            init,
        )
        return outcome

    @staticmethod
    def _exited(worker: _Worker, request_id: str) -> Invocation:
        worker.kill()
        return Invocation(
            request_id=request_id,
            error=f"Runtime.ExitError: the function's process exited (exit code {worker.process.exitcode})",
        )
