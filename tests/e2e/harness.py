"""A private sshd on 127.0.0.1 and a tmux pane to drive an ssh client, for end-to-end tests."""

from __future__ import annotations

import getpass
import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

SSHD = "/usr/sbin/sshd"


def missing_tools() -> str | None:
    """Why the ssh end-to-end tests cannot run here, or None."""
    for tool in ("ssh", "ssh-keygen", "tmux"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed (.ci/setup-e2e.sh installs it as root)"
    if not os.access(SSHD, os.X_OK):
        return f"{SSHD} is not installed (.ci/setup-e2e.sh installs openssh-server as root)"
    return None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(check, timeout: float, what: str, interval: float = 0.1):
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)


class Sshd:
    """sshd with its own config, host key and authorized_keys, for the current OS user."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self.user = getpass.getuser()
        self.port = free_port()
        self.keys = home / "authorized_keys"
        self.keys.write_text("")
        self.log = home / "sshd.log"
        self.process: subprocess.Popen | None = None

    def _keygen(self, path: Path) -> Path:
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(path)], check=True)
        return path

    def start(self) -> None:
        if os.geteuid() == 0:
            Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)  # privilege separation directory
        host_key = self._keygen(self.home / "host_key")
        config = self.home / "sshd_config"
        config.write_text(
            f"ListenAddress 127.0.0.1\nPort {self.port}\nHostKey {host_key}\n"
            f"PidFile {self.home / 'sshd.pid'}\nAuthorizedKeysFile {self.keys}\n"
            "StrictModes no\nUsePAM no\nPasswordAuthentication no\nKbdInteractiveAuthentication no\n"
            f"PermitRootLogin forced-commands-only\nAllowUsers {self.user}\nLogLevel VERBOSE\n"
        )
        log = self.log.open("w")
        self.process = subprocess.Popen([SSHD, "-D", "-e", "-f", str(config)], stderr=log, stdout=log)

        def listening() -> bool:
            if self.process.poll() is not None:
                raise AssertionError(f"sshd exited: {self.log.read_text()}")
            with socket.socket() as sock:
                return sock.connect_ex(("127.0.0.1", self.port)) == 0

        wait_until(listening, 10, "sshd to listen")

    def authorize(self, name: str, command: str) -> Path:
        """A new client key whose every login runs ``command`` (whatever the client asks)."""
        key = self._keygen(self.home / f"id_{name}")
        public = key.with_suffix(".pub").read_text().strip()
        quoted = command.replace("\\", "\\\\").replace('"', '\\"')
        with self.keys.open("a") as keys:
            keys.write(f'command="{quoted}",restrict,pty {public}\n')
        return key

    def ssh_command(self, key: Path, *remote: str) -> list[str]:
        return [
            "ssh", "-tt", "-i", str(key), "-p", str(self.port),
            "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
            "-o", "BatchMode=yes", "-o", "LogLevel=ERROR", "-o", "IdentitiesOnly=yes",
            f"{self.user}@127.0.0.1", *remote,
        ]

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)


class Tmux:
    """One tmux server on a private socket: a pane per ssh session, read with capture-pane."""

    def __init__(self, home: Path, width: int = 100, height: int = 30) -> None:
        self.socket = str(home / "tmux.sock")
        self.size = (width, height)

    def _tmux(self, *args: str) -> str:
        done = subprocess.run(["tmux", "-S", self.socket, *args], capture_output=True, text=True)
        if done.returncode:
            raise AssertionError(f"tmux {args[0]} failed: {done.stderr}")
        return done.stdout

    def open(self, name: str, argv: list[str]) -> None:
        width, height = self.size
        command = shlex.join(argv) + "; echo '[session ended]'; sleep 600"
        env = ["-e", "TERM=xterm-256color", "-e", "LANG=C.UTF-8"]
        if not self._has_server():
            # A window that outlives the others: closing the last session window makes tmux
            # exit, and a new session asked for meanwhile fails ("server exited unexpectedly").
            # -x/-y set the session's default-size, which every window opened later takes.
            self._tmux("new-session", "-d", "-s", "e2e", "-n", "hold",
                       "-x", str(width), "-y", str(height), "sleep 3600")
        self._tmux("new-window", "-d", *env, "-n", name, command)

    def _has_server(self) -> bool:
        return subprocess.run(["tmux", "-S", self.socket, "has-session"],
                              capture_output=True).returncode == 0

    def send(self, name: str, *keys: str) -> None:
        self._tmux("send-keys", "-t", f"e2e:{name}", *keys)

    def type(self, name: str, text: str) -> None:
        self._tmux("send-keys", "-t", f"e2e:{name}", "-l", text)

    def screen(self, name: str) -> str:
        return self._tmux("capture-pane", "-p", "-t", f"e2e:{name}")

    def wait_for(self, name: str, text: str, timeout: float = 20) -> str:
        return wait_until(lambda: text in (s := self.screen(name)) and s, timeout,
                          f"{text!r} in window {name}; it shows:\n{self.screen(name)}")

    def client_pid(self, name: str) -> int:
        """The pid of the ssh client in the window (the shell's child)."""
        shell = int(self._tmux("display-message", "-p", "-t", f"e2e:{name}", "#{pane_pid}"))
        children = Path(f"/proc/{shell}/task/{shell}/children").read_text().split()
        return int(children[0])

    def drop(self, name: str) -> None:
        """Kill the ssh client as a dropped connection would: no goodbye to the server."""
        os.kill(self.client_pid(name), signal.SIGKILL)
        self.wait_ended(name)

    def wait_ended(self, name: str, timeout: float = 20) -> None:
        """Wait until the window's ssh client has exited (its shell has moved on to `sleep`)."""
        def ended() -> bool:
            command = self._tmux("display-message", "-p", "-t", f"e2e:{name}",
                                 "#{pane_current_command}").strip()
            return command == "sleep"

        wait_until(ended, timeout, f"the ssh client in window {name} to exit")

    def close(self, name: str) -> None:
        self._tmux("kill-window", "-t", f"e2e:{name}")

    def stop(self) -> None:
        if self._has_server():
            self._tmux("kill-server")


def installed_labeldesk(repo: Path, scratch: Path) -> Path:
    """The ``labeldesk`` console script of an installed LabelDesk (absolute path).

    CI installs the project into its venv, so the script sits beside the interpreter. In a
    development venv without the project, pip installs this checkout (without its dependencies,
    which the scratch venv sees through a .pth file) into a scratch venv.
    """
    beside = Path(sys.executable).parent / "labeldesk"
    if beside.exists():
        return beside
    # A copy, so parallel test workers never build in the same checkout's build/ at once.
    source = scratch / "src"
    shutil.copytree(repo, source, ignore=shutil.ignore_patterns(
        ".git", ".venv", "build", "*.egg-info", "__pycache__", "tests", "bench", "docs"))
    venv = scratch / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    site = next((venv / "lib").glob("python*/site-packages"))
    parent_site = [p for p in sys.path if p.endswith("site-packages")]
    (site / "parent-venv.pth").write_text("\n".join(parent_site) + "\n")
    subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "--no-deps",
         "--disable-pip-version-check", str(source)],
        check=True, cwd=scratch,
    )
    return venv / "bin" / "labeldesk"
