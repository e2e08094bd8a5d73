// SPDX-License-Identifier: GPL-2.0
/*
 * Moving data (issue #4): streams of pseudorandom bytes between two network
 * namespaces, with netem impairing the link. Each stream is checked
 * end to end (byte count, FNV-1a hash, and the offset of the first wrong
 * byte), and the wire and the counters must show the recovery that
 * happened. Every case runs against the kernel's TCP and against shake with
 * the same expectations.
 *
 * Topology: namespace S (S_ADDR on vs) connects and sends; namespace R
 * (R_ADDR on vr) listens and receives. The veth ends act like a wire:
 * gso_max_segs 1, so every segment is a frame of its own that netem drops,
 * duplicates, reorders or corrupts on its own (TCP would otherwise hand
 * netem 64 KiB GSO packets, and 1% loss would mean bursts of 45 segments);
 * tx checksumming off, so every frame carries a full checksum the receiver
 * must verify (a CHECKSUM_PARTIAL skb crossing a veth is trusted unchecked);
 * static neighbours, so no ARP exchange is lost to netem.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/shake.h>
#include "kselftest_harness.h"
#include "shake_lib.h"
#include "shake_topo.h"

#define S_ADDR "10.11.0.1"
#define R_ADDR "10.11.0.2"
#define S_MAC "02:5a:00:00:00:01"
#define R_MAC "02:5a:00:00:00:02"
#define PORT 7000
#define KiB 1024
#define MiB (1024 * 1024)
#define CHUNK (64 * KiB)	/* largest single send or recv */
#define STALL_MS 20000		/* a flow that moves nothing this long fails */
/*
 * The runner kills the program at the settings timeout (900 s) and would
 * leave the running case behind (it has a process group of its own), so
 * the cases stop waiting once the program has run this long. A passing
 * run takes a fraction of it: the debug kernel's about 400 s.
 */
#define BUDGET_S 880
#define FNV_INIT 0xcbf29ce484222325ULL
#define SHAKEHDR_FIN_BIT 0x01	/* in shake_wseg.flags, as TCP's */

/* ---- the stream: byte i of stream "seed" can be made on its own ---- */

static uint64_t mix64(uint64_t x)	/* splitmix64 */
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static void stream_fill(uint8_t *buf, size_t len, uint64_t seed, uint64_t off)
{
	uint64_t w;
	size_t i = 0;

	while (i < len) {
		w = mix64(seed ^ (off >> 3));
		if (!(off & 7) && len - i >= 8) {
			w = htole64(w);
			memcpy(buf + i, &w, 8);
			i += 8;
			off += 8;
		} else {
			buf[i++] = w >> (8 * (off & 7));
			off++;
		}
	}
}

static double t_program;	/* set before the harness forks the cases */

static void __attribute__((constructor)) program_start(void)
{
	t_program = shake_now();
}

/* want, or the milliseconds left of the program's budget if fewer */
static int ms_left(int want)
{
	double left = (t_program + BUDGET_S - shake_now()) * 1000;

	return left < want ? (left > 0 ? left : 0) : want;
}

static uint64_t fnv1a(uint64_t h, const uint8_t *p, size_t len)
{
	while (len--) {
		h ^= *p++;
		h *= 0x100000001b3ULL;
	}
	return h;
}

/* ---- flows: one direction of a transfer, as one end sees it ---- */

struct flow {
	int fd;
	uint64_t seed;		/* which stream */
	uint64_t off;		/* its first byte this flow moves */
	size_t len;		/* bytes to move */
	int stop[2];		/* pipe: written when any flow of the run fails */
	/* results */
	size_t done;		/* bytes sent or received */
	uint64_t hash;		/* FNV-1a 64, continued over those bytes */
	long long bad_at;	/* receiver: first byte unlike the stream, or -1 */
	int err;		/* errno of the failed call; ETIME: no progress */
	const char *call;	/* what failed */
	const char *who;	/* "sender" or "receiver", for messages */
};

static void flow_init(struct flow *f, int fd, uint64_t seed, uint64_t off,
		      size_t len)
{
	memset(f, 0, sizeof(*f));
	f->fd = fd;
	f->seed = seed;
	f->off = off;
	f->len = len;
	f->hash = FNV_INIT;
	f->bad_at = -1;
}

static void flow_fail(struct flow *f, const char *call, int err)
{
	f->call = call;
	f->err = err;
	/* wake the other flows: none of them will make progress now */
	if (write(f->stop[1], "x", 1) != 1)
		f->call = "write to the stop pipe";
}

/* Wait for events on the socket; -1 if nothing comes or another flow failed */
static int flow_wait(struct flow *f, short events)
{
	struct pollfd p[2] = {
		{ .fd = f->fd, .events = events },
		{ .fd = f->stop[0], .events = POLLIN },
	};
	int n = poll(p, 2, ms_left(STALL_MS));

	if (n > 0 && p[1].revents) {
		f->call = "stopped, because another flow failed";
		f->err = ECANCELED;
		return -1;
	}
	if (n < 0) {
		flow_fail(f, "poll", errno);
		return -1;
	}
	if (n == 0) {
		flow_fail(f, ms_left(STALL_MS) < STALL_MS ?
			  "the program's time budget is spent" :
			  events == POLLIN ? "recv: no data" : "send: no room",
			  ETIME);
		return -1;
	}
	return 0;
}

static size_t next_chunk(uint64_t *rng, size_t left)
{
	size_t n;

	*rng = mix64(*rng);
	n = 1 + *rng % CHUNK;
	return n < left ? n : left;
}

static void *flow_send(void *arg)
{
	struct flow *f = arg;
	uint64_t rng = f->seed + f->off;
	uint8_t *buf = malloc(CHUNK);
	ssize_t n;

	f->who = "sender";
	while (buf && f->done < f->len) {
		size_t want = next_chunk(&rng, f->len - f->done);

		stream_fill(buf, want, f->seed, f->off + f->done);
		n = send(f->fd, buf, want, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n > 0) {
			f->hash = fnv1a(f->hash, buf, n);
			f->done += n;
		} else if (n < 0 && errno != EAGAIN) {
			flow_fail(f, "send", errno);
		} else if (flow_wait(f, POLLOUT)) {
			break;
		}
		if (f->err)
			break;
	}
	free(buf);
	return NULL;
}

