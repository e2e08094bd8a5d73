// SPDX-License-Identifier: GPL-2.0
/* A hand-driven peer for shake sockets: see peer.h. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/ip.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "peer.h"
#include "shake_lib.h"

int peer_setup(struct shake_peer *p)
{
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(ETH_P_ALL),
	};

	memset(p, 0, sizeof(*p));
	p->pport = 80;
	p->pkt = -1;
	p->topo = (struct shake_topo){
		.end = {
			/* complete checksums: peer_recv() checks them */
			{ .dev = "sa", .addr = { PEER_LOCAL "/24" },
			  .tx_off = true },
			{ .dev = "sb", .addr = { PEER_ADDR "/24" },
			  .unowned = true },
		},
		.static_neigh = true,
	};
	if (shake_topo_up(&p->topo))
		return -1;
	/* the peer vanishes with the test, leaving what it talked to */
	if (shake_short_orphans(shake_proto()) ||
	    shake_set_sysctl(shake_proto(), "fin_timeout", "1"))
		return -1;

	if (setns(p->topo.ns[1], CLONE_NEWNET))
		return -1;
	p->pkt = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
	sll.sll_ifindex = p->topo.ifindex[1];
	if (p->pkt < 0 || bind(p->pkt, (struct sockaddr *)&sll, sizeof(sll)))
		return -1;
	return setns(p->topo.ns[0], CLONE_NEWNET) ? -1 : 0;
}

void peer_teardown(struct shake_peer *p)
{
	if (p->pkt >= 0)
		close(p->pkt);
	shake_topo_down(&p->topo);
}

int peer_listen(struct shake_peer *p, uint16_t port, int type, int backlog)
{
	int fd = socket(AF_INET, SOCK_STREAM | type, shake_proto());

	if (fd < 0)
		return -1;
	if (shake_bind(fd, PEER_LOCAL, port) || listen(fd, backlog)) {
		close(fd);
		return -1;
	}
	p->lport = port;
	return fd;
}

/* Milliseconds left until deadline, at least 0 */
static int ms_left(const struct timespec *deadline)
{
	struct timespec now;
	long ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (deadline->tv_sec - now.tv_sec) * 1000 +
	     (deadline->tv_nsec - now.tv_nsec) / 1000000;
	return ms > 0 ? ms : 0;
}

int peer_recv(struct shake_peer *p, struct shake_seg *out, int ms)
{
	struct pollfd pfd = { .fd = p->pkt, .events = POLLIN };
	struct timespec deadline;
	uint8_t frame[2048];

	/* frames skipped below must not stretch the wait */
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += ms / 1000;
	deadline.tv_nsec += (ms % 1000) * 1000000L;
	if (deadline.tv_nsec >= 1000000000L) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000L;
	}

	while (poll(&pfd, 1, ms_left(&deadline)) == 1) {
		struct sockaddr_ll from;
		socklen_t fl = sizeof(from);
		ssize_t n = recvfrom(p->pkt, frame, sizeof(frame), 0,
				     (struct sockaddr *)&from, &fl);
		struct iphdr *ip = (struct iphdr *)(frame + 14);
		uint8_t *s = (uint8_t *)ip + ip->ihl * 4;
		int seglen, hlen;

		if (n < 14 + 20 || from.sll_pkttype == PACKET_OUTGOING ||
		    ntohs(from.sll_protocol) != ETH_P_IP ||
		    ip->protocol != shake_proto())
			continue;
		seglen = ntohs(ip->tot_len) - ip->ihl * 4;
		if (shake_csum(s, seglen, ip->saddr, ip->daddr, shake_proto()))
			return -1;
		memset(out, 0, sizeof(*out));
		hlen = (s[12] >> 4) * 4;
		memcpy(out, s, hlen < (int)sizeof(*out) ? hlen : sizeof(*out));
		p->datalen = seglen - hlen;
		memcpy(p->data, s + hlen,
		       p->datalen < (int)sizeof(p->data) ? p->datalen :
							    sizeof(p->data));
		memcpy(p->quote, ip, 20);
		memcpy(p->quote + 20, s, 8);
		p->lport = ntohs(out->sport);
		return 1;
	}
	return 0;
}

/* An Ethernet header from B to A */
static void eth_hdr(struct shake_peer *p, uint8_t *frame)
{
	memcpy(frame, p->topo.mac[0], 6);
	memcpy(frame + 6, p->topo.mac[1], 6);
	frame[12] = 0x08;	/* ETH_P_IP */
	frame[13] = 0x00;
}

static int frame_send(struct shake_peer *p, const uint8_t *frame, int len)
{
	struct sockaddr_ll to = {
		.sll_family = AF_PACKET,
		.sll_ifindex = p->topo.ifindex[1],
		.sll_halen = 6,
	};

	memcpy(to.sll_addr, p->topo.mac[0], 6);
	return sendto(p->pkt, frame, len, 0, (struct sockaddr *)&to,
		      sizeof(to)) == len ? 0 : -1;
}

int peer_send_opts(struct shake_peer *p, uint32_t seq, uint32_t ack,
		   uint8_t flags, const void *opt, int optlen,
		   const void *data, int len)
{
	struct shake_seg_desc d = {
		.proto = shake_proto(),
		.saddr = inet_addr(PEER_ADDR), .daddr = inet_addr(PEER_LOCAL),
		.sport = p->pport, .dport = p->lport,
		.seq = seq, .ack = ack, .flags = flags, .win = 29200,
		.opt = opt, .optlen = optlen,
		.data = data, .len = len, .ip = true,
	};
	uint8_t frame[14 + 20 + 60 + 1500];
	int n;

	eth_hdr(p, frame);
	n = shake_seg_build(frame + 14, sizeof(frame) - 14, &d);
	return n < 0 ? -1 : frame_send(p, frame, 14 + n);
}

int peer_send(struct shake_peer *p, uint32_t seq, uint32_t ack, uint8_t flags,
	      int mss_opt, const void *data, int len)
{
	return peer_send_opts(p, seq, ack, flags, shake_mss_opt,
			      mss_opt ? 4 : 0, data, len);
}

int peer_send_unreach(struct shake_peer *p, int code, uint32_t quoted_seq)
{
	uint8_t frame[14 + 20 + 8 + 28] = { 0 };
	uint8_t *icmp = frame + 34;
	uint32_t nseq = htonl(quoted_seq);
	uint16_t v;

	eth_hdr(p, frame);
	shake_ip_hdr(frame + 14, IPPROTO_ICMP, inet_addr(PEER_ADDR),
		     inet_addr(PEER_LOCAL), 8 + 28);
	icmp[0] = 3;			/* destination unreachable */
	icmp[1] = code;
	memcpy(icmp + 8, p->quote, 28);
	memcpy(icmp + 8 + 20 + 4, &nseq, 4);	/* the quoted sequence number */
	v = shake_inet_csum(icmp, 8 + 28, 0);
	memcpy(icmp + 2, &v, 2);
	return frame_send(p, frame, sizeof(frame));
}

int peer_syn_synack(struct shake_peer *p, uint16_t pport, uint32_t x,
		    struct shake_seg *s)
{
	p->pport = pport;
	if (peer_send(p, x, 0, F_SYN, 1, NULL, 0) || peer_recv(p, s, 2000) != 1)
		return -1;
	return s->flags == (F_SYN | F_ACK) && ntohl(s->ack) == x + 1 ? 0 : -1;
}
