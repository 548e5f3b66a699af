"""Cell-by-cell comparison of real programs in appmux and in tmux.
Run: cargo build && python3 benches/fidelity.py [--appmux PATH] [--only NAME,...] [--keep]

Each program runs at the same size (80x24 by default) in a detached tmux session (status line
off) and in a detached appmux session, each on its own isolated socket and runtime directory, one after the
other with the same fresh HOME, with the same TERM (appmux's pane TERM, tmux-256color when terminfo has it), the same
locale and the same environment. The same keys are sent to both (`send-keys`, tmux key names or
literal text); after each step the screen is read once it has been still for a moment
(`tmux capture-pane -e -p` and `appmux capture -e`), parsed into cells (text, colours, bold,
dim, italic, underline, blink, inverse) and compared cell by cell. Prints, per program and step,
`same` or the number of differing cells with the first few, then a summary table.

The programs are not installed by this script: those missing are skipped (emacs-nox, zsh,
fish, nano, mc, ncdu, tig, dialog, vttest, vim). Only the Python standard library is used.
"""

import argparse
import ctypes
import locale
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

COLS, ROWS = 80, 24
HERE = os.path.dirname(os.path.abspath(__file__))

locale.setlocale(locale.LC_ALL, "C.UTF-8")
_libc = ctypes.CDLL("libc.so.6")
_libc.wcwidth.restype = ctypes.c_int
_libc.wcwidth.argtypes = [ctypes.c_wchar]


def wcwidth(ch):
    return _libc.wcwidth(ch)


# ---------------------------------------------------------------------------------------------
# Screens: a captured screen (lines with SGR sequences) parsed into cells.

DEFAULT = (None, None, frozenset())
CSI = re.compile(r"\x1b\[([0-9;:?]*)([A-Za-z])")


def colour(params, i):
    """The extended colour at params[i] (after 38/48): (value, parameters used)."""
    if i < len(params) and params[i] == "5" and i + 1 < len(params):
        return ("idx", int(params[i + 1] or 0)), 2
    if i < len(params) and params[i] == "2" and i + 3 < len(params):
        return ("rgb", *(int(p or 0) for p in params[i + 1 : i + 4])), 4
    return None, len(params)


FLAGS = {1: "bold", 2: "dim", 3: "italic", 4: "underline", 5: "blink", 6: "blink", 7: "inverse", 8: "hidden", 9: "strike"}
UNFLAGS = {22: ("bold", "dim"), 23: ("italic",), 24: ("underline",), 25: ("blink",), 27: ("inverse",), 28: ("hidden",), 29: ("strike",)}


def sgr(attrs, text):
    fg, bg, flags = attrs
    flags = set(flags)
    params = text.replace(":", ";").split(";") if text else ["0"]
    i = 0
    while i < len(params):
        p = int(params[i] or 0)
        if p == 0:
            fg, bg, flags = None, None, set()
        elif p in FLAGS:
            flags.add(FLAGS[p])
        elif p in UNFLAGS:
            flags -= set(UNFLAGS[p])
        elif 30 <= p <= 37:
            fg = ("idx", p - 30)
        elif 90 <= p <= 97:
            fg = ("idx", p - 90 + 8)
        elif 40 <= p <= 47:
            bg = ("idx", p - 40)
        elif 100 <= p <= 107:
            bg = ("idx", p - 100 + 8)
        elif p == 39:
            fg = None
        elif p == 49:
            bg = None
        elif p in (38, 48, 58):
            c, used = colour(params, i + 1)
            if p == 38:
                fg = c
            elif p == 48:
                bg = c
            i += used
        i += 1
    return (fg, bg, frozenset(flags))


# DEC special graphics for `_` to `~`: tmux's capture writes line drawing as SO, the ASCII
# letter and SI.
DEC = dict(zip("_`abcdefghijklmnopqrstuvwxyz{|}~",
               " ◆▒␉␌␍␊°±␤␋┘┐┌└┼⎺⎻─⎼⎽├┤┴┬│≤≥π≠£·"))


