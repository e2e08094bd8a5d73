/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A hand-driven peer for shake sockets. The shake side lives in network
 * namespace A at PEER_LOCAL; the peer is PEER_ADDR, a packet socket in
 * namespace B, which owns no address and does not forward: its IP layer
 * drops everything silently, so only the test reads the segments shake
 * sends and answers with frames it builds itself.
 */
#ifndef SHAKE_SELFTEST_PEER_H
#define SHAKE_SELFTEST_PEER_H

#include <stdint.h>

#include "shake_seg.h"
#include "shake_topo.h"

#define PEER_LOCAL "10.9.0.1"
#define PEER_ADDR "10.9.0.2"

struct shake_peer {
	struct shake_topo topo;	/* end 0: A's sa; end 1: B's sb */
	int pkt;		/* packet socket on sb, in B */
	uint16_t lport;		/* shake's port: of the last segment seen */
	uint16_t pport;		/* the peer's port */
	uint8_t quote[28];	/* IP header and 8 bytes of the last segment */
	uint8_t data[64];	/* start of the last segment's payload */
	int datalen;		/* its payload length */
};

/* Enter a new namespace A and build B and the veth pair; 0 or -1. */
int peer_setup(struct shake_peer *p);
void peer_teardown(struct shake_peer *p);

/*
 * A shake listener on PEER_LOCAL:port (type: socket()'s flags such as
 * SOCK_NONBLOCK), the peer's lport: its fd, or -1.
 */
int peer_listen(struct shake_peer *p, uint16_t port, int type, int backlog);

/*
 * The next segment shake sent, within ms milliseconds: 1, 0 if none came,
 * -1 if one came with a bad checksum.
 */
int peer_recv(struct shake_peer *p, struct shake_seg *out, int ms);

/* Send a segment from pport to lport, with an MSS option and data if asked. */
int peer_send(struct shake_peer *p, uint32_t seq, uint32_t ack, uint8_t flags,
	      int mss_opt, const void *data, int len);

/* The same with optlen bytes of options (a multiple of 4), up to 1500 of data */
int peer_send_opts(struct shake_peer *p, uint32_t seq, uint32_t ack,
		   uint8_t flags, const void *opt, int optlen,
		   const void *data, int len);

/*
 * Send a SYN from pport with ISN x (and an MSS option) and wait 2 s for the
 * SYN-ACK: 0 with it in *s, -1 if nothing came or not a SYN-ACK of x.
 */
int peer_syn_synack(struct shake_peer *p, uint16_t pport, uint32_t x,
		    struct shake_seg *s);

/* ICMP destination unreachable, quoting the last segment with quoted_seq. */
int peer_send_unreach(struct shake_peer *p, int code, uint32_t quoted_seq);

#endif
