// SPDX-License-Identifier: GPL-2.0
/*
 * Passive open, seen from the wire: a shake listener in namespace A, and a
 * hand-driven peer (peer.h) as the client. Then shake talking to itself.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>	/* TCP_SYN_RECV */
#include <poll.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "peer.h"
#include "shake_lib.h"
#include "shake_topo.h"

#define SERVER PEER_LOCAL
#define LPORT 8000

FIXTURE(server) {
	struct shake_peer p;
	int lfd;
};

FIXTURE_SETUP(server)
{
	ASSERT_EQ(0, peer_setup(&self->p));
	self->lfd = peer_listen(&self->p, LPORT, 0, 4);
	ASSERT_LE(0, self->lfd);
}

FIXTURE_TEARDOWN(server)
{
	close(self->lfd);
	peer_teardown(&self->p);
}

/* SYN from the peer's port; returns the SYN-ACK's sequence number */
static uint32_t peer_syn(struct __test_metadata *_metadata,
			 struct shake_peer *p, uint16_t pport, uint32_t x)
{
	struct shake_seg s;

	EXPECT_EQ(0, peer_syn_synack(p, pport, x, &s));
	EXPECT_EQ(pport, ntohs(s.dport));
	EXPECT_EQ(6, s.off_res >> 4);		/* header + MSS option */
	EXPECT_EQ(2, s.opt[0]);
	EXPECT_EQ(1460, s.opt[2] << 8 | s.opt[3]);
	return ntohl(s.seq);
}

/* Count the SYN_RECV lines of /proc/net/shake */
static int syn_recv_lines(void)
{
	return shake_proc_count_state(shake_proto(), TCP_SYN_RECV);
}

TEST_F(server, handshake_and_data_on_final_ack)
{
	struct sockaddr_in from;
	socklen_t len = sizeof(from);
	char buf[16] = "";
	struct shake_seg s;
	uint32_t y;
	int fd;

	y = peer_syn(_metadata, &self->p, 40001, 1000);
	EXPECT_EQ(1, syn_recv_lines());
	EXPECT_EQ(10, shake_proc_state(shake_proto(), SERVER, LPORT));	/* LISTEN */

	ASSERT_EQ(0, peer_send(&self->p, 1001, y + 1, F_ACK | F_PSH, 0,
			       "hello", 5));
	/* the data is acknowledged */
	ASSERT_EQ(1, peer_recv(&self->p, &s, 2000));
	EXPECT_EQ(F_ACK, s.flags);
	EXPECT_EQ(y + 1, ntohl(s.seq));
	EXPECT_EQ(1006, ntohl(s.ack));
	EXPECT_EQ(0, syn_recv_lines());

	EXPECT_TRUE(shake_wait_for(self->lfd, POLLIN, 2000) & POLLIN);
	fd = accept(self->lfd, (struct sockaddr *)&from, &len);
	ASSERT_LE(0, fd);
	EXPECT_EQ(htons(40001), from.sin_port);
	EXPECT_EQ(5, recv(fd, buf, sizeof(buf), MSG_DONTWAIT));
	EXPECT_STREQ("hello", buf);
	EXPECT_EQ(1, shake_stat("PassiveOpens"));
	EXPECT_EQ(1, shake_stat("CurrEstab"));
	close(fd);
}

/* Reads across segment boundaries: MSG_PEEK leaves data, MSG_WAITALL waits */
TEST_F(server, recv_flags)
{
	char buf[32] = "";
	struct shake_seg s;
	uint32_t y;
	int fd;

	y = peer_syn(_metadata, &self->p, 40010, 1000);
	ASSERT_EQ(0, peer_send(&self->p, 1001, y + 1, F_ACK, 0, "hello", 5));
	ASSERT_EQ(1, peer_recv(&self->p, &s, 2000));
	ASSERT_EQ(0, peer_send(&self->p, 1006, y + 1, F_ACK, 0, " wor", 4));
	ASSERT_EQ(1, peer_recv(&self->p, &s, 2000));
	EXPECT_EQ(1010, ntohl(s.ack));
	ASSERT_TRUE(shake_wait_for(self->lfd, POLLIN, 2000) & POLLIN);
	fd = accept(self->lfd, NULL, NULL);
	ASSERT_LE(0, fd);

	EXPECT_EQ(7, recv(fd, buf, 7, MSG_PEEK));
	EXPECT_EQ(0, memcmp(buf, "hello w", 7));
	EXPECT_EQ(3, recv(fd, buf, 3, 0));
	EXPECT_EQ(0, memcmp(buf, "hel", 3));
	/* 6 bytes are there; WAITALL for 7 waits for the last segment */
	ASSERT_EQ(0, peer_send(&self->p, 1010, y + 1, F_ACK, 0, "ld", 2));
	memset(buf, 0, sizeof(buf));
	EXPECT_EQ(8, recv(fd, buf, 8, MSG_WAITALL));
	EXPECT_STREQ("lo world", buf);
	EXPECT_EQ(-1, recv(fd, buf, sizeof(buf), MSG_DONTWAIT));
	EXPECT_EQ(EAGAIN, errno);
	close(fd);
}

