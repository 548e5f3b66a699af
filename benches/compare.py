"""End-to-end comparison of appmux with tmux. Run: cargo build --release && python3 benches/compare.py [--quick]

Both multiplexers run side by side in the same run, each on its own isolated socket and temp
directory, with a real client attached in a 120x40 PTY that this script creates and drains.
Measured: output throughput through an attached client (2 x 32 MiB, and one 64 MiB `cat`), of
four panes flooding at once with no client attached (with the server's CPU time by thread, to
show how many cores it used), keystroke echo latency (a raw-mode echo program, the same beside a
flooding pane of its session, and vim in insert mode), server memory per pane with a full history of mixed output and
of the whole server with 60 such panes, time to attach to
a full screen, and idle wake-ups of the server; then, for appmux alone, how fast 50 apps start,
the server's memory with them, how fast a crashed app is restarted, what 200 HTTP health probes
cost (server CPU and memory, and echo beside the same session without probes), and how long a
chain of 20 dependent apps with log readiness takes beside the sum of their own start times.
Throughput, floods and echo are measured in alternating rounds with both servers up, so that load
from elsewhere on a shared machine falls on both alike. Prints a Markdown table, then a JSON
blob.

Options: --quick (small sizes, for a smoke run), --appmux PATH (default target/release/appmux),
--json-out FILE, --keep (leave the temp directory for inspection), --only SECTION,... (a subset
of throughput, flood4, flood1, echo, echo-flood, vim, memory, many, attach, idle, apps, probes,
chain, watch; echo includes echo-flood).
Only the Python standard library is used.
"""

import argparse
import atexit
import fcntl
import json
import os
import pty
import random
import select
import shutil
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time

COLS, ROWS = 120, 40  # the attached client's terminal
PANE_ROWS = ROWS - 1  # both show one status line
DONE = b"__DONE__"
# The shell command line echoes this, not DONE, so only the command's output matches.
DONE_CMD = 'echo __DO""NE__'
PROMPT = "bench$ "
# The shell, run the same way in both: tmux would start $SHELL as a login shell, whose profile
# replaces PS1.
SHELL_CMD = ["/bin/sh"]

ROOT = None  # temp directory of this run
TAG = None  # environment marker carried by every process this run starts
CLIENTS = []  # attached clients still open
MUXES = []  # multiplexers whose server may be running


def log(msg):
    print(msg, file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------------
# Output of an attached client


class Stripper:
    """Incrementally drops escape sequences and control bytes, keeping printable text."""

    def __init__(self):
        self.state = "ground"

    def feed(self, data):
        out = bytearray()
        st = self.state
        for b in data:
            if st == "ground":
                if b == 0x1B:
                    st = "esc"
                elif b >= 0x20 and b != 0x7F:
                    out.append(b)
            elif st == "esc":
                if b == 0x5B:  # [
                    st = "csi"
                elif b == 0x5D or b in (0x50, 0x58, 0x5E, 0x5F):  # ] P X ^ _
                    st = "str"
                elif 0x20 <= b <= 0x2F:  # intermediate, e.g. ESC ( B
                    st = "escint"
                else:
                    st = "ground"
            elif st == "escint":
                if not 0x20 <= b <= 0x2F:
                    st = "ground"
            elif st == "csi":
                if 0x40 <= b <= 0x7E:
                    st = "ground"
            elif st == "str":
                if b == 0x07:
                    st = "ground"
                elif b == 0x1B:
                    st = "strend"
            elif st == "strend":
                st = "ground" if b == 0x5C else "str"
        self.state = st
        return bytes(out)


class Client:
    """A multiplexer client attached in a PTY of COLS x ROWS that we create and drain."""

    def __init__(self, argv, env):
        pid, fd = pty.fork()
        if pid == 0:
            try:
                fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLS, 0, 0))
                os.execvpe(argv[0], argv, env)
            finally:
                os._exit(127)
        self.pid, self.fd = pid, fd
        self.t0 = time.perf_counter()
        self.total = 0
        self.received = 0  # bytes read in all, never reset
        self.tail = b""  # the end of the raw stream, for markers split across reads
        self.text = b""  # printable text (escapes stripped) since the last mark
        self.strip = Stripper()
        self.exited = None
        self.last_data = None  # when output last arrived
        self.max_gap = 0.0  # the longest silence between two reads since the last mark
        CLIENTS.append(self)

    def _read(self, timeout):
        """Reads what is available within `timeout` seconds; returns the bytes or b''."""
        r, _, _ = select.select([self.fd], [], [], max(0.0, timeout))
        if not r:
            return b""
        try:
            data = os.read(self.fd, 1 << 16)
        except OSError:  # EIO: the client exited and the PTY closed
            data = b""
        if not data:
            raise EOFError("client closed its terminal")
        now = time.perf_counter()
        if self.last_data is not None:
            self.max_gap = max(self.max_gap, now - self.last_data)
        self.last_data = now
        self.total += len(data)
        self.received += len(data)
        return data

    def wait_raw(self, marker, timeout):
        """Drains output until `marker` appears in the raw stream; returns the time it did."""
        end = time.perf_counter() + timeout
        buf = self.tail
        while True:
            left = end - time.perf_counter()
            if left <= 0:
                raise TimeoutError(f"{marker!r} not seen in the client output after {timeout}s")
            data = self._read(min(left, 0.5))
            if not data:
                continue
            now = time.perf_counter()
            buf += data
            if marker in buf:
                self.tail = b""
                return now
            buf = buf[-(len(marker) - 1):]
            self.tail = buf

    def mark(self):
        self.text = b""
        self.tail = b""
        self.total = 0
        self.max_gap = 0.0
        self.last_data = time.perf_counter()

    def wait_text(self, want, timeout):
        """Drains output until printable text since the last mark contains `want`."""
        end = time.perf_counter() + timeout
        while want not in self.text:
            left = end - time.perf_counter()
            if left <= 0:
                raise TimeoutError(
                    f"{want!r} not seen in the client text after {timeout}s; "
                    f"last text: {self.text[-200:]!r}"
                )
            data = self._read(min(left, 0.5))
            if data:
                self.text += self.strip.feed(data)
        return time.perf_counter()

    def settle(self, quiet=0.2, timeout=10.0):
        """Drains until nothing arrives for `quiet` seconds."""
        end = time.perf_counter() + timeout
        while time.perf_counter() < end:
            data = self._read(quiet)
            if not data:
                return
            self.text += self.strip.feed(data)

    def send(self, data):
        os.write(self.fd, data)

    def wait_exit(self, timeout=5.0):
        end = time.perf_counter() + timeout
        while time.perf_counter() < end:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.exited = status
                break
            try:
                self._read(0.05)
            except EOFError:
                pass
        else:
            raise TimeoutError("client did not exit")
        self.close()

    def close(self):
        if self.exited is None:
            try:
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass
            self.exited = -1
        try:
            os.close(self.fd)
        except OSError:
            pass
        if self in CLIENTS:
            CLIENTS.remove(self)


# ---------------------------------------------------------------------------------------------
# The two multiplexers behind one interface


def base_env(home):
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TMUX", "APPMUX", "XDG_")) and k not in ("ENV", "PROMPT_COMMAND")
    }
    env.update(
        {
            "SHELL": "/bin/sh",
            "PS1": PROMPT,
            "TERM": "xterm-256color",
            "LANG": "C.UTF-8",
            "LC_ALL": "C.UTF-8",
            "APPMUX_BENCH_TAG": TAG,
            "XDG_RUNTIME_DIR": os.path.join(home, "run"),
            "XDG_STATE_HOME": os.path.join(home, "state"),
            "XDG_CONFIG_HOME": os.path.join(home, "config"),
        }
    )
    for d in ("run", "state", "config"):
        os.makedirs(os.path.join(home, d), mode=0o700, exist_ok=True)
    os.chmod(os.path.join(home, "run"), 0o700)
    return env


class Mux:
    name = "?"

    def run(self, *args, check=True, timeout=30):
        p = subprocess.run(
            self.cli + list(args),
            env=self.env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=timeout,
        )
        if check and p.returncode != 0:
            raise RuntimeError(
                f"{self.name} {' '.join(args)} exited {p.returncode}: "
                f"{p.stderr.decode(errors='replace').strip()}"
            )
        return p.stdout.decode(errors="replace")

    def attach(self, session):
        return Client(self.cli + self.attach_args(session), self.env)

    def send_keys(self, session, *keys):
        self.run("send-keys", "-t", session, *keys)

    def wait_capture(self, session, pred, what, timeout=60.0):
        end = time.perf_counter() + timeout
        while True:
            text = self.capture(session)
            if pred(text):
                return text
            if time.perf_counter() > end:
                raise TimeoutError(f"{self.name}: {what} not seen; screen:\n{text}")
            time.sleep(0.05)

    def wait_prompt(self, session):
        self.wait_capture(session, lambda t: PROMPT.strip() in t, "shell prompt")

    def stop(self):
        pid = None
        try:
            pid = self.server_pid()
        except Exception:
            pass
        try:
            self.run("kill-server", check=False, timeout=10)
        except Exception:
            pass
        if pid:
            end = time.time() + 5
            while time.time() < end and os.path.exists(f"/proc/{pid}"):
                time.sleep(0.05)
            kill_pid(pid)


class Appmux(Mux):
    name = "appmux"

    def __init__(self, binary, home):
        self.cli = [binary]
        self.env = base_env(home)

    def start(self, session, cmd=None):
        """Starts the server with a first session."""
        self.new(session, cmd)

    def new(self, session, cmd=None):
        args = ["new", "-d", "-s", session, "-x", str(COLS), "-y", str(PANE_ROWS)]
        if cmd:
            args += ["--"] + cmd
        self.run(*args)

    def attach_args(self, session):
        return ["attach", "-t", session]

    def capture(self, session, scrollback=False):
        return self.run("capture", "-t", session, *(["--scrollback"] if scrollback else []))

    def server_pid(self):
        return json.loads(self.run("ls", "--json"))["server_pid"]


