// SPDX-License-Identifier: GPL-2.0
/*
 * SYN flood defence: SYN cookies, against TCP where the same expectation
 * holds.
 *
 * The flood: the test process lives in namespace S (the listener,
 * 10.0.1.1); namespace C (10.0.1.2) holds a flood generator, a raw socket
 * sending SYNs from random addresses of 10.99.0.0/16 as fast as it can,
 * and a legitimate client. S routes 10.99.0.0/16 back through the veth to
 * C, which neither owns nor forwards it: the SYN-ACKs vanish there
 * silently, no RST ever comes back, and S's requests stay in its SYN
 * queue. (A blackhole route in S would make the SYN-ACK's route lookup
 * fail, and the request would never occupy the queue.)
 *
 * The hand-made handshakes (forged ACKs, an expired cookie) use the
 * peer of peer.c, which speaks shake only.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/shake.h>

#include "kselftest_harness.h"
#include "peer.h"
#include "shake_lib.h"
#include "shake_seg.h"
#include "shake_topo.h"

#define SRV_ADDR	"10.0.1.1"
#define CLI_ADDR	"10.0.1.2"
#define PORT		8080
#define BACKLOG		128
#define NCONN		20	/* legitimate connections in one round */
#define ROUNDS		3
#define DATALEN		4000	/* bytes each way on each connection */
#define FLOOD_SECS	4	/* at least */
/* TCP's listener takes SYNs on several CPUs at once, unlocked: its SYN
 * queue may pass the bound by one or two (shake's never does)
 */
#define TCP_SLACK	2

/*
 * S (end 0: the caller's namespace, the listener's) and C (end 1: the
 * flood and the client), joined by a veth pair
 */
static struct shake_topo topo = {
	.end = {
		{ .dev = "vs", .addr = { SRV_ADDR "/24" },
		  .route = "10.99.0.0/16 via " CLI_ADDR },
		{ .dev = "vc", .addr = { CLI_ADDR "/24" } },
	},
};

/* Move the calling (child) process into C */
static int enter_cli(void)
{
	return setns(topo.ns[1], CLONE_NEWNET);
}

/* Requests (SYN_RECV lines) on @lport in the protocol's /proc table */
static int syn_recv_count(int proto, unsigned int lport)
{
	unsigned int port, st;
	char line[512];
	int n = 0;
	FILE *f = fopen(shake_proc_file(proto), "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%*d: %*x:%x %*s %x", &port, &st) == 2 &&
		    port == lport && st == 3)
			n++;
	fclose(f);
	return n;
}

static long meminfo_kb(const char *name)
{
	char line[256];
	long v = -1;
	size_t len = strlen(name);
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, name, len) && line[len] == ':')
			v = strtol(line + len + 1, NULL, 10);
	fclose(f);
	return v;
}

/* Active objects of a slab cache, -1 if /proc/slabinfo does not list it
 * (SLUB merges caches of one size)
 */
static long slab_objs(const char *cache)
{
	char line[512], name[64];
	long objs, v = -1;
	FILE *f = fopen("/proc/slabinfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%63s %ld", name, &objs) == 2 &&
		    !strcmp(name, cache))
			v = objs;
	fclose(f);
	return v;
}

static volatile sig_atomic_t flood_stop;

static void on_term(int sig)
{
	flood_stop = 1;
}

/*
 * The flood generator, in C: SYNs from random 10.99/16 addresses and
 * ports, with an MSS option, until SIGTERM. Writes the count and the
 * seconds it took to @out.
 */
static void flood(int proto, int out)
{
	struct sockaddr_in dst = shake_addr(SRV_ADDR, PORT);
	struct shake_seg_desc syn = {
		.proto = proto, .daddr = dst.sin_addr.s_addr, .dport = PORT,
		.flags = F_SYN, .win = 64240,
		.opt = shake_mss_opt, .optlen = sizeof(shake_mss_opt),
		.ip = true,
	};
	unsigned long sent = 0;
	struct timespec t0, t1;
	uint32_t x = getpid() * 2654435761u;
	uint8_t pkt[64];
	double secs;
	int fd, len, one = 1;

	signal(SIGTERM, on_term);
	fd = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
	if (fd < 0 || setsockopt(fd, IPPROTO_IP, IP_HDRINCL, &one, sizeof(one)))
		_exit(1);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (!flood_stop) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		syn.saddr = htonl(0x0a630000 | (x & 0xffff));
		syn.sport = 1024 + (x >> 16) % 60000;
		syn.seq = x * 2654435761u;
		len = shake_seg_build(pkt, sizeof(pkt), &syn);
		if (sendto(fd, pkt, len, 0, (struct sockaddr *)&dst,
			   sizeof(dst)) > 0)
			sent++;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = t1.tv_sec - t0.tv_sec + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	dprintf(out, "%lu %.3f\n", sent, secs);
	_exit(0);
}