TEST_F(server, syn_data_not_delivered)
{
	struct shake_seg s;
	char buf[16];
	uint32_t y;
	int fd;

	self->p.pport = 40002;
	ASSERT_EQ(0, peer_send(&self->p, 500, 0, F_SYN, 1, "xyz", 3));
	ASSERT_EQ(1, peer_recv(&self->p, &s, 2000));
	EXPECT_EQ(501, ntohl(s.ack));	/* the data is not taken */
	y = ntohl(s.seq);
	ASSERT_EQ(0, peer_send(&self->p, 501, y + 1, F_ACK, 0, NULL, 0));
	ASSERT_TRUE(shake_wait_for(self->lfd, POLLIN, 2000) & POLLIN);
	fd = accept(self->lfd, NULL, NULL);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, recv(fd, buf, sizeof(buf), MSG_DONTWAIT));
	EXPECT_EQ(EAGAIN, errno);
	close(fd);
}

TEST_F(server, synack_retransmitted_then_dropped)
{
	struct timespec t[3];
	struct shake_seg s;
	uint32_t y;
	int n = 1;

	ASSERT_EQ(0, shake_set_sysctl(shake_proto(), "synack_retries", "2"));
	y = peer_syn(_metadata, &self->p, 40003, 7000);
	clock_gettime(CLOCK_MONOTONIC, &t[0]);
	while (n < 3 && peer_recv(&self->p, &s, 4000) == 1) {
		EXPECT_EQ(F_SYN | F_ACK, s.flags);
		EXPECT_EQ(y, ntohl(s.seq));
		clock_gettime(CLOCK_MONOTONIC, &t[n++]);
	}
	ASSERT_EQ(3, n);
	EXPECT_EQ(1, syn_recv_lines());
	/* then 4 s more, and the request is gone */
	EXPECT_EQ(0, peer_recv(&self->p, &s, 5000));
	EXPECT_EQ(0, syn_recv_lines());
	EXPECT_EQ(2, shake_stat("RetransSegs"));
#define SECS(a, b) ((b).tv_sec - (a).tv_sec + ((b).tv_nsec - (a).tv_nsec) / 1e9)
	TH_LOG("SYN-ACK gaps %.2f s, %.2f s", SECS(t[0], t[1]), SECS(t[1], t[2]));
	EXPECT_TRUE(SECS(t[0], t[1]) > 0.7 && SECS(t[0], t[1]) < 1.6);
	EXPECT_TRUE(SECS(t[1], t[2]) > 1.6 && SECS(t[1], t[2]) < 2.8);
}

TEST_F(server, duplicate_syn_resends_synack)
{
	uint32_t y1 = peer_syn(_metadata, &self->p, 40004, 100);
	uint32_t y2 = peer_syn(_metadata, &self->p, 40004, 100);

	EXPECT_EQ(y1, y2);
	EXPECT_EQ(1, syn_recv_lines());
}

TEST_F(server, ack_without_request_draws_rst)
{
	struct shake_seg s;

	self->p.pport = 40005;
	ASSERT_EQ(0, peer_send(&self->p, 1, 424242, F_ACK, 0, NULL, 0));
	ASSERT_EQ(1, peer_recv(&self->p, &s, 2000));
	EXPECT_EQ(F_RST, s.flags);
	EXPECT_EQ(424242, ntohl(s.seq));
}

/* Handshake from the peer's port up to the final ACK; the SYN-ACK's seq */
static uint32_t peer_connect(struct __test_metadata *_metadata,
			     struct shake_peer *p, uint16_t pport, uint32_t x)
{
	uint32_t y = peer_syn(_metadata, p, pport, x);

