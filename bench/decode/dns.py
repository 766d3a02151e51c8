#!/usr/bin/env python3
"""A tiny DNS responder and client over UDP, for bench/decode's seed traffic (inside a netns).

  dns.py server ADDR PORT SECONDS      answer A/AAAA/TXT/MX queries until SECONDS have passed
  dns.py client ADDR PORT COUNT        send COUNT queries (one at a time, 0.2 s timeout each),
                                       plus one datagram to the closed port 9 every 10 queries

Both are bounded in count and time. The answers are made up but well-formed (name compression,
a TTL, NXDOMAIN for names under .invalid), so the decoders have real DNS to chew on.
"""
import socket
import struct
import sys
import time

TYPES = {1: "A", 28: "AAAA", 16: "TXT", 15: "MX"}
NAMES = ["example.com", "www.example.org", "api.internal.test", "cdn.assets.example.net",
         "mail.example.com", "nothing-here.invalid", "a.very.long.sub.domain.example.com"]


def encode_name(name):
    out = b""
    for label in name.split("."):
        out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def parse_question(msg):
    at, labels = 12, []
    while msg[at] != 0:
        n = msg[at]
        labels.append(msg[at + 1:at + 1 + n].decode("ascii", "replace"))
        at += 1 + n
    qtype, qclass = struct.unpack("!HH", msg[at + 1:at + 5])
    return ".".join(labels), qtype, at + 5


def answer(msg):
    txid, flags = struct.unpack("!HH", msg[:4])
    name, qtype, end = parse_question(msg)
    question = msg[12:end]
    rdata = None
    if name.endswith(".invalid"):
        rcode = 3
    else:
        rcode = 0
        seed = sum(name.encode()) & 0xff
        if qtype == 1:
            rdata = bytes([10, 0, seed >> 4, seed & 0x0f or 1])
        elif qtype == 28:
            rdata = bytes.fromhex("fd000000000000000000000000000000")[:15] + bytes([seed or 1])
        elif qtype == 16:
            text = ("sievecap bench answer for " + name).encode()[:255]
            rdata = bytes([len(text)]) + text
        elif qtype == 15:
            rdata = struct.pack("!H", 10) + encode_name("mx." + name)
    header = struct.pack("!HHHHHH", txid, 0x8180 | (flags & 0x0100) | rcode, 1, 1 if rdata else 0, 0, 0)
    body = question
    if rdata is not None:
        body += struct.pack("!HHHIH", 0xc00c, qtype, 1, 300, len(rdata)) + rdata
    return header + body


def server(addr, port, seconds):
    family = socket.AF_INET6 if ":" in addr else socket.AF_INET
    s = socket.socket(family, socket.SOCK_DGRAM)
    s.bind((addr, port))
    deadline = time.time() + seconds
    while time.time() < deadline:
        s.settimeout(max(0.05, deadline - time.time()))
        try:
            msg, peer = s.recvfrom(2048)
        except socket.timeout:
            continue
        try:
            s.sendto(answer(msg), peer)
        except (IndexError, struct.error, UnicodeError):
            pass  # not a query we understand: drop it, as a real server would


def client(addr, port, count):
    family = socket.AF_INET6 if ":" in addr else socket.AF_INET
    s = socket.socket(family, socket.SOCK_DGRAM)
    s.settimeout(0.2)
    types = list(TYPES)
    answered = 0
    for i in range(count):
        name = NAMES[i % len(NAMES)]
        qtype = types[(i // len(NAMES)) % len(types)]
        query = struct.pack("!HHHHHH", (i * 7919) & 0xffff, 0x0100, 1, 0, 0, 0) + encode_name(name) + struct.pack("!HH", qtype, 1)
        s.sendto(query, (addr, port))
        try:
            s.recvfrom(2048)
            answered += 1
        except socket.timeout:
            pass
        if i % 10 == 0:
            s.sendto(b"sievecap bench datagram %d" % i, (addr, 9))  # closed port: ICMP port unreachable
    print("answered %d of %d" % (answered, count))


if __name__ == "__main__":
    mode, addr, port, n = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    (server if mode == "server" else client)(addr, port, n)