/* Echo DATALEN bytes on each connection accepted, until killed */
static void echo_server(int lfd)
{
	char buf[DATALEN];

	for (;;) {
		int fd = accept(lfd, NULL, NULL), got = 0, n;
		struct timeval tv = { .tv_sec = 5 };

		if (fd < 0)
			continue;
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		while (got < DATALEN &&
		       (n = recv(fd, buf + got, DATALEN - got, 0)) > 0)
			got += n;
		if (got == DATALEN)
			send(fd, buf, got, MSG_NOSIGNAL);
		close(fd);
	}
}

/*
 * The legitimate client, in C: @rounds rounds of NCONN connections opened
 * at once, each given up after 5 s; each connected one sends DATALEN
 * bytes, reads them back and checks them. Writes to @out how many did
 * and how the others failed; exits 0.
 */
static void client(int proto, int rounds, int out)
{
	struct sockaddr_in to = shake_addr(SRV_ADDR, PORT);
	int r, i, ok = 0, no_conn = 0, conn_err = 0, last_err = 0, no_send = 0;
	int short_read = 0;
	char outb[DATALEN], in[DATALEN];

	if (enter_cli() || shake_set_sysctl(proto, "syn_retries", "1"))
		_exit(1);
	for (i = 0; i < DATALEN; i++)
		outb[i] = 'a' + i % 23;
	for (r = 0; r < rounds; r++) {
		int fds[NCONN], up[NCONN] = { 0 };

		for (i = 0; i < NCONN; i++) {
			fds[i] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK,
					proto);
			connect(fds[i], (struct sockaddr *)&to, sizeof(to));
		}
		for (i = 0; i < NCONN; i++) {
			int err;

			if (!(shake_wait_for(fds[i], POLLOUT, 5000) & POLLOUT)) {
				no_conn++;
				continue;
			}
			err = shake_so_error(fds[i]);
			if (err) {
				conn_err++;
				last_err = err;
				continue;
			}
			up[i] = 1;
		}
		for (i = 0; i < NCONN; i++) {
			int fl = fcntl(fds[i], F_GETFL);

			fcntl(fds[i], F_SETFL, fl & ~O_NONBLOCK);
			if (up[i] && send(fds[i], outb, DATALEN, MSG_NOSIGNAL) !=
				     DATALEN) {
				no_send++;
				up[i] = 0;
			}
		}
		for (i = 0; i < NCONN; i++) {
			struct timeval tv = { .tv_sec = 5 };
			int got = 0, n;

			setsockopt(fds[i], SOL_SOCKET, SO_RCVTIMEO, &tv,
				   sizeof(tv));
			while (up[i] && got < DATALEN &&
			       (n = recv(fds[i], in + got, DATALEN - got,
					 0)) > 0)
				got += n;
			if (up[i] && got == DATALEN &&
			    !memcmp(in, outb, DATALEN))
				ok++;
			else if (up[i])
				short_read++;
			close(fds[i]);
		}
	}
	dprintf(out, "%d %d %d %d %d %d\n", ok, no_conn, conn_err, last_err,
		no_send, short_read);
	_exit(0);
}

struct flood_result {
	int ok, total, syn_recv;
	unsigned long syns;
	double secs;
	long slab_kb[2], sunreclaim_kb[2], req_objs[2];
	long in_segs;
};