	EXPECT_EQ(0, peer_send(p, x + 1, y + 1, F_ACK, 0, NULL, 0));
	return y;
}

/*
 * Backlog 2: the accept queue holds three children, the SYN queue two
 * requests. Requests C and D wait while A and B fill the queue; C's final
 * ACK fills it up, D's finds it full: D stays in SYN_RECV, counted. Once
 * accept() makes room, the ACK that the SYN-ACK's retransmission draws
 * completes D. With abort_on_overflow, D is reset instead.
 */
static uint32_t fill_accept_queue(struct __test_metadata *_metadata,
				  FIXTURE_DATA(server) *self)
{
	uint32_t yc, yd;

	ASSERT_EQ(0, listen(self->lfd, 2));	/* listen again: new backlog */
	peer_connect(_metadata, &self->p, 41001, 10);
	peer_connect(_metadata, &self->p, 41002, 20);
	yc = peer_syn(_metadata, &self->p, 41003, 30);
	yd = peer_syn(_metadata, &self->p, 41004, 40);
	self->p.pport = 41003;
	EXPECT_EQ(0, peer_send(&self->p, 31, yc + 1, F_ACK, 0, NULL, 0));
	usleep(100000);
	self->p.pport = 41004;
	EXPECT_EQ(0, peer_send(&self->p, 41, yd + 1, F_ACK, 0, NULL, 0));
	usleep(200000);
	EXPECT_EQ(1, shake_stat("ListenOverflows"));
	EXPECT_EQ(1, shake_stat("ListenDrops"));
	EXPECT_EQ(3, shake_stat("PassiveOpens"));
	return yd;
}

TEST_F(server, accept_queue_full_keeps_request)
{
	struct shake_seg s;
	uint32_t yd = fill_accept_queue(_metadata, self);
	int fd;

	EXPECT_EQ(1, syn_recv_lines());
	fd = accept(self->lfd, NULL, NULL);
	ASSERT_LE(0, fd);
	close(fd);
	/* A's abort goes by; D's SYN-ACK comes again; the peer answers it */
	do {
		ASSERT_EQ(1, peer_recv(&self->p, &s, 3000));
	} while (ntohs(s.dport) != 41004);
	EXPECT_EQ(F_SYN | F_ACK, s.flags);
	EXPECT_EQ(yd, ntohl(s.seq));
	ASSERT_EQ(0, peer_send(&self->p, 41, yd + 1, F_ACK, 0, NULL, 0));
	usleep(200000);
	EXPECT_EQ(0, syn_recv_lines());
	EXPECT_EQ(4, shake_stat("PassiveOpens"));
}

TEST_F(server, abort_on_overflow_resets)
{
	struct shake_seg s;
	uint32_t yd;

	ASSERT_EQ(0, shake_set_sysctl(shake_proto(), "abort_on_overflow", "1"));
	yd = fill_accept_queue(_metadata, self);
	ASSERT_EQ(1, peer_recv(&self->p, &s, 2000));
	EXPECT_EQ(F_RST, s.flags);
	EXPECT_EQ(yd + 1, ntohl(s.seq));
	EXPECT_EQ(41004, ntohs(s.dport));
	EXPECT_EQ(0, syn_recv_lines());
}

/* A full SYN queue drops further SYNs, counted, when cookies are off (with
 * them, syncookie_test)
 */
TEST_F(server, syn_queue_bound)
{
	struct shake_seg s;
	int i;

	ASSERT_EQ(0, shake_set_sysctl(shake_proto(), "max_syn_backlog", "2"));
	ASSERT_EQ(0, shake_set_sysctl(shake_proto(), "syncookies", "0"));
	for (i = 0; i < 2; i++)
		peer_syn(_metadata, &self->p, 42000 + i, 1000 * i);
	self->p.pport = 42002;
	ASSERT_EQ(0, peer_send(&self->p, 5, 0, F_SYN, 1, NULL, 0));
	EXPECT_EQ(0, peer_recv(&self->p, &s, 500));
	EXPECT_EQ(2, syn_recv_lines());
	EXPECT_EQ(1, shake_stat("ListenDrops"));
}