static void *flow_recv(void *arg)
{
	struct flow *f = arg;
	uint64_t rng = ~f->seed;
	uint8_t *buf = malloc(CHUNK), *want_buf = malloc(CHUNK);
	ssize_t n, i;

	f->who = "receiver";
	while (buf && want_buf && f->done < f->len) {
		n = recv(f->fd, buf, next_chunk(&rng, f->len - f->done),
			 MSG_DONTWAIT);
		if (n > 0) {
			stream_fill(want_buf, n, f->seed, f->off + f->done);
			for (i = 0; f->bad_at < 0 && i < n; i++)
				if (buf[i] != want_buf[i])
					f->bad_at = f->off + f->done + i;
			f->hash = fnv1a(f->hash, buf, n);
			f->done += n;
		} else if (n == 0) {
			flow_fail(f, "recv: end of stream", ENODATA);
		} else if (errno != EAGAIN) {
			flow_fail(f, "recv", errno);
		} else if (flow_wait(f, POLLIN)) {
			break;
		}
		if (f->err)
			break;
	}
	free(buf);
	free(want_buf);
	return NULL;
}

/*
 * Run the flows (senders and receivers, one thread each) to their end, then
 * check each pair f[2k] (sender) and f[2k + 1] (its receiver): the whole
 * stream arrived, byte for byte, and nothing more is waiting.
 */
static void run_flows(struct __test_metadata *_metadata, struct flow *f,
		      int n, const char *what)
{
	pthread_t th[4];
	int stop[2], i;
	double t0 = shake_now();
	char c;

	ASSERT_EQ(0, pipe(stop));
	for (i = 0; i < n; i++) {
		memcpy(f[i].stop, stop, sizeof(stop));
		ASSERT_EQ(0, pthread_create(&th[i], NULL,
					    i % 2 ? flow_recv : flow_send,
					    &f[i]));
	}
	for (i = 0; i < n; i++)
		pthread_join(th[i], NULL);
	close(stop[0]);
	close(stop[1]);

	/* the flow that failed first says why; the others only stopped */
	for (i = 0; i < n; i++)
		if (f[i].err && f[i].err != ECANCELED)
			break;
	if (i < n) {
		ASSERT_EQ(0, f[i].err)
			TH_LOG("%s: %s: %s: %s, after %zu of %zu bytes", what,
			       f[i].who, f[i].call, strerror(f[i].err),
			       f[i].done, f[i].len);
	}
	for (i = 0; i < n; i += 2) {
		EXPECT_EQ(f[i].off + f[i].len, f[i + 1].off + f[i + 1].done);
		EXPECT_EQ(-1, f[i + 1].bad_at)
			TH_LOG("%s: byte %lld arrived wrong", what,
			       f[i + 1].bad_at);
		EXPECT_EQ(f[i].hash, f[i + 1].hash)
			TH_LOG("%s: the hashes of both ends differ", what);
		EXPECT_EQ(-1, recv(f[i + 1].fd, &c, 1, MSG_DONTWAIT))
			TH_LOG("%s: bytes beyond the stream arrived", what);
	}
	if (f[0].len >= 256 * KiB)
		TH_LOG("%s: %zu bytes in %.2f s", what, f[0].len,
		       shake_now() - t0);
}

/* Move bytes [off, off + len) of stream seed from tx to rx, and check them. */
static void move(struct __test_metadata *_metadata, int tx, int rx,
		 uint64_t seed, uint64_t off, size_t len, const char *what)
{
	struct flow f[2];

	flow_init(&f[0], tx, seed, off, len);
	flow_init(&f[1], rx, seed, off, len);
	run_flows(_metadata, f, 2, what);
}

/* ---- the fixture ---- */

FIXTURE(transfer) {
	int proto;
	struct shake_topo topo;	/* end 0: S's vs; end 1: R's vr */
	int ns_s, ns_r;		/* topo's namespaces; the test stays in S */
	int lfd, cfd, afd;	/* listener (R), connector (S), accepted (R) */
	int mss;		/* of cfd's segments */
	double t0;		/* when the case began */
};

FIXTURE_VARIANT(transfer) {
	bool tcp;
};

FIXTURE_VARIANT_ADD(transfer, tcp) {
	.tcp = true,
};

FIXTURE_VARIANT_ADD(transfer, shake) {
	.tcp = false,
};

enum { S, R };		/* the ends of topo */

/*
 * The pair, and the test in S's namespace. like_a_wire: every segment a
 * frame, full checksums (see the top of the file); else the ends are as a
 * veth comes, offloads on.
 */
static void pair_up(struct __test_metadata *_metadata,
		    FIXTURE_DATA(transfer) *self, bool tcp, bool like_a_wire)
{
	int segs = like_a_wire ? 1 : 0;

	self->t0 = shake_now();
	self->proto = tcp ? IPPROTO_TCP : shake_proto();
	self->lfd = self->cfd = self->afd = -1;
	self->topo = (struct shake_topo){
		.end = {
			[S] = { .dev = "vs", .addr = { S_ADDR "/24" },
				.mac = S_MAC, .gso_max_segs = segs,
				.tx_off = like_a_wire },
			[R] = { .dev = "vr", .addr = { R_ADDR "/24" },
				.mac = R_MAC, .gso_max_segs = segs,
				.tx_off = like_a_wire },
		},
		.static_neigh = true,
	};
	self->topo.ns[S] = self->topo.ns[R] = -1;
	ASSERT_LT(10000, ms_left(10001))
		TH_LOG("the program's %d s are spent", BUDGET_S);
	ASSERT_EQ(0, shake_topo_up(&self->topo));
	self->ns_s = self->topo.ns[S];
	self->ns_r = self->topo.ns[R];
}

static void pair_down(struct __test_metadata *_metadata,
		      FIXTURE_DATA(transfer) *self)
{
	/* the suite's time budget is tight: say what each case costs */
	TH_LOG("%.1f s", shake_now() - self->t0);
	close(self->afd);
	close(self->cfd);
	close(self->lfd);
	shake_topo_down(&self->topo);
}

