"""A disposable, bounded process for running a submission's code (the grader's worker).

``Sandbox`` owns one throw-away folder and the processes started in it:

* the folder holds copies only (the submission, its companion files, the graded tests); ``HOME``,
  ``IPYTHONDIR``, ``MPLCONFIGDIR``, ``XDG_CACHE_HOME`` and ``TMPDIR`` point inside it;
* run as root, each worker gets a **user id of its own** (no one else's; switched to by util-linux's
  ``setpriv``, with no way back to privileges and one capability left, reading files, because the
  interpreter may live in root's home): file permissions then stop it from writing the repository, a
  sibling submission or the report, and from signalling the grader; ``RLIMIT_NPROC`` counts its
  processes only; and at the end every process with that uid is killed, including detached
  grandchildren that called ``setsid()``. Run as another user (no uid to spare),
  the worker gets its own session, and the end kills that process group and every process carrying
  the sandbox's token in its environment (a detached child keeps it unless it clears its environment);
* the worker limits itself (address space, CPU seconds, file size, processes) before running any
  submitted code (``apply_limits``);
* its stdout/stderr go to ``/dev/null``: nothing it prints reaches the grader's memory;
* it reports over an inherited pipe; ``Channel`` reads it with a deadline and a byte bound, and
  hands over parsed JSON objects only — the caller validates them as untrusted data.
"""

from __future__ import annotations

import functools
import itertools
import json
import os
import secrets
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

TOKEN_VARIABLE = "MINITORCH_SANDBOX"
_UID_BASE = 1_500_000_000  # far above any real account; one block of 1000 per grading process
_uid_counter = itertools.count()
_uid_lock = threading.Lock()
MAX_LINE = 256 * 1024  # bytes in one report line
MAX_REPORT = 16 * 2**20  # bytes one worker may send in all


def _uids(pid: str) -> tuple[int, ...]:
    """Real, effective, saved and filesystem uid of a live process (from /proc/PID/status, which, unlike
    the owner of /proc/PID, a process cannot hide by making itself non-dumpable); () for a zombie."""
    with open(f"/proc/{pid}/status", "rb") as f:
        for line in f:
            if line.startswith(b"State:") and line.split()[1] in (b"Z", b"X"):
                return ()
            if line.startswith(b"Uid:"):
                return tuple(int(x) for x in line.split()[1:])
    return ()


def _uids_in_use() -> set[int]:
    uids: set[int] = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                uids.update(_uids(entry))
            except (OSError, ValueError):
                pass
    return uids