TEST_F(server, closing_listener_resets_all)
{
	struct shake_seg s;
	uint32_t y1, y2;
	int rsts = 0, ports = 0;

	y1 = peer_syn(_metadata, &self->p, 43001, 10);
	ASSERT_EQ(0, peer_send(&self->p, 11, y1 + 1, F_ACK, 0, NULL, 0));
	ASSERT_TRUE(shake_wait_for(self->lfd, POLLIN, 2000) & POLLIN);
	y2 = peer_syn(_metadata, &self->p, 43002, 20);	/* stays half-open */

	close(self->lfd);
	self->lfd = -1;
	while (peer_recv(&self->p, &s, 500) == 1) {
		if (!(s.flags & F_RST))
			continue;
		rsts++;
		if (ntohs(s.dport) == 43001) {
			EXPECT_EQ(y1 + 1, ntohl(s.seq));
			ports |= 1;
		}
		if (ntohs(s.dport) == 43002) {
			EXPECT_EQ(y2 + 1, ntohl(s.seq));
			ports |= 2;
		}
	}
	EXPECT_EQ(2, rsts);
	EXPECT_EQ(3, ports);
	EXPECT_EQ(0, syn_recv_lines());
	EXPECT_EQ(-1, shake_proc_state(shake_proto(), SERVER, LPORT));
}

/*
 * shutdown(SHUT_RD) on a listener stops it as close() would (TCP's
 * inet_shutdown disconnects it): its request is reset, the port is no
 * longer listening, and the socket may listen again.
 */
TEST_F(server, shutdown_stops_listener)
{
	struct shake_seg s;
	uint32_t y = peer_syn(_metadata, &self->p, 44001, 10);

	ASSERT_EQ(0, shutdown(self->lfd, SHUT_RD));
	ASSERT_EQ(1, peer_recv(&self->p, &s, 2000));
	EXPECT_EQ(F_RST | F_ACK, s.flags);
	EXPECT_EQ(y + 1, ntohl(s.seq));
	EXPECT_EQ(0, syn_recv_lines());
	EXPECT_EQ(7, shake_proc_state(shake_proto(), SERVER, LPORT));	/* bound, CLOSE */

	/* nobody listens: a SYN draws a RST */
	self->p.pport = 44002;
	ASSERT_EQ(0, peer_send(&self->p, 50, 0, F_SYN, 1, NULL, 0));
	ASSERT_EQ(1, peer_recv(&self->p, &s, 2000));
	EXPECT_EQ(F_RST | F_ACK, s.flags);

	ASSERT_EQ(0, listen(self->lfd, 4));
	peer_syn(_metadata, &self->p, 44003, 90);
	EXPECT_EQ(1, syn_recv_lines());
}

/* shake to shake over loopback: listen, connect, accept, and the rules */
TEST(loopback)
{
	struct sockaddr_in sin = shake_addr("127.0.0.1", 9000), peer;
	socklen_t len = sizeof(peer);
	int l, c, a, flags;

	ASSERT_EQ(0, shake_new_netns());
	l = socket(AF_INET, SOCK_STREAM, shake_proto());
	ASSERT_EQ(0, shake_bind(l, "127.0.0.1", 9000));
	ASSERT_EQ(0, listen(l, 8));
	EXPECT_EQ(0, listen(l, 16));		/* adjusts the backlog */
	EXPECT_EQ(0, shake_wait_for(l, POLLIN, 100));

	c = socket(AF_INET, SOCK_STREAM, shake_proto());
	ASSERT_EQ(0, connect(c, (struct sockaddr *)&sin, sizeof(sin)));
	EXPECT_TRUE(shake_wait_for(l, POLLIN, 2000) & POLLIN);
	a = accept4(l, (struct sockaddr *)&peer, &len,
		    SOCK_NONBLOCK | SOCK_CLOEXEC);
	ASSERT_LE(0, a);
	flags = fcntl(a, F_GETFL);
	EXPECT_TRUE(flags & O_NONBLOCK);
	EXPECT_TRUE(fcntl(a, F_GETFD) & FD_CLOEXEC);
	EXPECT_EQ(shake_local_port(c), ntohs(peer.sin_port));
	EXPECT_EQ(1, shake_proc_state(shake_proto(), "127.0.0.1",
				      shake_local_port(c)));

	/* listen() on a connected socket; accept() on a non-listener */
	EXPECT_EQ(-1, listen(c, 1));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, accept(c, NULL, NULL));
	EXPECT_EQ(EINVAL, errno);

	fcntl(l, F_SETFL, O_NONBLOCK);
	EXPECT_EQ(-1, accept(l, NULL, NULL));
	EXPECT_EQ(EAGAIN, errno);
	close(a);
	close(c);
	close(l);
}

