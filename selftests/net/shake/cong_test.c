// SPDX-License-Identifier: GPL-2.0
/*
 * Congestion control and buffers (issue #14): choosing the algorithm
 * (TCP_CONGESTION and the sysctls), the buffer sizes and the window scale
 * they give, receive-buffer autotuning over a long path, and what CUBIC
 * and HyStart++ do with the window on a real path.
 *
 * The socket-interface cases run the same calls against the kernel's TCP
 * and against shake, with the same expectations. The cases about the
 * window's course are shake's alone: they read it from shake_info, and
 * the kernel's CUBIC leaves slow start by another HyStart (ACK trains and
 * delay, not RFC 9406's rounds).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/shake.h>
#include "kselftest_harness.h"
#include "shake_lib.h"
#include "shake_topo.h"

#define PORT 7100
#define KiB 1024
#define MiB (1024 * 1024)

/* The namespace the program started in: the system-wide sysctls are its */
static int init_ns = -1;
/* net.core.rmem_max, which only the initial namespace shows */
static int rmem_max = -1;

static void __attribute__((constructor)) open_init_ns(void)
{
	FILE *f = fopen("/proc/sys/net/core/rmem_max", "r");

	init_ns = open("/proc/self/ns/net", O_RDONLY);
	if (f && fscanf(f, "%d", &rmem_max) != 1)
		rmem_max = -1;
	if (f)
		fclose(f);
}

/*
 * Read (into old, if not NULL) and write (if value is not NULL) a sysctl
 * of the initial namespace; the caller stays in its own. 0 or -errno.
 */
static int init_sysctl(int proto, const char *name, const char *value,
		       char *old, size_t len)
{
	int here = open("/proc/thread-self/ns/net", O_RDONLY), err = 0;

	if (here < 0 || setns(init_ns, CLONE_NEWNET))
		return -errno;
	if (old)
		err = shake_get_sysctl(proto, name, old, len);
	if (!err && value)
		err = shake_set_sysctl(proto, name, value);
	if (setns(here, CLONE_NEWNET))
		err = -errno;
	close(here);
	return err;
}

static int set_cc(int fd, const char *name)
{
	return setsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, name,
			  strlen(name)) ? -errno : 0;
}

/* The algorithm's name as getsockopt() gives it, 16 bytes, NUL padded */
static void get_cc(int fd, char *name)
{
	socklen_t len = 16;

	memset(name, 'x', 16);
	if (getsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, name, &len) ||
	    len != 16)
		strcpy(name, "(error)");
}

/* ---- the socket interface, TCP and shake alike ---- */

FIXTURE(cc) {
	int proto;
	int fd;
	char allowed[256];	/* allowed_congestion_control to restore */
	char dflt[32];		/* the initial namespace's default */
};

FIXTURE_VARIANT(cc) {
	bool tcp;
};

FIXTURE_VARIANT_ADD(cc, tcp) {
	.tcp = true,
};

FIXTURE_VARIANT_ADD(cc, shake) {
	.tcp = false,
};

