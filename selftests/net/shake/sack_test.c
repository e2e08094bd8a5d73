// SPDX-License-Identifier: GPL-2.0
/*
 * Selective acknowledgments seen from the wire, with the hand-driven peer
 * (peer.h) as the client of a shake listener: the SACK and D-SACK blocks
 * shake's ACKs carry (RFC 2018, RFC 2883), and what shake as the sender
 * sends again when the peer's blocks leave holes, or lie.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <linux/shake.h>

#include "kselftest_harness.h"
#include "peer.h"
#include "shake_lib.h"

#define LPORT 8100
#define PPORT 42000
#define X 5000		/* the peer's ISN */
#define SEG 100		/* what the peer sends per segment */
#define MSS 1460	/* the peer's, for a 1500-byte MTU */
/* the peer answers the SYN-ACK this late: shake's RTO is about 0.9 s */
#define HANDSHAKE_RTT_MS 300

FIXTURE(sack) {
	struct shake_peer p;
	int lfd, fd;
	uint32_t y;		/* shake's ISN */
	uint32_t tsval;		/* the peer's next timestamp, if any */
	int mss;		/* shake's segments: MSS less timestamps */
};

FIXTURE_VARIANT(sack) {
	int ts;			/* the peer offers timestamps */
};

FIXTURE_VARIANT_ADD(sack, plain) {
	.ts = 0,
};

FIXTURE_VARIANT_ADD(sack, timestamps) {
	.ts = 1,
};

/* The peer's options: timestamps if agreed, then SACK blocks; length */
static int opts(struct _test_data_sack *self, int ts, uint8_t *o,
		const uint32_t (*blocks)[2], int n)
{
	int len = 0, i;

	if (ts) {
		uint32_t v[2] = { htonl(self->tsval++), 0 };

		o[len++] = 1;
		o[len++] = 1;
		o[len++] = 8;
		o[len++] = 10;
		memcpy(o + len, v, 8);
		len += 8;
	}
	if (n) {
		o[len++] = 1;
		o[len++] = 1;
		o[len++] = 5;
		o[len++] = 2 + 8 * n;
		for (i = 0; i < n; i++, len += 8) {
			uint32_t v[2] = { htonl(blocks[i][0]),
					  htonl(blocks[i][1]) };

			memcpy(o + len, v, 8);
		}
	}
	return len;
}

/* A segment from the peer: data (len bytes at the peer's offset off) or
 * none, acknowledging shake's byte ack_off, with n SACK blocks
 */
static int send_seg(struct _test_data_sack *self, int ts, uint32_t off,
		    int len, uint32_t ack_off, const uint32_t (*blocks)[2],
		    int n)
{
	static const char data[MSS];
	uint8_t o[40];
	int ol = opts(self, ts, o, blocks, n);

	return peer_send_opts(&self->p, X + 1 + off, self->y + 1 + ack_off,
			      F_ACK, o, ol, len ? data : NULL, len);
}

