#!/usr/bin/env python3
"""Writes seed inputs for tests/fuzz/fuzz_flow.c into the directory given
as argv[1]: 8-byte records (see the comment at the top of fuzz_flow.c)
for a clean connection, reordering, retransmission, a lost segment
acknowledged past, a cut segment, wraparound, RST, UDP and expiry."""
import os
import struct
import sys

FIN, SYN, RST, PSH, ACK = 0x01, 0x02, 0x04, 0x08, 0x10
TCP, UDP, CLOCK = 0, 2, 3


def rec(kind=TCP, frm=0, port=0, flags=0, dseq=0, dack=0, length=0, ms=1,
        stop=False, stop_next=False, big=False, v6=False, cut=False):
    b0 = kind | frm << 2 | port << 3 | stop << 5 | stop_next << 6
    b1 = flags | big << 5 | v6 << 6 | cut << 7
    return struct.pack("<BBhhBB", b0, b1, dseq, dack, length, ms)


def handshake(port=0):
    return (rec(flags=SYN, port=port) +
            rec(frm=1, flags=SYN | ACK, port=port) +
            rec(flags=ACK, port=port))


def data(frm=0, length=100, dseq=0, port=0, **kw):
    return rec(frm=frm, flags=ACK | PSH, dseq=dseq, length=length,
               port=port, **kw)


def fins(port=0):
    return (rec(flags=FIN | ACK, port=port) +
            rec(frm=1, flags=FIN | ACK, port=port, dack=1) +
            rec(flags=ACK, port=port, dack=1))


def seeds():
    yield "clean", handshake() + data() + data(frm=1, length=200) + fins()
    # Segments 2 and 3 swapped: jump ahead, then back.
    yield "reorder", (handshake() + data(length=50) + data(length=50, dseq=50)
                      + data(length=50, dseq=-150) + data(length=50, dseq=50)
                      + fins())
    yield "retransmit", (handshake() + data(length=80) +
                         data(length=80, dseq=-80) +
                         data(length=120, dseq=-40) + fins())
    # A hole the server acknowledges past.
    yield "ack_past_hole", (handshake() + data(length=60) +
                            data(length=60, dseq=60) +
                            rec(frm=1, flags=ACK, dack=0) + fins())
    yield "cut", handshake() + data(length=200, cut=True) + data() + fins()
    yield "wrap", (handshake(port=0) + b"".join(data(length=255)
                                                 for _ in range(3)) + fins())
    yield "rst", handshake() + data(length=30, dseq=40) + rec(frm=1, flags=RST)
    yield "udp_expire", (rec(kind=UDP, length=40) +
                         rec(kind=UDP, frm=1, length=90) +
                         rec(kind=CLOCK, length=255, ms=0) +
                         rec(kind=UDP, port=1, length=10))
    yield "flows", b"".join(handshake(port=p) + data(port=p, length=20)
                            for p in range(4)) + rec(kind=CLOCK, flags=1)
    yield "stop", (handshake() + data(length=10, stop_next=True) +
                   data(length=10) + data(frm=1, length=5, stop=True) +
                   fins())
    yield "v6_big", (rec(flags=SYN, v6=True) + rec(flags=ACK, v6=True,
                                                    big=True, dseq=3,
                                                    length=20))


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: gen_fuzz_seeds_flow.py DIR")
    os.makedirs(sys.argv[1], exist_ok=True)
    for name, blob in seeds():
        with open(os.path.join(sys.argv[1], name), "wb") as f:
            f.write(blob)


if __name__ == "__main__":
    main()