def parse(screen, cols=COLS, rows=ROWS):
    """Cells of a captured screen: rows x cols of (text, attrs); a wide character's second
    column is ('', attrs)."""
    grid = [[(" ", DEFAULT) for _ in range(cols)] for _ in range(rows)]
    lines = screen.split("\n")
    attrs = DEFAULT
    shifted = False
    for r, line in enumerate(lines[:rows]):
        # Each captured line starts from the attributes the last one left (tmux) or from none
        # (appmux resets at each end of line): both are handled by carrying them over.
        c = 0
        pos = 0
        while pos < len(line):
            m = CSI.match(line, pos)
            if m:
                params, final = m.groups()
                if final == "m":
                    attrs = sgr(attrs, params)
                elif final == "C":
                    c += int(params or 1)
                pos = m.end()
                continue
            ch = line[pos]
            pos += 1
            if ch in "\x0e\x0f":
                shifted = ch == "\x0e"
                continue
            if ch == "\x1b" or ch == "\r":
                continue
            if shifted:
                ch = DEC.get(ch, ch)
            w = wcwidth(ch)
            if w <= 0:
                # Combining marks, ZWJ and VS16 go with the cell before.
                if c > 0 and c - 1 < cols:
                    back = c - 1
                    if grid[r][back][0] == "" and back > 0:
                        back -= 1
                    t, a = grid[r][back]
                    grid[r][back] = (t + ch, a)
                continue
            if c < cols:
                grid[r][c] = (ch, attrs)
                if w == 2 and c + 1 < cols:
                    grid[r][c + 1] = ("", attrs)
            c += w
    return grid


def visible(cell):
    """A cell as the eye sees it: a blank's foreground, bold and the like do not show."""
    text, (fg, bg, flags) = cell
    if text.strip() == "" and text != "":
        inverse = "inverse" in flags
        return (" ", (None, bg, frozenset()) if not inverse else (fg, bg, frozenset({"inverse"})))
    return (text, (fg, bg, flags))


def diff(a, b):
    out = []
    for r, (ra, rb) in enumerate(zip(a, b)):
        for c, (ca, cb) in enumerate(zip(ra, rb)):
            if visible(ca) != visible(cb):
                out.append((r, c, ca, cb))
    return out


def show(cell):
    text, (fg, bg, flags) = cell
    bits = []
    if fg:
        bits.append("fg=" + ":".join(map(str, fg[1:])))
    if bg:
        bits.append("bg=" + ":".join(map(str, bg[1:])))
    bits += sorted(flags)
    return repr(text) + ("[" + ",".join(bits) + "]" if bits else "")


# ---------------------------------------------------------------------------------------------
# The two multiplexers.


