#!/usr/bin/env python3
"""An HTTP server on 127.0.0.1:PORT that never answers, for the unanswered
request tests.  Each connection: read until the end of the request headers,
then
  never   wait for the client to close, then close (no response at all)
  sleep=S wait S seconds, then close without a response
Runs until killed."""
import socket
import sys
import threading
import time


def serve(conn, mode):
    with conn:
        buf = b""
        while b"\r\n\r\n" not in buf:
            d = conn.recv(65536)
            if not d:
                return
            buf += d
        if mode == "never":
            while conn.recv(65536):
                pass
        else:
            time.sleep(float(mode.split("=", 1)[1]))


def main():
    port, mode = int(sys.argv[1]), sys.argv[2]
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", port))
    s.listen(16)
    while True:
        c, _ = s.accept()
        threading.Thread(target=serve, args=(c, mode), daemon=True).start()


if __name__ == "__main__":
    main()