/* A flood at a listener with backlog 128, and the client meanwhile */
static void run_flood(struct __test_metadata *_metadata, int proto,
		      const char *mode, int rounds, struct flood_result *res)
{
	const char *cache = proto == IPPROTO_TCP ? "request_sock_TCP" :
						   "shake_request";
	int lfd, pfd[2], cpfd[2], status, c[5] = { 0 };
	char buf[64] = "", cbuf[128];
	struct timespec t0, t1;
	pid_t srv, fl, cl;
	ssize_t n;
	long in0;

	ASSERT_EQ(0, shake_set_sysctl(proto, "syncookies", mode));
	lfd = socket(AF_INET, SOCK_STREAM, proto);
	ASSERT_LE(0, lfd);
	ASSERT_EQ(0, shake_bind(lfd, SRV_ADDR, PORT));
	ASSERT_EQ(0, listen(lfd, BACKLOG));
	srv = fork();
	ASSERT_LE(0, srv);
	if (!srv)
		echo_server(lfd);

	res->slab_kb[0] = meminfo_kb("Slab");
	res->sunreclaim_kb[0] = meminfo_kb("SUnreclaim");
	res->req_objs[0] = slab_objs(cache);
	in0 = shake_counter(proto, "InSegs");

	ASSERT_EQ(0, pipe(pfd));
	fl = fork();
	ASSERT_LE(0, fl);
	if (!fl) {
		close(pfd[0]);
		if (enter_cli())
			_exit(1);
		flood(proto, pfd[1]);
	}
	close(pfd[1]);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	sleep(1);			/* the SYN queue fills at once */

	ASSERT_EQ(0, pipe(cpfd));
	cl = fork();
	ASSERT_LE(0, cl);
	if (!cl) {
		close(cpfd[0]);
		client(proto, rounds, cpfd[1]);
	}
	close(cpfd[1]);
	ASSERT_EQ(cl, waitpid(cl, &status, 0));
	res->ok = -1;
	n = read(cpfd[0], cbuf, sizeof(cbuf) - 1);
	close(cpfd[0]);
	cbuf[n > 0 ? n : 0] = 0;
	sscanf(cbuf, "%d %d %d %d %d %d", &res->ok, &c[0], &c[1], &c[2], &c[3],
	       &c[4]);
	if (res->ok != rounds * NCONN)
		TH_LOG("client: %d ok; %d not connected in 5 s, %d refused "
		       "(last error %d), %d could not send, %d short reads",
		       res->ok, c[0], c[1], c[2], c[3], c[4]);
	res->total = rounds * NCONN;
	do {
		usleep(100000);
		clock_gettime(CLOCK_MONOTONIC, &t1);
	} while (t1.tv_sec - t0.tv_sec < FLOOD_SECS);

	/* still flooding: the queue and the memory now */
	res->syn_recv = syn_recv_count(proto, PORT);
	res->slab_kb[1] = meminfo_kb("Slab");
	res->sunreclaim_kb[1] = meminfo_kb("SUnreclaim");
	res->req_objs[1] = slab_objs(cache);

	kill(fl, SIGTERM);
	ASSERT_EQ(fl, waitpid(fl, &status, 0));
	ASSERT_LT(0, read(pfd[0], buf, sizeof(buf) - 1));
	close(pfd[0]);
	ASSERT_EQ(2, sscanf(buf, "%lu %lf", &res->syns, &res->secs));
	res->in_segs = shake_counter(proto, "InSegs") - in0;
	kill(srv, SIGKILL);
	waitpid(srv, NULL, 0);
	close(lfd);

	TH_LOG("%s syncookies=%s: flood %lu SYNs in %.1f s (%.0f/s sent, "
	       "%.0f segments/s arrived); legitimate %d/%d; SYN_RECV %d; "
	       "Slab %ld -> %ld kB, SUnreclaim %ld -> %ld kB, %s objects "
	       "%ld -> %ld; SyncookiesSent %ld Recv %ld Failed %ld; "
	       "BacklogDrop %ld",
	       proto == IPPROTO_TCP ? "tcp" : "shake", mode, res->syns,
	       res->secs, res->syns / res->secs, res->in_segs / res->secs,
	       res->ok, res->total, res->syn_recv, res->slab_kb[0],
	       res->slab_kb[1], res->sunreclaim_kb[0], res->sunreclaim_kb[1],
	       cache, res->req_objs[0], res->req_objs[1],
	       shake_counter(proto, "SyncookiesSent"),
	       shake_counter(proto, "SyncookiesRecv"),
	       shake_counter(proto, "SyncookiesFailed"),
	       shake_counter(proto, "BacklogDrop"));
}