class World:
    def __init__(self, appmux, keep):
        self.dir = tempfile.mkdtemp(prefix="appmux-fidelity-")
        self.keep = keep
        self.appmux = appmux
        self.tmux_sock = os.path.join(self.dir, "tmux.sock")
        self.env = {}
        self.home = os.path.join(self.dir, "home")
        for side in ("tmux", "appmux"):
            home = self.home
            for sub in ("run", "state", "config"):
                os.makedirs(os.path.join(self.dir, side, sub), mode=0o700)
            env = {
                "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
                "HOME": home,
                "LANG": "C.UTF-8",
                "LC_ALL": "C.UTF-8",
                "SHELL": "/bin/sh",
                "TERM": "xterm-256color",
                "XDG_RUNTIME_DIR": os.path.join(self.dir, side, "run"),
                "XDG_STATE_HOME": os.path.join(self.dir, side, "state"),
                "XDG_CONFIG_HOME": os.path.join(self.dir, side, "config"),
                "XDG_DATA_HOME": os.path.join(home, ".local/share"),
                "XDG_CACHE_HOME": os.path.join(home, ".cache"),
            }
            self.env[side] = env
        self.term = "tmux-256color" if term_exists("tmux-256color") else "screen-256color"
        self.tmux(["-f", "/dev/null", "start-server", ";", "set", "-g", "default-terminal", self.term,
                   ";", "set", "-g", "status", "off", ";", "set", "-g", "escape-time", "0",
                   ";", "set", "-g", "exit-empty", "off"])

    def tmux(self, args, check=True):
        return subprocess.run(["tmux", "-S", self.tmux_sock] + args, env=self.env["tmux"],
                              capture_output=True, text=True, check=check)

    def amux(self, args, check=True):
        return subprocess.run([self.appmux] + args, env=self.env["appmux"], capture_output=True,
                              text=True, check=check)

    def fresh_home(self):
        shutil.rmtree(self.home, ignore_errors=True)
        os.makedirs(self.home)

    def start(self, side, name, argv, cwd):
        shell = " ".join(shlex_quote(a) for a in argv)
        if True:
            env = self.env[side]
            # Both run the program from the same shell line, in the same directory.
            line = f"cd {shlex_quote(cwd)} && export HOME={shlex_quote(env['HOME'])} && exec {shell}"
            if side == "tmux":
                # appmux tells its panes COLORTERM=truecolor; tmux is told to do the same, so
                # that programs choose the same colours in both.
                self.tmux(["new-session", "-d", "-e", "COLORTERM=truecolor", "-s", name, "-x", str(COLS), "-y", str(ROWS),
                           "sh", "-c", line])
            else:
                self.amux(["new", "-d", "-s", name, "-x", str(COLS), "-y", str(ROWS), "--",
                           "sh", "-c", line])

    def send(self, side, name, keys, literal):
        flag = ["-l"] if literal else []
        run = self.tmux if side == "tmux" else self.amux
        run(["send-keys", "-t", name] + flag + keys)

    def capture(self, side, name):
        if side == "tmux":
            # -N keeps trailing blanks, which may have a background colour.
            return self.tmux(["capture-pane", "-e", "-p", "-N", "-t", name]).stdout
        return self.amux(["capture", "-e", "-t", name]).stdout

    def settled(self, side, name, quiet=1.2, limit=15.0):
        """The screen once it has not changed for `quiet` seconds (or after `limit`)."""
        last = None
        still_since = time.monotonic()
        end = time.monotonic() + limit
        while time.monotonic() < end:
            now = self.capture(side, name)
            if now != last:
                last = now
                still_since = time.monotonic()
            elif time.monotonic() - still_since >= quiet:
                break
            time.sleep(0.1)
        return last

    def kill(self, side, name):
        if side == "tmux":
            self.tmux(["kill-session", "-t", name], check=False)
        else:
            self.amux(["kill-session", "-t", name], check=False)

    def close(self):
        self.tmux(["kill-server"], check=False)
        self.amux(["kill-server"], check=False)
        if not self.keep:
            shutil.rmtree(self.dir, ignore_errors=True)


def shlex_quote(s):
    import shlex

    return shlex.quote(s)


def term_exists(name):
    for base in ("/usr/share/terminfo", "/lib/terminfo", "/etc/terminfo"):
        if os.path.exists(os.path.join(base, name[0], name)):
            return True
    return False


# ---------------------------------------------------------------------------------------------
# The programs and their keys: ("keys", [...]) tmux key names, ("text", "...") literal text,
# ("snap", "label") compare the screens now.


def fixtures(root):
    """A small directory tree, a text file and a git repository with fixed dates."""
    tree = os.path.join(root, "tree")
    for i in range(6):
        d = os.path.join(tree, f"dir{i}")
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "data.bin"), "wb") as f:
            f.write(b"x" * (4096 * (i + 1) * 7))
    with open(os.path.join(root, "notes.txt"), "w") as f:
        for i in range(40):
            f.write(f"line {i:02}: the quick brown fox jumps over the lazy dog\n")
    repo = os.path.join(root, "repo")
    os.makedirs(repo, exist_ok=True)
    env = dict(os.environ, GIT_AUTHOR_NAME="A U Thor", GIT_AUTHOR_EMAIL="a@example.com",
               GIT_COMMITTER_NAME="A U Thor", GIT_COMMITTER_EMAIL="a@example.com",
               GIT_AUTHOR_DATE="2020-01-01T00:00:00Z", GIT_COMMITTER_DATE="2020-01-01T00:00:00Z")
    subprocess.run(["git", "init", "-q", "-b", "main", repo], env=env, check=True)
    for i in range(5):
        with open(os.path.join(repo, f"f{i}.txt"), "w") as f:
            f.write(f"file {i}\n")
        subprocess.run(["git", "-C", repo, "add", "."], env=env, check=True)
        subprocess.run(["git", "-C", repo, "commit", "-q", "-m", f"Commit number {i}"], env=env, check=True)
    return tree, os.path.join(root, "notes.txt"), repo