def _setpriv() -> str | None:
    """util-linux's setpriv, if we are root on Linux (it switches the worker to its own uid)."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0 or not os.path.isdir("/proc"):
        return None
    return shutil.which("setpriv")


def _fresh_uid() -> int | None:
    """A user id no process uses, for one worker (None unless we can switch to it)."""
    if _setpriv() is None:
        return None
    with _uid_lock:
        busy = _uids_in_use()
        for _ in range(1000):
            uid = _UID_BASE + (os.getpid() % 500_000) * 1000 + next(_uid_counter) % 1000
            if uid not in busy:
                return uid
    return None


@functools.lru_cache(maxsize=1)
def _unshare() -> str | None:
    """util-linux's unshare, if this machine lets us make a mount namespace and bind-mount in it
    (containers often do not): asked once, by trying."""
    unshare = shutil.which("unshare")
    if unshare is None:
        return None
    try:
        probe = subprocess.run([unshare, "--mount", "--propagation", "private", "--", "/bin/sh", "-c",
                                "mount --bind / /"], capture_output=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return unshare if probe.returncode == 0 else None


def own_uid_available() -> bool:
    """Will workers run as users of their own (root, Linux, setpriv)?"""
    return _setpriv() is not None


def _processes_of(uid: int | None, token: str) -> list[int]:
    """Pids running as that uid (root mode), or whose environment carries the token (other modes)."""
    found, me = [], os.getpid()
    for entry in os.listdir("/proc") if os.path.isdir("/proc") else []:
        if not entry.isdigit() or int(entry) == me:
            continue
        try:
            if uid is not None:
                if uid in _uids(entry):
                    found.append(int(entry))
                continue
            if not _uids(entry):  # a zombie
                continue
            with open(f"/proc/{entry}/environ", "rb") as f:
                if f"{TOKEN_VARIABLE}={token}".encode() in f.read(1 << 20).split(b"\0"):
                    found.append(int(entry))
        except (OSError, ValueError):
            pass
    return found


class Sandbox:
    """A throw-away folder and the worker processes run in it; ``close()`` kills them and deletes it."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="minitorch-grade-"))
        self.work = self.root / "work"
        self.work.mkdir()
        for sub in ("home", "tmp"):
            (self.work / sub).mkdir()
        self.token = secrets.token_hex(16)
        self.uid = _fresh_uid()
        self.process: subprocess.Popen | None = None

    def hand_over(self) -> None:
        """Give the worker's uid the work folder (call after copying files into it)."""
        if self.uid is None:
            return
        for folder, dirs, files in os.walk(self.work):
            for name in [folder, *(os.path.join(folder, n) for n in dirs + files)]:
                os.lchown(name, self.uid, self.uid)
        os.chmod(self.work, 0o700)

    def environment(self) -> dict[str, str]:
        home = str(self.work / "home")
        keep = {k: v for k, v in os.environ.items()
                if k in ("PATH", "LANG", "LC_ALL", "MINITORCH_DOT", "MINITORCH_NO_PROGRESS", "OPENBLAS_CORETYPE")}
        return {**keep, "HOME": home, "IPYTHONDIR": home + "/.ipython", "MPLCONFIGDIR": home + "/.matplotlib",
                "XDG_CACHE_HOME": home + "/.cache", "XDG_CONFIG_HOME": home + "/.config",
                "TMPDIR": str(self.work / "tmp"), "MPLBACKEND": "Agg", "PYTHONDONTWRITEBYTECODE": "1",
                "PYTHONHASHSEED": "0", "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1",
                "MKL_NUM_THREADS": "1", TOKEN_VARIABLE: self.token}

    def start(self, args: list[str], extra_fds: tuple[int, ...] = ()) -> Channel:
        """Start ``python -I -m minitorch.course.grade_worker ARGS FD EXTRA...`` in the work folder (the
        extra descriptors are the judge's channel; the caller closes its copies)."""
        read_fd, write_fd = os.pipe()
        debug = os.environ.get("MINITORCH_GRADE_DEBUG")
        command = [sys.executable, "-I", "-m", "minitorch.course.grade_worker", *args, str(write_fd),
                   *map(str, extra_fds)]
        if self.uid is not None:
            # Its own uid, no supplementary groups, no way to gain privileges (setuid programs), and one
            # capability only: reading any file (the interpreter may live in root's home folder).
            command = [_setpriv() or "setpriv", f"--reuid={self.uid}", f"--regid={self.uid}", "--clear-groups",
                       "--no-new-privs", "--inh-caps=-all,+dac_read_search", "--ambient-caps=+dac_read_search",
                       "--bounding-set=-all,+dac_read_search", "--", *command]
            command = self._hiding_answers(command)
        try:
            self.process = subprocess.Popen(
                command, cwd=self.work, env=self.environment(), stdin=subprocess.DEVNULL,
                stdout=None if debug else subprocess.DEVNULL, stderr=None if debug else subprocess.DEVNULL,
                pass_fds=(write_fd, *extra_fds), start_new_session=True)
        finally:
            os.close(write_fd)
        return Channel(read_fd)

    def _hiding_answers(self, command: list[str]) -> list[str]:
        """Run ``command`` in a mount namespace of its own where the course's ``solutions/`` and ``tests/``
        folders are empty: the worker can read any file (the capability above), so without this a notebook
        could copy the answers through a subprocess, which the open() flag does not see. Needs root and
        util-linux's ``unshare``; where a mount is refused, the folder stays visible (and reads are flagged)."""
        from .materials import _CHECKOUT

        unshare = _unshare()
        hidden = [str(folder) for folder in (_CHECKOUT / "solutions", _CHECKOUT / "tests") if folder.is_dir()]
        if unshare is None or not hidden:
            return command
        empty = self.root / "empty"
        empty.mkdir(exist_ok=True)
        os.chmod(empty, 0o555)
        script = ('empty=$1; shift; for folder in "$@"; do [ "$folder" = -- ] && break; '
                  'mount --bind "$empty" "$folder" 2>/dev/null; shift; done; shift; exec "$@"')
        return [unshare, "--mount", "--propagation", "private", "--", "/bin/sh", "-c", script, "sh", str(empty),
                *hidden, "--", *command]

    def kill(self) -> None:
        """Kill the worker and everything it started, until nothing of it is left."""
        if self.process is not None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except OSError:
                pass
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:  # pragma: no cover
                pass
        for _ in range(100):
            pids = _processes_of(self.uid, self.token)
            if not pids:
                break
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
            time.sleep(0.01)
        if self.process is not None:
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:  # pragma: no cover (an unkillable process: D state)
                pass

    def exit_description(self) -> str:
        code = self.process.poll() if self.process is not None else None
        if code is None:
            return "was stopped by the grader"
        if code < 0:
            try:
                return f"was killed by signal {signal.Signals(-code).name}"
            except ValueError:
                return f"was killed by signal {-code}"
        return f"exited with code {code}"

    def close(self) -> None:
        self.kill()
        shutil.rmtree(self.root, ignore_errors=True)


