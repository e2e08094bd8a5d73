// SPDX-License-Identifier: GPL-2.0
/*
 * Active open, seen from the wire. The client is a shake socket in network
 * namespace A; its peer 10.9.0.2 is a packet socket in namespace B, which
 * owns no address and does not forward, so its IP layer drops everything
 * silently and only the test answers, with frames it builds itself.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/ip.h>
#include <poll.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "shake_lib.h"

#define CLIENT "10.9.0.1"
#define PEER "10.9.0.2"
#define PEER_PORT 80

#define F_FIN 0x01
#define F_SYN 0x02
#define F_RST 0x04
#define F_ACK 0x10

struct seg {
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t off_res, flags;
	uint16_t win, check, urg;
	uint8_t opt[40];
} __attribute__((packed));

static uint16_t fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ~sum;
}

static uint32_t sum16(const void *data, int len)
{
	const uint16_t *w = data;
	uint32_t sum = 0;

	for (; len > 1; len -= 2)
		sum += *w++;
	if (len)
		sum += *(const uint8_t *)w;
	return sum;
}

FIXTURE(peer) {
	char nsb[32];
	int nsa_fd, nsb_fd;
	int pkt;		/* the peer's packet socket, in B */
	int ifindex;		/* of sb, in B */
	uint8_t mac_a[6], mac_b[6];
	uint16_t cport;		/* the client's port, once seen */
	uint8_t quote[28];	/* IP header and 8 bytes of the last segment */
};

static int get_mac(const char *dev, uint8_t *mac)
{
	struct ifreq ifr = { 0 };
	int fd = socket(AF_INET, SOCK_DGRAM, 0), ret;

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", dev);
	ret = ioctl(fd, SIOCGIFHWADDR, &ifr);
	memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	close(fd);
	return ret;
}

static int run(const char *fmt, ...)
{
	char cmd[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd);
}

FIXTURE_SETUP(peer)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET };
	char path[64];

	ASSERT_EQ(0, shake_new_netns());
	self->nsa_fd = open("/proc/self/ns/net", O_RDONLY);
	snprintf(self->nsb, sizeof(self->nsb), "shakeB%d", getpid());
	ASSERT_EQ(0, run("ip netns add %s", self->nsb));
	ASSERT_EQ(0, run("ip link add name sa type veth peer name sb netns %s", self->nsb));
	ASSERT_EQ(0, run("ip addr add %s/24 dev sa && ip link set sa up", CLIENT));
	ASSERT_EQ(0, run("ip -n %s link set sb up", self->nsb));
	ASSERT_EQ(0, get_mac("sa", self->mac_a));

	snprintf(path, sizeof(path), "/run/netns/%s", self->nsb);
	self->nsb_fd = open(path, O_RDONLY);
	ASSERT_LE(0, self->nsb_fd);
	ASSERT_EQ(0, setns(self->nsb_fd, CLONE_NEWNET));
	ASSERT_EQ(0, get_mac("sb", self->mac_b));
	self->ifindex = if_nametoindex("sb");
	self->pkt = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
	ASSERT_LE(0, self->pkt);
	sll.sll_protocol = htons(ETH_P_ALL);
	sll.sll_ifindex = self->ifindex;
	ASSERT_EQ(0, bind(self->pkt, (struct sockaddr *)&sll, sizeof(sll)));
	ASSERT_EQ(0, setns(self->nsa_fd, CLONE_NEWNET));

	ASSERT_EQ(0, run("ip neigh add %s lladdr %02x:%02x:%02x:%02x:%02x:%02x dev sa nud permanent",
			 PEER, self->mac_b[0], self->mac_b[1], self->mac_b[2],
			 self->mac_b[3], self->mac_b[4], self->mac_b[5]));
}

FIXTURE_TEARDOWN(peer)
{
	close(self->pkt);
	run("ip netns del %s", self->nsb);
}