/* Records of the kernel log that say "Possible SYN flooding on port ...
 * @action." for our port: TCP's "port 8080. Sending cookies." and shake's
 * "port 10.0.1.1:8080. Sending cookies." alike
 */
static int flood_warnings(const char *action)
{
	char rec[8192], want[64];
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK), n = 0;
	ssize_t len;

	if (fd < 0)
		return -1;
	snprintf(want, sizeof(want), "%d. %s.", PORT, action);
	while ((len = read(fd, rec, sizeof(rec) - 1)) > 0 || errno == EPIPE) {
		if (len <= 0)
			continue;	/* overwritten records: go on */
		rec[len] = 0;
		if (strstr(rec, "Possible SYN flooding on port") &&
		    strstr(rec, want))
			n++;
	}
	close(fd);
	return n;
}

FIXTURE(flood) {
	int proto;
};

FIXTURE_VARIANT(flood) {
	bool tcp;
};

FIXTURE_VARIANT_ADD(flood, tcp) {
	.tcp = true,
};

FIXTURE_VARIANT_ADD(flood, shake) {
	.tcp = false,
};

FIXTURE_SETUP(flood)
{
	self->proto = variant->tcp ? IPPROTO_TCP : shake_proto();
	ASSERT_EQ(0, shake_topo_up(&topo));
}

FIXTURE_TEARDOWN(flood)
{
	shake_topo_down(&topo);
}

/* syncookies=1: every legitimate connection gets through the flood */
TEST_F_TIMEOUT(flood, cookies_when_full, 120)
{
	int warned = flood_warnings("Sending cookies");
	struct flood_result r;

	ASSERT_LE(0, warned);
	run_flood(_metadata, self->proto, "1", ROUNDS, &r);
	EXPECT_EQ(r.total, r.ok);
	/* logged once for the listener, not once per SYN */
	EXPECT_EQ(warned + 1, flood_warnings("Sending cookies"));
	EXPECT_LT(0, shake_counter(self->proto, "SyncookiesSent"));
	EXPECT_LT(0, shake_counter(self->proto, "SyncookiesRecv"));
	/* the listener takes the flood in softirq, even while accept()
	 * holds it: nothing waits for the owner, nothing overflows
	 */
	EXPECT_EQ(0, shake_counter(self->proto, "BacklogDrop"));
	EXPECT_LT(0, r.syn_recv);
	EXPECT_GE(BACKLOG + (variant->tcp ? TCP_SLACK : 0), r.syn_recv);
	/* no memory per SYN. Where the request cache has a slab of its own,
	 * its records are the SYN queue's and hardly more (the legitimate
	 * connections' at most, and some freed after an RCU grace period).
	 * Where SLUB merged it with others, the unreclaimable slab grows by
	 * less than 32 bytes a SYN (a record kept per SYN would take 128 or
	 * more; what does grow, a few hundred kB, is the legitimate
	 * connections'). Not the slab on a KASAN kernel: its quarantine
	 * keeps every freed skb, but there the cache is never merged.
	 */
	if (r.req_objs[0] >= 0) {
		EXPECT_GE(BACKLOG + r.total + 32,
			  r.req_objs[1] - r.req_objs[0]);
	} else {
		EXPECT_GT((long)r.syns * 32, (r.sunreclaim_kb[1] -
					       r.sunreclaim_kb[0]) * 1024);
	}
}

/* syncookies=0: the same flood keeps legitimate connections out */
TEST_F_TIMEOUT(flood, no_cookies_fails, 120)
{
	int warned = flood_warnings("Dropping request");
	struct flood_result r;

	ASSERT_LE(0, warned);
	run_flood(_metadata, self->proto, "0", 1, &r);
	EXPECT_GT(r.total / 2, r.ok);
	/* TCP's tcp_max_syn_backlog rule drops before its queue is full,
	 * and TCP logs only a full queue: here it never is
	 */
	if (!variant->tcp)
		EXPECT_EQ(warned + 1, flood_warnings("Dropping request"));
	EXPECT_EQ(0, shake_counter(self->proto, "SyncookiesSent"));
	EXPECT_LT(0, r.syn_recv);
	EXPECT_GE(BACKLOG + (variant->tcp ? TCP_SLACK : 0), r.syn_recv);
}