class Channel:
    """The grader's end of a worker's report pipe: JSON objects, one per line, read with a deadline."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.buffer = b""
        self.received = 0
        self.closed = False

    def receive(self, deadline: float) -> dict | str:
        """The next object; or "timeout" at ``deadline`` (a ``time.monotonic()`` value), "closed" at the
        end of the stream, "garbage" for anything that is not a bounded line of a JSON object."""
        while True:
            if b"\n" in self.buffer:
                line, self.buffer = self.buffer.split(b"\n", 1)
                try:
                    message = json.loads(line.decode("utf-8"))
                except (UnicodeDecodeError, ValueError, RecursionError):
                    return "garbage"
                return message if isinstance(message, dict) else "garbage"
            if len(self.buffer) > MAX_LINE or self.received > MAX_REPORT:
                return "garbage"
            if self.closed:
                return "closed"
            left = deadline - time.monotonic()
            if left <= 0:
                return "timeout"
            ready, _, _ = select.select([self.fd], [], [], left)
            if not ready:
                return "timeout"
            chunk = os.read(self.fd, 65536)
            if not chunk:
                self.closed = True
            self.received += len(chunk)
            self.buffer += chunk

    def close(self) -> None:
        os.close(self.fd)


def apply_limits(memory_mb: int, cpu_seconds: int, processes: int | None, file_mb: int = 512) -> None:
    """Called by the worker on itself before running submitted code (hard limits: no way back up)."""
    try:
        import resource
    except ImportError:  # pragma: no cover (not POSIX)
        return
    limits = [(resource.RLIMIT_CPU, cpu_seconds), (resource.RLIMIT_FSIZE, file_mb * 2**20),
              (resource.RLIMIT_CORE, 0)]
    if memory_mb:
        limits.append((resource.RLIMIT_AS, memory_mb * 2**20))
    if processes:
        limits.append((resource.RLIMIT_NPROC, processes))
    for which, value in limits:
        try:
            resource.setrlimit(which, (value, value))
        except (ValueError, OSError):
            pass
