#!/usr/bin/python3
"""A real SMTP server for simdesk's tests (aiosmtpd, from Debian's python3-aiosmtpd).

Every message it accepts lands in a Maildir. Recipients are answered by their local part,
so tests can provoke each reply a mail server gives:
  refused...@   550 at RCPT (a permanent refusal: no such mailbox)
  busy...@      451 at RCPT (a transient refusal: try again later)
  anything else 250, and the message is stored.

  smtp_server.py --port 2525 --maildir DIR
Prints "ready" once it accepts connections; stops on SIGTERM or SIGINT.
"""

import argparse
import mailbox
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
    args = parser.parse_args()
    controller = Controller(Handler(args.maildir), hostname=args.host, port=args.port)
    controller.start()
    print("ready", flush=True)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    stop.wait()
    controller.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