def programs(root):
    tree, notes, repo = fixtures(root)
    return {
        "vim": (["vim", "-u", "NONE", "-N", "-n", "-i", "NONE", "+syntax on", notes], root, [
            ("snap", "start"), ("text", "Gonew line"), ("keys", ["Escape"]), ("snap", "edited")]),
        "emacs": (["emacs", "-nw", "-Q", notes], root, [
            ("snap", "start"), ("keys", ["M->"]), ("text", "typed text"), ("snap", "typed"),
            ("keys", ["C-x", "b"]), ("snap", "minibuffer")]),
        "zsh": (["zsh", "-f"], root, [
            ("text", "PS1='%F{blue}%B%n%b%f %F{green}%~%f %# '; autoload -U colors"), ("keys", ["Enter"]),
            ("text", "print -P '%F{red}red%f %B%F{yellow}bold yellow%f%b %U%F{4}under%f%u'"), ("keys", ["Enter"]),
            ("text", "echo partial"), ("snap", "prompt")]),
        "fish": (["fish", "--no-config"], root, [
            ("snap", "start"), ("text", "set_color -o blue; echo bold blue; set_color normal"),
            ("keys", ["Enter"]), ("text", "echo hel"), ("snap", "typing")]),
        "nano": (["nano", "--ignorercfiles", notes], root, [
            ("snap", "start"), ("text", "inserted "), ("keys", ["C-w"]), ("snap", "search")]),
        "mc": (["mc", "-u", tree], root, [
            ("snap", "start"), ("keys", ["Down", "Down"]), ("snap", "moved"), ("keys", ["F9"]),
            ("snap", "menu")]),
        "ncdu": (["ncdu", "--color", "dark", tree], root, [("snap", "start"), ("keys", ["Down"]),
                 ("snap", "moved")]),
        "tig": (["tig"], repo, [("snap", "start"), ("keys", ["Enter"]), ("snap", "diff")]),
        "dialog": (["dialog", "--backtitle", "Fidelity", "--menu", "Pick one", "15", "50", "4",
                    "a", "Apples", "b", "Bananas", "c", "Cherries"], root, [
            ("snap", "menu"), ("keys", ["Down"]), ("snap", "moved")]),
        "vttest": (["vttest"], root, [
            ("snap", "menu"),
            ("text", "1"), ("keys", ["Enter"]), ("snap", "1.1 cursor box"),
            ("keys", ["Enter"]), ("snap", "1.2"), ("keys", ["Enter"]), ("snap", "1.3"),
            ("keys", ["Enter"]), ("snap", "1.4"), ("keys", ["Enter"]), ("snap", "1.5"),
            ("keys", ["Enter"]), ("snap", "1.6"), ("keys", ["Enter"]),
            ("snap", "menu again"),
            ("text", "2"), ("keys", ["Enter"]), ("snap", "2.1 autowrap"),
            ("keys", ["Enter"]), ("snap", "2.2"), ("keys", ["Enter"]), ("snap", "2.3"),
            ("keys", ["Enter"]), ("snap", "2.4"), ("keys", ["Enter"]), ("snap", "2.5"),
            ("keys", ["Enter"]), ("snap", "2.6"), ("keys", ["Enter"]), ("snap", "2.7"),
            ("keys", ["Enter"]), ("snap", "2.8"), ("keys", ["Enter"]), ("snap", "2.9"),
            ("keys", ["Enter"]), ("snap", "2.10"), ("keys", ["Enter"]), ("snap", "2.11"),
            ("keys", ["Enter"]), ("snap", "2.12"), ("keys", ["Enter"]), ("snap", "2.13"),
            ("keys", ["Enter"]), ("snap", "2.14"), ("keys", ["Enter"]), ("snap", "2.15"),
            ("keys", ["Enter"]), ("snap", "menu 3"),
            ("text", "8"), ("keys", ["Enter"]), ("snap", "8.1 VT102"),
        ] + [step for i in range(2, 15) for step in (("keys", ["Enter"]), ("snap", f"8.{i}"))]),
        # Menu 11.1.2 (VT220 screen display): ECH and protected areas; 11.1.6: DECSTR.
        "vttest-vt220": (["vttest"], root, [
            ("text", "11"), ("keys", ["Enter"]), ("text", "1"), ("keys", ["Enter"]),
            ("text", "2"), ("keys", ["Enter"]), ("text", "3"), ("keys", ["Enter"]), ("snap", "ECH"),
            ("keys", ["Enter"]), ("text", "4"), ("keys", ["Enter"]), ("snap", "DECSCA"),
            ("keys", ["Enter"]), ("snap", "DECSCA 2"), ("keys", ["Enter"]), ("snap", "DECSCA 3"),
            ("keys", ["Enter"]), ("text", "0"), ("keys", ["Enter"]), ("text", "6"), ("keys", ["Enter"]), ("snap", "DECSTR"),
            ("keys", ["Enter"]), ("snap", "DECSTR 2"), ("keys", ["Enter"]), ("snap", "DECSTR 3"),
        ]),
    }