FIXTURE_SETUP(transfer)
{
	pair_up(_metadata, self, variant->tcp, true);
	ASSERT_EQ(0, shake_short_orphans(self->proto));
	ASSERT_EQ(0, setns(self->ns_r, CLONE_NEWNET));
	ASSERT_EQ(0, shake_short_orphans(self->proto));
	ASSERT_EQ(0, setns(self->ns_s, CLONE_NEWNET));
}

FIXTURE_TEARDOWN(transfer)
{
	pair_down(_metadata, self);
}

static int conn_mss(int proto, int fd)
{
	socklen_t len = sizeof(int);
	int mss = 0;

	if (proto == IPPROTO_TCP)
		getsockopt(fd, IPPROTO_TCP, TCP_MAXSEG, &mss, &len);
	else
		getsockopt(fd, SOL_SHAKE, SHAKE_MAXSEG, &mss, &len);
	return mss > 0 ? mss : 1460;	/* 1500-byte MTU, no options */
}

/*
 * S connects to R's listener; rcvbuf and sndbuf (if not 0) are set first,
 * on the listener (its child inherits them) and on the connector.
 */
static void connect_pair(struct __test_metadata *_metadata,
			 FIXTURE_DATA(transfer) *self, int rcvbuf, int sndbuf)
{
	struct sockaddr_in r = shake_addr(R_ADDR, PORT);
	int one = 1;

	ASSERT_EQ(0, setns(self->ns_r, CLONE_NEWNET));
	self->lfd = socket(AF_INET, SOCK_STREAM, self->proto);
	ASSERT_LE(0, self->lfd);
	if (rcvbuf) {
		ASSERT_EQ(0, setsockopt(self->lfd, SOL_SOCKET, SO_RCVBUF,
					&rcvbuf, sizeof(rcvbuf)));
	}
	ASSERT_EQ(0, shake_bind(self->lfd, R_ADDR, PORT));
	ASSERT_EQ(0, listen(self->lfd, 1));
	ASSERT_EQ(0, setns(self->ns_s, CLONE_NEWNET));

	self->cfd = socket(AF_INET, SOCK_STREAM, self->proto);
	ASSERT_LE(0, self->cfd);
	if (sndbuf) {
		ASSERT_EQ(0, setsockopt(self->cfd, SOL_SOCKET, SO_SNDBUF,
					&sndbuf, sizeof(sndbuf)));
	}
	ASSERT_EQ(0, connect(self->cfd, (struct sockaddr *)&r, sizeof(r)))
		TH_LOG("connect: %s", strerror(errno));
	ASSERT_TRUE(shake_wait_for(self->lfd, POLLIN, 5000) & POLLIN);
	self->afd = accept(self->lfd, NULL, NULL);
	ASSERT_LE(0, self->afd);
	/*
	 * No Nagle: a short tail leaves at once. Only latency depends on it,
	 * so a protocol without the option still passes.
	 */
	setsockopt(self->cfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	setsockopt(self->afd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	self->mss = conn_mss(self->proto, self->cfd);
}

/* netem on S's end (data) and, unless data_only, R's end (ACKs) */
static void impair(struct __test_metadata *_metadata,
		   FIXTURE_DATA(transfer) *self, const char *netem,
		   bool data_only)
{
	ASSERT_EQ(0, shake_topo_netem(&self->topo, S, "limit 100000 %s",
				      netem));
	if (data_only)
		return;
	ASSERT_EQ(0, shake_topo_netem(&self->topo, R, "limit 100000 %s",
				      netem));
}

/* A capture of every frame through dev in namespace ns, both directions. */
static int cap_open(struct __test_metadata *_metadata,
		    FIXTURE_DATA(transfer) *self, int ns, const char *dev)
{
	int fd = shake_cap_open(ns, self->ns_s, dev);

	ASSERT_LE(0, fd) TH_LOG("capture on %s: %s", dev, strerror(-fd));
	return fd;
}

/* The segments of this test's protocol captured so far (at most max). */
static int cap_read(FIXTURE_DATA(transfer) *self, int fd,
		    struct shake_wseg *seg, int max)
{
	return shake_cap_read(fd, self->proto, seg, max);
}

/* Sent by S */
static bool from_s(const struct shake_wseg *seg)
{
	return seg->saddr == inet_addr(S_ADDR);
}

/* ---- counters, read in each namespace ---- */

enum { C_RETRANS, C_FAST, C_CSUM, C_PROBES, C_TIMEOUTS, C_N };

static const char *const ctr_name[C_N] = {
	"RetransSegs", "FastRetrans", "InCsumErrors", "WinProbes", "Timeouts",
};

struct ctrs {
	long s[C_N], r[C_N];
};

static void ctrs_read(struct __test_metadata *_metadata,
		      FIXTURE_DATA(transfer) *self, struct ctrs *c)
{
	int i;

	for (i = 0; i < C_N; i++)
		c->s[i] = shake_counter(self->proto, ctr_name[i]);
	ASSERT_EQ(0, setns(self->ns_r, CLONE_NEWNET));
	for (i = 0; i < C_N; i++)
		c->r[i] = shake_counter(self->proto, ctr_name[i]);
	ASSERT_EQ(0, setns(self->ns_s, CLONE_NEWNET));
}

/* How much counter i grew at S (at R if at_r) between two readings. */
static long grew(struct __test_metadata *_metadata, const struct ctrs *a,
		 const struct ctrs *b, int at_r, int i)
{
	long before = at_r ? a->r[i] : a->s[i];
	long after = at_r ? b->r[i] : b->s[i];

	ASSERT_LE(0, before) TH_LOG("no counter %s", ctr_name[i]);
	return after - before;
}

/* ---- transfers under impairments ---- */

#define NO_RETRANS	1	/* neither end retransmits */
#define RETRANS		2	/* the sender retransmits */
#define FAST_RETRANS	4	/* and some of that is fast retransmit */
#define CSUM_ERRORS	8	/* the receiver counts bad checksums */
#define WIRE_SEGS	16	/* each short transfer leaves in ceil(n / MSS) */
#define FEW_RETRANS	32	/* S retransmits at most a few times what netem
				 * dropped of its frames: no storm
				 */

struct impairment {
	const char *netem;	/* on both ends once connected; NULL: none */
	bool data_only;		/* only on S's end: ACKs pass */
	bool one_cpu;		/* keep the test on one CPU */
	bool no_sack;		/* S offers no SACK: duplicate ACKs, NewReno */
	size_t bulk;		/* bytes of the long transfer */
	unsigned int expect;	/* what the counters and the wire show */
};

/* Frames netem dropped so far on the calling thread's namespace's dev */
static long netem_drops(const char *dev)
{
	char cmd[64], line[256];
	long drops = 0, v;
	FILE *f;

	snprintf(cmd, sizeof(cmd), "tc -s qdisc show dev %s", dev);
	f = popen(cmd, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char *p = strstr(line, "dropped ");

		if (p && sscanf(p, "dropped %ld", &v) == 1)
			drops += v;
	}
	return pclose(f) ? -1 : drops;
}

/*
 * Data segments from S in a capture (of up to 64 KiB of data, and the ACKs
 * in between): their count, total and largest.
 */
static void data_segs(FIXTURE_DATA(transfer) *self, int cap, int *count,
		      int *total, int *largest)
{
	struct shake_wseg seg[256];
	int i, n = cap_read(self, cap, seg, 256);

	*count = *total = *largest = 0;
	for (i = 0; i < n; i++) {
		if (!from_s(&seg[i]) || seg[i].len <= 0)
			continue;
		++*count;
		*total += seg[i].len;
		if (seg[i].len > *largest)
			*largest = seg[i].len;
	}
}

/*
 * Transfers of the awkward sizes (1, MSS-1, MSS, MSS+1: each a single send,
 * read completely before the next is written, so every tail must arrive
 * on its own), then a long one, all on one connection.
 */
static void run_case(struct __test_metadata *_metadata,
		     FIXTURE_DATA(transfer) *self,
		     const struct impairment *imp)
{
	const uint64_t seed = 0x5eed0001;
	int sizes[4] = { 1, 0, 0, 0 };
	struct ctrs a, b;
	uint64_t off = 0;
	int i, cap = -1;
	long drops;

	if (imp->one_cpu) {
		cpu_set_t cpus;

		CPU_ZERO(&cpus);
		CPU_SET(sched_getcpu(), &cpus);
		ASSERT_EQ(0, sched_setaffinity(0, sizeof(cpus), &cpus));
	}
	/*
	 * A tail loss probe retransmits when an ACK is merely late, as on
	 * the slow debug kernel; the counts checked below are about loss.
	 */
	if (imp->expect & NO_RETRANS)
		ASSERT_EQ(0, shake_set_sysctl(self->proto, "early_retrans",
					      "0"));
	if (imp->no_sack)
		ASSERT_EQ(0, shake_set_sysctl(self->proto, "sack", "0"));
	connect_pair(_metadata, self, 0, 0);
	if (imp->netem)
		impair(_metadata, self, imp->netem, imp->data_only);
	ctrs_read(_metadata, self, &a);
	drops = netem_drops("vs");
	ASSERT_LE(0, drops);
	sizes[1] = self->mss - 1;
	sizes[2] = self->mss;
	sizes[3] = self->mss + 1;
	for (i = 0; i < 4; i++) {
		int size = sizes[i];
		int count, total, largest;
		char what[32];

		if (imp->expect & WIRE_SEGS)
			cap = cap_open(_metadata, self, self->ns_s, "vs");
		snprintf(what, sizeof(what), "%d bytes", size);
		move(_metadata, self->cfd, self->afd, seed, off, size, what);
		off += size;
		if (cap < 0)
			continue;
		data_segs(self, cap, &count, &total, &largest);
		close(cap);
		EXPECT_EQ((size + self->mss - 1) / self->mss, count)
			TH_LOG("%s in %d segments", what, count);
		EXPECT_EQ(size, total);
		EXPECT_GE(self->mss, largest);
	}
	move(_metadata, self->cfd, self->afd, seed, off, imp->bulk, "bulk");
	ctrs_read(_metadata, self, &b);
	drops = netem_drops("vs") - drops;
	TH_LOG("S: RetransSegs +%ld FastRetrans +%ld Timeouts +%ld, %ld frames dropped; R: InCsumErrors +%ld",
	       b.s[C_RETRANS] - a.s[C_RETRANS], b.s[C_FAST] - a.s[C_FAST],
	       b.s[C_TIMEOUTS] - a.s[C_TIMEOUTS], drops,
	       b.r[C_CSUM] - a.r[C_CSUM]);

	/* braces: each EXPECT_* is more than one statement */
	if (imp->expect & NO_RETRANS) {
		EXPECT_EQ(0, grew(_metadata, &a, &b, 0, C_RETRANS));
		EXPECT_EQ(0, grew(_metadata, &a, &b, 1, C_RETRANS));
		EXPECT_EQ(0, grew(_metadata, &a, &b, 1, C_CSUM));
	}
	if (imp->expect & RETRANS) {
		EXPECT_LT(0, grew(_metadata, &a, &b, 0, C_RETRANS));
	}
	if (imp->expect & FAST_RETRANS) {
		EXPECT_LT(0, grew(_metadata, &a, &b, 0, C_FAST));
	}
	if (imp->expect & CSUM_ERRORS) {
		EXPECT_LT(0, grew(_metadata, &a, &b, 1, C_CSUM));
	}
	/* slack for tail losses and lost ACKs, which cost a timeout */
	if (imp->expect & FEW_RETRANS) {
		EXPECT_GE(3 * drops + 20, grew(_metadata, &a, &b, 0, C_RETRANS));
	}
}

/*
 * On one CPU: a veth delivers through the sending CPU's backlog, so two
 * CPUs sending on one connection (the writer, and ACK processing in
 * softirq on the other) can reorder its segments and draw a retransmission
 * with nothing lost. The debug kernel moves a quarter of the bytes: 64 MiB
 * take it longer than the case's minute.
 */
TEST_F_TIMEOUT(transfer, unimpaired, 60)
{
	run_case(_metadata, self, &(struct impairment){
		.bulk = (shake_machine_slow() ? 16 : 64) * MiB, .one_cpu = true,
		.expect = NO_RETRANS | WIRE_SEGS });
}

TEST_F_TIMEOUT(transfer, loss_1pct, 60)
{
	run_case(_metadata, self, &(struct impairment){
		.netem = "loss 1%", .bulk = 4 * MiB,
		.expect = RETRANS | FAST_RETRANS | FEW_RETRANS });
}

TEST_F_TIMEOUT(transfer, loss_5pct, 60)
{
	run_case(_metadata, self, &(struct impairment){
		.netem = "loss 5%", .bulk = 2 * MiB,
		.expect = RETRANS | FAST_RETRANS | FEW_RETRANS });
}

/* Without SACK: recovery from duplicate ACKs, one hole a round trip */
TEST_F_TIMEOUT(transfer, loss_5pct_no_sack, 60)
{
	run_case(_metadata, self, &(struct impairment){
		.netem = "loss 5%", .bulk = 2 * MiB, .no_sack = true,
		.expect = RETRANS | FAST_RETRANS | FEW_RETRANS });
}

/*
 * Losses in bursts (Gilbert-Elliott: a bad state entered after 3% of the
 * frames, left after 60%, losing half in it): about 2.4% lost, often
 * several frames close together. netem's state moves per frame, not with
 * time, so while a sender backs off, sending one retransmission per
 * timeout, every frame it sends is the next one the bad state sees: with
 * 40% to leave it and all lost in it (this case's first model) each
 * retransmission was lost with p 0.6, and seven in a row (p 3% on every
 * such timeout) stalled TCP for more than 20 s on the debug kernel. Here
 * a lost frame is followed by another with p 0.2 (stay 0.4, lose 0.5 in
 * it), by six more with 6e-5.
 */
TEST_F_TIMEOUT(transfer, loss_bursty, 60)
{
	run_case(_metadata, self, &(struct impairment){
		.netem = "loss gemodel 3% 60% 50% 0%", .bulk = 2 * MiB,
		.expect = RETRANS | FEW_RETRANS });
}

/*
 * Data only: with 20% of the ACKs lost as well, TCP's timeouts back off
 * into tens of seconds (64 KiB took 1 to 28 s). ACK loss is in the other
 * loss cases and the mix.
 */
TEST_F_TIMEOUT(transfer, loss_20pct, 60)
{
	run_case(_metadata, self, &(struct impairment){
		.netem = "loss 20%", .data_only = true, .bulk = 256 * KiB,
		.expect = RETRANS | FEW_RETRANS });
}

/* a quarter of the frames overtake the rest, which wait 5 ms */
TEST_F_TIMEOUT(transfer, reorder_25pct, 60)
{
	run_case(_metadata, self, &(struct impairment){
		.netem = "delay 5ms reorder 25%", .bulk = 4 * MiB });
}

TEST_F_TIMEOUT(transfer, duplicate_10pct, 60)
{
	run_case(_metadata, self, &(struct impairment){
		.netem = "duplicate 10%", .bulk = 4 * MiB });
}

/*
 * netem flips one bit of the frame's linear part. A flip in the IP header
 * is dropped by IP and one in the Ethernet addresses by the veth; the rest
 * must be caught by the segment checksum, counted, and recovered from.
 */
TEST_F_TIMEOUT(transfer, corrupt_1pct, 60)
{
	run_case(_metadata, self, &(struct impairment){
		.netem = "corrupt 1%", .bulk = 4 * MiB, .expect = CSUM_ERRORS });
}

/* 100 ms RTT; the jitter also reorders */
TEST_F_TIMEOUT(transfer, delay_50ms_jitter, 60)
{
	run_case(_metadata, self, &(struct impairment){
		.netem = "delay 50ms 10ms", .bulk = 4 * MiB });
}

#define MIX "delay 5ms 2ms loss 2% duplicate 2% reorder 10% corrupt 0.5%"

TEST_F_TIMEOUT(transfer, mix, 60)
{
	run_case(_metadata, self, &(struct impairment){
		.netem = MIX, .bulk = 2 * MiB, .expect = RETRANS });
}

/* Each end sends and receives at once, under the mix. */
TEST_F_TIMEOUT(transfer, both_directions, 60)
{
	struct flow f[4];

	connect_pair(_metadata, self, 0, 0);
	impair(_metadata, self, MIX, false);
	flow_init(&f[0], self->cfd, 0x5eed0002, 0, 2 * MiB);
	flow_init(&f[1], self->afd, 0x5eed0002, 0, 2 * MiB);
	flow_init(&f[2], self->afd, 0x5eed0003, 0, 2 * MiB);
	flow_init(&f[3], self->cfd, 0x5eed0003, 0, 2 * MiB);
	run_flows(_metadata, f, 4, "both directions");
}

/*
 * R's reader stops; its small buffer fills and it advertises a zero window.
 * S's sends then fail with EAGAIN and POLLOUT stays clear, while S probes
 * the window. When R reads again the stream resumes and arrives whole.
 */
TEST_F_TIMEOUT(transfer, zero_window, 60)
{
	const uint64_t seed = 0x5eed0004;
	const size_t total = 1 * MiB;
	const int max = 4096;
	struct shake_wseg *seg = calloc(max, sizeof(*seg));
	double t_zero = 0, t_last = 0;
	int cap, n, i, probes = 0, reopened = 0;
	uint64_t hash = FNV_INIT;
	uint8_t buf[4096];
	struct flow f[2];
	struct ctrs a, b;
	size_t sent = 0, len;
	ssize_t r;

	ASSERT_NE(NULL, seg);
	connect_pair(_metadata, self, 8 * KiB, 64 * KiB);
	cap = cap_open(_metadata, self, self->ns_s, "vs");
	ctrs_read(_metadata, self, &a);
	/* fill S's buffer: until even a single byte gets EAGAIN */
	for (len = sizeof(buf); len; ) {
		stream_fill(buf, len, seed, sent);
		r = send(self->cfd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (r < 0 && errno == EAGAIN) {
			len /= 2;
			continue;
		}
		ASSERT_LT(0, r)
			TH_LOG("send: %s, after %zu bytes", strerror(errno),
			       sent);
		hash = fnv1a(hash, buf, r);
		sent += r;
		ASSERT_GT(total / 2, sent)
			TH_LOG("S took %zu bytes without EAGAIN", sent);
	}

	/*
	 * The writer stays blocked while the reader sleeps. (A byte or two
	 * may still fit: ACKs of data R holds free room in S's buffer.)
	 */
	sleep(4);
	EXPECT_EQ(0, shake_wait_for(self->cfd, POLLOUT, 0) & POLLOUT);
	ctrs_read(_metadata, self, &b);

	/* on the wire: the window shuts, stays shut, and S probes it */
	n = cap_read(self, cap, seg, max);
	close(cap);
	for (i = 0; i < n; i++) {
		if (!from_s(&seg[i]) && !seg[i].win && !t_zero)
			t_zero = seg[i].t;
		if (!t_zero)
			continue;
		if (from_s(&seg[i]) && seg[i].len <= 1)
			probes++;
		if (!from_s(&seg[i]) && seg[i].win)
			reopened++;
		t_last = seg[i].t;
	}
	ASSERT_NE(0, t_zero) TH_LOG("R never advertised a zero window");
	TH_LOG("%zu bytes sent; %d window probes in %.1f s", sent, probes,
	       t_last - t_zero);
	EXPECT_LE(2, probes);
	EXPECT_EQ(0, reopened)
		TH_LOG("R opened its window %d times while nobody read",
		       reopened);
	EXPECT_LE(probes, grew(_metadata, &a, &b, 0, C_PROBES));

	/* R reads again: what was written so far, then the rest */
	flow_init(&f[0], self->cfd, seed, sent, total - sent);
	f[0].hash = hash;
	flow_init(&f[1], self->afd, seed, 0, total);
	run_flows(_metadata, f, 2, "after the zero window");
	free(seg);
}

/*
 * Everything S sends is dropped: one data segment goes out and is
 * retransmitted retries2 times, each timeout twice the one before; one
 * more doubled timeout later the sender gets ETIMEDOUT.
 */
TEST_F_TIMEOUT(transfer, blackhole_backoff, 120)
{
	const int retries = 4;
	double t[16] = { 0 }, t_err;
	struct shake_wseg seg[64];
	struct ctrs a, b;
	int cap, n, i, k = 0;
	char buf[100] = "", num[8];
	uint32_t seq = 0;

	connect_pair(_metadata, self, 0, 0);
	/* data first, so the sender has measured the round trip */
	move(_metadata, self->cfd, self->afd, 0x5eed0005, 0, 64 * KiB,
	     "before");
	snprintf(num, sizeof(num), "%d", retries);
	ASSERT_EQ(0, shake_set_sysctl(self->proto, "retries2", num));
	/* no tail loss probe: it would take the place of the first timeout */
	ASSERT_EQ(0, shake_set_sysctl(self->proto, "early_retrans", "0"));
	/*
	 * Drop at R's ingress, which its tap sees first: netem on S's qdisc
	 * would drop frames before any tap saw them.
	 */
	cap = cap_open(_metadata, self, self->ns_r, "vr");
	ASSERT_EQ(0, shake_topo_drop_ingress(&self->topo, R, true));
	ctrs_read(_metadata, self, &a);
	ASSERT_EQ(sizeof(buf), send(self->cfd, buf, sizeof(buf), MSG_DONTWAIT));
	ASSERT_NE(0, shake_wait_for(self->cfd, POLLIN | POLLERR,
				    ms_left(90000)))
		TH_LOG("no error after 90 s");
	t_err = shake_now();
	EXPECT_EQ(-1, recv(self->cfd, buf, sizeof(buf), MSG_DONTWAIT));
	EXPECT_EQ(ETIMEDOUT, errno) TH_LOG("recv: %s", strerror(errno));
	ctrs_read(_metadata, self, &b);

	n = cap_read(self, cap, seg, 64);
	close(cap);
	/* by length: a late retransmission of the data before may come first */
	for (i = 0; i < n && k < 15; i++) {
		if (!from_s(&seg[i]) || seg[i].len != sizeof(buf))
			continue;
		if (!k)
			seq = seg[i].seq;
		if (seg[i].seq == seq)
			t[k++] = seg[i].t;
	}
	/* the first transmission, then the retransmissions */
	for (i = 1, buf[0] = 0; i < k; i++)
		snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), " %d",
			 (int)((t[i] - t[0]) * 1000));
	TH_LOG("sent at 0, again at%s, error at %d ms", buf,
	       (int)((t_err - t[0]) * 1000));
	ASSERT_EQ(retries, k - 1);
	/*
	 * Each timeout twice the one before, the last one (after which the
	 * connection gives up) too; slack for the emulated machine's timers.
	 */
	t[k] = t_err;
	for (i = 2; i <= k; i++) {
		int g0 = (t[i - 1] - t[i - 2]) * 1000;
		int g1 = (t[i] - t[i - 1]) * 1000;

		EXPECT_LE(g0 * 3 / 2, g1) TH_LOG("%d ms, then %d ms", g0, g1);
		EXPECT_GE(g0 * 27 / 10, g1) TH_LOG("%d ms, then %d ms", g0, g1);
	}
	EXPECT_EQ(k - 1, grew(_metadata, &a, &b, 0, C_RETRANS));
	EXPECT_LE(1, grew(_metadata, &a, &b, 0, C_TIMEOUTS));
}

/* ---- segmentation offload (issue #15) ---- */

/*
 * The pair as a real interface has it: GSO, checksum offload, no limit on
 * segments per packet; each case sets the offloads it is about with
 * ethtool. Where TCP's and shake's switches differ, the case says why.
 */
FIXTURE(offload) {
	FIXTURE_DATA(transfer) t;	/* the same pair; only the ends differ */
};

FIXTURE_VARIANT(offload) {
	bool tcp;
};

FIXTURE_VARIANT_ADD(offload, tcp) {
	.tcp = true,
};

FIXTURE_VARIANT_ADD(offload, shake) {
	.tcp = false,
};

FIXTURE_SETUP(offload)
{
	pair_up(_metadata, &self->t, variant->tcp, false);
}

FIXTURE_TEARDOWN(offload)
{
	pair_down(_metadata, &self->t);
}

/* ethtool -K on end e's device */
static void offload_set(struct __test_metadata *_metadata,
			FIXTURE_DATA(transfer) *t, int e, const char *features)
{
	ASSERT_EQ(0, shake_topo_sh(&t->topo, e, "ethtool -K %s %s",
				   t->topo.end[e].dev, features));
}

/*
 * What a software segmentation at S's device takes: TCP's super-segments
 * are cut when the device has no TSO; shake's carry SCTP's GSO type
 * (net/shake/offload.c), which veth takes whole unless its
 * tx-sctp-segmentation is off.
 */
static const char *soft_gso(const FIXTURE_DATA(transfer) *t)
{
	return t->proto == IPPROTO_TCP ? "tso off" : "tx-sctp-segmentation off";
}

/* shake's offload counters in a namespace (TCP has none of them) */
struct gso_ctrs {
	long sends, segs, merged;
};

static void gso_read(struct __test_metadata *_metadata,
		     FIXTURE_DATA(transfer) *t, int ns, struct gso_ctrs *c)
{
	ASSERT_EQ(0, setns(ns, CLONE_NEWNET));
	c->sends = shake_counter(t->proto, "GSOSends");
	c->segs = shake_counter(t->proto, "GSOSegs");
	c->merged = shake_counter(t->proto, "GROMerged");
	ASSERT_EQ(0, setns(t->ns_s, CLONE_NEWNET));
}

#define OFFLOAD_BULK	((shake_machine_slow() ? 16 : 64) * MiB)

/* A counter of the namespace ns */
static long ns_counter(struct __test_metadata *_metadata,
		       FIXTURE_DATA(transfer) *t, int ns, const char *name)
{
	long v;

	ASSERT_EQ(0, setns(ns, CLONE_NEWNET));
	v = shake_counter(t->proto, name);
	ASSERT_EQ(0, setns(t->ns_s, CLONE_NEWNET));
	return v;
}

/*
 * Defaults: the device takes super-segments whole (veth hands them to
 * the peer as they are, as a NIC with TSO would put them on its wire), and
 * the receiver takes each as one in-order segment of several: the
 * delayed-ACK rule (every second full-sized segment) acknowledges it at
 * once, so ACKs cover two segments or more each, and the delayed-ACK
 * timer is not what sends them.
 */
TEST_F_TIMEOUT(offload, whole_super_segments, 60)
{
	FIXTURE_DATA(transfer) *t = &self->t;
	long segs, acks, delayed;
	struct gso_ctrs a, b;

	connect_pair(_metadata, t, 0, 0);
	gso_read(_metadata, t, t->ns_s, &a);
	segs = ns_counter(_metadata, t, t->ns_s, "OutSegs");
	acks = ns_counter(_metadata, t, t->ns_r, "OutSegs");
	delayed = ns_counter(_metadata, t, t->ns_r, "DelayedACKs");
	move(_metadata, t->cfd, t->afd, 0x5eed0101, 0, OFFLOAD_BULK, "bulk");
	gso_read(_metadata, t, t->ns_s, &b);
	segs = ns_counter(_metadata, t, t->ns_s, "OutSegs") - segs;
	acks = ns_counter(_metadata, t, t->ns_r, "OutSegs") - acks;
	delayed = ns_counter(_metadata, t, t->ns_r, "DelayedACKs") - delayed;
	TH_LOG("S sent %ld segments, R %ld ACKs (%ld by the delayed-ACK timer)",
	       segs, acks, delayed);
	EXPECT_LE(2 * acks, segs);
	EXPECT_GE(acks / 10, delayed);
	if (t->proto == IPPROTO_TCP)
		return;
	TH_LOG("S: %ld super-segments carried %ld segments",
	       b.sends - a.sends, b.segs - a.segs);
	EXPECT_LT(0, b.sends - a.sends);
	/* runs, not pairs: a super-segment carries several segments */
	EXPECT_LE(4 * (b.sends - a.sends), b.segs - a.segs);
}

/*
 * Cut up in software at S's device, checksums finished there (tx off:
 * the device sums nothing). What R's tap sees, before any GRO (off on a
 * veth by default), is what a wire would carry: segments of at most the
 * MSS, each continuing the one before, valid checksums, FIN on the last
 * only. Each segment carries its own truesize (skb_segment() gives the
 * last one the whole super-segment's, which had R's buffer overflow and
 * drop in-window data, and S resend it).
 */
TEST_F_TIMEOUT(offload, software_gso_on_the_wire, 60)
{
	FIXTURE_DATA(transfer) *t = &self->t;
	size_t len = 4 * MiB, total = 0;
	int cap, n, i, bad_csum = 0, gaps = 0, fins = 0, big = 0, bad_fin = 0;
	int resent = 0;
	struct shake_wseg *seg;
	struct gso_ctrs a, b;
	struct ctrs ca, cb;
	cpu_set_t cpus;
	uint32_t next = 0, fin_at = 0;
	bool first = true;

	/* reordered by two CPUs' backlogs, segments would draw retransmissions
	 * (see transfer.unimpaired)
	 */
	CPU_ZERO(&cpus);
	CPU_SET(sched_getcpu(), &cpus);
	ASSERT_EQ(0, sched_setaffinity(0, sizeof(cpus), &cpus));
	/* no tail loss probe either: it resends when an ACK is merely late */
	ASSERT_EQ(0, shake_set_sysctl(t->proto, "early_retrans", "0"));
	offload_set(_metadata, t, S, "tx off");
	offload_set(_metadata, t, S, soft_gso(t));
	connect_pair(_metadata, t, 0, 0);
	gso_read(_metadata, t, t->ns_s, &a);
	ctrs_read(_metadata, t, &ca);
	cap = cap_open(_metadata, t, t->ns_r, "vr");
	move(_metadata, t->cfd, t->afd, 0x5eed0102, 0, len, "4 MiB");
	close(t->cfd);
	t->cfd = -1;
	ASSERT_NE(0, shake_wait_for(t->afd, POLLIN, 5000));
	gso_read(_metadata, t, t->ns_s, &b);
	ctrs_read(_metadata, t, &cb);
	usleep(100 * 1000);

	seg = calloc(len / 500, sizeof(*seg));
	ASSERT_NE(NULL, seg);
	n = cap_read(t, cap, seg, len / 500);
	close(cap);
	for (i = 0; i < n; i++) {
		bool fin = seg[i].flags & SHAKEHDR_FIN_BIT;
		uint32_t end = seg[i].seq + seg[i].len;

		if (!from_s(&seg[i]) || (!seg[i].len && !fin))
			continue;
		if (first) {
			next = seg[i].seq;
			first = false;
		}
		/*
		 * New data continues the highest sent so far: data beyond it
		 * leaves a hole. A segment below it is a retransmission, and
		 * every FIN (sent again or not) is at the end of the data.
		 */
		gaps += (int32_t)(seg[i].seq - next) > 0;
		if ((int32_t)(end - next) > 0) {
			total += end - next;
			next = end;
		} else if (!fin) {
			resent++;
		}
		if (fin) {
			bad_fin += fins && end != fin_at;
			fin_at = end;
			fins++;
		}
		big += seg[i].len > t->mss;
		bad_csum += seg[i].csum != 1;
	}
	/* and no data after it */
	bad_fin += fins && (int32_t)(next - fin_at) > 0;
	free(seg);
	TH_LOG("R saw %zu bytes of new data, %d segments again (S: RetransSegs +%ld); %d larger than the MSS, %d after a hole, %d without a valid checksum",
	       total, resent, grew(_metadata, &ca, &cb, 0, C_RETRANS), big,
	       gaps, bad_csum);
	EXPECT_EQ(len, total);
	/*
	 * A resend is allowed, and counted above: one run in six still
	 * retransmitted one segment on this lossless path, cause not yet
	 * found (issue #15's note). The wire image is what this case checks.
	 */
	EXPECT_EQ(0, big);
	EXPECT_EQ(0, gaps);
	EXPECT_EQ(0, bad_csum);
	EXPECT_LE(1, fins);
	EXPECT_EQ(0, bad_fin);
	if (t->proto != IPPROTO_TCP) {
		EXPECT_LT(0, b.sends - a.sends);
		EXPECT_LE(2 * (b.sends - a.sends), b.segs - a.segs);
	}
}

/* gso off at S: no super-segments at all, every frame one segment */
TEST_F_TIMEOUT(offload, gso_off, 60)
{
	FIXTURE_DATA(transfer) *t = &self->t;
	struct gso_ctrs a, b;
	int cap, count, total, largest;

	offload_set(_metadata, t, S, "gso off tso off");
	connect_pair(_metadata, t, 0, 0);
	gso_read(_metadata, t, t->ns_s, &a);
	cap = cap_open(_metadata, t, t->ns_s, "vs");
	move(_metadata, t->cfd, t->afd, 0x5eed0103, 0, 64 * KiB, "64 KiB");
	data_segs(t, cap, &count, &total, &largest);
	close(cap);
	EXPECT_GE(t->mss, largest);
	EXPECT_LE((64 * KiB + t->mss - 1) / t->mss, count);
	move(_metadata, t->cfd, t->afd, 0x5eed0103, 64 * KiB, OFFLOAD_BULK,
	     "bulk");
	gso_read(_metadata, t, t->ns_s, &b);
	if (t->proto != IPPROTO_TCP) {
		EXPECT_EQ(0, b.sends - a.sends);
	}
}

/*
 * GRO at R: veth then receives through NAPI, which it does only for
 * frames from a device without TSO; S cuts its super-segments in
 * software, with full checksums, which R's GRO verifies as it merges.
 */
TEST_F_TIMEOUT(offload, gro_merges_at_the_receiver, 60)
{
	FIXTURE_DATA(transfer) *t = &self->t;
	struct gso_ctrs a, b;
	struct ctrs ca, cb;

	offload_set(_metadata, t, S, "tx off");
	offload_set(_metadata, t, S, soft_gso(t));
	offload_set(_metadata, t, R, "gro on");
	connect_pair(_metadata, t, 0, 0);
	gso_read(_metadata, t, t->ns_r, &a);
	ctrs_read(_metadata, t, &ca);
	move(_metadata, t->cfd, t->afd, 0x5eed0104, 0, OFFLOAD_BULK, "bulk");
	gso_read(_metadata, t, t->ns_r, &b);
	ctrs_read(_metadata, t, &cb);
	EXPECT_EQ(0, grew(_metadata, &ca, &cb, 1, C_CSUM));
	if (t->proto == IPPROTO_TCP)
		return;
	TH_LOG("R: GRO merged %ld segments", b.merged - a.merged);
	EXPECT_LT(0, b.merged - a.merged);
}

/*
 * Through netem with GSO on: netem drops, delays and reorders whole
 * super-segments (it cuts them only to corrupt one), so a loss takes
 * many segments at once; everything still arrives.
 */
TEST_F_TIMEOUT(offload, lossy_path, 120)
{
	FIXTURE_DATA(transfer) *t = &self->t;
	struct gso_ctrs a, b;

	connect_pair(_metadata, t, 0, 0);
	impair(_metadata, t, "delay 2ms loss 1% reorder 10%", false);
	gso_read(_metadata, t, t->ns_s, &a);
	move(_metadata, t->cfd, t->afd, 0x5eed0105, 0, 8 * MiB, "8 MiB");
	gso_read(_metadata, t, t->ns_s, &b);
	if (t->proto != IPPROTO_TCP) {
		EXPECT_LT(0, b.sends - a.sends);
	}
}

TEST_HARNESS_MAIN
