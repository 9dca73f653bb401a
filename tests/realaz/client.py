"""The commands a real /bin/bash finds on PATH in the real-az run.

  client.py az ARGS…     the command line goes to the in-process az worker
                         (harness.py) over SNAPLAB_REALAZ_SOCKET; its output
                         is replayed on stdout/stderr in the order az wrote it
  client.py sim ARGS…    a simulator-only line: POSTed as a console script to
                         the served lab's /snaplab/run (real az has no `sim`)
  client.py sleep N      what the console's `sleep` does: the lab's clock
                         moves on N seconds (`sim clock advance Ns`), since
                         the served lab's clock is manual

Standard library only: it starts once per command of a script.
"""

import os
import shlex
import socket
import sys
import urllib.error
import urllib.request

from harness import receive_message, send_message


def az(argv):
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.connect(os.environ["SNAPLAB_REALAZ_SOCKET"])
    with sock:
        send_message(sock, {"argv": argv, "cwd": os.getcwd(), "endpoint": os.environ["SNAPLAB_ARM_ENDPOINT"],
                            "record": os.environ.get("SNAPLAB_REALAZ_RECORD")})
        answer = receive_message(sock)
    for fd, text in answer["chunks"]:
        os.write(fd, text.encode())
    return answer["status"]


def console(line, prefix=""):
    """A console script line on the served lab: its output and status."""
    request = urllib.request.Request(
        os.environ["SNAPLAB_ARM_ENDPOINT"] + "/snaplab/run",
        data=line.encode(),
        headers={"Content-Type": "text/plain; charset=utf-8"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request) as answer:
            body, status = answer.read(), answer.headers["x-snaplab-exit-status"]
    except urllib.error.HTTPError as e:
        body, status = e.read(), e.headers["x-snaplab-exit-status"]
        if status is None:
            sys.exit(f"realaz client: the server refused the script: {e.code} {body.decode()}")
    text = body.decode()
    if prefix:
        text = "".join(prefix + line for line in text.splitlines(True))
    os.write(1, text.encode())
    return int(status)


def sleep(argv):
    # The console's sleep builtin turns `sleep N` into this line and shows
    # its errors prefixed with "sleep: ".
    if len(argv) != 1 or not argv[0].isdigit():
        sys.exit(f"realaz client: sleep takes whole seconds here, not {argv}")
    if argv[0] == "0":
        return 0
    return console(f"sim clock advance {argv[0]}s -o none", prefix="sleep: ")


def main():
    command, argv = sys.argv[1], sys.argv[2:]
    if command == "az":
        return az(argv)
    if command == "sim":
        return console(shlex.join(["sim", *argv]))
    if command == "sleep":
        return sleep(argv)
    sys.exit(f"realaz client: unknown command {command}")


if __name__ == "__main__":
    sys.exit(main())