/* The options a connection agreed, as the socket reports them */
static void agreed(int proto, int fd, int *opts, int *snd_ws, int *rcv_ws)
{
	if (proto == IPPROTO_TCP) {
		struct tcp_info ti;
		socklen_t len = sizeof(ti);

		*opts = -1;
		if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len))
			return;
		*opts = (ti.tcpi_options & TCPI_OPT_TIMESTAMPS ? 1 : 0) |
			(ti.tcpi_options & TCPI_OPT_SACK ? 2 : 0) |
			(ti.tcpi_options & TCPI_OPT_WSCALE ? 4 : 0);
		*snd_ws = ti.tcpi_snd_wscale;
		*rcv_ws = ti.tcpi_rcv_wscale;
	} else {
		struct shake_info si;
		socklen_t len = sizeof(si);

		*opts = -1;
		if (getsockopt(fd, SOL_SHAKE, SHAKE_INFO, &si, &len))
			return;
		*opts = si.options;
		*snd_ws = si.snd_wscale;
		*rcv_ws = si.rcv_wscale;
	}
}

/*
 * syncookies=2, no flood: every handshake is a cookie's. With timestamps
 * on the client, window scale and SACK-permitted survive (through our
 * TSval); with them off, both are dropped. One MB moves each way.
 */
static void always_cookies(struct __test_metadata *_metadata,
			   FIXTURE_DATA(flood) *self, bool client_ts)
{
	struct sockaddr_in to = shake_addr(SRV_ADDR, PORT);
	int lfd, cfd, afd, pfd[2], opts, sws, rws, copts, csws, crws, i;
	int res[3];
	static char buf[1 << 20];
	ssize_t n, got;
	pid_t pid;

	ASSERT_EQ(0, shake_set_sysctl(self->proto, "syncookies", "2"));
	lfd = socket(AF_INET, SOCK_STREAM, self->proto);
	ASSERT_EQ(0, shake_bind(lfd, SRV_ADDR, PORT));
	ASSERT_EQ(0, listen(lfd, BACKLOG));
	ASSERT_EQ(0, pipe(pfd));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		/* the client: connect, send 1 MB, read 1 MB, report options */
		res[0] = -1;
		if (enter_cli() || shake_set_sysctl(self->proto, "timestamps",
						    client_ts ? "1" : "0"))
			_exit(1);
		cfd = socket(AF_INET, SOCK_STREAM, self->proto);
		if (connect(cfd, (struct sockaddr *)&to, sizeof(to)))
			_exit(2);
		for (i = 0; i < (int)sizeof(buf); i++)
			buf[i] = i % 251;
		if (send(cfd, buf, sizeof(buf), 0) != sizeof(buf))
			_exit(3);
		for (got = 0; got < (ssize_t)sizeof(buf); got += n) {
			n = recv(cfd, buf + got, sizeof(buf) - got, 0);
			if (n <= 0)
				_exit(4);
		}
		for (i = 0; i < (int)sizeof(buf); i++)
			if (buf[i] != (char)(i % 251))
				_exit(5);
		agreed(self->proto, cfd, &res[0], &res[1], &res[2]);
		if (write(pfd[1], res, sizeof(res)) != sizeof(res))
			_exit(6);
		close(cfd);
		_exit(0);
	}
	close(pfd[1]);
	afd = accept(lfd, NULL, NULL);
	ASSERT_LE(0, afd);
	for (got = 0; got < (ssize_t)sizeof(buf); got += n) {
		n = recv(afd, buf + got, sizeof(buf) - got, 0);
		ASSERT_LT(0, n);
	}
	ASSERT_EQ(sizeof(buf), send(afd, buf, sizeof(buf), 0));
	agreed(self->proto, afd, &opts, &sws, &rws);
	ASSERT_EQ(sizeof(res), read(pfd[0], res, sizeof(res)));
	copts = res[0];
	csws = res[1];
	crws = res[2];
	waitpid(pid, &i, 0);
	EXPECT_TRUE(WIFEXITED(i) && WEXITSTATUS(i) == 0);
	EXPECT_EQ(1, shake_counter(self->proto, "SyncookiesSent"));
	EXPECT_EQ(1, shake_counter(self->proto, "SyncookiesRecv"));
	EXPECT_EQ(0, shake_counter(self->proto, "SyncookiesFailed"));
	EXPECT_EQ(0, syn_recv_count(self->proto, PORT));
	TH_LOG("server options %d snd_wscale %d rcv_wscale %d; client "
	       "options %d snd_wscale %d rcv_wscale %d", opts, sws, rws,
	       copts, csws, crws);
	EXPECT_EQ(copts, opts);
	if (client_ts) {
		EXPECT_EQ(7, opts);	/* timestamps, SACK, window scale */
		EXPECT_LT(0, crws);
		EXPECT_EQ(crws, sws);	/* the client's shift survived */
		EXPECT_EQ(rws, csws);
	} else {
		EXPECT_EQ(0, opts);
		EXPECT_EQ(0, sws);
		EXPECT_EQ(0, csws);
	}
	close(afd);
	close(lfd);
	close(pfd[0]);
}

