// SPDX-License-Identifier: GPL-2.0
/*
 * Active open, seen from the wire. The client is a shake socket in network
 * namespace A; its peer 10.9.0.2 is a packet socket in namespace B, which
 * owns no address and does not forward, so its IP layer drops everything
 * silently and only the test answers, with frames it builds itself.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "peer.h"
#include "shake_lib.h"

#define CLIENT PEER_LOCAL
#define PEER PEER_ADDR
#define PEER_PORT 80

FIXTURE(active) {
	struct shake_peer p;
};

FIXTURE_SETUP(active)
{
	ASSERT_EQ(0, peer_setup(&self->p));
}

FIXTURE_TEARDOWN(active)
{
	peer_teardown(&self->p);
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

/* Client SYN, peer SYN-ACK with seq y, client ACK: returns the client ISN */
static uint32_t handshake(struct __test_metadata *_metadata,
			  FIXTURE_DATA(active) *self, int fd, uint32_t y)
{
	struct shake_seg s;
	uint32_t x;

	ASSERT_EQ(1, peer_recv(&self->p, &s, 2000));
	x = ntohl(s.seq);
	ASSERT_EQ(0, peer_send(&self->p, y, x + 1, F_SYN | F_ACK, 1, NULL, 0));
	EXPECT_TRUE(shake_wait_for(fd, POLLOUT, 2000) & POLLOUT);
	EXPECT_EQ(0, shake_so_error(fd));
	ASSERT_EQ(1, peer_recv(&self->p, &s, 2000));
	EXPECT_EQ(F_ACK, s.flags);
	EXPECT_EQ(x + 1, ntohl(s.seq));
	EXPECT_EQ(y + 1, ntohl(s.ack));
	return x;
}

TEST_F(active, three_way_handshake)
{
	struct sockaddr_in sin = shake_addr(PEER, PEER_PORT);
	int fd = client_connect(_metadata, 1, 0);
	struct shake_seg s;
	uint32_t x;

	ASSERT_EQ(1, peer_recv(&self->p, &s, 2000));
	x = ntohl(s.seq);
	EXPECT_EQ(F_SYN, s.flags);
	/* header + MSS, SACK-permitted, timestamps, window scale */
	EXPECT_EQ(10, s.off_res >> 4);
	EXPECT_EQ(2, s.opt[0]);
	EXPECT_EQ(4, s.opt[1]);
	EXPECT_EQ(1460, s.opt[2] << 8 | s.opt[3]);
	EXPECT_EQ(2, shake_proc_state(shake_proto(), CLIENT, self->p.lport));	/* SYN_SENT */
	EXPECT_EQ(1, shake_stat("ActiveOpens"));

	/* a second connect while the first is under way */
	EXPECT_EQ(-1, connect(fd, (struct sockaddr *)&sin, sizeof(sin)));
	EXPECT_EQ(EALREADY, errno);

	ASSERT_EQ(0, peer_send(&self->p, 777000, x + 1, F_SYN | F_ACK, 1, NULL, 0));
	EXPECT_TRUE(shake_wait_for(fd, POLLOUT, 2000) & POLLOUT);
	EXPECT_EQ(0, shake_so_error(fd));
	ASSERT_EQ(1, peer_recv(&self->p, &s, 2000));
	EXPECT_EQ(F_ACK, s.flags);
	EXPECT_EQ(x + 1, ntohl(s.seq));
	EXPECT_EQ(777001, ntohl(s.ack));
	EXPECT_EQ(1, shake_proc_state(shake_proto(), CLIENT, self->p.lport));	/* ESTABLISHED */
	EXPECT_EQ(1, shake_stat("CurrEstab"));
	/* as TCP's: the first connect() after completion reports success */
	EXPECT_EQ(0, connect(fd, (struct sockaddr *)&sin, sizeof(sin)));
	EXPECT_EQ(-1, connect(fd, (struct sockaddr *)&sin, sizeof(sin)));
	EXPECT_EQ(EISCONN, errno);

	/* close() sends our FIN; the peer's RST then ends the orphan */
	close(fd);
	ASSERT_EQ(1, peer_recv(&self->p, &s, 2000));
	EXPECT_EQ(F_FIN | F_ACK, s.flags);
	EXPECT_EQ(x + 1, ntohl(s.seq));
	EXPECT_EQ(777001, ntohl(s.ack));
	EXPECT_EQ(4, shake_proc_state(shake_proto(), CLIENT, self->p.lport));	/* FIN_WAIT1 */
	EXPECT_EQ(0, shake_stat("CurrEstab"));
	EXPECT_EQ(1, shake_stat("CurrOrphans"));
	ASSERT_EQ(0, peer_send(&self->p, 777001, 0, F_RST, 0, NULL, 0));
	usleep(100000);
	EXPECT_EQ(-1, shake_proc_state(shake_proto(), CLIENT, self->p.lport));
	EXPECT_EQ(0, shake_stat("CurrOrphans"));
	EXPECT_EQ(0, shake_stat("EstabResets"));	/* not from FIN_WAIT1 */
}

