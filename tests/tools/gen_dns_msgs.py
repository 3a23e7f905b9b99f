#!/usr/bin/env python3
"""Prints DNS responses built by dnspython, one JSON object a line, for
tests/unit/test_dns: {"case", "hex", "rdata", "field", "value"}.  Each
message holds one answer; "rdata" is dnspython's to_text() of it with
the trailing dots dropped (names relative to the root), "field"/"value"
the item-model §8 key that type fills.  A line {"case": "opt", ...}
carries an EDNS OPT record instead, with "opt" the expected option
names.  Exits 77 when dnspython is missing (the test then skips)."""
import json
import os
import sys

try:
    import dns.edns
    import dns.message
    import dns.name
    import dns.rdata
    import dns.rdataclass
    import dns.rdatatype
    import dns.rrset
except ImportError:
    # pyenv or venv pythons often lack the distro's dnspython.
    if sys.executable != "/usr/bin/python3" and os.path.exists("/usr/bin/python3"):
        os.execv("/usr/bin/python3", ["/usr/bin/python3"] + sys.argv)
    sys.exit(77)

OWNER = "example.com."

# (type, rdata text, field key, field value)
CASES = [
    ("A", "93.184.216.34", "ip", "93.184.216.34"),
    ("AAAA", "2001:db8::1", "ip", "2001:db8::1"),
    ("NS", "ns1.example.com.", "ns", "ns1.example.com"),
    ("CNAME", "edge.example.net.", "cname", "edge.example.net"),
    ("CNAME", r"a\.b.c\\d.example.", "cname", r"a\.b.c\\d.example"),
    ("CNAME", r"a\032b\255.example.", "cname", r"a\032b\255.example"),
    ("PTR", "host.example.com.", "ptr", "host.example.com"),
    ("SOA", "ns1.example.com. hostmaster.example.com. 2024010101 7200 3600 1209600 300",
     "soa", "hostmaster.example.com"),
    ("MX", "10 mail.example.com.", "mx", "mail.example.com"),
    ("TXT", '"v=spf1 -all" "second string"', "txts", "v=spf1 -all, second string"),
    ("TXT", r'"a\"b\\c" ""', "txts", 'a"b\\c, '),
    ("TXT", r'"caf\195\169"', "txts", "caf\u00e9"),
    ("TXT", r'"bad\255"', "txts", "bad\ufffd"),
    ("SPF", '"v=spf1 -all"', None, None),
    ("HINFO", '"x86" "Linux"', None, None),
    ("SRV", "0 5 5060 sip.example.com.", "srv", "sip.example.com"),
    ("NAPTR", r'100 10 "u" "E2U+sip" "!^.*$!sip:x@y!" .', None, None),
    ("URI", '10 1 "https://www.example.com/path"', "uri", "https://www.example.com/path"),
    ("CAA", '0 issue "letsencrypt.org"', None, None),
    ("CAA", '128 tbs "a\\"b"', None, None),
    ("DS", "12345 8 2 " + "ab" * 32, None, None),
    ("CDS", "12345 13 2 " + "cd" * 32, None, None),
    ("DNSKEY", "257 3 8 AwEAAaz/tAm8yTn4Mfeh5eyI96WSVexTBAvkMgJzkKTOiW1vkIbzxeF3+/4R", None, None),
    ("CDNSKEY", "256 3 13 mdsswUyr3DPW132mOi8V9xESWE8jTo0dxCjjnopKl+GqJxpVXckHAeF+", None, None),
    ("RRSIG", "A 8 2 300 20240101000000 20231201000000 12345 example.com. "
     "oJB1W6WNGv+ldvQ3WDG0MQkg5IEhjRip8WTrPYGv07h108dUKGMeDPKijVCHX3DDKdfb+v6o", None, None),
    ("NSEC", "a.example.com. A MX RRSIG NSEC TYPE1234", None, None),
    ("NSEC3", "1 1 12 aabbccdd 2vptu5timamqttgl4luu9kg21e0aor3s A RRSIG", None, None),
    ("NSEC3", "1 0 0 - 2vptu5timamqttgl4luu9kg21e0aor3s", None, None),
    ("NSEC3PARAM", "1 0 10 aabb", None, None),
    ("SSHFP", "1 2 " + "ef" * 32, None, None),
    ("TLSA", "3 1 1 " + "01" * 32, None, None),
    ("DNAME", "example.net.", None, None),
    ("RP", "admin.example.com. txt.example.com.", None, None),
    ("SVCB", "1 svc.example.com. alpn=h2,h3 port=8443", None, None),
    ("SVCB", "0 svc.example.com.", None, None),
    ("HTTPS", "1 . alpn=h2,h3 no-default-alpn port=443 ipv4hint=1.2.3.4,5.6.7.8 "
     "ech=AAEC ipv6hint=2001:db8::1 mandatory=alpn,port key667=hello key999", None, None),
    ("TYPE999", r"\# 3 abcdef", None, None),
    ("TYPE65280", r"\# 0", None, None),
]


def expected_text(rd):
    text = rd.to_text(origin=dns.name.root, relativize=True, chunksize=0)
    # Relative to the root, the root itself prints as "@"; our RDATA
    # shows it as ".".  dnspython leaves a space after "\# 0".
    return " ".join("." if tok == "@" else tok for tok in text.split(" ")).rstrip()


def response(rrset, edns=None):
    q = dns.message.make_query(OWNER, rrset.rdtype)
    q.id = 4242
    r = dns.message.make_response(q)
    if rrset is not None:
        r.answer.append(rrset)
    if edns is not None:
        r.use_edns(0, payload=1232, options=edns)
    return r.to_wire()


def main():
    for rdtype, text, field, value in CASES:
        rd = dns.rdata.from_text(dns.rdataclass.IN, rdtype, text)
        rrset = dns.rrset.from_rdata(OWNER, 3600, rd)
        print(json.dumps({"case": rdtype, "hex": response(rrset).hex(),
                          "rdata": expected_text(rd), "field": field,
                          "value": value}))
    opts = [dns.edns.ECSOption("192.0.2.0", 24),
            dns.edns.GenericOption(10, b"12345678"),
            dns.edns.GenericOption(3, b""),
            dns.edns.GenericOption(12, b"\0\0"),
            dns.edns.GenericOption(65001, b"x")]
    a = dns.rrset.from_text(OWNER, 60, "IN", "A", "192.0.2.1")
    print(json.dumps({"case": "opt", "hex": response(a, opts).hex(),
                      "opt": "edns-client-subnet, COOKIE, NSID, Padding, OPT65001"}))


if __name__ == "__main__":
    main()
