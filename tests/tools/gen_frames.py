#!/usr/bin/env python3
"""Frames built by scapy, for the decoder's cross-check (test_decode).

Usage: gen_frames.py OUTDIR

Writes one classic pcap per link type into OUTDIR and OUTDIR/manifest,
one line per packet, in file order:

  FILE INDEX RC [SRC DST PROTO SPORT DPORT SEQ ACK FLAGS TRUNC REASM HEX]

RC is the decode_packet result the frame must give (0 ok, 1 held
fragment, 2 skipped, 3 bad); the fields follow only for 0 and are what
scapy put in (HEX is the transport payload, "-" when empty).  The pcaps
are written here rather than by scapy so that a record can be cut by a
snaplen.  Exits 77 when scapy is missing (the test then skips).
"""
import ipaddress
import os
import random
import struct
import sys

try:
    from scapy.all import (IP, IPv6, TCP, UDP, ICMP, ARP, Ether, Dot1Q,
                           Dot1AD, Raw, IPOption_RR, IPv6ExtHdrHopByHop,
                           IPv6ExtHdrRouting, IPv6ExtHdrDestOpt,
                           IPv6ExtHdrFragment, fragment, fragment6)
    from scapy.layers.l2 import CookedLinux, CookedLinuxV2
except ImportError:
    sys.exit(77)

rng = random.Random(20240601)

# pcap link types as written in the file header (pcap_datalink maps
# LINKTYPE_RAW 101 to DLT_RAW).
LT_EN10MB, LT_NULL, LT_RAW, LT_LOOP = 1, 0, 101, 108
LT_SLL, LT_SLL2, LT_IPV4, LT_IPV6 = 113, 276, 228, 229


def payload(n):
    return bytes(rng.randrange(256) for _ in range(n))


def canon(addr):
    return ipaddress.ip_address(addr).compressed


def expect(ip_pkt, l4_payload=None, trunc=False, reasm=False):
    """The manifest fields for a packet whose IP layer is ip_pkt."""
    ip_pkt = ip_pkt.__class__(bytes(ip_pkt))  # fill lengths, ports, ...
    l4 = ip_pkt[TCP] if TCP in ip_pkt else ip_pkt[UDP]
    proto = 6 if isinstance(l4, TCP) else 17
    seq = l4.seq if proto == 6 else 0
    ack = l4.ack if proto == 6 else 0
    flags = int(l4.flags) if proto == 6 else 0
    data = bytes(l4.payload) if l4_payload is None else l4_payload
    if proto == 17:
        data = data[:l4.len - 8]
    return "%s %s %d %d %d %d %d %d %d %d %s" % (
        canon(ip_pkt.src), canon(ip_pkt.dst), proto, l4.sport, l4.dport,
        seq, ack, flags, int(trunc), int(reasm),
        data.hex() if data else "-")


class Pcap:
    def __init__(self, outdir, name, linktype, manifest):
        self.name, self.manifest, self.n = name, manifest, 0
        self.f = open(os.path.join(outdir, name), "wb")
        self.f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0,
                                 262144, linktype))

    def add(self, frame, rc, fields=None, snaplen=None):
        frame = bytes(frame)
        cap = frame[:snaplen] if snaplen else frame
        self.f.write(struct.pack("<IIII", 1700000000 + self.n, self.n,
                                 len(cap), len(frame)) + cap)
        line = "%s %d %d" % (self.name, self.n, rc)
        self.manifest.write(line + (" " + fields if fields else "") + "\n")
        self.n += 1

    def ok(self, link, ip_pkt):
        self.add(link + bytes(ip_pkt) if isinstance(link, bytes)
                 else link / ip_pkt, 0, expect(ip_pkt))

    def frags(self, link, whole, pieces, order):
        """pieces are IP fragments of `whole`; order permutes them."""
        for k, i in enumerate(order):
            last = k == len(order) - 1
            frame = (link + bytes(pieces[i]) if isinstance(link, bytes)
                     else link / pieces[i])
            self.add(frame, 0 if last else 1,
                     expect(whole, reasm=True) if last else None)

    def close(self):
        self.f.close()


def tcp4(n=40, **kw):
    return (IP(src="10.1.2.3", dst="192.168.77.9", id=rng.randrange(65536),
               **kw) /
            TCP(sport=rng.randrange(1024, 65535), dport=80,
                seq=rng.randrange(1 << 32), ack=rng.randrange(1 << 32),
                flags="PA", options=[("MSS", 1460), ("NOP", None),
                                     ("WScale", 7)]) /
            Raw(payload(n)))


def udp6(n=30, exts=None):
    ip = IPv6(src="2001:db8:0:0:1::17", dst="fe80::1:2")
    for e in exts or []:
        ip = ip / e
    return ip / UDP(sport=5353, dport=rng.randrange(1, 65535)) / Raw(payload(n))


