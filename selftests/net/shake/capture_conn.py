#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""
Traffic for capture_test.sh: handshakes of one protocol (TCP or shake)
between two network namespaces, while the script captures them.

One process does both ends, moving between the namespaces with setns()
(a socket stays in the namespace it was created in), so every step can
wait for the one before it without any signalling between processes.

  capture_conn.py PROTO SERVER_NS CLIENT_NS SERVER_IP SERVER_PORT \
                  CLIENT_IP CLIENT_PORT COUNT MTU_CLIENT_IP CRAFT_PORT

1. COUNT connections on one 4-tuple, CLIENT_IP:CLIENT_PORT to
   SERVER_IP:SERVER_PORT, one after the other. The client aborts each one
   (SO_LINGER {1, 0}: a RST, no TIME_WAIT on either side, for TCP as for
   shake, whose close() aborts today and whose design keeps linger 0 an
   abort), and the next connect() waits until the server's child has seen
   that RST, so the 4-tuple is free on both sides for the next SYN.
   Closing the server's end first instead would leave TCP's server in
   TIME_WAIT, and a SYN reopening a TIME_WAIT 4-tuple gets an ISN derived
   from the old connection's (snd_nxt + 65537), not a fresh one.
2. One connection from MTU_CLIENT_IP (any port): the server's route back to
   it has a smaller MTU.
3. Four SYNs crafted on a raw socket from CLIENT_IP, source ports
   CRAFT_PORT + 0..3, offering MSS and: nothing else, SACK-permitted only,
   window scale only, timestamps only. Each waits for the SYN-ACK; the
   client's stack, having no socket for it, answers it with a RST.

Errors go to stdout as "# " lines (TAP diagnostics); the exit status is 1
if any step failed. The checks themselves are made on the capture.
"""
import ctypes
import os
import random
import select
import socket
import struct
import sys
import time

CLONE_NEWNET = 0x40000000
TIMEOUT = 5.0
libc = ctypes.CDLL(None, use_errno=True)
failed = False


def diag(msg):
    print("# capture_conn: " + msg, flush=True)


def enter(ns):
    fd = os.open("/run/netns/" + ns, os.O_RDONLY)
    try:
        if libc.setns(fd, CLONE_NEWNET):
            err = ctypes.get_errno()
            raise OSError(err, "setns " + ns + ": " + os.strerror(err))
    finally:
        os.close(fd)


def connect_and_abort(proto, listener, srv, cli):
    """One handshake from cli to srv, then an abort from the client."""
    c = socket.socket(socket.AF_INET, socket.SOCK_STREAM, proto)
    c.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    c.bind(cli)
    c.settimeout(TIMEOUT)
    try:
        c.connect(srv)
        a, _ = listener.accept()
    finally:
        c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                     struct.pack("ii", 1, 0))
        c.close()
    # The child sees the RST: ECONNRESET (or end of file).
    a.settimeout(TIMEOUT)
    try:
        a.recv(1)
    except ConnectionResetError:
        pass
    finally:
        a.close()


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


CRAFTED = [
    ("mss", b""),
    ("sack", b"\x01\x01\x04\x02"),
    ("wscale", b"\x01\x03\x03\x07"),
    ("ts", b"\x01\x01\x08\x0a" + struct.pack("!II", 0x5eed0001, 0)),
]


def crafted_syn(proto, src, sport, dst, dport, opts):
    """A SYN with MSS 1460 and opts, checksummed for protocol proto."""
    opts = b"\x02\x04\x05\xb4" + opts
    hlen = 20 + len(opts)
    seq = random.getrandbits(32)
    hdr = struct.pack("!HHIIBBHHH", sport, dport, seq, 0, (hlen // 4) << 4,
                      0x02, 64240, 0, 0) + opts
    pseudo = struct.pack("!4s4sBBH", socket.inet_aton(src),
                         socket.inet_aton(dst), 0, proto, hlen)
    c = csum(pseudo + hdr)
    return hdr[:16] + struct.pack("!H", c) + hdr[18:]


def wait_synack(raw, sport, dport):
    """Wait on the raw socket for a SYN-ACK from dport to sport."""
    end = time.monotonic() + TIMEOUT
    while True:
        left = end - time.monotonic()
        if left <= 0 or not select.select([raw], [], [], left)[0]:
            return False
        pkt = raw.recv(2048)
        ihl = (pkt[0] & 0x0f) * 4
        if len(pkt) < ihl + 14:
            continue
        s, d = struct.unpack("!HH", pkt[ihl:ihl + 4])
        if s == dport and d == sport and pkt[ihl + 13] & 0x12 == 0x12:
            return True


def step(what, fn, *args):
    global failed
    try:
        fn(*args)
    except Exception as e:  # report, carry on: the capture tells the rest
        failed = True
        diag("%s: %s: %r" % (what, type(e).__name__, e))


def main():
    global failed
    (proto, srv_ns, cli_ns, srv_ip, srv_port, cli_ip, cli_port, count,
     mtu_cli_ip, craft_port) = sys.argv[1:]
    proto, srv_port, cli_port = int(proto), int(srv_port), int(cli_port)
    count, craft_port = int(count), int(craft_port)
    srv = (srv_ip, srv_port)

    enter(srv_ns)
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM, proto)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(srv)
    listener.listen(16)
    listener.settimeout(TIMEOUT)
    enter(cli_ns)

    for i in range(count):
        step("connection %d" % (i + 1), connect_and_abort, proto, listener,
             srv, (cli_ip, cli_port))
    step("connection from " + mtu_cli_ip, connect_and_abort, proto,
         listener, srv, (mtu_cli_ip, 0))

    raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, proto)
    raw.bind((cli_ip, 0))
    for i, (name, opts) in enumerate(CRAFTED):
        sport = craft_port + i
        syn = crafted_syn(proto, cli_ip, sport, srv_ip, srv_port, opts)
        raw.sendto(syn, (srv_ip, 0))
        if not wait_synack(raw, sport, srv_port):
            failed = True
            diag("no SYN-ACK to the crafted SYN offering " + name)
    raw.close()
    listener.close()
    return 1 if failed else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Exception as e:
        diag("%s: %r" % (type(e).__name__, e))
        sys.exit(1)