TEST_F_TIMEOUT(flood, always_options_survive, 60)
{
	always_cookies(_metadata, self, true);
}

TEST_F_TIMEOUT(flood, always_no_timestamps_no_options, 60)
{
	always_cookies(_metadata, self, false);
}

/* Hand-made handshakes with peer.c's peer (shake only) */
#define LPORT 9000

FIXTURE(hand) {
	struct shake_peer p;
	int lfd;
};

FIXTURE_SETUP(hand)
{
	ASSERT_EQ(0, peer_setup(&self->p));
	self->lfd = peer_listen(&self->p, LPORT, SOCK_NONBLOCK, BACKLOG);
	ASSERT_LE(0, self->lfd);
}

FIXTURE_TEARDOWN(hand)
{
	close(self->lfd);
	peer_teardown(&self->p);
}

/* SYN from @pport with ISN @x: the SYN-ACK's sequence number */
static uint32_t hand_syn(struct __test_metadata *_metadata,
			 struct shake_peer *p, uint16_t pport, uint32_t x)
{
	struct shake_seg s;

	EXPECT_EQ(0, peer_syn_synack(p, pport, x, &s));
	return ntohl(s.seq);
}

static int accept_now(int lfd)
{
	return accept(lfd, NULL, NULL);
}

/* Close with a RST: the peer would never acknowledge a FIN, and the
 * orphan would outlive the test (and keep the module in use)
 */
static void close_abort(int fd)
{
	struct linger l = { .l_onoff = 1, .l_linger = 0 };

	setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
	close(fd);
}

/* Random cookies are rejected, counted, answered with a RST; no socket */
TEST_F(hand, forged_acks_rejected)
{
	long socks = shake_protocols_sockets("SHAKE");
	uint32_t x = 12345;
	struct shake_seg s;
	int i, rsts = 0;

	ASSERT_EQ(0, shake_set_sysctl(shake_proto(), "syncookies", "2"));
	for (i = 0; i < 200; i++) {
		x = x * 1103515245u + 12345;
		self->p.pport = 20000 + i;
		ASSERT_EQ(0, peer_send(&self->p, x, x * 2654435761u, F_ACK, 0,
				       NULL, 0));
		if (peer_recv(&self->p, &s, 1000) == 1 && s.flags == F_RST)
			rsts++;
	}
	EXPECT_EQ(200, shake_stat("SyncookiesFailed"));
	EXPECT_EQ(0, shake_stat("SyncookiesRecv"));
	EXPECT_EQ(0, shake_stat("PassiveOpens"));
	EXPECT_EQ(200, rsts);
	EXPECT_EQ(-1, accept_now(self->lfd));
	EXPECT_EQ(EAGAIN, errno);
	EXPECT_EQ(socks, shake_protocols_sockets("SHAKE"));
	EXPECT_EQ(0, syn_recv_count(shake_proto(), LPORT));
}