def play(world, side, name, argv, cwd, steps):
    """Runs the program in one multiplexer; returns its screens at each snap."""
    world.fresh_home()
    # What an editor killed in the last run left behind (emacs' auto-save and lock files)
    # would change what the next one shows.
    for f in os.listdir(cwd):
        if f.startswith(".#") or (f.startswith("#") and f.endswith("#")):
            os.remove(os.path.join(cwd, f))
    world.start(side, name, argv, cwd)
    # Keys typed before the program reads the terminal would be echoed by the line discipline.
    world.settled(side, name)
    snaps = []
    for kind, arg in steps:
        if kind == "keys":
            world.send(side, name, arg, literal=False)
        elif kind == "text":
            world.send(side, name, [arg], literal=True)
        elif kind == "snap":
            snaps.append(world.settled(side, name))
    world.kill(side, name)
    return snaps


def run(world, name, argv, cwd, steps, verbose):
    """The program in tmux, then in appmux (one at a time: they share files and HOME)."""
    results = []
    got = {side: play(world, side, name, argv, cwd, steps) for side in ("tmux", "appmux")}
    labels = [arg for kind, arg in steps if kind == "snap"]
    for arg, ta, tb in zip(labels, got["tmux"], got["appmux"]):
        if True:
            if verbose > 1:
                print(ta, "\n----\n", tb)
            a = parse(ta)
            b = parse(tb)
            d = diff(a, b)
            results.append((arg, d))
            status = "same" if not d else f"{len(d)} cells differ"
            print(f"{name:8} {arg:16} {status}", flush=True)
            if d and verbose > 0:
                for r, c, ca, cb in d[:8]:
                    print(f"    {r:2},{c:2}  tmux {show(ca):40} appmux {show(cb)}")
    return results


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--appmux", default=os.path.join(HERE, "..", "target", "debug", "appmux"))
    ap.add_argument("--only", default="")
    ap.add_argument("--keep", action="store_true")
    ap.add_argument("--quiet", action="store_true", help="no per-cell details")
    ap.add_argument("--dump", action="store_true", help="print both captured screens")
    args = ap.parse_args()
    world = World(os.path.abspath(args.appmux), args.keep)
    summary = []
    try:
        progs = programs(world.dir)
        only = [n for n in args.only.split(",") if n]
        for name, (argv, cwd, steps) in progs.items():
            if only and name not in only:
                continue
            if not shutil.which(argv[0]):
                summary.append((name, "skipped (not installed)"))
                continue
            verbose = 2 if args.dump else 0 if args.quiet else 1
            results = run(world, name, argv, cwd, steps, verbose)
            bad = [(label, len(d)) for label, d in results if d]
            if bad:
                summary.append((name, "differs: " + ", ".join(f"{l} ({n})" for l, n in bad)))
            else:
                summary.append((name, "same"))
    finally:
        world.close()
    print("\n| program | result |\n|---|---|")
    for name, result in summary:
        print(f"| {name} | {result} |")
    if args.keep:
        print(f"kept {world.dir}", file=sys.stderr)


if __name__ == "__main__":
    main()