/*
 * Two shake sockets open to each other at once: with 200 ms of delay on
 * the link their SYNs cross, each side goes SYN_SENT -> SYN_RECV ->
 * ESTABLISHED, and each is connected to the other.
 */
TEST(simultaneous_open_both_sides)
{
	struct sockaddr_in a_addr = shake_addr("10.8.0.1", 6001);
	struct sockaddr_in b_addr = shake_addr("10.8.0.2", 6002);
	struct shake_topo t = {
		.end = {
			{ .dev = "va", .addr = { "10.8.0.1/24" },
			  .netem = "delay 200ms" },
			{ .dev = "vb", .addr = { "10.8.0.2/24" },
			  .netem = "delay 200ms" },
		},
	};
	int a, b;

	ASSERT_EQ(0, shake_topo_up(&t));
	usleep(300000);		/* let the link come up */

	a = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, shake_proto());
	ASSERT_EQ(0, shake_bind(a, "10.8.0.1", 6001));
	ASSERT_EQ(0, setns(t.ns[1], CLONE_NEWNET));
	b = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, shake_proto());
	ASSERT_EQ(0, shake_bind(b, "10.8.0.2", 6002));
	ASSERT_EQ(0, setns(t.ns[0], CLONE_NEWNET));

	EXPECT_EQ(-1, connect(a, (struct sockaddr *)&b_addr, sizeof(b_addr)));
	EXPECT_EQ(EINPROGRESS, errno);
	EXPECT_EQ(-1, connect(b, (struct sockaddr *)&a_addr, sizeof(a_addr)));
	EXPECT_EQ(EINPROGRESS, errno);

	EXPECT_TRUE(shake_wait_for(a, POLLOUT, 5000) & POLLOUT);
	EXPECT_TRUE(shake_wait_for(b, POLLOUT, 5000) & POLLOUT);
	EXPECT_EQ(0, shake_so_error(a));
	EXPECT_EQ(0, shake_so_error(b));
	EXPECT_EQ(1, shake_proc_state(shake_proto(), "10.8.0.1", 6001));	/* ESTABLISHED */
	EXPECT_EQ(1, shake_stat("ActiveOpens"));
	EXPECT_EQ(0, shake_stat("PassiveOpens"));	/* nobody listened */
	ASSERT_EQ(0, setns(t.ns[1], CLONE_NEWNET));
	EXPECT_EQ(1, shake_proc_state(shake_proto(), "10.8.0.2", 6002));
	EXPECT_EQ(1, shake_stat("ActiveOpens"));
	EXPECT_EQ(0, shake_stat("PassiveOpens"));
	ASSERT_EQ(0, setns(t.ns[0], CLONE_NEWNET));
	close(a);
	close(b);
	shake_topo_down(&t);
}

/* TCP's rule: SO_REUSEADDR sharing ends where a sharer listens */
TEST(listen_port_rules)
{
	int proto[2] = { IPPROTO_TCP, shake_proto() }, i, one = 1;

	ASSERT_EQ(0, shake_new_netns());
	for (i = 0; i < 2; i++) {
		int a = socket(AF_INET, SOCK_STREAM, proto[i]);
		int b = socket(AF_INET, SOCK_STREAM, proto[i]);
		int c = socket(AF_INET, SOCK_STREAM, proto[i]);

		setsockopt(a, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		setsockopt(b, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		ASSERT_EQ(0, shake_bind(a, "127.0.0.1", 9100));
		ASSERT_EQ(0, shake_bind(b, "127.0.0.1", 9100));
		EXPECT_EQ(0, listen(a, 1));
		EXPECT_EQ(-1, listen(b, 1));
		EXPECT_EQ(EADDRINUSE, errno);
		/* listen() on an unbound socket takes a port */
		EXPECT_EQ(0, listen(c, 1));
		EXPECT_LT(0, shake_local_port(c));
		close(a);
		close(b);
		close(c);
	}
}

TEST_HARNESS_MAIN