FIXTURE_SETUP(sack)
{
	/* MSS, SACK-permitted, and timestamps when asked */
	uint8_t syn[16] = { 2, 4, MSS >> 8, MSS & 0xff, 1, 1, 4, 2 };
	struct shake_seg s;
	uint8_t o[40];
	int synlen = 8;

	self->fd = -1;
	ASSERT_EQ(0, peer_setup(&self->p));
	self->lfd = peer_listen(&self->p, LPORT, 0, 4);
	ASSERT_LE(0, self->lfd);
	self->tsval = 1000;
	self->mss = variant->ts ? MSS - 12 : MSS;
	if (variant->ts) {
		uint32_t tsval = htonl(self->tsval++);

		syn[4] = 4;
		syn[5] = 2;
		syn[6] = 8;
		syn[7] = 10;
		memcpy(syn + 8, &tsval, 4);
		synlen = 16;
	}
	self->p.pport = PPORT;
	ASSERT_EQ(0, peer_send_opts(&self->p, X, 0, F_SYN, syn, synlen,
				    NULL, 0));
	ASSERT_EQ(1, peer_recv(&self->p, &s, 2000));
	ASSERT_EQ(F_SYN | F_ACK, s.flags);
	self->y = ntohl(s.seq);
	usleep(HANDSHAKE_RTT_MS * 1000);
	ASSERT_EQ(0, peer_send_opts(&self->p, X + 1, self->y + 1, F_ACK, o,
				    opts(self, variant->ts, o, NULL, 0),
				    NULL, 0));
	self->fd = accept(self->lfd, NULL, NULL);
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(sack)
{
	/*
	 * A reset, not a FIN: the peer answers nothing, and an orphan
	 * retransmitting into the deleted link would hold the module for
	 * minutes (module_test.sh runs next and unloads it).
	 */
	struct linger l = { .l_onoff = 1, .l_linger = 0 };

	if (self->fd >= 0) {
		setsockopt(self->fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
		close(self->fd);
	}
	close(self->lfd);
	peer_teardown(&self->p);
}

/* The next segment from shake with no data: its SACK blocks, as offsets
 * into the peer's stream; *ack_off gets its acknowledgment's offset
 */
static int next_ack(struct __test_metadata *_metadata,
		    struct _test_data_sack *self, uint32_t (*b)[2],
		    uint32_t *ack_off)
{
	struct shake_seg s;
	int i, n;

	do {
		if (peer_recv(&self->p, &s, 2000) != 1)
			return -1;
	} while (self->p.datalen);
	EXPECT_TRUE(s.flags & F_ACK);
	n = shake_seg_sacks(&s, b, 8);
	for (i = 0; i < n; i++) {
		b[i][0] -= X + 1;
		b[i][1] -= X + 1;
	}
	*ack_off = ntohl(s.ack) - (X + 1);
	return n;
}

/* The scoreboard figures of shake's socket */
static struct shake_info info(struct __test_metadata *_metadata, int fd)
{
	struct shake_info si = {};
	socklen_t len = sizeof(si);

	EXPECT_EQ(0, getsockopt(fd, SOL_SHAKE, SHAKE_INFO, &si, &len));
	EXPECT_EQ(sizeof(si), len);
	return si;
}

/* One hole: the block is the data beyond it, the ACK stops at it */
TEST_F(sack, one_hole)
{
	uint32_t b[8][2], ack;

	ASSERT_EQ(0, send_seg(self, variant->ts, SEG, SEG, 0, NULL, 0));
	ASSERT_EQ(1, next_ack(_metadata, self, b, &ack));
	EXPECT_EQ(0, ack);
	EXPECT_EQ(SEG, b[0][0]);
	EXPECT_EQ(2 * SEG, b[0][1]);
}

/*
 * Holes before segments 2, 4, 6, 8 and 10 (counting from 1): each ACK
 * reports the newest block first, then the others, newest to oldest, as
 * many as fit: four without timestamps, three beside them. Filling the
 * first hole moves the ACK past segment 2 and its block goes.
 */
TEST_F(sack, many_holes)
{
	int fit = variant->ts ? 3 : 4, k, i;
	uint32_t b[8][2], ack;

	for (k = 1; k <= 9; k += 2) {
		int want = (k + 1) / 2 < fit ? (k + 1) / 2 : fit;

		ASSERT_EQ(0, send_seg(self, variant->ts, k * SEG, SEG, 0,
				      NULL, 0));
		ASSERT_EQ(want, next_ack(_metadata, self, b, &ack));
		EXPECT_EQ(0, ack);
		for (i = 0; i < want; i++) {
			EXPECT_EQ((k - 2 * i) * SEG, b[i][0]);
			EXPECT_EQ((k - 2 * i + 1) * SEG, b[i][1]);
		}
	}
	ASSERT_EQ(0, send_seg(self, variant->ts, 0, SEG, 0, NULL, 0));
	ASSERT_EQ(fit, next_ack(_metadata, self, b, &ack));
	EXPECT_EQ(2 * SEG, ack);
	for (i = 0; i < fit; i++)
		EXPECT_LT(2 * SEG, b[i][0]);
	/* a segment that joins two blocks makes one of them */
	ASSERT_EQ(0, send_seg(self, variant->ts, 8 * SEG, SEG, 0, NULL, 0));
	ASSERT_LE(1, next_ack(_metadata, self, b, &ack));
	EXPECT_EQ(7 * SEG, b[0][0]);
	EXPECT_EQ(10 * SEG, b[0][1]);
	EXPECT_EQ(6, info(_metadata, self->fd).rcv_ooopack);
}

/*
 * Data received twice draws a D-SACK block (RFC 2883) first in the ACK:
 * below the cumulative ACK for old data, inside the next block for a
 * duplicate out of order. With sysctl dsack 0, none.
 */
TEST_F(sack, duplicate_dsack)
{
	long sent = shake_stat("DSACKSent");
	uint32_t b[8][2], ack;

	ASSERT_EQ(0, send_seg(self, variant->ts, 0, SEG, 0, NULL, 0));
	ASSERT_EQ(0, next_ack(_metadata, self, b, &ack));
	EXPECT_EQ(SEG, ack);
	ASSERT_EQ(0, send_seg(self, variant->ts, 0, SEG, 0, NULL, 0));
	ASSERT_EQ(1, next_ack(_metadata, self, b, &ack));
	EXPECT_EQ(SEG, ack);
	EXPECT_EQ(0, b[0][0]);
	EXPECT_EQ(SEG, b[0][1]);

	ASSERT_EQ(0, send_seg(self, variant->ts, 3 * SEG, 2 * SEG, 0, NULL, 0));
	ASSERT_EQ(1, next_ack(_metadata, self, b, &ack));
	ASSERT_EQ(0, send_seg(self, variant->ts, 4 * SEG, SEG, 0, NULL, 0));
	ASSERT_EQ(2, next_ack(_metadata, self, b, &ack));
	EXPECT_EQ(4 * SEG, b[0][0]);
	EXPECT_EQ(5 * SEG, b[0][1]);
	EXPECT_EQ(3 * SEG, b[1][0]);
	EXPECT_EQ(5 * SEG, b[1][1]);
	EXPECT_EQ(sent + 2, shake_stat("DSACKSent"));

	ASSERT_EQ(0, shake_set_sysctl(shake_proto(), "dsack", "0"));
	ASSERT_EQ(0, send_seg(self, variant->ts, 0, SEG, 0, NULL, 0));
	ASSERT_EQ(1, next_ack(_metadata, self, b, &ack));
	EXPECT_EQ(3 * SEG, b[0][0]);	/* only the SACK block */
}

/* shake sends n full segments, the first at offset from */
static void send_burst(struct __test_metadata *_metadata,
		       struct _test_data_sack *self, uint32_t from, int n)
{
	static char buf[10 * MSS];
	struct shake_seg s;
	int i;

	ASSERT_EQ(n * self->mss, write(self->fd, buf, n * self->mss));
	for (i = 0; i < n; i++) {
		ASSERT_EQ(1, peer_recv(&self->p, &s, 2000));
		ASSERT_EQ(self->mss, self->p.datalen);
		ASSERT_EQ(from + i * self->mss, ntohl(s.seq) - self->y - 1);
	}
}

/* The segments shake sends within ms: their offsets, how many */
static int collect(struct _test_data_sack *self, uint32_t *offs, int max,
		   int ms)
{
	struct shake_seg s;
	int n = 0;

	while (n < max && peer_recv(&self->p, &s, ms) == 1)
		if (self->p.datalen)
			offs[n++] = ntohl(s.seq) - self->y - 1;
	return n;
}

/*
 * Ten segments, the peer ACKs the first and SACKs 3-4 and 6-10: shake
 * sends 2 and 5 again at once (RACK: later segments were delivered), and
 * nothing it was told the peer holds.
 */
static void resends_only_holes(struct __test_metadata *_metadata,
			       struct _test_data_sack *self, int ts)
{
	uint32_t mss = self->mss;
	const uint32_t blocks[2][2] = {
		{ self->y + 1 + 2 * mss, self->y + 1 + 4 * mss },
		{ self->y + 1 + 5 * mss, self->y + 1 + 10 * mss },
	};
	long rec = shake_stat("SACKRecovery");
	struct shake_info si;
	uint32_t offs[12];

	send_burst(_metadata, self, 0, 10);
	ASSERT_EQ(0, send_seg(self, ts, 0, 0, mss, blocks, 2));
	ASSERT_EQ(2, collect(self, offs, 12, 500));
	EXPECT_EQ(1 * mss, offs[0]);
	EXPECT_EQ(4 * mss, offs[1]);
	EXPECT_EQ(rec + 1, shake_stat("SACKRecovery"));
	si = info(_metadata, self->fd);
	EXPECT_EQ(9, si.unacked);
	EXPECT_EQ(7, si.sacked);
	EXPECT_EQ(2, si.lost);
	EXPECT_EQ(2, si.retrans);
	EXPECT_EQ(2, si.total_retrans);
	ASSERT_EQ(0, send_seg(self, ts, 0, 0, 10 * mss, NULL, 0));
	EXPECT_EQ(0, collect(self, offs, 12, 300));
}

TEST_F(sack, resends_only_holes)
{
	resends_only_holes(_metadata, self, variant->ts);
}

/* The same by RFC 6675's rule: three SACKed segments above make a hole lost */
TEST_F(sack, resends_only_holes_dupthresh)
{
	ASSERT_EQ(0, shake_set_sysctl(shake_proto(), "recovery", "0"));
	resends_only_holes(_metadata, self, variant->ts);
}

/*
 * The peer SACKs all but the first segment and ignores its fast
 * retransmission: the timeout sends the first again, and only it.
 */
TEST_F(sack, timeout_skips_sacked)
{
	uint32_t mss = self->mss;
	const uint32_t blocks[1][2] = {
		{ self->y + 1 + mss, self->y + 1 + 10 * mss },
	};
	long timeouts = shake_stat("Timeouts");
	uint32_t offs[12];

	send_burst(_metadata, self, 0, 10);
	ASSERT_EQ(0, send_seg(self, variant->ts, 0, 0, 0, blocks, 1));
	ASSERT_EQ(2, collect(self, offs, 12, 1500));
	EXPECT_EQ(0, offs[0]);
	EXPECT_EQ(0, offs[1]);
	EXPECT_EQ(timeouts + 1, shake_stat("Timeouts"));
	ASSERT_EQ(0, send_seg(self, variant->ts, 0, 0, 10 * mss, NULL, 0));
}

/*
 * SACK blocks that lie (beyond what was sent, empty, below the ACK but not
 * first, a D-SACK of data never sent) are counted and ignored: nothing is
 * sent again before the RTO. A true D-SACK is counted as received.
 */
TEST_F(sack, lying_blocks_ignored)
{
	uint32_t mss = self->mss;
	uint32_t una = self->y + 1, nxt = una + 4 * mss, offs[8];
	const uint32_t lies[3][2] = {
		{ nxt + 1000, nxt + 2000 },
		{ una + mss, una + mss },
		{ una - 5000, una - 4000 },
	};
	const uint32_t never_sent[1][2] = { { una + mss - 100, nxt + 100 } };
	const uint32_t dsack[1][2] = { { una, una + mss } };
	long discard = shake_stat("SACKDiscard");
	long recv = shake_stat("DSACKRecv");

	send_burst(_metadata, self, 0, 4);
	ASSERT_EQ(0, send_seg(self, variant->ts, 0, 0, 0, lies, 3));
	ASSERT_EQ(0, send_seg(self, variant->ts, 0, 0, mss, never_sent, 1));
	EXPECT_EQ(0, collect(self, offs, 8, 400));
	EXPECT_EQ(discard + 4, shake_stat("SACKDiscard"));
	EXPECT_EQ(recv, shake_stat("DSACKRecv"));

	/* segment 1 is acknowledged: a D-SACK of it */
	ASSERT_EQ(0, send_seg(self, variant->ts, 0, 0, mss, dsack, 1));
	EXPECT_EQ(recv + 1, shake_stat("DSACKRecv"));
	EXPECT_EQ(discard + 4, shake_stat("SACKDiscard"));
	ASSERT_EQ(0, send_seg(self, variant->ts, 0, 0, 4 * mss, NULL, 0));
	EXPECT_EQ(0, collect(self, offs, 8, 300));
}

/* Milliseconds since t0 */
static int ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000 +
	       (t.tv_nsec - t0->tv_nsec) / 1000000;
}

/*
 * The tail of a flight goes unanswered: two smoothed RTTs (the
 * handshake's 300 ms) after the last segment went, shake sends that
 * segment again as a loss probe (RFC 8985 7), before the RTO (900 ms).
 * With sysctl early_retrans 0 the RTO resends the first segment instead.
 */
TEST_F(sack, tail_loss_probe)
{
	long probes = shake_stat("LossProbes");
	struct timespec t0;
	uint32_t offs[2];
	int ms;

	send_burst(_metadata, self, 0, 4);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ASSERT_EQ(1, collect(self, offs, 1, 1500));
	ms = ms_since(&t0);
	EXPECT_EQ(3 * self->mss, offs[0]);
	EXPECT_LE(500, ms);
	EXPECT_GE(850, ms);
	EXPECT_EQ(probes + 1, shake_stat("LossProbes"));
	ASSERT_EQ(0, send_seg(self, variant->ts, 0, 0, 4 * self->mss, NULL, 0));
	EXPECT_EQ(0, collect(self, offs, 2, 300));

	ASSERT_EQ(0, shake_set_sysctl(shake_proto(), "early_retrans", "0"));
	send_burst(_metadata, self, 4 * self->mss, 4);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ASSERT_EQ(1, collect(self, offs, 1, 2000));
	EXPECT_EQ(4 * self->mss, offs[0]);
	EXPECT_LE(700, ms_since(&t0));
	EXPECT_EQ(probes + 1, shake_stat("LossProbes"));
}

/*
 * One SACKed segment above three holes is no evidence yet (fewer than
 * reordering 3): RACK waits a reordering window, a quarter of the minimum
 * RTT (the handshake's 300 ms), before it marks the holes lost and sends
 * the first again; not at once, and well before the probe or the RTO.
 */
TEST_F(sack, rack_waits_reordering_window)
{
	const uint32_t blocks[1][2] = {
		{ self->y + 1 + 3 * self->mss, self->y + 1 + 4 * self->mss },
	};
	struct timespec t0;
	uint32_t offs[4];
	int ms;

	send_burst(_metadata, self, 0, 4);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ASSERT_EQ(0, send_seg(self, variant->ts, 0, 0, 0, blocks, 1));
	ASSERT_LE(1, collect(self, offs, 1, 1000));
	ms = ms_since(&t0);
	EXPECT_EQ(0, offs[0]);
	EXPECT_LE(60, ms);
	EXPECT_GE(400, ms);
	ASSERT_EQ(0, send_seg(self, variant->ts, 0, 0, 4 * self->mss, NULL, 0));
}

/*
 * The recovery sysctls: per namespace, with TCP's defaults where TCP has
 * the knob (early_retrans is 1 where TCP's is 3: TCP's other values pick
 * variants shake has not), and out-of-range values refused.
 */
TEST(recovery_sysctls)
{
	static const struct {
		const char *name, *value;
	} knobs[] = {
		{ "dsack", "1" }, { "recovery", "1" }, { "reordering", "3" },
	};
	int proto = shake_proto();
	char val[32];
	unsigned int i;

	ASSERT_EQ(0, shake_new_netns());
	for (i = 0; i < sizeof(knobs) / sizeof(knobs[0]); i++) {
		ASSERT_EQ(0, shake_get_sysctl(proto, knobs[i].name, val,
					      sizeof(val)));
		EXPECT_STREQ(knobs[i].value, val) TH_LOG("%s", knobs[i].name);
		ASSERT_EQ(0, shake_get_sysctl(IPPROTO_TCP, knobs[i].name, val,
					      sizeof(val)));
		EXPECT_STREQ(knobs[i].value, val) TH_LOG("TCP's %s",
							 knobs[i].name);
	}
	ASSERT_EQ(0, shake_get_sysctl(proto, "early_retrans", val,
				      sizeof(val)));
	EXPECT_STREQ("1", val);
	EXPECT_EQ(-EINVAL, shake_set_sysctl(proto, "reordering", "0"));
	EXPECT_EQ(-EINVAL, shake_set_sysctl(proto, "reordering", "301"));
	EXPECT_EQ(-EINVAL, shake_set_sysctl(proto, "dsack", "2"));
	EXPECT_EQ(-EINVAL, shake_set_sysctl(proto, "early_retrans", "2"));
	ASSERT_EQ(0, shake_set_sysctl(proto, "reordering", "300"));
	ASSERT_EQ(0, shake_set_sysctl(proto, "recovery", "0"));
	ASSERT_EQ(0, shake_new_netns());
	ASSERT_EQ(0, shake_get_sysctl(proto, "reordering", val, sizeof(val)));
	EXPECT_STREQ("3", val);
	ASSERT_EQ(0, shake_get_sysctl(proto, "recovery", val, sizeof(val)));
	EXPECT_STREQ("1", val);
}

TEST_HARNESS_MAIN