/* The next segment the client sent, within ms milliseconds; 1 or 0. */
static int peer_recv(struct __test_metadata *_metadata,
		     FIXTURE_DATA(peer) *self, struct seg *out, int ms)
{
	struct pollfd pfd = { .fd = self->pkt, .events = POLLIN };
	uint8_t frame[2048];

	while (poll(&pfd, 1, ms) == 1) {
		struct sockaddr_ll from;
		socklen_t fl = sizeof(from);
		ssize_t n = recvfrom(self->pkt, frame, sizeof(frame), 0,
				     (struct sockaddr *)&from, &fl);
		struct iphdr *ip = (struct iphdr *)(frame + 14);
		struct seg *s;
		int seglen;

		if (n < 14 + 20 || from.sll_pkttype == PACKET_OUTGOING ||
		    ntohs(from.sll_protocol) != ETH_P_IP ||
		    ip->protocol != shake_proto())
			continue;
		s = (struct seg *)((uint8_t *)ip + ip->ihl * 4);
		seglen = ntohs(ip->tot_len) - ip->ihl * 4;
		EXPECT_EQ(0, fold(sum16(s, seglen) + sum16(&ip->saddr, 8) +
				  htons(shake_proto()) + htons(seglen)));
		EXPECT_EQ(ntohs(s->dport), PEER_PORT);
		memset(out, 0, sizeof(*out));
		memcpy(out, s, seglen < (int)sizeof(*out) ? seglen : sizeof(*out));
		memcpy(self->quote, ip, 20);
		memcpy(self->quote + 20, s, 8);
		self->cport = ntohs(s->sport);
		return 1;
	}
	return 0;
}

/* Send a segment from the peer to the client's port. */
static void peer_send(struct __test_metadata *_metadata,
		      FIXTURE_DATA(peer) *self, uint32_t seq, uint32_t ack,
		      uint8_t flags, int mss_opt)
{
	struct sockaddr_ll to = {
		.sll_family = AF_PACKET,
		.sll_ifindex = self->ifindex,
		.sll_halen = 6,
	};
	uint8_t frame[34 + sizeof(struct seg)] = { 0 };
	struct iphdr *ip = (struct iphdr *)(frame + 14);
	struct seg *s = (struct seg *)(frame + 34);
	int seglen = 20 + (mss_opt ? 4 : 0);

	memcpy(frame, self->mac_a, 6);
	memcpy(frame + 6, self->mac_b, 6);
	frame[12] = 0x08;
	ip->version = 4;
	ip->ihl = 5;
	ip->tot_len = htons(20 + seglen);
	ip->ttl = 64;
	ip->protocol = shake_proto();
	inet_pton(AF_INET, PEER, &ip->saddr);
	inet_pton(AF_INET, CLIENT, &ip->daddr);
	ip->check = fold(sum16(ip, 20));
	s->sport = htons(PEER_PORT);
	s->dport = htons(self->cport);
	s->seq = htonl(seq);
	s->ack = htonl(ack);
	s->off_res = (seglen / 4) << 4;
	s->flags = flags;
	s->win = htons(29200);
	if (mss_opt) {
		s->opt[0] = 2;
		s->opt[1] = 4;
		s->opt[2] = 1460 >> 8;
		s->opt[3] = 1460 & 0xff;
	}
	s->check = fold(sum16(s, seglen) + sum16(&ip->saddr, 8) +
			htons(shake_proto()) + htons(seglen));
	memcpy(to.sll_addr, self->mac_a, 6);
	ASSERT_EQ((ssize_t)(34 + seglen),
		  sendto(self->pkt, frame, 34 + seglen, 0,
			 (struct sockaddr *)&to, sizeof(to)));
}

/* ICMP destination unreachable from the peer, quoting the last segment */
static void peer_send_unreach(struct __test_metadata *_metadata,
			      FIXTURE_DATA(peer) *self, int code,
			      uint32_t quoted_seq)
{
	struct sockaddr_ll to = {
		.sll_family = AF_PACKET,
		.sll_ifindex = self->ifindex,
		.sll_halen = 6,
	};
	uint8_t frame[14 + 20 + 8 + 28] = { 0 };
	struct iphdr *ip = (struct iphdr *)(frame + 14);
	uint8_t *icmp = frame + 34;
	uint32_t nseq = htonl(quoted_seq);

	memcpy(frame, self->mac_a, 6);
	memcpy(frame + 6, self->mac_b, 6);
	frame[12] = 0x08;
	ip->version = 4;
	ip->ihl = 5;
	ip->tot_len = htons(20 + 8 + 28);
	ip->ttl = 64;
	ip->protocol = IPPROTO_ICMP;
	inet_pton(AF_INET, PEER, &ip->saddr);
	inet_pton(AF_INET, CLIENT, &ip->daddr);
	ip->check = fold(sum16(ip, 20));
	icmp[0] = 3;			/* destination unreachable */
	icmp[1] = code;
	memcpy(icmp + 8, self->quote, 28);
	memcpy(icmp + 8 + 20 + 4, &nseq, 4);	/* the quoted sequence number */
	*(uint16_t *)(icmp + 2) = fold(sum16(icmp, 8 + 28));
	memcpy(to.sll_addr, self->mac_a, 6);
	ASSERT_EQ((ssize_t)sizeof(frame),
		  sendto(self->pkt, frame, sizeof(frame), 0,
			 (struct sockaddr *)&to, sizeof(to)));
}

