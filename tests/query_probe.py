#!/usr/bin/env python3
"""Sends terminal queries through the terminal it runs in and records the exact replies.

Usage: query_probe.py OUT.json

Run inside an appmux pane by tests/e2e/fidelity.rs. Each query is followed by DA1 (`CSI c`)
as a sentinel, so every reply is read up to the DA1 reply that ends it, however it is split
across reads; a query that gets no answer records an empty string. The replies are written as
JSON (bytes as latin-1 characters), then the probe prints `probe done` and waits to be killed.
"""

import json
import os
import select
import sys
import termios
import time
import tty

DA1 = b"\x1b[c"
DA1_REPLY = b"\x1b[?62;22c"

# (name, bytes to send first without reading, the query)
QUERIES = [
    ("da1", b"", b""),
    ("da2", b"", b"\x1b[>c"),
    ("dsr5", b"", b"\x1b[5n"),
    ("cpr", b"\x1b[3;7H", b"\x1b[6n"),
    ("xtversion", b"", b"\x1b[>q"),
    ("decrqm_2004_off", b"", b"\x1b[?2004$p"),
    ("decrqm_2004_on", b"\x1b[?2004h", b"\x1b[?2004$p"),
    ("decrqm_25", b"", b"\x1b[?25$p"),
    ("decrqm_1049", b"", b"\x1b[?1049$p"),
    ("decrqm_1006", b"\x1b[?1000h\x1b[?1006h", b"\x1b[?1006$p"),
    ("decrqm_1004", b"\x1b[?1004h", b"\x1b[?1004$p"),
    ("decrqm_2026", b"", b"\x1b[?2026$p"),
    ("decrqm_unknown", b"", b"\x1b[?31337$p"),
    ("decrqm_ansi_irm", b"", b"\x1b[4$p"),
    ("osc10_st", b"", b"\x1b]10;?\x1b\\"),
    ("osc11_bel", b"", b"\x1b]11;?\x07"),
    ("osc12_st", b"", b"\x1b]12;?\x1b\\"),
    ("osc52_read", b"", b"\x1b]52;c;?\x07"),
    ("kitty_none", b"", b"\x1b[?u"),
    ("kitty_pushed", b"\x1b[>1u", b"\x1b[?u"),
    ("kitty_popped", b"\x1b[<u", b"\x1b[?u"),
    ("xtwinops_18", b"", b"\x1b[18t"),
    ("xtwinops_14", b"", b"\x1b[14t"),
    ("xtwinops_16", b"", b"\x1b[16t"),
    ("window_ops_ignored", b"\x1b[3;0;0t\x1b[8;10;10t\x1b[8;65535;65535t", b"\x1b[18t"),
]


def read_until(fd, marker, timeout=10.0):
    buf = b""
    deadline = time.monotonic() + timeout
    while marker not in buf and time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.1)
        if ready:
            buf += os.read(fd, 4096)
    return buf


def main():
    out_path = sys.argv[1]
    fd = sys.stdin.fileno()
    tty.setraw(fd)
    # Let the pane settle (a client attaching resizes it) before asking for sizes.
    time.sleep(0.2)
    termios.tcflush(fd, termios.TCIFLUSH)
    results = {}
    for name, setup, query in QUERIES:
        os.write(1, setup + query + DA1)
        got = read_until(fd, DA1_REPLY)
        if name == "da1":
            results[name] = got.decode("latin-1")
        else:
            results[name] = got.split(DA1_REPLY)[0].decode("latin-1")
    os.write(1, b"\x1b[?2004l\x1b[?1000l\x1b[?1006l\x1b[?1004l")
    tmp = out_path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(results, f)
    os.rename(tmp, out_path)
    os.write(1, b"\r\nprobe done\r\n")
    while True:
        time.sleep(60)


if __name__ == "__main__":
    main()