class Tmux(Mux):
    name = "tmux"

    def __init__(self, home):
        self.cli = ["tmux", "-L", f"bench-{TAG}", "-f", "/dev/null"]
        self.env = base_env(home)
        self.env["TMUX_TMPDIR"] = os.path.join(home, "run")

    def start(self, session, cmd=None):
        # The history limit applies to windows created after it is set, so set it with the
        # first session, before any measured window exists (tmux's default is 2000 lines;
        # appmux keeps 10,000).
        self.run(*self.new_args(session, cmd), ";", "set", "-g", "history-limit", "10000")

    def new_args(self, session, cmd):
        args = ["new-session", "-d", "-s", session, "-x", str(COLS), "-y", str(PANE_ROWS)]
        return args + (cmd or [])

    def new(self, session, cmd=None):
        self.run(*self.new_args(session, cmd))

    def attach_args(self, session):
        return ["attach-session", "-t", session]

    def capture(self, session, scrollback=False):
        return self.run("capture-pane", "-p", "-t", session, *(["-S", "-"] if scrollback else []))

    def server_pid(self):
        return int(self.run("display-message", "-p", "#{pid}").strip())


# ---------------------------------------------------------------------------------------------
# Cleanup: only processes this run started, found by pid or by the environment marker


def kill_pid(pid):
    try:
        os.kill(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def tagged_pids():
    needle = f"APPMUX_BENCH_TAG={TAG}".encode()
    me = os.getpid()
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == me:
            continue
        try:
            with open(f"/proc/{entry}/environ", "rb") as f:
                if needle in f.read().split(b"\0"):
                    found.append(int(entry))
        except OSError:
            pass
    return found


def cleanup():
    for c in list(CLIENTS):
        c.close()
    for m in MUXES:
        m.stop()
    MUXES.clear()
    if TAG:
        strays = tagged_pids()
        if strays:
            log(f"killing {len(strays)} stray processes: {strays}")
        for pid in strays:
            kill_pid(pid)
    if ROOT and not ARGS.keep:
        shutil.rmtree(ROOT, ignore_errors=True)


class Servers:
    """Fresh appmux and tmux servers for one measurement, stopped afterwards."""

    def __init__(self, binary, label):
        self.a = Appmux(binary, os.path.join(ROOT, f"appmux-{label}"))
        self.t = Tmux(os.path.join(ROOT, f"tmux-{label}"))
        self.t.cli[2] += f"-{label}"

    def __enter__(self):
        MUXES.extend([self.a, self.t])
        return self.a, self.t

    def __exit__(self, *exc):
        for c in list(CLIENTS):
            c.close()
        for m in (self.a, self.t):
            m.stop()
            MUXES.remove(m)
        return False


# ---------------------------------------------------------------------------------------------
# Inputs

CJK = "中文字符测试終端日本語アプリ한국"
WORDS = (
    "compiling server request get /api/v1/users 200 ok warning: unused variable thread main "
    "finished release target in 0.42s debug info listening on 127.0.0.1:8080 connection closed"
).split()


def mixed_lines():
    """Lines of mixed output: plain lines, SGR colours, CJK, long wrapping lines (19,999 of them).

    No uppercase letters and no underscores, so the DONE marker cannot be pieced together from
    cells the screen already shows (its round number is in letters too: see `round_tag`).
    """
    rng = random.Random(1)
    lines = []
    for n in range(1, 20000):
        kind = rng.randrange(10)
        words = " ".join(rng.choice(WORDS) for _ in range(rng.randrange(4, 14)))
        if kind <= 3:
            lines.append(f"{n:>6} {words}")
        elif kind <= 5:
            lines.append(
                f"\x1b[1;3{rng.randrange(1, 8)}m{n:>6}\x1b[0m {words} "
                f"\x1b[38;5;{rng.randrange(256)}m{rng.choice(WORDS)}\x1b[m"
            )
        elif kind <= 7:
            wide = "".join(rng.choice(CJK) for _ in range(rng.randrange(10, 40)))
            lines.append(f"{n:>6} {wide} {words}")
        else:
            long = " ".join(rng.choice(WORDS) for _ in range(rng.randrange(60, 120)))
            lines.append(long)
    return lines


def mixed_file(path, size):
    """Writes `size` bytes of mixed output (`mixed_lines`, repeated as needed)."""
    block = ("\n".join(mixed_lines()) + "\n").encode()
    with open(path, "wb") as f:
        written = 0
        while written < size:
            chunk = block[: size - written]
            # Cut at a line end so no escape sequence or UTF-8 character is split.
            chunk = chunk[: chunk.rfind(b"\n") + 1]
            if not chunk:
                break
            f.write(chunk)
            written += len(chunk)


HISTORY_LINES = 10500  # printed by each pane of the memory cases: a full 10,000-line history
HISTORY_END = "historydonemarker"


def history_file(path):
    """Writes HISTORY_LINES lines of mixed output, then HISTORY_END."""
    lines = mixed_lines()[:HISTORY_LINES]
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n" + HISTORY_END + "\n")


# Puts the tty in raw mode and echoes every byte back at once.
ECHO_PY = (
    "import os,tty\n"
    "tty.setraw(0)\n"
    "while True:\n"
    "    b = os.read(0, 1024)\n"
    "    if not b: break\n"
    "    os.write(1, b)\n"
)

# A full screen of coloured text whose last row ends with ATTACH_END.
ATTACH_END = "zzendofscreenzz"
FULL_SCREEN_SH = (
    "i=1; while [ $i -lt %d ]; do "
    "printf '\\033[3%%dm%%03d \\033[1mlorem ipsum dolor sit amet\\033[22m "
    "consectetur adipiscing elit sed do eiusmod tempor incididunt ut labore "
    "et dolore magna\\033[m\\n' $((i %% 7 + 1)) $i; i=$((i+1)); done; "
    "printf '\\033[44m%%s\\033[m' %s; exec sleep 100000" % (PANE_ROWS, ATTACH_END)
)


# ---------------------------------------------------------------------------------------------
# Measurements


def shell_client(mux):
    """A client attached to a shell at its prompt."""
    mux.start("tp", SHELL_CMD)
    mux.wait_prompt("tp")
    c = mux.attach("tp")
    c.mark()
    c.wait_text(PROMPT.strip().encode(), 20)
    c.settle()
    return c


def cat_once(mux, c, path, n):
    """Times `cat path` through the attached client `c`: (seconds, longest silence in s). The
    end marker is numbered: the previous round's may still be on the screen and be sent again as
    it scrolls."""
    c.settle()
    c.mark()
    t0 = time.perf_counter()
    tag = round_tag(n)
    mux.send_keys("tp", f"cat {path}; echo {DONE_CMD[5:-2]}{tag}__", "Enter")
    t1 = c.wait_raw(DONE[:-2] + f"{tag}__".encode(), 600)
    # How long the attached terminal went without any update while the output streamed.
    return t1 - t0, c.max_gap


def round_tag(n):
    """Round `n` in uppercase letters (A, B, ... Z, BA, ...). Not digits: the flood's text has
    digits, and a renderer that sends only the cells that changed skips a marker's digit where
    the screen already showed that digit, so the marker never appears whole in the stream."""
    tag = ""
    while True:
        tag = chr(ord("A") + n % 26) + tag
        n //= 26
        if n == 0:
            return tag


def percentile(xs, p):
    xs = sorted(xs)
    k = (len(xs) - 1) * p / 100
    lo = int(k)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


def type_and_time(c, n, letters=b"abcdefghijklmnopqrstuvwxyz"):
    """Types n of `letters` one at a time; returns each one's echo latency in ms."""
    lat = []
    for i in range(n):
        ch = letters[i % len(letters) : i % len(letters) + 1]
        c.settle(quiet=0.015)
        c.mark()
        t0 = time.perf_counter()
        c.send(ch)
        t1 = c.wait_text(ch, 5)
        lat.append((t1 - t0) * 1000)
    return lat


def echo_client(mux):
    """A client attached to a raw-mode echo program, ready for typing."""
    mux.start("echo", ["python3", "-c", ECHO_PY])
    time.sleep(0.3)  # let it enter raw mode before the client connects
    c = mux.attach("echo")
    c.settle(quiet=0.3)
    return c


def vim_client(mux, scratch):
    """A client attached to vim in insert mode, ready for typing."""
    mux.start("vim", ["vim", "-u", "NONE", "-N", "-i", "NONE", "-n", scratch])
    mux.wait_capture("vim", lambda t: "~" in t, "vim's empty-buffer tildes")
    c = mux.attach("vim")
    c.settle(quiet=0.3)
    c.mark()
    c.send(b"i")
    c.wait_text(b"INSERT", 5)
    c.settle(quiet=0.3)
    return c


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for {pid}")


def fill_panes(mux, prefix, n, history):
    """Creates n sessions that each cat `history`, and waits until all of them printed it all;
    then waits out appmux's quiet second before it hands freed memory back."""
    for i in range(n):
        mux.new(f"{prefix}{i}", ["sh", "-c", f"cat {history}; exec sleep 100000"])
    for i in range(n):
        mux.wait_capture(f"{prefix}{i}", lambda t: HISTORY_END in t, HISTORY_END)
    time.sleep(1.5)


def memory_per_pane(mux, panes, history):
    """Server memory per pane after each printed HISTORY_LINES lines of mixed output."""
    mux.start("base", SHELL_CMD)
    mux.wait_prompt("base")
    pid = mux.server_pid()
    time.sleep(0.5)
    before = rss_kib(pid)
    fill_panes(mux, "m", panes, history)
    after = rss_kib(pid)
    history = mux.capture("m0", scrollback=True).count("\n")
    log(f"  {mux.name}: RSS {before} -> {after} KiB, m0 keeps {history} lines")
    return (after - before) / panes


def many_apps_rss(mux, n, history):
    """The whole server's resident memory once n panes printed HISTORY_LINES lines each."""
    mux.start("base", SHELL_CMD)
    mux.wait_prompt("base")
    pid = mux.server_pid()
    fill_panes(mux, "a", n, history)
    rss = rss_kib(pid)
    log(f"  {mux.name}: {n} panes, RSS {rss} KiB")
    return rss / 1024


def attach_time(mux, runs):
    mux.start("full", ["sh", "-c", FULL_SCREEN_SH])
    mux.wait_capture("full", lambda t: ATTACH_END in t, "the full screen")
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        c = mux.attach("full")
        t1 = c.wait_raw(ATTACH_END.encode(), 20)
        times.append((t1 - t0) * 1000)
        c.settle(quiet=0.05)
        c.send(b"\x02d")
        c.wait_exit()
    return times


def ctx_switches(pid):
    total = 0
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/status") as f:
                for line in f:
                    if line.startswith(("voluntary_ctxt_switches", "nonvoluntary_ctxt_switches")):
                        total += int(line.split()[1])
        except OSError:
            pass  # the thread ended
    return total


def ctx_by_thread(pid):
    """Context switches so far of a process's threads, summed by thread name."""
    out = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/comm") as f:
                name = f.read().strip()
            with open(f"/proc/{pid}/task/{tid}/status") as f:
                n = sum(int(line.split()[1]) for line in f
                        if line.startswith(("voluntary_ctxt", "nonvoluntary_ctxt")))
            out[name] = out.get(name, 0) + n
        except OSError:
            pass  # the thread ended
    return out


def idle_window(pid, clients, secs):
    """What `secs` seconds of nobody typing cost the server at `pid`: wake-ups (context
    switches of all its threads) per 10 s, and by thread, CPU (% of one core), and bytes its
    attached clients received."""
    ctx0, cpu0, by0 = ctx_switches(pid), cpu_secs(pid), ctx_by_thread(pid)
    got0 = sum(c.total for c in clients)
    t0 = time.perf_counter()
    drain_for(clients, secs)
    elapsed = time.perf_counter() - t0
    by = ctx_by_thread(pid)
    return {
        "wakeups_per_10s": (ctx_switches(pid) - ctx0) / elapsed * 10,
        "wakeups_per_10s_by_thread": {
            name: round((n - by0.get(name, 0)) / elapsed * 10, 1)
            for name, n in sorted(by.items()) if n > by0.get(name, 0)
        },
        "cpu_percent": (cpu_secs(pid) - cpu0) / elapsed * 100,
        "client_bytes": sum(c.total for c in clients) - got0,
    }


def idle_wakeups(mux, secs):
    """One shell at its prompt, a client attached, nobody typing."""
    mux.start("idle", SHELL_CMD)
    mux.wait_prompt("idle")
    c = mux.attach("idle")
    c.mark()
    c.wait_text(PROMPT.strip().encode(), 20)
    c.settle()
    drain_for([c], 1.0)
    out = idle_window(mux.server_pid(), [c], secs)
    log(f"  {mux.name}: {out}")
    return out


# An app's uptime counts seconds in its first minute, then minutes: the steady state is measured
# once every app is past it.
PAST_FIRST_MINUTE = 62


def idle_apps(mux, n, secs, quick):
    """`n` idle apps (each a `sleep`), a client attached, nobody typing. appmux: a project
    session, whose sidebar lists the apps with their CPU, memory and uptime; measured with the
    sidebar shown, then hidden (prefix B). tmux: the same sleeps in `n` windows. Measured once
    the apps are past their first minute (not in a quick run)."""
    t0 = time.perf_counter()
    if isinstance(mux, Appmux):
        conf = os.path.join(ROOT, "idle-apps.toml")
        with open(conf, "w") as f:
            f.write('session = "fleet"\n')
            for i in range(n):
                f.write(f'\n[[app]]\nname = "app{i}"\ncmd = "exec sleep 100000"\n')
        mux.run("new", "-d", "-c", conf, "-x", str(COLS), "-y", str(PANE_ROWS))
        wait_until("every app running", lambda: (
            len(apps := ls_apps(mux, "fleet")) == n
            and all(a["state"] == "running" for a in apps.values())), 60, poll=0.1)
    else:
        mux.start("fleet", ["sleep", "100000"])
        for _ in range(n - 1):
            mux.run("new-window", "-d", "-t", "fleet", "sleep", "100000")
    c = mux.attach("fleet")
    c.mark()
    if isinstance(mux, Appmux):
        c.wait_text(f"Apps {n}/{n}".encode(), 20)
    c.settle(quiet=0.3)
    if not quick:
        drain_for([c], max(0.0, PAST_FIRST_MINUTE - (time.perf_counter() - t0)))
    pid = mux.server_pid()
    out = {}
    if isinstance(mux, Appmux):
        drain_for([c], 1.0)
        out["shown"] = idle_window(pid, [c], secs)
        c.send(b"\x02B")  # prefix B: hide the sidebar
        c.settle(quiet=0.3)
    drain_for([c], 1.0)
    out["hidden"] = idle_window(pid, [c], secs)
    log(f"  {mux.name}: {out}")
    return out


# ---------------------------------------------------------------------------------------------
# Floods: several panes at once without a client, and typing beside a flooding pane

FLOOD_PANES = 4
# Run in each pane of the detached flood: every line read from the pane's FIFO (a round number)
# starts one `cat` of the file, whose end the shell marks with a line on the screen and then a
# file of its own.
FLOOD_SH = ('while read r < "$1/go-$2"; do cat "$3"; echo "flood-end-$2-$r"; '
            ': > "$1/done-$2-$r"; done\n')


def split_panes(mux, session, n):
    """Splits the session's one pane into `n`, tiled; each new pane runs the shell."""
    for _ in range(n - 1):
        if isinstance(mux, Appmux):
            mux.run("action", "pane.split-right", "-t", session)
        else:
            # tmux would start the default shell as a login shell, whose profile replaces PS1.
            mux.run("split-window", "-t", session, *SHELL_CMD)
            mux.run("select-layout", "-t", session, "tiled")
    if isinstance(mux, Appmux):
        mux.run("action", "pane.layout", "tiled", "-t", session)
    else:
        mux.run("select-layout", "-t", session, "tiled")


def thread_cpu(pid):
    """CPU time so far (s) of each thread of a process, by `name/tid`."""
    out = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/comm") as f:
                out[f"{f.read().strip()}/{tid}"] = cpu_secs(pid, tid)
        except OSError:
            pass  # the thread ended
    return out


def flood4_setup(mux, path):
    """One session of FLOOD_PANES tiled panes, each a shell running FLOOD_SH on `path`; no
    client attached."""
    d = os.path.join(ROOT, f"flood4-{mux.name}")
    os.makedirs(d)
    script = os.path.join(d, "flood.sh")
    with open(script, "w") as f:
        f.write(FLOOD_SH)
    for i in range(FLOOD_PANES):
        os.mkfifo(os.path.join(d, f"go-{i}"))
    mux.start("fl", SHELL_CMD)
    mux.wait_prompt("fl")
    split_panes(mux, "fl", FLOOD_PANES)
    for i in range(FLOOD_PANES):
        mux.wait_prompt(f"fl:0.{i}")
        mux.send_keys(f"fl:0.{i}", f"sh {script} {d} {i} {path}", "Enter")
    return {"dir": d, "round": 0, "pid": mux.server_pid()}


def flood4_once(mux, st):
    """Starts one `cat` in every pane at once (a line to each pane's FIFO) and times until all
    of them marked their end with a file, then until every pane's screen shows its end line
    (the capture calls that see it add a few ms); reads the server's CPU time, in all and by
    thread, over it."""
    d, r = st["dir"], st["round"]
    st["round"] += 1

    def open_fifo(i):
        try:  # fails until the pane's shell waits on its FIFO
            return os.open(os.path.join(d, f"go-{i}"), os.O_WRONLY | os.O_NONBLOCK)
        except OSError:
            return None

    fds = [wait_until(f"pane {i} waiting", lambda i=i: open_fifo(i), 30, poll=0.01)
           for i in range(FLOOD_PANES)]
    pid = st["pid"]
    cpu0, threads0 = cpu_secs(pid), thread_cpu(pid)
    t0 = time.perf_counter()
    for fd in fds:
        os.write(fd, f"{r}\n".encode())
        os.close(fd)
    done = {}
    while len(done) < FLOOD_PANES:
        if time.perf_counter() - t0 > 600:
            raise TimeoutError(f"flood round {r}: only panes {sorted(done)} done")
        for i in range(FLOOD_PANES):
            if i not in done and os.path.exists(os.path.join(d, f"done-{i}-{r}")):
                done[i] = time.perf_counter() - t0
        time.sleep(0.001)
    files = time.perf_counter() - t0
    # The shell wrote its end line before its marker file, but a server that reads ahead of
    # what it has parsed shows it later: the flood is over once every screen shows it.
    for i in range(FLOOD_PANES):
        mux.wait_capture(f"fl:0.{i}", lambda t, i=i: f"flood-end-{i}-{r}" in t,
                         f"pane {i}'s end line", timeout=60)
    secs = time.perf_counter() - t0
    threads = thread_cpu(pid)
    return {
        "secs": secs,
        "files_secs": files,
        "screen_lag_ms": (secs - files) * 1000,
        "pane_secs": [done[i] for i in range(FLOOD_PANES)],
        "server_cpu_s": cpu_secs(pid) - cpu0,
        "cpu_s_by_thread": {k: v - threads0.get(k, 0.0) for k, v in threads.items()
                            if v - threads0.get(k, 0.0) > 0},
    }


def flood_summary(runs, nbytes):
    """MB/s over all rounds of a flood, with the server's CPU against the wall time."""
    secs = sum(r["secs"] for r in runs)
    cpu = sum(r["server_cpu_s"] for r in runs)
    out = {
        "mb_s": len(runs) * nbytes / 1e6 / secs,
        "mb_s_by_round": [round(nbytes / 1e6 / r["secs"], 1) for r in runs],
        "secs": secs,
        "server_cpu_s": cpu,
        "server_cpu_per_wall": cpu / secs,
    }
    if "cpu_s_by_thread" in runs[0]:
        by = {}
        for r in runs:
            for k, v in r["cpu_s_by_thread"].items():
                by[k] = by.get(k, 0.0) + v
        out["cpu_s_by_thread"] = {k: round(v, 2) for k, v in
                                  sorted(by.items(), key=lambda kv: -kv[1])}
        # Threads that each kept a core busy for at least a tenth of the time.
        out["threads_over_10pct"] = sum(1 for v in by.values() if v >= 0.1 * secs)
        out["pane_secs_max"] = max(max(r["pane_secs"]) for r in runs)
        out["screen_lag_ms_max"] = max(r["screen_lag_ms"] for r in runs)
        out["mb_s_until_files"] = len(runs) * nbytes / 1e6 / sum(r["files_secs"] for r in runs)
    return out


def flood1_once(mux, c, path, n, pid):
    """`cat_once` of `path`, with the server's CPU time over it."""
    cpu0 = cpu_secs(pid)
    secs, gap = cat_once(mux, c, path, n)
    return {"secs": secs, "max_gap": gap, "server_cpu_s": cpu_secs(pid) - cpu0}


def echo_flood_client(mux):
    """A client attached to a session of two panes side by side: a shell on the left (pane 0)
    that floods on demand, and the raw-mode echo program on the right, focused."""
    prog = os.path.join(ROOT, "echo.py")
    with open(prog, "w") as f:
        f.write(ECHO_PY)
    mux.start("ef", SHELL_CMD)
    mux.wait_prompt("ef")
    split_panes(mux, "ef", 2)
    if isinstance(mux, Appmux):
        mux.run("action", "pane.layout", "even-horizontal", "-t", "ef")
    else:
        mux.run("select-layout", "-t", "ef", "even-horizontal")
    mux.wait_prompt("ef:0.1")
    mux.send_keys("ef:0.1", f"exec python3 {prog}", "Enter")
    if isinstance(mux, Appmux):
        mux.run("action", "pane.select", "1", "-t", "ef")
    else:
        mux.run("select-pane", "-t", "ef:0.1")
    time.sleep(0.5)  # let it enter raw mode before the client connects
    c = mux.attach("ef")
    c.settle(quiet=0.3)
    # Typing must reach the echo program, not the shell beside it.
    c.mark()
    c.send(PROBE_KEYS[:1])
    c.wait_text(PROBE_KEYS[:1], 5)
    mux.wait_capture("ef:0.1", lambda t: PROBE_KEYS[:1].decode() in t, "the echo pane's key",
                     timeout=5)
    if PROBE_KEYS[:1].decode() in mux.capture("ef:0.0"):
        raise RuntimeError("the typed key went to the shell, not the echo program")
    c.settle(quiet=0.3)
    return c


def echo_flooding_once(mux, c, path, n):
    """Starts an endless `cat` of `path` in pane 0, then types `n` keys into the echo program
    beside it, timing each one's echo in the client (letters the flood's text never holds);
    then stops the flood and waits until the screen is quiet again. Returns the latencies (ms)
    and how much the client received meanwhile (MB/s)."""
    stop = os.path.join(ROOT, f"stop-flood-{mux.name}")
    if os.path.exists(stop):
        os.remove(stop)
    mux.send_keys("ef:0.0", f"while [ ! -e {stop} ]; do cat {path}; done", "Enter")
    drain_for([c], 0.5)  # the flood under way
    got0, start = c.received, time.perf_counter()
    lat = []
    for i in range(n):
        ch = PROBE_KEYS[i % len(PROBE_KEYS): i % len(PROBE_KEYS) + 1]
        drain_for([c], 0.01)
        c.mark()
        t0 = time.perf_counter()
        c.send(ch)
        t1 = c.wait_text(ch, 10)
        lat.append((t1 - t0) * 1000)
    # What the client's terminal had to take in meanwhile (read here, escapes stripped in Python).
    rate = (c.received - got0) / (time.perf_counter() - start) / 1e6
    # The stop file ends the loop even if C-c comes between two `cat`s; C-c cuts the last short.
    with open(stop, "w"):
        pass
    mux.send_keys("ef:0.0", "C-c")
    mux.wait_capture("ef:0.0", lambda t: t.rstrip().endswith(PROMPT.strip()), "the prompt",
                     timeout=30)
    c.settle(quiet=0.3, timeout=30)
    return {"lat": lat, "client_mb_s": rate}


# ---------------------------------------------------------------------------------------------
# Supervisor figures (appmux only: tmux has no apps)


def appmux_only(binary, label, fn, res):
    """Runs `fn` against a fresh appmux server; returns its result, or {} after an error."""
    a = Appmux(binary, os.path.join(ROOT, f"appmux-{label}"))
    MUXES.append(a)
    log(f"{label}: appmux")
    try:
        return fn(a)
    except Exception as e:
        log(f"  appmux FAILED: {type(e).__name__}: {e}")
        res.setdefault("errors", []).append(f"{label}/appmux: {e}")
        return {}
    finally:
        for c in list(CLIENTS):
            c.close()
        a.stop()
        MUXES.remove(a)


def ls_apps(mux, session):
    """The apps of `session` from `ls --json`, by name."""
    for s in json.loads(mux.run("ls", "--json"))["sessions"]:
        if s["name"] == session:
            return {app["name"]: app for app in s["apps"]}
    return {}


def wait_until(what, pred, timeout, poll=0.005):
    end = time.perf_counter() + timeout
    while True:
        v = pred()
        if v:
            return v
        if time.perf_counter() > end:
            raise TimeoutError(f"{what} not seen after {timeout}s")
        time.sleep(poll)


def apps_section(mux, n, kills):
    """Starts a project of `n` apps that each print a ready line and idle; times how long until
    all have printed it, reads the server's RSS with them idle, then SIGKILLs an app with
    `restart = "on-failure"` and times until `ls --json` shows it running again."""
    home = os.path.join(ROOT, "apps-project")
    os.makedirs(home, exist_ok=True)
    conf = os.path.join(home, "appmux.toml")
    with open(conf, "w") as f:
        f.write('session = "fleet"\n')
        for i in range(n):
            f.write(f'\n[[app]]\nname = "app{i}"\ncmd = "echo ready-{i}; exec sleep 100000"\n')
        f.write('\n[[app]]\nname = "phoenix"\ncmd = "exec sleep 100000"\n'
                'restart = "on-failure"\n')
    logs = os.path.join(mux.env["XDG_STATE_HOME"], "appmux", "logs", "fleet")

    def ready():
        for i in range(n):
            try:
                with open(os.path.join(logs, f"app{i}.log"), "rb") as f:
                    if f"ready-{i}".encode() not in f.read():
                        return False
            except OSError:
                return False
        return True

    t0 = time.perf_counter()
    mux.run("new", "-d", "-c", conf, "-x", str(COLS), "-y", str(PANE_ROWS))
    wait_until("every ready line", ready, 60, poll=0.002)
    ready_ms = (time.perf_counter() - t0) * 1000
    # The log is written before the screen: check that the screens agree.
    for i in (0, n - 1):
        screen = mux.capture(f"fleet:app{i}")
        if f"ready-{i}" not in screen:
            raise RuntimeError(f"app{i} logged its ready line but its screen shows {screen!r}")
    pid = mux.server_pid()
    time.sleep(1.0)  # let the apps settle into sleep
    rss = rss_kib(pid) / 1024

    restart = []
    for _ in range(kills):
        app = wait_until("phoenix running", lambda: (
            a if (a := ls_apps(mux, "fleet").get("phoenix")) and a["state"] == "running"
            and a["pid"] else None), 10)
        old = app["pid"]
        time.sleep(1.2)  # past min_uptime, so each kill is a fresh failure, not a quick one
        t0 = time.perf_counter()
        os.kill(old, signal.SIGKILL)

        def back():
            a = ls_apps(mux, "fleet").get("phoenix")
            return a and a["state"] == "running" and a["pid"] not in (None, old)

        wait_until("phoenix back with a new pid", back, 10, poll=0)
        restart.append((time.perf_counter() - t0) * 1000)
    out = {"ready_ms": ready_ms, "rss_mib": rss, "restart_ms": summary(restart)}
    log(f"  appmux: {out}")
    return out


# ---------------------------------------------------------------------------------------------
# Orchestration figures (appmux only): health probes at scale, and a dependency chain

# What the health probes ask: one single-threaded HTTP server answering 200 to every request, in
# a process of its own so that it shares no interpreter lock with the timing loop here. A line
# on its stdin makes it print how many requests it has answered.
HTTP_PY = r'''
import os, selectors, socket, sys
RESPONSE = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"
sel = selectors.DefaultSelector()
lsock = socket.socket()
lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
lsock.bind(("127.0.0.1", 0))
lsock.listen(1024)
lsock.setblocking(False)
sel.register(lsock, selectors.EVENT_READ, "listen")
sel.register(0, selectors.EVENT_READ, "stdin")
print(lsock.getsockname()[1], flush=True)
answered = 0
while True:
    for key, _ in sel.select():
        if key.data == "listen":
            while True:
                try:
                    conn, _ = lsock.accept()
                except BlockingIOError:
                    break
                conn.setblocking(False)
                sel.register(conn, selectors.EVENT_READ, [b""])
        elif key.data == "stdin":
            if not os.read(0, 4096):
                sys.exit(0)
            print(answered, flush=True)
        else:
            conn, buf = key.fileobj, key.data
            try:
                data = conn.recv(4096)
            except OSError:
                data = b""
            buf[0] += data
            if data and b"\r\n\r\n" not in buf[0]:
                continue
            if data:
                try:
                    conn.send(RESPONSE)
                    answered += 1
                except OSError:
                    pass
            sel.unregister(conn)
            conn.close()
'''

# Typed in the probes section: letters that the sidebar's own once-a-second updates (CPU,
# memory, uptime, states) never draw, so no such update can pass for an echo.
PROBE_KEYS = b"QRTUVWXYZ"

# Each app of the chain: a short start, then its ready line.
CHAIN_CMD = "sleep 0.05; echo ready; exec sleep 100000"


def cpu_secs(pid, task=None):
    """User plus system CPU time of a process (all its threads), or of one of its threads, so
    far (s)."""
    path = f"/proc/{pid}/task/{task}/stat" if task else f"/proc/{pid}/stat"
    with open(path) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_by_thread(pid):
    """CPU time so far (s) of a process's threads, summed by thread name."""
    out = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/comm") as f:
                name = f.read().strip()
            out[name] = out.get(name, 0.0) + cpu_secs(pid, tid)
        except OSError:
            pass  # the thread ended
    return out


def drain_for(clients, secs):
    """Reads the attached clients for `secs` seconds, as their terminals would."""
    end = time.perf_counter() + secs
    while (left := end - time.perf_counter()) > 0:
        ready, _, _ = select.select([c.fd for c in clients], [], [], min(left, 0.5))
        for c in clients:
            if c.fd in ready:
                c._read(0)


def toml_str(s):
    return json.dumps(s)  # a JSON string of ASCII text is a TOML basic string


def probes_section(mux, binary, n, window, keys, rounds):
    """Two servers side by side (`mux`, and another of `binary`), each with the same session:
    an echo program and `n` idle apps, a client attached. In `mux`, every app has an HTTP
    health probe every second against one local server. Once all are healthy, both servers'
    CPU, wake-ups and RSS are read over the same `window` seconds with nobody typing; then
    keystroke echo is timed in `rounds` alternating rounds, so that load from elsewhere falls
    on both alike."""
    http = subprocess.Popen(
        [sys.executable, "-c", HTTP_PY], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        env={**os.environ, "APPMUX_BENCH_TAG": TAG},
    )
    muxes = {}
    try:
        port = int(http.stdout.readline())

        def answered():
            http.stdin.write(b"\n")
            http.stdin.flush()
            return int(http.stdout.readline())

        health = f'health = {{ http = "http://127.0.0.1:{port}/health", interval = "1s" }}\n'
        for label, extra in (("probes", health), ("no_probes", "")):
            if extra:
                m = mux
            else:
                m = Appmux(binary, os.path.join(ROOT, f"appmux-{label}"))
                MUXES.append(m)
            muxes[label] = m
            conf = os.path.join(ROOT, f"{label}.toml")
            with open(conf, "w") as f:
                f.write('session = "fleet"\n\n[[app]]\nname = "echo"\n')
                f.write(f"cmd = [\"python3\", \"-c\", {toml_str(ECHO_PY)}]\n")
                for i in range(n):
                    f.write(f'\n[[app]]\nname = "app{i}"\ncmd = "exec sleep 100000"\n{extra}')
            t0 = time.perf_counter()
            m.run("new", "-d", "-c", conf, "-x", str(COLS), "-y", str(PANE_ROWS))
            if extra:
                def all_healthy():
                    apps = ls_apps(m, "fleet")
                    return len(apps) == n + 1 and all(
                        a["health"] == "healthy" for name, a in apps.items() if name != "echo")
                wait_until("every app healthy", all_healthy, 120, poll=0.1)
                healthy_s = time.perf_counter() - t0
            else:
                def all_running():
                    apps = ls_apps(m, "fleet")
                    return len(apps) == n + 1 and all(
                        a["state"] == "running" for a in apps.values())
                wait_until("every app running", all_running, 60, poll=0.1)
        clients = {}
        for label, m in muxes.items():
            c = m.attach("fleet")
            c.settle(quiet=0.3)
            clients[label] = c
        drain_for(clients.values(), 2.0)  # past the attach and the first samples

        pids = {label: m.server_pid() for label, m in muxes.items()}
        cpu0 = {label: cpu_secs(pid) for label, pid in pids.items()}
        threads0 = {label: cpu_by_thread(pid) for label, pid in pids.items()}
        ctx0 = {label: ctx_switches(pid) for label, pid in pids.items()}
        http0, req0, t0 = cpu_secs(http.pid), answered(), time.perf_counter()
        drain_for(clients.values(), window)
        secs = time.perf_counter() - t0
        req1, http1 = answered(), cpu_secs(http.pid)
        out = {
            "apps": n,
            "window_s": round(secs, 2),
            "all_healthy_after_s": healthy_s,
            "probe_requests_per_s": (req1 - req0) / secs,
            "http_server_cpu_percent": (http1 - http0) / secs * 100,
        }
        for label, pid in pids.items():
            threads = cpu_by_thread(pid)
            out[label] = {
                "server_cpu_percent": (cpu_secs(pid) - cpu0[label]) / secs * 100,
                # Where it went: the event loop's thread is named after the binary; `metrics`
                # samples the apps' CPU and memory for the sidebar while a client is attached.
                "cpu_percent_by_thread": {
                    name: round((t - threads0[label].get(name, 0.0)) / secs * 100, 2)
                    for name, t in sorted(threads.items())
                    if t - threads0[label].get(name, 0.0) > 0
                },
                "wakeups_per_s": (ctx_switches(pid) - ctx0[label]) / secs,
                "rss_mib": rss_kib(pid) / 1024,
            }

        lat = {label: [] for label in muxes}
        for _ in range(rounds):
            for label, c in clients.items():
                lat[label] += type_and_time(c, keys // rounds, PROBE_KEYS)
        for label in muxes:
            out[label]["echo_ms"] = summary(lat[label])
        unhealthy = [name for name, a in ls_apps(muxes["probes"], "fleet").items()
                     if name != "echo" and a["health"] != "healthy"]
        if unhealthy:
            raise RuntimeError(f"not healthy at the end: {unhealthy[:5]} ...")
        log(f"  appmux: {out}")
        return out
    finally:
        for c in list(CLIENTS):
            c.close()
        if "no_probes" in muxes:
            muxes["no_probes"].stop()
            MUXES.remove(muxes["no_probes"])
        http.stdin.close()
        http.kill()
        http.wait()


def own_start_ms(env):
    """One run of CHAIN_CMD outside any multiplexer: ms from its start to its ready line."""
    t0 = time.perf_counter()
    p = subprocess.Popen(["sh", "-c", CHAIN_CMD], stdin=subprocess.DEVNULL,
                         stdout=subprocess.PIPE, env=env)
    line = p.stdout.readline()
    t1 = time.perf_counter()
    p.kill()
    p.wait()
    p.stdout.close()
    if line.strip() != b"ready":
        raise RuntimeError(f"the chain command printed {line!r}")
    return (t1 - t0) * 1000


def chain_once(mux, conf, n):
    """Starts the chain with `new -d -c conf` on a server not yet running; returns the times
    (s after `new` was called) at which `new` returned, each app became ready (read from the
    event stream as it arrives) and `appmux wait` for the last app returned."""
    ready, done = {}, {}
    t0 = time.perf_counter()
    mux.run("new", "-d", "-c", conf, "-x", str(COLS), "-y", str(PANE_ROWS))
    t_new = time.perf_counter()
    events = subprocess.Popen(mux.cli + ["events", "--json"], env=mux.env,
                              stdin=subprocess.DEVNULL, stdout=subprocess.PIPE)
    waiter = subprocess.Popen(mux.cli + ["wait", f"app{n - 1}", "--timeout", "60s"],
                              env=mux.env, stdin=subprocess.DEVNULL,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def read_events():
        for line in events.stdout:
            now = time.perf_counter() - t0
            p = json.loads(line).get("payload", {})
            if p.get("session") == "chain" and p.get("probe") == "ready" and (
                    p.get("state") == "ready"):
                ready.setdefault(p["app"], now)

    def await_waiter():
        done["code"] = waiter.wait()
        done["at"] = time.perf_counter() - t0

    threads = [threading.Thread(target=f, daemon=True) for f in (read_events, await_waiter)]
    for t in threads:
        t.start()
    try:
        last = f"app{n - 1}"
        wait_until("the last app ready", lambda: last in ready and "at" in done, 60, poll=0.01)
        if done["code"] != 0:
            raise RuntimeError(f"appmux wait {last} exited {done['code']}")
    finally:
        events.kill()
        events.wait()
        waiter.kill()
        waiter.wait()
        threads[0].join(5)
        events.stdout.close()
    return {"new": t_new - t0, "ready": ready, "wait": done["at"]}


def chain_section(mux, n, runs):
    """`runs` rounds, each timing the chain's command `n` times on its own outside appmux, then
    a chain of `n` apps (each depends on the one before and is ready on its ready line) from a
    cold `new -d` until the last is ready. The overhead is the chain's time minus the sum of
    the bare runs of that round."""
    conf = os.path.join(ROOT, "chain.toml")
    with open(conf, "w") as f:
        f.write('session = "chain"\n')
        for i in range(n):
            f.write(f'\n[[app]]\nname = "app{i}"\ncmd = {toml_str(CHAIN_CMD)}\n'
                    'ready = { log = "^ready$" }\n')
            if i:
                f.write(f'depends_on = ["app{i - 1}"]\n')
    rounds = []
    for _ in range(runs):
        own = [own_start_ms(mux.env) for _ in range(n)]
        r = chain_once(mux, conf, n)
        mux.stop()
        total = r["ready"][f"app{n - 1}"] * 1000
        one = {
            "total_ms": total,
            "sum_own_ms": sum(own),
            "own_ms_mean": statistics.fmean(own),
            "overhead_ms": total - sum(own),
            "new_returned_ms": r["new"] * 1000,
            "wait_returned_ms": r["wait"] * 1000,
        }
        if "app0" in r["ready"]:
            # The first app's readiness carries the one-time costs: the server's start,
            # the session, the first spawn. What is left is spread over the links.
            first = r["ready"]["app0"] * 1000
            mean = statistics.fmean(own)
            one["first_ready_overhead_ms"] = first - mean
            one["per_link_overhead_ms"] = (total - first - (n - 1) * mean) / (n - 1)
        log(f"  round: {one}")
        rounds.append(one)
    keys = sorted({k for one in rounds for k in one})
    out = {k: statistics.median([one[k] for one in rounds if k in one]) for k in keys}
    out.update({"apps": n, "runs": runs, "rounds": rounds})
    log(f"  appmux: median {dict((k, out[k]) for k in keys)}")
    return out


# ---------------------------------------------------------------------------------------------
# File watching (appmux only): a large watched tree at rest, and a change's way to a restart


def watched_tree(root, n_files, per_dir=100):
    """`n_files` small files under root/src, `per_dir` to a directory."""
    for i in range(n_files):
        d = os.path.join(root, "src", f"d{i // per_dir}")
        if i % per_dir == 0:
            os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, f"f{i % per_dir}.rs"), "w") as f:
            f.write("// x\n")


def inotify_watches(pid):
    """The inotify watches a process holds, from its descriptors' fdinfo."""
    total = 0
    for fd in os.listdir(f"/proc/{pid}/fdinfo"):
        try:
            with open(f"/proc/{pid}/fdinfo/{fd}") as f:
                total += sum(1 for line in f if line.startswith("inotify wd:"))
        except OSError:
            pass
    return total


def watch_section(mux, binary, n_files, window, writes):
    """Two servers side by side (`mux`, and another of `binary`), each with one app in a
    project holding a tree of `n_files` files; in `mux` the app watches that tree. With
    nothing changing and no client attached, both servers' CPU, wake-ups and RSS are read over
    the same `window` seconds. Then, `writes` times, a file of the tree is written and the time
    until the app's log holds the restart marker naming it is taken (the default 300 ms
    debounce included), waiting for the app to run again before the next write."""
    project = os.path.join(ROOT, "watched")
    t0 = time.perf_counter()
    watched_tree(project, n_files)
    log(f"  {n_files} files written in {time.perf_counter() - t0:.1f}s")
    muxes = {}
    try:
        for label, extra in (("watch", 'watch = ["src"]\n'), ("no_watch", "")):
            if extra:
                m = mux
            else:
                m = Appmux(binary, os.path.join(ROOT, f"appmux-{label}"))
                MUXES.append(m)
            muxes[label] = m
            conf = os.path.join(project, f"{label}.toml")
            with open(conf, "w") as f:
                f.write(f'session = "{label}"\n\n[[app]]\nname = "api"\n'
                        f'cmd = "exec sleep 100000"\n{extra}')
            t0 = time.perf_counter()
            m.run("new", "-d", "-c", conf, "-x", str(COLS), "-y", str(PANE_ROWS))
            wait_until("the app running",
                       lambda: ls_apps(m, label).get("api", {}).get("state") == "running",
                       60, poll=0.05)
            log(f"  {label}: session up in {time.perf_counter() - t0:.2f}s")
        time.sleep(1.0)  # past the start
        pids = {label: m.server_pid() for label, m in muxes.items()}
        cpu0 = {label: cpu_secs(pid) for label, pid in pids.items()}
        ctx0 = {label: ctx_switches(pid) for label, pid in pids.items()}
        t0 = time.perf_counter()
        time.sleep(window)
        secs = time.perf_counter() - t0
        out = {"files": n_files, "window_s": round(secs, 2)}
        for label, pid in pids.items():
            out[label] = {
                "server_cpu_percent": (cpu_secs(pid) - cpu0[label]) / secs * 100,
                "wakeups_per_s": (ctx_switches(pid) - ctx0[label]) / secs,
                "rss_mib": rss_kib(pid) / 1024,
                "threads": len(os.listdir(f"/proc/{pid}/task")),
                "inotify_watches": inotify_watches(pid),
            }

        m = muxes["watch"]
        log_file = ls_apps(m, "watch")["api"]["log_file"]
        lat = []
        for i in range(writes):
            name = f"src/d{(i * 7) % max(1, n_files // 100)}/f{i % 100}.rs"
            marker = f"restarting: {name} changed".encode()
            with open(log_file, "rb") as f:
                f.seek(0, 2)
                offset = f.tell()
            t0 = time.perf_counter()
            with open(os.path.join(project, name), "w") as f:
                f.write(f"// change {i}\n")

            def marked():
                with open(log_file, "rb") as f:
                    f.seek(offset)
                    return marker in f.read()
            wait_until(f"the marker for {name}", marked, 10, poll=0.001)
            lat.append((time.perf_counter() - t0) * 1000)
            wait_until("the app running again",
                       lambda: ls_apps(m, "watch")["api"]["state"] == "running", 10, poll=0.02)
        out["write_to_marker_ms"] = summary(lat)
        out["write_to_marker_ms"]["all"] = [round(x, 1) for x in lat]
        out["restarts"] = ls_apps(m, "watch")["api"]["restarts"]
        if out["restarts"] != writes:
            raise RuntimeError(f"{writes} writes made {out['restarts']} restarts")
        log(f"  appmux: {out}")
        return out
    finally:
        if "no_watch" in muxes:
            muxes["no_watch"].stop()
            MUXES.remove(muxes["no_watch"])


# ---------------------------------------------------------------------------------------------
# Report


def fmt(v, unit=""):
    if v is None:
        return "n/a"
    if isinstance(v, float):
        v = f"{v:.3f}" if abs(v) < 10 else f"{v:.1f}"
    return f"{v}{unit}"


def ratio(a, t):
    if a is None or t is None or t == 0:
        return "n/a"
    return f"{a / t:.2f}x"


def verdict(ok):
    return "" if ok is None else " (met)" if ok else " (**missed**)"


def main():
    global ROOT, TAG, ARGS
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small sizes for a smoke run")
    ap.add_argument("--appmux", default=None, help="appmux binary (default target/release/appmux)")
    ap.add_argument("--json-out", default=None, help="also write the JSON results here")
    ap.add_argument("--keep", action="store_true", help="keep the temp directory")
    ap.add_argument(
        "--only",
        default=None,
        help="comma-separated sections to run: throughput,flood4,flood1,echo (with "
        "echo-flood),echo-flood,vim,memory,many,attach,idle,apps,probes,chain,watch",
    )
    ARGS = ap.parse_args()
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    binary = os.path.abspath(ARGS.appmux or os.path.join(repo, "target/release/appmux"))
    if not os.access(binary, os.X_OK):
        sys.exit(f"{binary} not found: run `cargo build --release` first")
    if not shutil.which("tmux"):
        sys.exit("tmux is not installed")
    has_vim = shutil.which("vim") is not None

    quick = ARGS.quick
    file_mb = 8 if quick else 64
    keys = 50 if quick else 300
    panes = 3 if quick else 10
    attaches = 3 if quick else 10
    idle_secs = 3 if quick else 10
    n_apps = 50
    n_many = 10 if quick else 60  # panes of the many-apps memory case
    cat_rounds = 2  # the file is cat in this many alternating rounds per multiplexer
    kills = 3 if quick else 10
    n_probed = 200  # apps with a health probe each
    probe_window = 5 if quick else 20  # seconds of steady state measured
    probe_keys = 60 if quick else 600  # typed per server, in 6 alternating rounds
    n_chain = 20
    chain_runs = 2 if quick else 5
    flood4_mb = 2 if quick else 16  # cat by each pane of the detached flood, per round
    flood1_mb = 8 if quick else 64  # cat by the one pane of the attached flood, per round
    flood_rounds = 2 if quick else 3  # alternating rounds of each flood
    echo_flood_rounds = 3 if quick else 6
    n_watched = 5000 if quick else 50000  # files in the watched tree
    watch_window = 5 if quick else 20  # seconds at rest measured
    watch_writes = 5 if quick else 15  # writes timed to their restart marker

    ROOT = tempfile.mkdtemp(prefix="appmux-bench-")
    TAG = f"{os.getpid()}-{random.randrange(1 << 30)}"
    atexit.register(cleanup)
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, lambda s, f: sys.exit(128 + s))

    tmux_version = subprocess.run(["tmux", "-V"], capture_output=True, text=True).stdout.strip()
    log(f"appmux: {binary}\n{tmux_version}\ntemp dir: {ROOT}{' (quick)' if quick else ''}")

    data = os.path.join(ROOT, "mixed.txt")
    size = (file_mb << 20) // cat_rounds
    mixed_file(data, size)
    size = os.path.getsize(data)
    scratch = os.path.join(ROOT, "scratch.txt")

    res = {"quick": quick, "tmux": tmux_version, "client": f"{COLS}x{ROWS}"}

    sections = ("throughput", "flood4", "flood1", "echo", "echo-flood", "vim", "memory", "many",
                "attach", "idle", "apps", "probes", "chain", "watch")
    only = set(ARGS.only.split(",")) if ARGS.only else set(sections)
    unknown = only - set(sections)
    if unknown:
        sys.exit(f"unknown sections: {', '.join(sorted(unknown))}")
    if "echo" in only:  # echo includes echo beside a flooding pane
        only.add("echo-flood")
    if not has_vim:
        only.discard("vim")

    def both(label, fn, section=None):
        if (section or label) not in only:
            return {}
        out = {}
        with Servers(binary, label) as (a, t):
            for m in (a, t):
                log(f"{label}: {m.name}")
                try:
                    out[m.name] = fn(m)
                except Exception as e:  # report and carry on with the other measurements
                    log(f"  {m.name} FAILED: {type(e).__name__}: {e}")
                    out[m.name] = None
                    res.setdefault("errors", []).append(f"{label}/{m.name}: {e}")
        return out

    def both_rounds(label, client, step, rounds):
        """Runs `step(mux, client)` `rounds` times for each multiplexer, alternating, with both
        clients attached throughout (what `client(mux)` returns: a client, or for a detached
        case the state its steps need), so that load from elsewhere on this shared machine falls
        on both alike; returns each one's list of results (None after an error)."""
        if label not in only:
            return {}
        out = {}
        with Servers(binary, label) as (a, t):
            clients = {}
            for m in (a, t):
                log(f"{label}: {m.name}")
                try:
                    clients[m.name] = (m, client(m))
                    out[m.name] = []
                except Exception as e:
                    log(f"  {m.name} FAILED: {type(e).__name__}: {e}")
                    out[m.name] = None
                    res.setdefault("errors", []).append(f"{label}/{m.name}: {e}")
            for _ in range(rounds):
                for name, (m, c) in clients.items():
                    if out[name] is None:
                        continue
                    try:
                        out[name].append(step(m, c))
                    except Exception as e:
                        log(f"  {name} FAILED: {type(e).__name__}: {e}")
                        out[name] = None
                        res.setdefault("errors", []).append(f"{label}/{name}: {e}")
        return out

    def both_typed(label, client, n, rounds=6):
        runs = both_rounds(label, client, lambda m, c: type_and_time(c, n // rounds), rounds)
        return {k: v and [x for r in v for x in r] for k, v in runs.items()}

    def both_cat(rounds):
        count = iter(range(2 * rounds))
        runs = both_rounds(
            "throughput", shell_client, lambda m, c: cat_once(m, c, data, next(count)), rounds
        )
        out = {}
        for name, v in runs.items():
            if v:
                secs = sum(r[0] for r in v)
                out[name] = {
                    "mb_s": rounds * size / 1e6 / secs,
                    "secs": secs,
                    "max_client_gap_ms": max(r[1] for r in v) * 1000,
                }
                log(f"  {name}: {out[name]}")
            else:
                out[name] = None
        return out

    def summaries(d):
        return {k: v and summary(v) for k, v in d.items()}

    tp = both_cat(cat_rounds)
    res["throughput"] = tp

    flood4 = {}
    if "flood4" in only:
        path = os.path.join(ROOT, "flood4.txt")
        mixed_file(path, flood4_mb << 20)
        nbytes = FLOOD_PANES * os.path.getsize(path)
        runs = both_rounds("flood4", lambda m: flood4_setup(m, path), flood4_once, flood_rounds)
        flood4 = {k: v and flood_summary(v, nbytes) for k, v in runs.items()}
        for k, v in flood4.items():
            log(f"  {k}: {v}")
    res["flood4"] = flood4
    flood1 = {}
    if "flood1" in only:
        path = os.path.join(ROOT, "flood1.txt")
        mixed_file(path, flood1_mb << 20)
        nbytes = os.path.getsize(path)
        count = iter(range(2 * flood_rounds))
        pids = {}

        def flood1_client(m):
            c = shell_client(m)
            pids[m.name] = m.server_pid()
            return c

        runs = both_rounds("flood1", flood1_client, lambda m, c: flood1_once(
            m, c, path, next(count), pids[m.name]), flood_rounds)
        for k, v in runs.items():
            flood1[k] = v and {**flood_summary(v, nbytes),
                               "max_client_gap_ms": max(r["max_gap"] for r in v) * 1000}
            log(f"  {k}: {flood1[k]}")
    res["flood1"] = flood1
    res["echo_ms"] = summaries(both_typed("echo", echo_client, keys))
    echo_flood = {}
    if "echo-flood" in only:
        path = os.path.join(ROOT, "flood4.txt")
        if not os.path.exists(path):
            mixed_file(path, flood4_mb << 20)
        runs = both_rounds("echo-flood", echo_flood_client, lambda m, c: echo_flooding_once(
            m, c, path, max(1, keys // echo_flood_rounds)), echo_flood_rounds)
        echo_flood = summaries({k: v and [x for r in v for x in r["lat"]]
                                for k, v in runs.items()})
        for k, v in runs.items():
            if v:
                echo_flood[k]["client_mb_s"] = statistics.fmean(r["client_mb_s"] for r in v)
                log(f"  {k}: {echo_flood[k]}")
    res["echo_flooding_ms"] = echo_flood
    res["vim_ms"] = summaries(both_typed("vim", lambda m: vim_client(m, scratch), keys))
    history = os.path.join(ROOT, "history.txt")
    history_file(history)
    mem = both("memory", lambda m: memory_per_pane(m, panes, history))
    res["memory_per_pane_kib"] = mem
    many = both("many", lambda m: many_apps_rss(m, n_many, history))
    res["many_rss_mib"] = many
    res["attach_ms"] = summaries(both("attach", lambda m: attach_time(m, attaches)))
    idle = both("idle", lambda m: idle_wakeups(m, idle_secs))
    res["idle"] = idle
    res["idle_secs"] = idle_secs
    idle_fleet = both("idle-apps", lambda m: idle_apps(m, n_apps, idle_secs, quick),
                      section="idle")
    res["idle_apps"] = idle_fleet
    apps = {}
    if "apps" in only:
        apps = appmux_only(binary, "apps", lambda m: apps_section(m, n_apps, kills), res)
    res["apps"] = apps
    probes = {}
    if "probes" in only:
        probes = appmux_only(binary, "probes", lambda m: probes_section(
            m, binary, n_probed, probe_window, probe_keys, 6), res)
    res["probes"] = probes
    chain = {}
    if "chain" in only:
        chain = appmux_only(binary, "chain", lambda m: chain_section(
            m, n_chain, chain_runs), res)
    res["chain"] = chain
    watch = {}
    if "watch" in only:
        watch = appmux_only(binary, "watch", lambda m: watch_section(
            m, binary, n_watched, watch_window, watch_writes), res)
    res["watch"] = watch

    def g(d, k, sub=None):
        v = d.get(k)
        return v if sub is None or v is None else v[sub]

    rows = []
    if tp:
        a, t = g(tp, "appmux", "mb_s"), g(tp, "tmux", "mb_s")
        rows.append(
            (f"throughput, cat {cat_rounds} x {size / 2**20:.0f} MiB mixed (MB/s)", a, t,
             ratio(a, t),
             ">= 2x tmux", a is not None and t is not None and a >= 2 * t)
        )
        a, t = g(tp, "appmux", "max_client_gap_ms"), g(tp, "tmux", "max_client_gap_ms")
        rows.append(("  longest client update gap during that output (ms)", a, t, ratio(a, t),
                     "(information)", None))
    if flood4:
        a, t = g(flood4, "appmux", "mb_s"), g(flood4, "tmux", "mb_s")
        rows.append((f"{FLOOD_PANES} panes each cat {flood4_mb} MiB mixed at once, detached, "
                     f"{flood_rounds} rounds, until every screen shows its end (MB/s)", a, t,
                     ratio(a, t), ">= 2x tmux", a is not None and t is not None and a >= 2 * t))
        a, t = g(flood4, "appmux", "mb_s_until_files"), g(flood4, "tmux", "mb_s_until_files")
        rows.append(("  until the last `cat` ended (MB/s)", a, t, ratio(a, t), "(information)",
                     None))
        a, t = (g(flood4, "appmux", "server_cpu_per_wall"),
                g(flood4, "tmux", "server_cpu_per_wall"))
        rows.append(("  server CPU time / wall time (> 1: more than one core)", a, t,
                     ratio(a, t), "> 1", a is not None and a > 1))
        a, t = (g(flood4, "appmux", "threads_over_10pct"),
                g(flood4, "tmux", "threads_over_10pct"))
        rows.append(("  server threads busy >= 10% of the wall time", a, t, "",
                     "(information)", None))
        a, t = g(flood4, "appmux", "screen_lag_ms_max"), g(flood4, "tmux", "screen_lag_ms_max")
        rows.append(("  from the last `cat`'s end until every screen showed it, worst round (ms; "
                     "capture calls included)", a, t, ratio(a, t), "(information)", None))
    if flood1:
        a, t = g(flood1, "appmux", "mb_s"), g(flood1, "tmux", "mb_s")
        rows.append((f"1 pane cat {flood1_mb} MiB mixed, client attached, {flood_rounds} "
                     "rounds (MB/s)", a, t, ratio(a, t), ">= 2x tmux",
                     a is not None and t is not None and a >= 2 * t))
        a, t = (g(flood1, "appmux", "server_cpu_per_wall"),
                g(flood1, "tmux", "server_cpu_per_wall"))
        rows.append(("  server CPU time / wall time", a, t, ratio(a, t), "(information)", None))
        a, t = g(flood1, "appmux", "max_client_gap_ms"), g(flood1, "tmux", "max_client_gap_ms")
        rows.append(("  longest client update gap during that output (ms)", a, t, ratio(a, t),
                     "(information)", None))
    for key, label in (("echo_ms", "echo"),
                       ("echo_flooding_ms", "echo, another pane of the session flooding"),
                       ("vim_ms", "vim insert echo")):
        d = res[key]
        if not d:
            continue
        a, t = g(d, "appmux", "p50"), g(d, "tmux", "p50")
        rows.append((f"{label} p50 (ms)", a, t, ratio(a, t), "<= tmux",
                     a is not None and t is not None and a <= t))
        a, t = g(d, "appmux", "p99"), g(d, "tmux", "p99")
        rows.append((f"{label} p99 (ms)", a, t, ratio(a, t), "<= 1 ms",
                     a is not None and a <= 1.0))
        if key == "echo_flooding_ms":
            a, t = g(d, "appmux", "client_mb_s"), g(d, "tmux", "client_mb_s")
            rows.append(("  the client received meanwhile (MB/s)", a, t, ratio(a, t),
                         "(information)", None))
    if mem:
        a, t = g(mem, "appmux"), g(mem, "tmux")
        rows.append(("server memory per pane, 10k lines of mixed history (KiB)", a, t,
                     ratio(a, t), "<= 0.25x tmux",
                     a is not None and t is not None and a <= 0.25 * t))
    if many:
        a, t = g(many, "appmux"), g(many, "tmux")
        rows.append((f"server RSS, {n_many} panes x {HISTORY_LINES} lines (MiB)", a, t,
                     ratio(a, t), "<= 50", a is not None and a <= 50))
    if res["attach_ms"]:
        a, t = g(res["attach_ms"], "appmux", "p50"), g(res["attach_ms"], "tmux", "p50")
        rows.append((f"attach to a full screen, median of {attaches} (ms)", a, t, ratio(a, t),
                     "<= 0.8x tmux", a is not None and t is not None and a <= 0.8 * t))
    if idle:
        a, t = g(idle, "appmux", "wakeups_per_10s"), g(idle, "tmux", "wakeups_per_10s")
        rows.append(("idle, 1 pane, client attached: server wake-ups per 10 s", a, t,
                     ratio(a, t), "<= 2", a is not None and a <= 2))
        a, t = g(idle, "appmux", "cpu_percent"), g(idle, "tmux", "cpu_percent")
        rows.append(("  server CPU (% of one core)", a, t, ratio(a, t), "(information)", None))
        a, t = g(idle, "appmux", "client_bytes"), g(idle, "tmux", "client_bytes")
        rows.append((f"  bytes sent to the client in {idle_secs} s", a, t, ratio(a, t), "0",
                     a == 0))
    if idle_fleet:
        def fleet(name, case, key):
            v = idle_fleet.get(name)
            return v and v.get(case, {}).get(key)

        a = fleet("appmux", "shown", "wakeups_per_10s")
        rows.append((f"idle, {n_apps} apps, sidebar shown, client attached: server wake-ups "
                     "per 10 s", a, None, "", "<= 12", a is not None and a <= 12))
        rows.append(("  server CPU (% of one core)", fleet("appmux", "shown", "cpu_percent"),
                     None, "", "(information)", None))
        a, t = (fleet("appmux", "hidden", "wakeups_per_10s"),
                fleet("tmux", "hidden", "wakeups_per_10s"))
        rows.append((f"idle, {n_apps} apps, sidebar hidden (tmux: {n_apps} windows): server "
                     "wake-ups per 10 s", a, t, ratio(a, t), "<= tmux",
                     a is not None and t is not None and a <= max(t, 1)))
        a, t = fleet("appmux", "hidden", "cpu_percent"), fleet("tmux", "hidden", "cpu_percent")
        rows.append(("  server CPU (% of one core)", a, t, ratio(a, t), "(information)", None))
    if apps:
        a = apps.get("ready_ms")
        rows.append((f"{n_apps} apps: `new -d` until all printed their ready line (ms)", a,
                     None, "", "(appmux only)", None))
        a = apps.get("rss_mib")
        rows.append((f"server RSS with those {n_apps} idle apps (MiB)", a, None, "", "< 50 MB",
                     a is not None and a * 2**20 < 50e6))
        a = apps.get("restart_ms", {}).get("max")
        rows.append((f"SIGKILLed on-failure app running again, worst of {kills} (ms)", a, None,
                     "", "< 1 s", a is not None and a < 1000))
    if probes:
        p, q = probes.get("probes", {}), probes.get("no_probes", {})
        a = p.get("server_cpu_percent")
        rows.append((f"{n_probed} apps, an HTTP health probe each every 1 s, a client attached: "
                     f"server CPU over {probe_window} s (% of one core)", a, None, "", "< 2%",
                     a is not None and a < 2))
        rows.append(("  the same session without probes: server CPU (% of one core)",
                     q.get("server_cpu_percent"), None, "", "(baseline)", None))
        rows.append(("  server wake-ups per second, with / without probes",
                     p.get("wakeups_per_s"), None, "", f"(without: {fmt(q.get('wakeups_per_s'))})",
                     None))
        rows.append(("  server RSS with probes (MiB)", p.get("rss_mib"), None, "",
                     f"(without: {fmt(q.get('rss_mib'))})", None))
        for k in ("p50", "p99"):
            a, b = g(p, "echo_ms", k), g(q, "echo_ms", k)
            ok = a is not None and b is not None and a <= b + max(0.1 * b, 0.05)
            rows.append((f"  echo {k} during the probes (ms)", a, None, "",
                         f"unchanged: <= {fmt(b)} without probes, +10% or 0.05 ms", ok))
    if chain:
        a = chain.get("total_ms")
        rows.append((f"chain of {n_chain} dependent apps, `log` readiness: `new -d` until the "
                     f"last is ready, median of {chain_runs} (ms)", a, None, "", "(appmux only)",
                     None))
        rows.append(("  sum of their own start times, each run bare (ms)",
                     chain.get("sum_own_ms"), None, "", "(baseline)", None))
        a = chain.get("overhead_ms")
        rows.append(("  overhead: chain minus that sum (ms)", a, None, "", "<= 50 ms",
                     a is not None and a <= 50))
        rows.append(("  of which the first app, with the server's start (ms)",
                     chain.get("first_ready_overhead_ms"), None, "", "(information)", None))
        rows.append(("  of which each further link (ms)",
                     chain.get("per_link_overhead_ms"), None, "", "(information)", None))
        rows.append(("  `appmux wait` for the last app returned after (ms)",
                     chain.get("wait_returned_ms"), None, "", "(information)", None))
    if watch:
        w, q = watch.get("watch", {}), watch.get("no_watch", {})
        rows.append((f"a watched tree of {n_watched} files at rest, no client: server CPU over "
                     f"{watch_window} s (% of one core)", w.get("server_cpu_percent"), None, "",
                     f"unchanged: without watch {fmt(q.get('server_cpu_percent'))}",
                     None if not q else w.get("server_cpu_percent", 1) <= q.get(
                         "server_cpu_percent", 0) + 0.1))
        rows.append(("  server wake-ups per second, with / without watch",
                     w.get("wakeups_per_s"), None, "",
                     f"unchanged: without {fmt(q.get('wakeups_per_s'))}",
                     None if not q else w.get("wakeups_per_s", 1) <= q.get("wakeups_per_s", 0) + 0.1))
        rows.append(("  server RSS with watch (MiB)", w.get("rss_mib"), None, "",
                     f"(without: {fmt(q.get('rss_mib'))})", None))
        rows.append(("  inotify watches held / server threads, with watch",
                     f"{w.get('inotify_watches')} / {w.get('threads')}", None, "",
                     f"(without: {q.get('inotify_watches')} / {q.get('threads')})", None))
        a = g(watch, "write_to_marker_ms", "p50")
        rows.append((f"file write to the app's restart marker, median of {watch_writes} (ms, "
                     "300 ms debounce included)", a, None, "", "< 500 ms",
                     a is not None and a < 500))
        rows.append(("  worst of those (ms)", g(watch, "write_to_marker_ms", "max"), None, "",
                     "(information)", None))

    print(f"\n{COLS}x{ROWS} client, {tmux_version}, {'quick' if quick else 'full'} run\n")
    print("| metric | appmux | tmux | ratio | target |")
    print("|---|---:|---:|---:|---|")
    for name, a, t, r, target, ok in rows:
        print(f"| {name} | {fmt(a)} | {fmt(t)} | {r} | {target}{verdict(ok)} |")
    if res.get("errors"):
        print("\nerrors:\n" + "\n".join(f"- {e}" for e in res["errors"]))
    print("\n```json\n" + json.dumps(res, indent=1, sort_keys=True) + "\n```")
    if ARGS.json_out:
        with open(ARGS.json_out, "w") as f:
            json.dump(res, f, indent=1, sort_keys=True)
    return 1 if res.get("errors") else 0


def summary(xs):
    return {
        "n": len(xs),
        "p50": statistics.median(xs),
        "p99": percentile(xs, 99),
        "mean": statistics.fmean(xs),
        "max": max(xs),
    }


ARGS = None

if __name__ == "__main__":
    sys.exit(main())