/* A valid cookie with a wrong peer ISN (the ACK's sequence number) fails */
TEST_F(hand, cookie_bound_to_isn)
{
	char buf[4] = "";
	uint32_t y;
	int fd;

	ASSERT_EQ(0, shake_set_sysctl(shake_proto(), "syncookies", "2"));
	y = hand_syn(_metadata, &self->p, 30001, 5000);
	ASSERT_EQ(0, peer_send(&self->p, 6001, y + 1, F_ACK, 0, NULL, 0));
	usleep(100000);
	EXPECT_EQ(1, shake_stat("SyncookiesFailed"));
	EXPECT_EQ(-1, accept_now(self->lfd));
	/* the right one still works, data on the ACK included */
	ASSERT_EQ(0, peer_send(&self->p, 5001, y + 1, F_ACK, 0, "hi", 2));
	usleep(100000);
	EXPECT_EQ(1, shake_stat("SyncookiesRecv"));
	fd = accept_now(self->lfd);
	ASSERT_LE(0, fd);
	EXPECT_EQ(2, recv(fd, buf, sizeof(buf), MSG_DONTWAIT));
	EXPECT_STREQ("hi", buf);
	close_abort(fd);
}

/*
 * syncookies=1: past the SYN queue's bound a SYN gets a cookie, not a
 * request; its ACK makes a connection. With no cookie sent lately, a
 * stray ACK is just a stray ACK (RST, nothing counted).
 */
TEST_F(hand, cookie_past_bound)
{
	struct shake_seg s;
	uint32_t y;
	int fd;

	ASSERT_EQ(0, shake_set_sysctl(shake_proto(), "max_syn_backlog", "2"));
	self->p.pport = 31000;
	ASSERT_EQ(0, peer_send(&self->p, 77, 88, F_ACK, 0, NULL, 0));
	ASSERT_EQ(1, peer_recv(&self->p, &s, 1000));
	EXPECT_EQ(F_RST, s.flags);
	EXPECT_EQ(0, shake_stat("SyncookiesFailed"));

	hand_syn(_metadata, &self->p, 31001, 100);
	hand_syn(_metadata, &self->p, 31002, 200);
	EXPECT_EQ(0, shake_stat("SyncookiesSent"));
	y = hand_syn(_metadata, &self->p, 31003, 300);
	EXPECT_EQ(1, shake_stat("SyncookiesSent"));
	EXPECT_EQ(2, syn_recv_count(shake_proto(), LPORT));
	ASSERT_EQ(0, peer_send(&self->p, 301, y + 1, F_ACK, 0, NULL, 0));
	usleep(100000);
	EXPECT_EQ(1, shake_stat("SyncookiesRecv"));
	fd = accept_now(self->lfd);
	ASSERT_LE(0, fd);
	close_abort(fd);
}

static int step_clock(int secs)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_REALTIME, &ts))
		return -1;
	ts.tv_sec += secs;
	return clock_settime(CLOCK_REALTIME, &ts);
}

/*
 * A cookie older than its validity (two 64 s periods) is rejected. The
 * counter follows the real-time clock, so stepping the clock ahead ages
 * the cookie; stepping it back shows that the same ACK was otherwise good.
 */
TEST_F(hand, expired_cookie_rejected)
{
	struct shake_seg s;
	uint32_t y;
	int fd, err;

	ASSERT_EQ(0, shake_set_sysctl(shake_proto(), "syncookies", "2"));
	y = hand_syn(_metadata, &self->p, 32001, 9000);
	ASSERT_EQ(0, step_clock(130));
	ASSERT_EQ(0, peer_send(&self->p, 9001, y + 1, F_ACK, 0, NULL, 0));
	err = peer_recv(&self->p, &s, 1000);
	ASSERT_EQ(0, step_clock(-130));
	EXPECT_EQ(1, err);
	EXPECT_EQ(F_RST, s.flags);
	EXPECT_EQ(1, shake_stat("SyncookiesFailed"));
	EXPECT_EQ(-1, accept_now(self->lfd));

	ASSERT_EQ(0, peer_send(&self->p, 9001, y + 1, F_ACK, 0, NULL, 0));
	usleep(100000);
	EXPECT_EQ(1, shake_stat("SyncookiesRecv"));
	fd = accept_now(self->lfd);
	ASSERT_LE(0, fd);
	close_abort(fd);
}

TEST_HARNESS_MAIN