static int client_connect(struct __test_metadata *_metadata, int nonblock,
			  unsigned short bind_port)
{
	struct sockaddr_in sin = shake_addr(PEER, PEER_PORT);
	int fd = socket(AF_INET, SOCK_STREAM | (nonblock ? SOCK_NONBLOCK : 0),
			shake_proto());

	if (bind_port) {
		int one = 1;

		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		EXPECT_EQ(0, shake_bind(fd, CLIENT, bind_port));
	}
	EXPECT_EQ(-1, connect(fd, (struct sockaddr *)&sin, sizeof(sin)));
	EXPECT_EQ(EINPROGRESS, errno);
	return fd;
}

static int so_error(int fd)
{
	int err = -1;
	socklen_t len = sizeof(err);

	getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
	return err;
}

static short wait_for(int fd, short events, int ms)
{
	struct pollfd pfd = { .fd = fd, .events = events };

	return poll(&pfd, 1, ms) == 1 ? pfd.revents : 0;
}

/* The state column of the client's line in /proc/net/shake, or -1 */
static int client_state(FIXTURE_DATA(peer) *self)
{
	char line[512];
	unsigned int st;

	if (shake_proc_find("/proc/net/shake", CLIENT, self->cport, line,
			    sizeof(line)) != 1 ||
	    sscanf(line, "%*d: %*s %*s %x", &st) != 1)
		return -1;
	return st;
}

static long stat_of(const char *name)
{
	char n[64];
	long v, found = -1;
	FILE *f = fopen("/proc/net/shake_stat", "r");

	if (!f)
		return -1;
	while (fscanf(f, "%63s %ld", n, &v) == 2)
		if (!strcmp(n, name))
			found = v;
	fclose(f);
	return found;
}

/* Client SYN, peer SYN-ACK with seq y, client ACK: returns the client ISN */
static uint32_t handshake(struct __test_metadata *_metadata,
			  FIXTURE_DATA(peer) *self, int fd, uint32_t y)
{
	struct seg s;
	uint32_t x;

	ASSERT_EQ(1, peer_recv(_metadata, self, &s, 2000));
	x = ntohl(s.seq);
	peer_send(_metadata, self, y, x + 1, F_SYN | F_ACK, 1);
	EXPECT_TRUE(wait_for(fd, POLLOUT, 2000) & POLLOUT);
	EXPECT_EQ(0, so_error(fd));
	ASSERT_EQ(1, peer_recv(_metadata, self, &s, 2000));
	EXPECT_EQ(F_ACK, s.flags);
	EXPECT_EQ(x + 1, ntohl(s.seq));
	EXPECT_EQ(y + 1, ntohl(s.ack));
	return x;
}

TEST_F(peer, three_way_handshake)
{
	struct sockaddr_in sin = shake_addr(PEER, PEER_PORT);
	int fd = client_connect(_metadata, 1, 0);
	struct seg s;
	uint32_t x;

	ASSERT_EQ(1, peer_recv(_metadata, self, &s, 2000));
	x = ntohl(s.seq);
	EXPECT_EQ(F_SYN, s.flags);
	EXPECT_EQ(6, s.off_res >> 4);		/* header + MSS option */
	EXPECT_EQ(2, s.opt[0]);
	EXPECT_EQ(4, s.opt[1]);
	EXPECT_EQ(1460, s.opt[2] << 8 | s.opt[3]);
	EXPECT_EQ(2, client_state(self));	/* SYN_SENT */
	EXPECT_EQ(1, stat_of("ActiveOpens"));

	/* a second connect while the first is under way */
	EXPECT_EQ(-1, connect(fd, (struct sockaddr *)&sin, sizeof(sin)));
	EXPECT_EQ(EALREADY, errno);

	peer_send(_metadata, self, 777000, x + 1, F_SYN | F_ACK, 1);
	EXPECT_TRUE(wait_for(fd, POLLOUT, 2000) & POLLOUT);
	EXPECT_EQ(0, so_error(fd));
	ASSERT_EQ(1, peer_recv(_metadata, self, &s, 2000));
	EXPECT_EQ(F_ACK, s.flags);
	EXPECT_EQ(x + 1, ntohl(s.seq));
	EXPECT_EQ(777001, ntohl(s.ack));
	EXPECT_EQ(1, client_state(self));	/* ESTABLISHED */
	EXPECT_EQ(1, stat_of("CurrEstab"));
	/* as TCP's: the first connect() after completion reports success */
	EXPECT_EQ(0, connect(fd, (struct sockaddr *)&sin, sizeof(sin)));
	EXPECT_EQ(-1, connect(fd, (struct sockaddr *)&sin, sizeof(sin)));
	EXPECT_EQ(EISCONN, errno);

	/* close() aborts, until orderly release exists */
	close(fd);
	ASSERT_EQ(1, peer_recv(_metadata, self, &s, 2000));
	EXPECT_EQ(F_RST | F_ACK, s.flags);
	EXPECT_EQ(x + 1, ntohl(s.seq));
	EXPECT_EQ(0, stat_of("CurrEstab"));
	EXPECT_EQ(1, stat_of("EstabResets"));
}

