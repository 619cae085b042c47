#!/usr/bin/python3
"""A real SMTP server for simdesk's tests (aiosmtpd, from Debian's python3-aiosmtpd).

Every message it accepts lands in a Maildir. Recipients are answered by their local part,
so tests can provoke each reply a mail server gives:
  refused...@   550 at RCPT (a permanent refusal: no such mailbox)
  busy...@      451 at RCPT (a transient refusal: try again later)
  anything else 250, and the message is stored.

  smtp_server.py --port 2525 --maildir DIR [--pidfile FILE]
Prints "ready" once it accepts connections; stops on SIGTERM or SIGINT. SIGUSR1 closes its
port, as an outage would (connections are refused), and SIGUSR2 opens it again: the browser
tests, which share one server, find its process in the pid file.
"""

import argparse
import mailbox
import os
import signal
import sys
import threading

from aiosmtpd.controller import Controller


class Handler:
    def __init__(self, maildir):
        self.box = mailbox.Maildir(maildir, create=True)
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local = address.split("@", 1)[0].lower()
        if local.startswith("refused"):
            return "550 5.1.1 No such mailbox here"
        if local.startswith("busy"):
            return "451 4.3.0 Mailbox busy, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.box.add(envelope.original_content)
        return "250 2.0.0 Message accepted for delivery"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--maildir", required=True)
    parser.add_argument("--pidfile")
    args = parser.parse_args()
    handler = Handler(args.maildir)
    state = {"controller": Controller(handler, hostname=args.host, port=args.port)}
    state["controller"].start()
    if args.pidfile:
        with open(args.pidfile, "w") as f:
            f.write(str(os.getpid()))
    print("ready", flush=True)
    stop = threading.Event()
    changes = []
    wake = threading.Event()

    def request(change):
        changes.append(change)
        wake.set()

    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: (stop.set(), wake.set()))
    signal.signal(signal.SIGUSR1, lambda *_: request("down"))
    signal.signal(signal.SIGUSR2, lambda *_: request("up"))
    while not stop.is_set():
        wake.wait()
        wake.clear()
        while changes and not stop.is_set():
            change = changes.pop(0)
            if change == "down" and state["controller"] is not None:
                state["controller"].stop()
                state["controller"] = None
            elif change == "up" and state["controller"] is None:
                state["controller"] = Controller(handler, hostname=args.host, port=args.port)
                state["controller"].start()
    if state["controller"] is not None:
        state["controller"].stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