TEST_F(active, syn_backoff_then_timeout)
{
	struct timespec t0, t[3], done;
	struct pollfd pfd[2];
	int fd, n = 0, finished = 0;
	double gap1, gap2, end;
	struct shake_seg s;

	ASSERT_EQ(0, shake_set_sysctl(shake_proto(), "syn_retries", "2"));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	fd = client_connect(_metadata, 1, 0);
	pfd[0] = (struct pollfd){ .fd = self->p.pkt, .events = POLLIN };
	pfd[1] = (struct pollfd){ .fd = fd, .events = POLLERR };
	while (!finished && poll(pfd, 2, 10000) > 0) {
		if (pfd[0].revents & POLLIN && peer_recv(&self->p, &s, 0)) {
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
	EXPECT_EQ(ETIMEDOUT, shake_so_error(fd));

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
	EXPECT_EQ(2, shake_stat("RetransSegs"));
	EXPECT_EQ(1, shake_stat("AttemptFails"));
	EXPECT_EQ(-1, shake_proc_state(shake_proto(), CLIENT, self->p.lport));	/* the port is given back */
	close(fd);
}

TEST_F(active, refused_by_rst)
{
	int fd = client_connect(_metadata, 1, 0);
	struct shake_seg s;

	ASSERT_EQ(1, peer_recv(&self->p, &s, 2000));
	ASSERT_EQ(0, peer_send(&self->p, 0, ntohl(s.seq) + 1, F_RST | F_ACK, 0, NULL, 0));
	EXPECT_TRUE(shake_wait_for(fd, POLLERR, 2000) & POLLERR);
	EXPECT_EQ(ECONNREFUSED, shake_so_error(fd));
	EXPECT_EQ(1, shake_stat("AttemptFails"));
	close(fd);
}

/* A RST whose ACK does not cover our SYN is not for us (RFC 9293 3.10.7.3) */
TEST_F(active, rst_with_wrong_ack_ignored)
{
	int fd = client_connect(_metadata, 1, 0);
	struct shake_seg s;

	ASSERT_EQ(1, peer_recv(&self->p, &s, 2000));
	ASSERT_EQ(0, peer_send(&self->p, 0, ntohl(s.seq) + 9, F_RST | F_ACK, 0, NULL, 0));
	EXPECT_EQ(0, shake_wait_for(fd, POLLERR | POLLOUT, 500));
	EXPECT_EQ(2, shake_proc_state(shake_proto(), CLIENT, self->p.lport));
	close(fd);
}

TEST_F(active, bad_synack_draws_rst)
{
	int fd = client_connect(_metadata, 1, 0);
	struct shake_seg s;
	uint32_t x;

	ASSERT_EQ(1, peer_recv(&self->p, &s, 2000));
	x = ntohl(s.seq);
	ASSERT_EQ(0, peer_send(&self->p, 5000, x + 5, F_SYN | F_ACK, 1, NULL, 0));
	ASSERT_EQ(1, peer_recv(&self->p, &s, 2000));
	EXPECT_EQ(F_RST, s.flags);
	EXPECT_EQ(x + 5, ntohl(s.seq));
	EXPECT_EQ(2, shake_proc_state(shake_proto(), CLIENT, self->p.lport));	/* still trying */
	/* the right SYN-ACK still completes the handshake */
	ASSERT_EQ(0, peer_send(&self->p, 5000, x + 1, F_SYN | F_ACK, 1, NULL, 0));
	EXPECT_TRUE(shake_wait_for(fd, POLLOUT, 2000) & POLLOUT);
	EXPECT_EQ(1, shake_proc_state(shake_proto(), CLIENT, self->p.lport));
	close(fd);
}

TEST_F(active, simultaneous_open)
{
	int fd = client_connect(_metadata, 1, 0);
	struct shake_seg s;
	uint32_t x;

	ASSERT_EQ(1, peer_recv(&self->p, &s, 2000));
	x = ntohl(s.seq);
	ASSERT_EQ(0, peer_send(&self->p, 9000, 0, F_SYN, 1, NULL, 0));	/* the peer's own SYN */
	ASSERT_EQ(1, peer_recv(&self->p, &s, 2000));
	EXPECT_EQ(F_SYN | F_ACK, s.flags);
	EXPECT_EQ(x, ntohl(s.seq));
	EXPECT_EQ(9001, ntohl(s.ack));
	EXPECT_EQ(3, shake_proc_state(shake_proto(), CLIENT, self->p.lport));	/* SYN_RECV */
	ASSERT_EQ(0, peer_send(&self->p, 9001, x + 1, F_ACK, 0, NULL, 0));
	EXPECT_TRUE(shake_wait_for(fd, POLLOUT, 2000) & POLLOUT);
	EXPECT_EQ(0, shake_so_error(fd));
	EXPECT_EQ(1, shake_proc_state(shake_proto(), CLIENT, self->p.lport));
	close(fd);
}

/* A host without shake answers a SYN with protocol unreachable */
TEST_F(active, icmp_unreachable_refuses)
{
	static const int codes[] = { 2, 3 };	/* protocol, port */
	unsigned int i;

	for (i = 0; i < 2; i++) {
		int fd = client_connect(_metadata, 1, 0);
		struct shake_seg s;

		ASSERT_EQ(1, peer_recv(&self->p, &s, 2000));
		ASSERT_EQ(0, peer_send_unreach(&self->p, codes[i], ntohl(s.seq)));
		EXPECT_TRUE(shake_wait_for(fd, POLLERR, 2000) & POLLERR);
		EXPECT_EQ(ECONNREFUSED, shake_so_error(fd));
		close(fd);
	}
	EXPECT_EQ(2, shake_stat("AttemptFails"));
}

/* RFC 5927: an ICMP quoting a sequence number not in flight is ignored */
TEST_F(active, icmp_for_other_sequence_ignored)
{
	int fd = client_connect(_metadata, 1, 0);
	struct shake_seg s;

	ASSERT_EQ(1, peer_recv(&self->p, &s, 2000));
	ASSERT_EQ(0, peer_send_unreach(&self->p, 3, ntohl(s.seq) + 1000));
	EXPECT_EQ(0, shake_wait_for(fd, POLLERR | POLLOUT, 500));
	EXPECT_EQ(2, shake_proc_state(shake_proto(), CLIENT, self->p.lport));
	close(fd);
}

/* Host unreachable is soft: the SYN is retried, then it is the error */
TEST_F(active, host_unreachable_after_retries)
{
	int fd;
	struct shake_seg s;

	ASSERT_EQ(0, shake_set_sysctl(shake_proto(), "syn_retries", "1"));
	fd = client_connect(_metadata, 1, 0);
	ASSERT_EQ(1, peer_recv(&self->p, &s, 2000));
	ASSERT_EQ(0, peer_send_unreach(&self->p, 1, ntohl(s.seq)));
	EXPECT_EQ(0, shake_wait_for(fd, POLLERR, 500));
	ASSERT_EQ(1, peer_recv(&self->p, &s, 2000));	/* the retry */
	EXPECT_EQ(F_SYN, s.flags);
	EXPECT_TRUE(shake_wait_for(fd, POLLERR, 4000) & POLLERR);
	EXPECT_EQ(EHOSTUNREACH, shake_so_error(fd));
	close(fd);
}

/* RFC 5961: only an exact RST resets; near misses and SYNs are challenged */
TEST_F(active, blind_rst_and_syn_challenged)
{
	int fd = client_connect(_metadata, 1, 0);
	uint32_t x = handshake(_metadata, self, fd, 1000);
	struct shake_seg s;

	ASSERT_EQ(0, peer_send(&self->p, 1001 + 100, 0, F_RST, 0, NULL, 0));	/* in window */
	ASSERT_EQ(1, peer_recv(&self->p, &s, 2000));
	EXPECT_EQ(F_ACK, s.flags);
	EXPECT_EQ(x + 1, ntohl(s.seq));
	EXPECT_EQ(1001, ntohl(s.ack));

	ASSERT_EQ(0, peer_send(&self->p, 1001 + 2000000, 0, F_RST, 0, NULL, 0));	/* outside */
	EXPECT_EQ(0, peer_recv(&self->p, &s, 300));

	ASSERT_EQ(0, peer_send(&self->p, 4242, 0, F_SYN, 1, NULL, 0));
	ASSERT_EQ(1, peer_recv(&self->p, &s, 2000));
	EXPECT_EQ(F_ACK, s.flags);
	EXPECT_EQ(1001, ntohl(s.ack));

	EXPECT_EQ(1, shake_proc_state(shake_proto(), CLIENT, self->p.lport));
	EXPECT_EQ(0, shake_so_error(fd));
	EXPECT_EQ(2, shake_stat("ChallengeAcks"));

	ASSERT_EQ(0, peer_send(&self->p, 1001, 0, F_RST, 0, NULL, 0));		/* exact */
	EXPECT_TRUE(shake_wait_for(fd, POLLERR, 2000) & POLLERR);
	EXPECT_EQ(ECONNRESET, shake_so_error(fd));
	EXPECT_EQ(1, shake_stat("EstabResets"));
	close(fd);
}

/* RFC 6528: ISNs on one 4-tuple differ, and not by a constant step */
TEST_F(active, isn_unpredictable)
{
	uint32_t isn[4];
	int i, fd;
	struct shake_seg s;

	for (i = 0; i < 4; i++) {
		fd = client_connect(_metadata, 1, 4000);
		ASSERT_EQ(1, peer_recv(&self->p, &s, 2000));
		isn[i] = ntohl(s.seq);
		ASSERT_EQ(0, peer_send(&self->p, 0, isn[i] + 1, F_RST | F_ACK, 0, NULL, 0));
		EXPECT_TRUE(shake_wait_for(fd, POLLERR, 2000) & POLLERR);
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