TEST_F(peer, syn_backoff_then_timeout)
{
	struct timespec t0, t[3], done;
	struct pollfd pfd[2];
	int fd, n = 0, finished = 0;
	double gap1, gap2, end;
	struct seg s;

	ASSERT_EQ(0, shake_write_sysctl("/proc/sys/net/shake/syn_retries", "2"));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	fd = client_connect(_metadata, 1, 0);
	pfd[0] = (struct pollfd){ .fd = self->pkt, .events = POLLIN };
	pfd[1] = (struct pollfd){ .fd = fd, .events = POLLERR };
	while (!finished && poll(pfd, 2, 10000) > 0) {
		if (pfd[0].revents & POLLIN && peer_recv(_metadata, self, &s, 0)) {
			EXPECT_EQ(F_SYN, s.flags);
			ASSERT_GT(3, n);	/* the SYN and syn_retries = 2 more */
			clock_gettime(CLOCK_MONOTONIC, &t[n++]);
		}
		if (pfd[1].revents & POLLERR) {
			clock_gettime(CLOCK_MONOTONIC, &done);
			finished = 1;
		}
	}
	ASSERT_TRUE(finished);
	ASSERT_EQ(3, n);
	EXPECT_EQ(ETIMEDOUT, so_error(fd));

#define SECS(a, b) ((b).tv_sec - (a).tv_sec + ((b).tv_nsec - (a).tv_nsec) / 1e9)
	gap1 = SECS(t[0], t[1]);
	gap2 = SECS(t[1], t[2]);
	end = SECS(t[2], done);
	TH_LOG("SYN gaps %.2f s, %.2f s; ETIMEDOUT %.2f s later (%.2f s in all)",
	       gap1, gap2, end, SECS(t0, done));
	/* RTO 1 s, doubling (RFC 6298 5.5) */
	EXPECT_TRUE(gap1 > 0.7 && gap1 < 1.6);
	EXPECT_TRUE(gap2 > 1.6 && gap2 < 2.8);
	EXPECT_TRUE(end > 3.4 && end < 5.0);
	EXPECT_EQ(2, stat_of("RetransSegs"));
	EXPECT_EQ(1, stat_of("AttemptFails"));
	EXPECT_EQ(-1, client_state(self));	/* the port is given back */
	close(fd);
}

TEST_F(peer, refused_by_rst)
{
	int fd = client_connect(_metadata, 1, 0);
	struct seg s;

	ASSERT_EQ(1, peer_recv(_metadata, self, &s, 2000));
	peer_send(_metadata, self, 0, ntohl(s.seq) + 1, F_RST | F_ACK, 0);
	EXPECT_TRUE(wait_for(fd, POLLERR, 2000) & POLLERR);
	EXPECT_EQ(ECONNREFUSED, so_error(fd));
	EXPECT_EQ(1, stat_of("AttemptFails"));
	close(fd);
}

/* A RST whose ACK does not cover our SYN is not for us (RFC 9293 3.10.7.3) */
TEST_F(peer, rst_with_wrong_ack_ignored)
{
	int fd = client_connect(_metadata, 1, 0);
	struct seg s;

	ASSERT_EQ(1, peer_recv(_metadata, self, &s, 2000));
	peer_send(_metadata, self, 0, ntohl(s.seq) + 9, F_RST | F_ACK, 0);
	EXPECT_EQ(0, wait_for(fd, POLLERR | POLLOUT, 500));
	EXPECT_EQ(2, client_state(self));
	close(fd);
}