FIXTURE_SETUP(cc)
{
	self->proto = variant->tcp ? IPPROTO_TCP : shake_proto();
	ASSERT_EQ(0, init_sysctl(self->proto, "allowed_congestion_control",
				 NULL, self->allowed, sizeof(self->allowed)));
	ASSERT_EQ(0, init_sysctl(self->proto, "congestion_control", NULL,
				 self->dflt, sizeof(self->dflt)));
	ASSERT_EQ(0, shake_new_netns());
	self->fd = socket(AF_INET, SOCK_STREAM, self->proto);
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(cc)
{
	close(self->fd);
	init_sysctl(self->proto, "allowed_congestion_control", self->allowed,
		    NULL, 0);
	init_sysctl(self->proto, "congestion_control", self->dflt, NULL, 0);
}

TEST_F(cc, default_and_available)
{
	char name[16], avail[256];

	/* a new namespace starts with the initial one's default */
	get_cc(self->fd, name);
	EXPECT_STREQ(self->dflt, name);
	EXPECT_EQ(0, shake_get_sysctl(self->proto, "congestion_control",
				      name, sizeof(name)));
	EXPECT_STREQ(self->dflt, name);
	ASSERT_EQ(0, init_sysctl(self->proto, "available_congestion_control",
				 NULL, avail, sizeof(avail)));
	EXPECT_NE(NULL, strstr(avail, "reno"));
	EXPECT_NE(NULL, strstr(avail, "cubic"));
}

TEST_F(cc, set_and_get)
{
	static const char reno[16] = "reno";
	char name[16];
	socklen_t len = 3;

	ASSERT_EQ(0, set_cc(self->fd, "reno"));
	get_cc(self->fd, name);
	EXPECT_EQ(0, memcmp(name, reno, 16));
	/* a name with a NUL before the end of optlen ends there */
	EXPECT_EQ(0, setsockopt(self->fd, IPPROTO_TCP, TCP_CONGESTION,
				"cubic\0junk", 10));
	/* a short buffer gets the start of the name */
	memset(name, 0, sizeof(name));
	EXPECT_EQ(0, getsockopt(self->fd, IPPROTO_TCP, TCP_CONGESTION, name,
				&len));
	EXPECT_EQ(3, len);
	EXPECT_STREQ("cub", name);
	/* a longer one: 16 bytes, no more */
	len = 64;
	EXPECT_EQ(0, getsockopt(self->fd, IPPROTO_TCP, TCP_CONGESTION, name,
				&len));
	EXPECT_EQ(16, len);
}

TEST_F(cc, errors)
{
	char name[16];
	socklen_t len = 16;

	EXPECT_EQ(-ENOENT, set_cc(self->fd, "nosuch"));
	/* only 15 bytes count: the name is cut, and so unknown */
	EXPECT_EQ(-ENOENT, set_cc(self->fd, "renoooooooooooooooooo"));
	EXPECT_EQ(-1, setsockopt(self->fd, IPPROTO_TCP, TCP_CONGESTION, "",
				 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, setsockopt(self->fd, IPPROTO_TCP, TCP_CONGESTION,
				 (void *)8, 4));
	EXPECT_EQ(EFAULT, errno);
	len = -1;
	EXPECT_EQ(-1, getsockopt(self->fd, IPPROTO_TCP, TCP_CONGESTION, name,
				 &len));
	EXPECT_EQ(EINVAL, errno);
	/* a failed call changed nothing */
	get_cc(self->fd, name);
	EXPECT_STREQ(self->dflt, name);
	/* an unknown default is refused */
	EXPECT_EQ(-ENOENT, shake_set_sysctl(self->proto, "congestion_control",
					    "nosuch"));
}

static int set_reno_as_nobody(void *arg)
{
	int fd = *(int *)arg;
	int err = set_cc(fd, "reno");

	return err == -EPERM ? 1 : err == 0 ? 0 : 2;
}

static int set_cubic_as_nobody(void *arg)
{
	return set_cc(*(int *)arg, "cubic") ? 2 : 0;
}

TEST_F(cc, restricted_needs_net_admin)
{
	ASSERT_EQ(0, set_cc(self->fd, "cubic"));
	ASSERT_EQ(0, init_sysctl(self->proto, "allowed_congestion_control",
				 "cubic", NULL, 0));
	/* reno is no longer anyone's to choose, but the admin's */
	EXPECT_EQ(1, shake_as_nobody(set_reno_as_nobody, &self->fd));
	EXPECT_EQ(0, shake_as_nobody(set_cubic_as_nobody, &self->fd));
	EXPECT_EQ(0, set_cc(self->fd, "reno"));
	/* what the socket has already is no change: always allowed */
	EXPECT_EQ(0, shake_as_nobody(set_reno_as_nobody, &self->fd));
	/* an unknown name in the list: refused, the list stays */
	EXPECT_GT(0, init_sysctl(self->proto, "allowed_congestion_control",
				 "cubic nosuch", NULL, 0));
}

/* The algorithm of the child a listener accepts */
static void child_cc(struct __test_metadata *_metadata, int proto, int lfd,
		     char *name)
{
	struct sockaddr_in a = shake_addr("127.0.0.1", PORT);
	int cfd, afd;

	cfd = socket(AF_INET, SOCK_STREAM, proto);
	ASSERT_LE(0, cfd);
	ASSERT_EQ(0, connect(cfd, (struct sockaddr *)&a, sizeof(a)));
	ASSERT_TRUE(shake_wait_for(lfd, POLLIN, 5000) & POLLIN);
	afd = accept(lfd, NULL, NULL);
	ASSERT_LE(0, afd);
	get_cc(afd, name);
	close(afd);
	close(cfd);
}

TEST_F(cc, children)
{
	char name[16];

	ASSERT_EQ(0, shake_bind(self->fd, "127.0.0.1", PORT));
	ASSERT_EQ(0, listen(self->fd, 4));
	/* no choice made on the listener: the default when the SYN came */
	ASSERT_EQ(0, shake_set_sysctl(self->proto, "congestion_control",
				      "reno"));
	child_cc(_metadata, self->proto, self->fd, name);
	EXPECT_STREQ("reno", name);
	/* the listener's own choice is its children's */
	ASSERT_EQ(0, set_cc(self->fd, "cubic"));
	child_cc(_metadata, self->proto, self->fd, name);
	EXPECT_STREQ("cubic", name);
	/* and stays theirs whatever the default says */
	ASSERT_EQ(0, set_cc(self->fd, "reno"));
	ASSERT_EQ(0, shake_set_sysctl(self->proto, "congestion_control",
				      "cubic"));
	child_cc(_metadata, self->proto, self->fd, name);
	EXPECT_STREQ("reno", name);
}

TEST_F(cc, namespace_inherits_initial_default)
{
	char name[16];
	int fd;

	ASSERT_EQ(0, init_sysctl(self->proto, "congestion_control", "reno",
				 NULL, 0));
	ASSERT_EQ(0, shake_new_netns());
	fd = socket(AF_INET, SOCK_STREAM, self->proto);
	ASSERT_LE(0, fd);
	get_cc(fd, name);
	EXPECT_STREQ("reno", name);
	close(fd);
}

/* ---- buffers and the window scale they give ---- */

static int sockopt_int(int fd, int level, int name)
{
	socklen_t len = sizeof(int);
	int val = -1;

	getsockopt(fd, level, name, &val, &len);
	return val;
}

/* Our window scale on a connection made over loopback */
static int conn_rcv_wscale(struct __test_metadata *_metadata, int proto,
			   int rcvbuf)
{
	struct sockaddr_in a = shake_addr("127.0.0.1", PORT + 1);
	int lfd, cfd, ws = -1;

	lfd = socket(AF_INET, SOCK_STREAM, proto);
	cfd = socket(AF_INET, SOCK_STREAM, proto);
	if (rcvbuf)
		setsockopt(cfd, SOL_SOCKET, SO_RCVBUF, &rcvbuf,
			   sizeof(rcvbuf));
	if (lfd < 0 || cfd < 0 || shake_bind(lfd, "127.0.0.1", PORT + 1) ||
	    listen(lfd, 1) || connect(cfd, (struct sockaddr *)&a, sizeof(a)))
		goto out;
	if (proto == IPPROTO_TCP) {
		struct tcp_info ti;
		socklen_t len = sizeof(ti);

		if (!getsockopt(cfd, IPPROTO_TCP, TCP_INFO, &ti, &len))
			ws = ti.tcpi_rcv_wscale;
	} else {
		struct shake_info si;
		socklen_t len = sizeof(si);

		if (!getsockopt(cfd, SOL_SHAKE, SHAKE_INFO, &si, &len))
			ws = si.rcv_wscale;
	}
out:
	close(cfd);
	close(lfd);
	return ws;
}

static int ilog2(unsigned long v)
{
	int l = -1;

	while (v) {
		v >>= 1;
		l++;
	}
	return l;
}

TEST_F(cc, buffers_and_window_scale)
{
	int rmem[3], wmem[3], ws;
	char val[64];

	ASSERT_EQ(0, shake_get_sysctl(self->proto, "rmem", val, sizeof(val)));
	ASSERT_EQ(3, sscanf(val, "%d %d %d", &rmem[0], &rmem[1], &rmem[2]));
	ASSERT_EQ(0, shake_get_sysctl(self->proto, "wmem", val, sizeof(val)));
	ASSERT_EQ(3, sscanf(val, "%d %d %d", &wmem[0], &wmem[1], &wmem[2]));
	/* TCP's defaults */
	EXPECT_EQ(4096, rmem[0]);
	EXPECT_EQ(131072, rmem[1]);
	EXPECT_EQ(4096, wmem[0]);
	EXPECT_EQ(16384, wmem[1]);
	/* a new socket starts at the middle values */
	EXPECT_EQ(rmem[1], sockopt_int(self->fd, SOL_SOCKET, SO_RCVBUF));
	EXPECT_EQ(wmem[1], sockopt_int(self->fd, SOL_SOCKET, SO_SNDBUF));

	/* the shift covers what the buffer may grow to, as TCP's */
	ASSERT_LT(0, rmem_max);
	ws = ilog2(rmem[2] > rmem_max ? rmem[2] : rmem_max) - 15;
	EXPECT_EQ(ws < 0 ? 0 : ws > 14 ? 14 : ws,
		  conn_rcv_wscale(_metadata, self->proto, 0));
	/* a buffer the application fixed: what it allows, 64 KiB here */
	EXPECT_EQ(1, conn_rcv_wscale(_metadata, self->proto, 64 * KiB));

	/* new sockets follow the sysctl */
	ASSERT_EQ(0, shake_set_sysctl(self->proto, "rmem",
				      "4096 65536 6291456"));
	close(self->fd);
	self->fd = socket(AF_INET, SOCK_STREAM, self->proto);
	EXPECT_EQ(65536, sockopt_int(self->fd, SOL_SOCKET, SO_RCVBUF));
}

/* ---- on a path: two namespaces over a veth pair, netem on both ---- */

#define S_ADDR "10.12.0.1"
#define R_ADDR "10.12.0.2"

enum { S, R };

FIXTURE(path) {
	int proto;
	struct shake_topo topo;
	int lfd, cfd, afd;
};

FIXTURE_VARIANT(path) {
	bool tcp;
};

FIXTURE_VARIANT_ADD(path, tcp) {
	.tcp = true,
};

FIXTURE_VARIANT_ADD(path, shake) {
	.tcp = false,
};

FIXTURE_SETUP(path)
{
	self->proto = variant->tcp ? IPPROTO_TCP : shake_proto();
	self->lfd = self->cfd = self->afd = -1;
	self->topo = (struct shake_topo){
		.end = {
			[S] = { .dev = "vs", .addr = { S_ADDR "/24" },
				.mac = "02:5a:00:00:01:01",
				.gso_max_segs = 1 },
			[R] = { .dev = "vr", .addr = { R_ADDR "/24" },
				.mac = "02:5a:00:00:01:02",
				.gso_max_segs = 1 },
		},
		.static_neigh = true,
	};
	self->topo.ns[S] = self->topo.ns[R] = -1;
	ASSERT_EQ(0, shake_topo_up(&self->topo));
}

FIXTURE_TEARDOWN(path)
{
	close(self->afd);
	close(self->cfd);
	close(self->lfd);
	shake_topo_down(&self->topo);
}

/* S connects to R; rcvbuf, if not 0, is set on R's listener first */
static void path_connect(struct __test_metadata *_metadata,
			 FIXTURE_DATA(path) *self, int rcvbuf)
{
	struct sockaddr_in r = shake_addr(R_ADDR, PORT);

	ASSERT_EQ(0, setns(self->topo.ns[R], CLONE_NEWNET));
	self->lfd = socket(AF_INET, SOCK_STREAM, self->proto);
	ASSERT_LE(0, self->lfd);
	if (rcvbuf)
		ASSERT_EQ(0, setsockopt(self->lfd, SOL_SOCKET, SO_RCVBUF,
					&rcvbuf, sizeof(rcvbuf)));
	ASSERT_EQ(0, shake_bind(self->lfd, R_ADDR, PORT));
	ASSERT_EQ(0, listen(self->lfd, 1));
	ASSERT_EQ(0, setns(self->topo.ns[S], CLONE_NEWNET));
	self->cfd = socket(AF_INET, SOCK_STREAM, self->proto);
	ASSERT_LE(0, self->cfd);
	ASSERT_EQ(0, connect(self->cfd, (struct sockaddr *)&r, sizeof(r)));
	ASSERT_TRUE(shake_wait_for(self->lfd, POLLIN, 5000) & POLLIN);
	self->afd = accept(self->lfd, NULL, NULL);
	ASSERT_LE(0, self->afd);
}

struct xfer {
	int fd;
	size_t len;		/* 0: until the socket fails (sender) */
	size_t done;
	long bad_at;		/* receiver: the first wrong byte, or -1 */
	int err;
	int max_rcvbuf;		/* receiver: SO_RCVBUF's largest value */
};

static void *xfer_send(void *arg)
{
	struct xfer *x = arg;
	char buf[64 * KiB];
	ssize_t n;

	while (!x->len || x->done < x->len) {
		size_t want = sizeof(buf);

		if (x->len && x->len - x->done < want)
			want = x->len - x->done;
		shake_pattern_fill(buf, want, x->done);
		n = send(x->fd, buf, want, MSG_NOSIGNAL);
		if (n <= 0) {
			x->err = n ? errno : EPIPE;
			break;
		}
		x->done += n;
	}
	return NULL;
}

static void *xfer_recv(void *arg)
{
	struct xfer *x = arg;
	char buf[64 * KiB];
	ssize_t n;
	int rb;

	x->bad_at = -1;
	while (x->done < x->len) {
		n = recv(x->fd, buf, sizeof(buf), 0);
		if (n <= 0) {
			x->err = n ? errno : EPIPE;
			break;
		}
		if (x->bad_at < 0) {
			long bad = shake_pattern_check(buf, n, x->done);

			if (bad >= 0)
				x->bad_at = x->done + bad;
		}
		x->done += n;
		rb = sockopt_int(x->fd, SOL_SOCKET, SO_RCVBUF);
		if (rb > x->max_rcvbuf)
			x->max_rcvbuf = rb;
	}
	return NULL;
}

/* Move len bytes S to R; the receiver's view back in *rx; seconds taken */
static double path_transfer(struct __test_metadata *_metadata,
			    FIXTURE_DATA(path) *self, size_t len,
			    struct xfer *rx)
{
	struct xfer tx = { .fd = self->cfd, .len = len };
	pthread_t ts, tr;
	double t0 = shake_now();

	*rx = (struct xfer){ .fd = self->afd, .len = len };
	ASSERT_EQ(0, pthread_create(&tr, NULL, xfer_recv, rx));
	ASSERT_EQ(0, pthread_create(&ts, NULL, xfer_send, &tx));
	pthread_join(ts, NULL);
	pthread_join(tr, NULL);
	EXPECT_EQ(0, tx.err);
	EXPECT_EQ(0, rx->err);
	EXPECT_EQ(len, rx->done);
	EXPECT_EQ(-1, rx->bad_at);
	return shake_now() - t0;
}

/*
 * 80 ms round trips: 512 KiB (what shake's fixed buffers allowed) carry
 * 6.5 MB/s at most. The receive buffer grows past that for both, from
 * what the reader takes per round trip.
 */
TEST_F(path, autotuning_grows_receive_buffer)
{
	struct xfer rx;
	double s;

	ASSERT_EQ(0, shake_topo_netem(&self->topo, S, "limit 10000 delay 40ms"));
	ASSERT_EQ(0, shake_topo_netem(&self->topo, R, "limit 10000 delay 40ms"));
	path_connect(_metadata, self, 0);
	EXPECT_EQ(131072, sockopt_int(self->afd, SOL_SOCKET, SO_RCVBUF));
	s = path_transfer(_metadata, self, 24 * MiB, &rx);
	TH_LOG("24 MiB in %.2f s; receive buffer up to %d bytes", s,
	       rx.max_rcvbuf);
	EXPECT_LT(1 * MiB, rx.max_rcvbuf);
}

/* SO_RCVBUF fixes the buffer: it never grows, for both */
TEST_F(path, so_rcvbuf_turns_autotuning_off)
{
	struct xfer rx;

	ASSERT_EQ(0, shake_topo_netem(&self->topo, S, "limit 10000 delay 20ms"));
	path_connect(_metadata, self, 128 * KiB);
	/* doubled for overhead, as always for SO_RCVBUF */
	EXPECT_EQ(256 * KiB, sockopt_int(self->afd, SOL_SOCKET, SO_RCVBUF));
	path_transfer(_metadata, self, 4 * MiB, &rx);
	EXPECT_EQ(256 * KiB, rx.max_rcvbuf);
}

static int sinfo(int fd, struct shake_info *si)
{
	socklen_t len = sizeof(*si);

	return getsockopt(fd, SOL_SHAKE, SHAKE_INFO, si, &len);
}

/*
 * A 20 Mbit/s bottleneck with a queue far longer than the path's window
 * (1000 packets against about 70): slow start would fill it and lose a
 * window's worth; HyStart++ sees the round trips grow as the queue
 * builds and leaves slow start first.
 */
TEST_F(path, hystart_leaves_slow_start_before_loss)
{
	struct shake_info si;
	long detect, cwnd_sum;
	struct xfer rx;

	if (variant->tcp)
		SKIP(return, "the kernel's CUBIC has HyStart, not HyStart++");
	/* a debug kernel cannot keep up with 20 Mbit/s: it, not the queue,
	 * would be the bottleneck whose delay HyStart++ sees
	 */
	if (shake_machine_slow())
		SKIP(return, "the machine is slower than the path");
	ASSERT_EQ(0, shake_topo_netem(&self->topo, S,
				      "limit 1000 delay 20ms rate 20mbit"));
	ASSERT_EQ(0, shake_topo_netem(&self->topo, R, "limit 1000 delay 20ms"));
	path_connect(_metadata, self, 0);
	detect = shake_stat("HystartDelayDetect");
	cwnd_sum = shake_stat("HystartDelayCwnd");
	path_transfer(_metadata, self, 6 * MiB, &rx);
	ASSERT_EQ(0, sinfo(self->cfd, &si));
	detect = shake_stat("HystartDelayDetect") - detect;
	cwnd_sum = shake_stat("HystartDelayCwnd") - cwnd_sum;
	TH_LOG("cwnd %u ssthresh %u retrans %u; slow start left at cwnd %ld",
	       si.snd_cwnd, si.snd_ssthresh, si.total_retrans,
	       detect ? cwnd_sum / detect : -1);
	EXPECT_STREQ("cubic", si.congestion);
	EXPECT_EQ(1, detect);
	EXPECT_GT(1000, cwnd_sum);
	EXPECT_NE(UINT32_MAX, si.snd_ssthresh);
	EXPECT_EQ(0, si.total_retrans);
}

/*
 * After a loss, CUBIC's window follows RFC 9438's curve: from beta (0.7)
 * of where the loss came, W(t) = C (t - K)^3 + W_max, K = cbrt((W_max -
 * cwnd) / C), C = 0.4, or Reno's estimate where that is higher. The
 * receiver's window caps the sender at about 100 segments; one loss
 * episode is made by marking the packets of a few milliseconds (IP_TOS)
 * and dropping those at R. Then the window is sampled against the curve.
 */
TEST_F(path, cubic_follows_the_curve_after_loss)
{
	const double c = 0.4, beta = 0.7, alpha = 3 * (1 - beta) / (1 + beta);
	struct xfer tx = { .len = 0 }, rx_;
	int tos = 0x10, zero = 0, n = 0, bad = 0;
	unsigned int w_max, s;
	struct shake_info si;
	uint64_t sent;
	double t0, k, rtt;
	pthread_t ts, tr;

	if (variant->tcp)
		SKIP(return, "the window's course is read from shake_info");
	/* a debug kernel loses segments to its own slowness */
	if (shake_machine_slow())
		SKIP(return, "the machine is slower than the path");
	ASSERT_EQ(0, shake_topo_netem(&self->topo, S, "limit 10000 delay 20ms"));
	ASSERT_EQ(0, shake_topo_netem(&self->topo, R, "limit 10000 delay 20ms"));
	ASSERT_EQ(0, shake_topo_sh(&self->topo, R,
		  "tc qdisc add dev vr ingress && tc filter add dev vr parent ffff: protocol ip u32 match ip tos 0x10 0xff action drop"));
	/* a window of 100 segments (the buffer is doubled, the window half) */
	path_connect(_metadata, self, 100 * 1448);
	tx.fd = self->cfd;
	rx_ = (struct xfer){ .fd = self->afd, .len = SIZE_MAX };
	ASSERT_EQ(0, pthread_create(&tr, NULL, xfer_recv, &rx_));
	ASSERT_EQ(0, pthread_create(&ts, NULL, xfer_send, &tx));

	/* slow start fills the receiver's window, and stops there */
	usleep(1500 * 1000);
	ASSERT_EQ(0, sinfo(self->cfd, &si));
	ASSERT_EQ(UINT32_MAX, si.snd_ssthresh);
	w_max = si.snd_cwnd;
	/* marked until a few segments went, whatever the scheduler does */
	sent = si.bytes_sent;
	ASSERT_EQ(0, setsockopt(self->cfd, IPPROTO_IP, IP_TOS, &tos,
				sizeof(tos)));
	for (t0 = shake_now(); shake_now() - t0 < 1; usleep(500)) {
		ASSERT_EQ(0, sinfo(self->cfd, &si));
		if (si.bytes_sent >= sent + 4 * si.snd_mss)
			break;
	}
	ASSERT_EQ(0, setsockopt(self->cfd, IPPROTO_IP, IP_TOS, &zero,
				sizeof(zero)));
	/* recovery, and its end: the epoch begins */
	for (t0 = shake_now(); shake_now() - t0 < 2; usleep(2000)) {
		ASSERT_EQ(0, sinfo(self->cfd, &si));
		if (si.snd_ssthresh != UINT32_MAX && si.ca_state == 0)
			break;
	}
	ASSERT_NE(UINT32_MAX, si.snd_ssthresh);
	ASSERT_EQ(0, si.ca_state);
	s = si.snd_ssthresh;
	rtt = si.srtt / 1e6;
	TH_LOG("W_max %u, ssthresh %u, srtt %.1f ms", w_max, s, rtt * 1000);
	EXPECT_GE(1, abs((int)(w_max * beta) - (int)s));

	k = cbrt((w_max - s) / c);
	for (t0 = shake_now(); shake_now() - t0 < 2.5; usleep(50 * 1000)) {
		double t = shake_now() - t0, w, est;

		ASSERT_EQ(0, sinfo(self->cfd, &si));
		ASSERT_EQ(0, si.ca_state);
		w = c * pow(t - k, 3) + w_max;
		est = s + alpha * t / rtt;
		if (est > w)
			w = est;
		n++;
		if (fabs(si.snd_cwnd - w) > 0.1 * w + 3) {
			bad++;
			TH_LOG("t %.2f s: cwnd %u, the curve %.1f", t,
			       si.snd_cwnd, w);
		}
	}
	EXPECT_LE(40, n);
	EXPECT_EQ(0, bad);
	shutdown(self->cfd, SHUT_RDWR);
	shutdown(self->afd, SHUT_RDWR);
	pthread_join(ts, NULL);
	pthread_join(tr, NULL);
}

/* ---- the protocol's memory as a whole ---- */

#define MEM_PER_CONN (256 * KiB)

FIXTURE(mem) {
	int proto;
	const char *pname;	/* its line in /proc/net/protocols */
	char old[128];		/* the mem sysctl to restore */
	int n, lfd, cfd[200], afd[200];
	size_t sent[200], got[200];
};

FIXTURE_VARIANT(mem) {
	bool tcp;
};

FIXTURE_VARIANT_ADD(mem, tcp) {
	.tcp = true,
};

FIXTURE_VARIANT_ADD(mem, shake) {
	.tcp = false,
};

FIXTURE_SETUP(mem)
{
	struct sockaddr_in a = shake_addr("127.0.0.1", PORT + 2);
	int i;

	self->proto = variant->tcp ? IPPROTO_TCP : shake_proto();
	self->pname = variant->tcp ? "TCP" : "SHAKE";
	self->n = shake_machine_slow() ? 50 : 200;
	self->lfd = -1;
	for (i = 0; i < 200; i++)
		self->cfd[i] = self->afd[i] = -1;
	ASSERT_EQ(0, init_sysctl(self->proto, "mem", NULL, self->old,
				 sizeof(self->old)));
	ASSERT_EQ(0, shake_new_netns());
	self->lfd = socket(AF_INET, SOCK_STREAM, self->proto);
	ASSERT_LE(0, self->lfd);
	ASSERT_EQ(0, shake_bind(self->lfd, "127.0.0.1", PORT + 2));
	ASSERT_EQ(0, listen(self->lfd, self->n));
	for (i = 0; i < self->n; i++) {
		self->cfd[i] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK,
				      self->proto);
		ASSERT_LE(0, self->cfd[i]);
		ASSERT_EQ(-1, connect(self->cfd[i], (struct sockaddr *)&a,
				      sizeof(a)));
		ASSERT_EQ(EINPROGRESS, errno);
		ASSERT_TRUE(shake_wait_for(self->lfd, POLLIN, 5000) & POLLIN);
		self->afd[i] = accept4(self->lfd, NULL, NULL, SOCK_NONBLOCK);
		ASSERT_LE(0, self->afd[i]);
	}
}

FIXTURE_TEARDOWN(mem)
{
	int i;

	for (i = 0; i < 200; i++) {
		close(self->cfd[i]);
		close(self->afd[i]);
	}
	close(self->lfd);
	init_sysctl(self->proto, "mem", self->old, NULL, 0);
}

/* Send what each connection may still take, without blocking */
static void mem_send(FIXTURE_DATA(mem) *self)
{
	char buf[16 * KiB];
	ssize_t n;
	int i;

	for (i = 0; i < self->n; i++) {
		while (self->sent[i] < MEM_PER_CONN) {
			size_t want = MEM_PER_CONN - self->sent[i];

			if (want > sizeof(buf))
				want = sizeof(buf);
			shake_pattern_fill(buf, want, self->sent[i]);
			n = send(self->cfd[i], buf, want, MSG_DONTWAIT);
			if (n <= 0)
				break;
			self->sent[i] += n;
		}
	}
}

/* Pages by which the per-CPU reserves may put the protocol's count off */
static long mem_pcpu_slack(void)
{
	return sysconf(_SC_NPROCESSORS_CONF) * (1 << 20) / sysconf(_SC_PAGESIZE);
}

/*
 * The readers stop reading: all connections together hold no more than
 * the high mark allows (8 MiB: well above the 1 MiB per CPU by which the
 * core's count of the protocol's memory lags), beyond what the core
 * grants each socket anyway
 * (its minimum buffers; TCP also forces one segment of up to 64 KiB on a
 * sender whose queue is empty, so about 20 pages a connection). What
 * would go beyond is refused: dropped at a receiver (RcvQDrops) or not
 * taken from a writer. Once they read again, every byte arrives, intact.
 */
TEST_F_TIMEOUT(mem, readers_that_stop_are_held_to_the_limit, 180)
{
	long drops = shake_counter(self->proto, "RcvQDrops");
	long press = shake_counter(self->proto, "MemoryPressures");
	long high = 2048, mem, peak = 0, bad = -1;
	char buf[16 * KiB], val[64];
	size_t total = 0;
	double t0;
	int i, left;
	ssize_t n;

	snprintf(val, sizeof(val), "%ld %ld %ld", high / 2, high * 3 / 4,
		 high);
	ASSERT_EQ(0, init_sysctl(self->proto, "mem", val, NULL, 0));
	for (t0 = shake_now(); shake_now() - t0 < 3; usleep(100 * 1000)) {
		mem_send(self);
		mem = shake_protocols_memory(self->pname);
		if (mem > peak)
			peak = mem;
	}
	for (i = 0; i < self->n; i++)
		total += self->sent[i];
	drops = shake_counter(self->proto, "RcvQDrops") - drops;
	TH_LOG("%d connections, high mark %ld pages: %ld pages at most; %zu of %d KiB written, %ld segments dropped",
	       self->n, high, peak, total / KiB, self->n * MEM_PER_CONN / KiB,
	       drops);
	EXPECT_GE(high + 20 * self->n, peak);
	/*
	 * shake forces no data past the limit (only a FIN's segment): its
	 * sockets get their minimum buffers, two pages each, and no more.
	 * The core checks the limit against the global count, which each
	 * CPU's reserve of up to 1 MiB (SK_MEMORY_PCPU_RESERVE) lags, and a
	 * charge refused after its CPU flushed its reserve leaves that flush
	 * in the count: both the memory held and the count read here may
	 * pass the mark by one reserve per CPU.
	 */
	if (!variant->tcp)
		EXPECT_GE(high + 2 * 2 * self->n + mem_pcpu_slack(), peak);
	EXPECT_TRUE(drops > 0 || total < (size_t)self->n * MEM_PER_CONN);
	EXPECT_LT(press, shake_counter(self->proto, "MemoryPressures"));

	/* they read again: everything arrives */
	for (t0 = shake_now(); shake_now() - t0 < 120; usleep(1000)) {
		mem_send(self);
		left = 0;
		for (i = 0; i < self->n; i++) {
			while ((n = recv(self->afd[i], buf, sizeof(buf),
					 MSG_DONTWAIT)) > 0) {
				long b = shake_pattern_check(buf, n,
							     self->got[i]);

				if (b >= 0 && bad < 0)
					bad = self->got[i] + b;
				self->got[i] += n;
			}
			left += self->got[i] < MEM_PER_CONN;
		}
		if (!left)
			break;
	}
	total = 0;
	for (i = 0; i < self->n; i++)
		total += self->got[i];
	TH_LOG("read back in %.1f s: %zu KiB", shake_now() - t0, total / KiB);
	for (i = 0; i < self->n; i++)
		ASSERT_EQ(MEM_PER_CONN, self->got[i]) TH_LOG("connection %d", i);
	EXPECT_EQ(-1, bad);
}

TEST_HARNESS_MAIN