def tcp6(n=25):
    return (IPv6(src="2001:db8::a", dst="2001:db8:1::b") /
            TCP(sport=443, dport=51000, seq=7, ack=0, flags="S") /
            Raw(payload(n)))


def ethernet(p):
    macs = dict(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")
    eth = Ether(**macs)
    p.ok(eth, tcp4())
    p.ok(eth, udp6())
    p.ok(eth / Dot1Q(vlan=42), tcp4(0))
    p.ok(Ether(type=0x88a8, **macs) / Dot1AD(vlan=100) / Dot1Q(vlan=200), tcp6())
    p.ok(Ether(type=0x9100, **macs) / Dot1Q(vlan=5), tcp4(3))
    p.ok(eth, tcp4(60, options=[IPOption_RR(routers=["1.1.1.1", "2.2.2.2"])]))
    p.ok(eth, udp6(40, [IPv6ExtHdrHopByHop(), IPv6ExtHdrRouting(),
                        IPv6ExtHdrDestOpt()]))
    # Short UDP padded to the 60-byte Ethernet minimum: padding ignored.
    small = IP(src="10.0.0.1", dst="10.0.0.2") / UDP(sport=53, dport=999) / Raw(b"ab")
    frame = bytes(eth / small)
    p.add(frame + b"\0" * (60 - len(frame)), 0, expect(small))
    # Cut by a 200-byte snaplen.
    big = tcp4(1000)
    frame = bytes(eth / big)
    data = bytes(big[TCP].payload)
    hdr = len(frame) - len(data)
    p.add(frame, 0, expect(big, data[:200 - hdr], trunc=True), snaplen=200)
    # Fragments: shuffled IPv4, reversed IPv6.
    whole = IP(src="172.16.0.1", dst="172.16.0.2", id=4242) / \
        UDP(sport=7000, dport=7001) / Raw(payload(3000))
    pieces = fragment(whole, fragsize=512)
    order = list(range(len(pieces)))
    rng.shuffle(order)
    p.frags(eth, whole, pieces, order)
    whole6 = IPv6(src="2001:db8::5", dst="2001:db8::6") / \
        IPv6ExtHdrFragment(id=99) / TCP(sport=1, dport=2, seq=5, flags="A") / \
        Raw(payload(2500))
    pieces6 = fragment6(whole6, 1280)
    p.frags(eth, whole6, pieces6, list(reversed(range(len(pieces6)))))
    p.add(eth / IP(src="1.2.3.4", dst="5.6.7.8") / ICMP(), 2)
    p.add(eth / ARP(pdst="192.0.2.1", hwdst="02:00:00:00:00:02"), 2)
    p.add(eth / IPv6(src="::1", dst="::2") / IPv6ExtHdrDestOpt(nh=50) /
          Raw(payload(20)), 2)


def cooked(p, v2):
    def link(proto):
        return CookedLinuxV2(proto=proto) if v2 else CookedLinux(proto=proto)
    p.ok(link(0x0800), tcp4())
    p.ok(link(0x86dd), udp6())
    p.ok(link(0x8100) / Dot1Q(vlan=3), tcp6())


def loopback(p, big_endian):
    fmt = ">I" if big_endian else "<I"
    p.ok(struct.pack(fmt, 2), tcp4())
    for af in (10, 24, 28, 30):
        p.ok(struct.pack(fmt, af), udp6())
    p.add(struct.pack(fmt, 7) + bytes(tcp4()), 2)


def raw(p, want=None):
    if want != 6:
        p.ok(b"", tcp4())
        whole = IP(src="10.9.9.9", dst="10.8.8.8", id=7) / \
            TCP(sport=80, dport=8080, seq=1, ack=2, flags="FA") / Raw(payload(1500))
        p.frags(b"", whole, fragment(whole, 400), [0, 2, 1, 3])
    if want != 4:
        p.ok(b"", udp6())
        p.ok(b"", tcp6())


def main():
    outdir = sys.argv[1]
    os.makedirs(outdir, exist_ok=True)
    with open(os.path.join(outdir, "manifest"), "w") as m:
        for name, lt, fill in (
                ("en10mb.pcap", LT_EN10MB, ethernet),
                ("sll.pcap", LT_SLL, lambda p: cooked(p, False)),
                ("sll2.pcap", LT_SLL2, lambda p: cooked(p, True)),
                ("null_le.pcap", LT_NULL, lambda p: loopback(p, False)),
                ("null_be.pcap", LT_NULL, lambda p: loopback(p, True)),
                ("loop.pcap", LT_LOOP, lambda p: loopback(p, True)),
                ("raw.pcap", LT_RAW, raw),
                ("ipv4.pcap", LT_IPV4, lambda p: raw(p, 4)),
                ("ipv6.pcap", LT_IPV6, lambda p: raw(p, 6))):
            p = Pcap(outdir, name, lt, m)
            fill(p)
            p.close()


if __name__ == "__main__":
    main()