TEST_F(peer, bad_synack_draws_rst)
{
	int fd = client_connect(_metadata, 1, 0);
	struct seg s;
	uint32_t x;

	ASSERT_EQ(1, peer_recv(_metadata, self, &s, 2000));
	x = ntohl(s.seq);
	peer_send(_metadata, self, 5000, x + 5, F_SYN | F_ACK, 1);
	ASSERT_EQ(1, peer_recv(_metadata, self, &s, 2000));
	EXPECT_EQ(F_RST, s.flags);
	EXPECT_EQ(x + 5, ntohl(s.seq));
	EXPECT_EQ(2, client_state(self));	/* still trying */
	/* the right SYN-ACK still completes the handshake */
	peer_send(_metadata, self, 5000, x + 1, F_SYN | F_ACK, 1);
	EXPECT_TRUE(wait_for(fd, POLLOUT, 2000) & POLLOUT);
	EXPECT_EQ(1, client_state(self));
	close(fd);
}

TEST_F(peer, simultaneous_open)
{
	int fd = client_connect(_metadata, 1, 0);
	struct seg s;
	uint32_t x;

	ASSERT_EQ(1, peer_recv(_metadata, self, &s, 2000));
	x = ntohl(s.seq);
	peer_send(_metadata, self, 9000, 0, F_SYN, 1);	/* the peer's own SYN */
	ASSERT_EQ(1, peer_recv(_metadata, self, &s, 2000));
	EXPECT_EQ(F_SYN | F_ACK, s.flags);
	EXPECT_EQ(x, ntohl(s.seq));
	EXPECT_EQ(9001, ntohl(s.ack));
	EXPECT_EQ(3, client_state(self));	/* SYN_RECV */
	peer_send(_metadata, self, 9001, x + 1, F_ACK, 0);
	EXPECT_TRUE(wait_for(fd, POLLOUT, 2000) & POLLOUT);
	EXPECT_EQ(0, so_error(fd));
	EXPECT_EQ(1, client_state(self));
	close(fd);
}

/* A host without shake answers a SYN with protocol unreachable */
TEST_F(peer, icmp_unreachable_refuses)
{
	static const int codes[] = { 2, 3 };	/* protocol, port */
	unsigned int i;

	for (i = 0; i < 2; i++) {
		int fd = client_connect(_metadata, 1, 0);
		struct seg s;

		ASSERT_EQ(1, peer_recv(_metadata, self, &s, 2000));
		peer_send_unreach(_metadata, self, codes[i], ntohl(s.seq));
		EXPECT_TRUE(wait_for(fd, POLLERR, 2000) & POLLERR);
		EXPECT_EQ(ECONNREFUSED, so_error(fd));
		close(fd);
	}
	EXPECT_EQ(2, stat_of("AttemptFails"));
}

/* RFC 5927: an ICMP quoting a sequence number not in flight is ignored */
TEST_F(peer, icmp_for_other_sequence_ignored)
{
	int fd = client_connect(_metadata, 1, 0);
	struct seg s;

	ASSERT_EQ(1, peer_recv(_metadata, self, &s, 2000));
	peer_send_unreach(_metadata, self, 3, ntohl(s.seq) + 1000);
	EXPECT_EQ(0, wait_for(fd, POLLERR | POLLOUT, 500));
	EXPECT_EQ(2, client_state(self));
	close(fd);
}

/* Host unreachable is soft: the SYN is retried, then it is the error */
TEST_F(peer, host_unreachable_after_retries)
{
	int fd;
	struct seg s;

	ASSERT_EQ(0, shake_write_sysctl("/proc/sys/net/shake/syn_retries", "1"));
	fd = client_connect(_metadata, 1, 0);
	ASSERT_EQ(1, peer_recv(_metadata, self, &s, 2000));
	peer_send_unreach(_metadata, self, 1, ntohl(s.seq));
	EXPECT_EQ(0, wait_for(fd, POLLERR, 500));
	ASSERT_EQ(1, peer_recv(_metadata, self, &s, 2000));	/* the retry */
	EXPECT_EQ(F_SYN, s.flags);
	EXPECT_TRUE(wait_for(fd, POLLERR, 4000) & POLLERR);
	EXPECT_EQ(EHOSTUNREACH, so_error(fd));
	close(fd);
}

