"""`python -m crm.launcher`: several commands started together and stopped together."""

import os
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

from django.test import SimpleTestCase

ROOT = Path(__file__).resolve().parents[2]

# A child that records its pid, then also starts a grandchild (like runserver's
# reloader) and waits for a signal.
CHILD = textwrap.dedent(
    """
    import subprocess, sys, time
    grandchild = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    with open(sys.argv[1], "w") as f:
        f.write(f"{__import__('os').getpid()} {grandchild.pid}")
    time.sleep(600)
    """
)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie not yet reaped by init counts as gone.
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(") ", 1)[1][0] != "Z"
    except FileNotFoundError:
        return False


class LauncherTests(SimpleTestCase):
    def start(self, folder, *extra):
        script = Path(folder) / "child.py"
        script.write_text(CHILD)
        specs = [f"{name}={sys.executable} {script} {folder}/{name}.pid" for name in ("a", "b")]
        launcher = subprocess.Popen(
            [sys.executable, "-m", "crm.launcher", *specs, *extra],
            cwd=ROOT,
            stderr=subprocess.PIPE,
            text=True,
        )
        pids = []
        for name in ("a", "b"):
            path = Path(folder) / f"{name}.pid"
            deadline = time.monotonic() + 30
            while not (path.exists() and path.read_text()):
                self.assertLess(time.monotonic(), deadline, "child did not start")
                time.sleep(0.05)
            pids += [int(pid) for pid in path.read_text().split()]
        return launcher, pids

    def test_interrupt_stops_every_command_and_its_children(self):
        with tempfile.TemporaryDirectory() as folder:
            launcher, pids = self.start(folder)
            self.assertTrue(all(alive(pid) for pid in pids))
            launcher.send_signal(signal.SIGINT)
            _, err = launcher.communicate(timeout=30)
            self.assertEqual(launcher.returncode, 0, err)
            self.assertIn("收到停止信号", err)
            deadline = time.monotonic() + 10
            while any(alive(pid) for pid in pids) and time.monotonic() < deadline:
                time.sleep(0.05)
            self.assertEqual([pid for pid in pids if alive(pid)], [])

    def test_one_command_exiting_stops_the_other(self):
        with tempfile.TemporaryDirectory() as folder:
            launcher, pids = self.start(folder)
            os.kill(pids[0], signal.SIGKILL)
            _, err = launcher.communicate(timeout=30)
            self.assertEqual(launcher.returncode, 128 + signal.SIGKILL, err)
            self.assertIn("a 已退出", err)
            deadline = time.monotonic() + 10
            while any(alive(pid) for pid in pids[1:]) and time.monotonic() < deadline:
                time.sleep(0.05)
            self.assertEqual([pid for pid in pids[1:] if alive(pid)], [])

    def test_bad_argument_is_refused_in_chinese(self):
        result = subprocess.run(
            [sys.executable, "-m", "crm.launcher", "no-equals-sign"],
            cwd=ROOT, capture_output=True, text=True, timeout=30,
        )  # fmt: skip
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("用法", result.stderr)
