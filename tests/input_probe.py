#!/usr/bin/env python3
"""Records every byte its terminal sends it: the keys, mouse reports and focus reports appmux
encodes for a pane.

Usage: input_probe.py OUT [SETUP_HEX]

Run inside an appmux pane by tests/e2e/fidelity.rs. The terminal goes to raw mode, SETUP (hex,
for example the sequences that turn on mouse reporting) is written, `probe ready` is printed,
and from then on every byte read is appended to OUT as it arrives.
"""

import os
import sys
import tty


def main():
    out_path = sys.argv[1]
    setup = bytes.fromhex(sys.argv[2]) if len(sys.argv) > 2 else b""
    tty.setraw(0)
    os.write(1, setup + b"probe ready\r\n")
    with open(out_path, "ab", buffering=0) as out:
        while True:
            data = os.read(0, 4096)
            if not data:
                break
            out.write(data)


if __name__ == "__main__":
    main()