/* RFC 5961: only an exact RST resets; near misses and SYNs are challenged */
TEST_F(peer, blind_rst_and_syn_challenged)
{
	int fd = client_connect(_metadata, 1, 0);
	uint32_t x = handshake(_metadata, self, fd, 1000);
	struct seg s;

	peer_send(_metadata, self, 1001 + 100, 0, F_RST, 0);	/* in window */
	ASSERT_EQ(1, peer_recv(_metadata, self, &s, 2000));
	EXPECT_EQ(F_ACK, s.flags);
	EXPECT_EQ(x + 1, ntohl(s.seq));
	EXPECT_EQ(1001, ntohl(s.ack));

	peer_send(_metadata, self, 1001 + 2000000, 0, F_RST, 0);	/* outside */
	EXPECT_EQ(0, peer_recv(_metadata, self, &s, 300));

	peer_send(_metadata, self, 4242, 0, F_SYN, 1);
	ASSERT_EQ(1, peer_recv(_metadata, self, &s, 2000));
	EXPECT_EQ(F_ACK, s.flags);
	EXPECT_EQ(1001, ntohl(s.ack));

	EXPECT_EQ(1, client_state(self));
	EXPECT_EQ(0, so_error(fd));
	EXPECT_EQ(2, stat_of("ChallengeAcks"));

	peer_send(_metadata, self, 1001, 0, F_RST, 0);		/* exact */
	EXPECT_TRUE(wait_for(fd, POLLERR, 2000) & POLLERR);
	EXPECT_EQ(ECONNRESET, so_error(fd));
	EXPECT_EQ(1, stat_of("EstabResets"));
	close(fd);
}

/* RFC 6528: ISNs on one 4-tuple differ, and not by a constant step */
TEST_F(peer, isn_unpredictable)
{
	uint32_t isn[4];
	int i, fd;
	struct seg s;

	for (i = 0; i < 4; i++) {
		fd = client_connect(_metadata, 1, 4000);
		ASSERT_EQ(1, peer_recv(_metadata, self, &s, 2000));
		isn[i] = ntohl(s.seq);
		peer_send(_metadata, self, 0, isn[i] + 1, F_RST | F_ACK, 0);
		EXPECT_TRUE(wait_for(fd, POLLERR, 2000) & POLLERR);
		close(fd);
	}
	TH_LOG("ISNs %u %u %u %u", isn[0], isn[1], isn[2], isn[3]);
	EXPECT_NE(isn[0], isn[1]);
	EXPECT_NE(isn[1], isn[2]);
	EXPECT_NE(isn[2], isn[3]);
	EXPECT_FALSE(isn[1] - isn[0] == isn[2] - isn[1] &&
		     isn[2] - isn[1] == isn[3] - isn[2]);
}

TEST(loopback_refused_and_self_connect)
{
	struct sockaddr_in sin = shake_addr("127.0.0.1", 9);
	struct sockaddr_in peer;
	socklen_t len = sizeof(peer);
	int fd;

	ASSERT_EQ(0, shake_new_netns());
	fd = socket(AF_INET, SOCK_STREAM, shake_proto());
	EXPECT_EQ(-1, connect(fd, (struct sockaddr *)&sin, sizeof(sin)));
	EXPECT_EQ(ECONNREFUSED, errno);
	close(fd);

	/* a socket connecting to itself opens simultaneously, as TCP's does */
	fd = socket(AF_INET, SOCK_STREAM, shake_proto());
	ASSERT_EQ(0, shake_bind(fd, "127.0.0.1", 5555));
	sin = shake_addr("127.0.0.1", 5555);
	ASSERT_EQ(0, connect(fd, (struct sockaddr *)&sin, sizeof(sin)));
	ASSERT_EQ(0, getpeername(fd, (struct sockaddr *)&peer, &len));
	EXPECT_EQ(htons(5555), peer.sin_port);
	close(fd);
}

TEST(connect_arguments)
{
	struct sockaddr_in sin = shake_addr("127.0.0.1", 9);
	int proto[2] = { IPPROTO_TCP, shake_proto() }, i;

	ASSERT_EQ(0, shake_new_netns());
	for (i = 0; i < 2; i++) {
		int fd = socket(AF_INET, SOCK_STREAM, proto[i]);

		EXPECT_EQ(-1, connect(fd, (struct sockaddr *)&sin, sizeof(sin) - 1));
		EXPECT_EQ(EINVAL, errno);
		sin.sin_family = AF_INET6;
		EXPECT_EQ(-1, connect(fd, (struct sockaddr *)&sin, sizeof(sin)));
		EXPECT_EQ(EAFNOSUPPORT, errno);
		sin.sin_family = AF_INET;
		close(fd);
	}
}

TEST_HARNESS_MAIN
