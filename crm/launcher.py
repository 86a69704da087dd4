"""Run several commands side by side and stop them together (a minimal Procfile runner).

    python -m crm.launcher web="python manage.py runserver" worker="python manage.py db_worker"

Each command runs in its own process group, so that Ctrl-C, SIGTERM or one
command exiting stops every process of every command (runserver's reloader
child included), not just the top one. The exit code is the first command's
to exit (128 + N when signal N killed it), or 0 after an interrupt.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import signal
import subprocess
import sys
import time

GRACE_SECONDS = 10


def parse(specs: list[str]) -> list[tuple[str, list[str]]]:
    """Return (name, argv) pairs from NAME=COMMAND arguments."""
    commands = []
    for spec in specs:
        name, sep, command = spec.partition("=")
        if not sep or not name or not command.strip():
            raise SystemExit(f"用法：python -m crm.launcher 名称=命令 …（收到：{spec!r}）")
        commands.append((name, shlex.split(command)))
    return commands


def log(message: str) -> None:
    sys.stderr.write(f"[launcher] {message}\n")
    sys.stderr.flush()


def signal_all(processes: dict[str, subprocess.Popen], signum: int) -> None:
    # The group outlives its leader: signal it even when the command itself has exited.
    for process in processes.values():
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signum)


def stop_all(processes: dict[str, subprocess.Popen], signum: int = signal.SIGTERM) -> None:
    """Signal every process group, wait up to GRACE_SECONDS, then kill what is left."""
    signal_all(processes, signum)
    deadline = time.monotonic() + GRACE_SECONDS
    for process in processes.values():
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
    signal_all(processes, signal.SIGKILL)
    for process in processes.values():
        process.wait()


def main(argv: list[str]) -> int:
    commands = parse(argv)
    if not commands:
        raise SystemExit("用法：python -m crm.launcher 名称=命令 …")
    stopping: list[int] = []

    def on_signal(signum, frame):
        stopping.append(signum)

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    processes: dict[str, subprocess.Popen] = {}
    for name, args in commands:
        processes[name] = subprocess.Popen(args, start_new_session=True)
        log(f"{name} 已启动（pid {processes[name].pid}）：{shlex.join(args)}")
    code = 0
    while not stopping:
        exited = [(name, p.returncode) for name, p in processes.items() if p.poll() is not None]
        if exited:
            name, code = exited[0]
            log(f"{name} 已退出（代码 {code}），正在停止其余进程。")
            break
        time.sleep(0.2)
    else:
        log("收到停止信号，正在停止所有进程。")
    # Ctrl-C reaches only our process group: pass it on as SIGINT (a clean
    # shutdown for runserver and db_worker), SIGTERM for anything else.
    stop_all(processes, signal.SIGINT if stopping[:1] == [signal.SIGINT] else signal.SIGTERM)
    # A command killed by a signal reports it as the shell does: 128 + the signal.
    return 128 - code if code < 0 else code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
