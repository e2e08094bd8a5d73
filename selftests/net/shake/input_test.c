// SPDX-License-Identifier: GPL-2.0
/*
 * Segment input, seen from the wire: crafted segments sent from a raw
 * socket over loopback to a port with no shake socket. Valid ones draw the
 * RST of RFC 9293 3.10.7.1; malformed ones are dropped and counted.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/ip.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "shake_lib.h"
#include "shake_seg.h"

#define SPORT 40000
#define DPORT 7777	/* nobody listens here */

#define SEG_MAX 64	/* the largest segment a case sends */

/* A segment from SPORT to DPORT over loopback, window 1000 */
static struct shake_seg_desc desc(uint32_t seq, uint32_t ack, uint8_t flags,
				  int paylen)
{
	static const char xs[SEG_MAX] = { [0 ... SEG_MAX - 1] = 'x' };

	return (struct shake_seg_desc){
		.proto = shake_proto(),
		.saddr = htonl(INADDR_LOOPBACK), .daddr = htonl(INADDR_LOOPBACK),
		.sport = SPORT, .dport = DPORT,
		.seq = seq, .ack = ack, .flags = flags, .win = 1000,
		.data = xs, .len = paylen,
	};
}

/*
 * Build a segment in buf (SEG_MAX bytes): header, options (a multiple of
 * 4 bytes), payload. Returns its length, or -1: sendto() then fails the
 * test.
 */
static int build(uint8_t *buf, uint32_t seq, uint32_t ack, uint8_t flags,
		 const void *opts, int optlen, int paylen)
{
	struct shake_seg_desc d = desc(seq, ack, flags, paylen);

	d.opt = opts;
	d.optlen = optlen;
	return shake_seg_build(buf, SEG_MAX, &d);
}

FIXTURE(input) {
	int raw;
	long insegs, outsegs, outrsts, inerrs, incsum, limited;
};

FIXTURE_SETUP(input)
{
	struct timeval tv = { .tv_usec = 300000 };

	ASSERT_EQ(0, shake_new_netns());
	self->raw = socket(AF_INET, SOCK_RAW, shake_proto());
	ASSERT_LE(0, self->raw);
	ASSERT_EQ(0, setsockopt(self->raw, SOL_SOCKET, SO_RCVTIMEO, &tv,
				sizeof(tv)));
	self->insegs = shake_stat("InSegs");
	self->outsegs = shake_stat("OutSegs");
	self->outrsts = shake_stat("OutRsts");
	self->inerrs = shake_stat("InErrs");
	self->incsum = shake_stat("InCsumErrors");
	self->limited = shake_stat("OutRstsRateLimited");
	ASSERT_EQ(0, self->outrsts);
}

FIXTURE_TEARDOWN(input)
{
	close(self->raw);
}

static void send_seg(struct __test_metadata *_metadata, int raw,
		     const uint8_t *buf, int len)
{
	struct sockaddr_in to = shake_addr("127.0.0.1", 0);

	ASSERT_EQ(len, sendto(raw, buf, len, 0, (struct sockaddr *)&to,
			      sizeof(to)));
}

/*
 * The next segment from DPORT to SPORT (skipping the copies of what we sent
 * ourselves), with its checksum checked. Returns 1, or 0 if none came.
 */
static int reply(struct __test_metadata *_metadata, int raw,
		 struct shake_seg *out)
{
	uint8_t pkt[1500];

	for (;;) {
		ssize_t n = recv(raw, pkt, sizeof(pkt), 0);
		struct iphdr *ip = (struct iphdr *)pkt;
		struct shake_seg *s;
		int seglen;

		if (n < 0) {
			EXPECT_EQ(EAGAIN, errno);
			return 0;
		}
		s = (struct shake_seg *)(pkt + ip->ihl * 4);
		seglen = n - ip->ihl * 4;
		if (s->sport != htons(DPORT) || s->dport != htons(SPORT))
			continue;
		EXPECT_EQ(0, shake_csum(s, seglen, ip->saddr, ip->daddr,
					shake_proto()));
		EXPECT_EQ(5, s->off_res >> 4);
		*out = *s;
		return 1;
	}
}

TEST_F(input, syn_draws_rst_ack)
{
	uint8_t buf[SEG_MAX];
	struct shake_seg r;

	send_seg(_metadata, self->raw, buf, build(buf, 1000, 0, F_SYN, NULL, 0, 0));
	ASSERT_EQ(1, reply(_metadata, self->raw, &r));
	EXPECT_EQ(F_RST | F_ACK, r.flags);
	EXPECT_EQ(0, ntohl(r.seq));
	EXPECT_EQ(1001, ntohl(r.ack));	/* the SYN takes one number */
	EXPECT_EQ(0, r.win);
	EXPECT_EQ(self->outrsts + 1, shake_stat("OutRsts"));
	EXPECT_EQ(self->outsegs + 1, shake_stat("OutSegs"));
	/* the SYN, and our own RST coming back over lo */
	EXPECT_EQ(self->insegs + 2, shake_stat("InSegs"));
	EXPECT_EQ(self->inerrs, shake_stat("InErrs"));
}

TEST_F(input, ack_draws_rst_at_its_ack)
{
	uint8_t buf[SEG_MAX];
	struct shake_seg r;

	send_seg(_metadata, self->raw, buf, build(buf, 5, 0xfffffff0, F_ACK, NULL, 0, 0));
	ASSERT_EQ(1, reply(_metadata, self->raw, &r));
	EXPECT_EQ(F_RST, r.flags);
	EXPECT_EQ(0xfffffff0, ntohl(r.seq));
}

TEST_F(input, data_and_fin_count_in_seg_len)
{
	uint8_t buf[SEG_MAX];
	struct shake_seg r;

	/* wraps around 2^32: 0xfffffffa + 10 data + FIN = 5 */
	send_seg(_metadata, self->raw, buf,
		 build(buf, 0xfffffffa, 0, F_FIN | F_PSH, NULL, 0, 10));
	ASSERT_EQ(1, reply(_metadata, self->raw, &r));
	EXPECT_EQ(F_RST | F_ACK, r.flags);
	EXPECT_EQ(5, ntohl(r.ack));
}

TEST_F(input, syn_with_data)
{
	uint8_t buf[SEG_MAX];
	struct shake_seg r;

	send_seg(_metadata, self->raw, buf, build(buf, 300, 0, F_SYN, NULL, 0, 7));
	ASSERT_EQ(1, reply(_metadata, self->raw, &r));
	EXPECT_EQ(308, ntohl(r.ack));
}

TEST_F(input, rst_never_answered)
{
	uint8_t buf[SEG_MAX];
	struct shake_seg r;

	send_seg(_metadata, self->raw, buf, build(buf, 1, 0, F_RST, NULL, 0, 0));
	send_seg(_metadata, self->raw, buf, build(buf, 1, 9, F_RST | F_ACK, NULL, 0, 0));
	EXPECT_EQ(0, reply(_metadata, self->raw, &r));
	EXPECT_EQ(self->outrsts, shake_stat("OutRsts"));
	EXPECT_EQ(self->insegs + 2, shake_stat("InSegs"));
}

TEST_F(input, valid_options_accepted)
{
	static const uint8_t opts[] = {
		2, 4, 0x05, 0xb4,		/* MSS 1460 */
		1, 3, 3, 7,			/* NOP, window scale 7 */
		4, 2, 1, 1,			/* SACK-permitted, NOPs */
		8, 10, 0, 0, 0, 1, 0, 0, 0, 0,	/* timestamps */
		99, 4, 0xab, 0xcd,		/* unknown: skipped by length */
		0, 0,				/* EOL and padding */
	};
	uint8_t buf[SEG_MAX];
	struct shake_seg r;

	send_seg(_metadata, self->raw, buf,
		 build(buf, 42, 0, F_SYN, opts, sizeof(opts), 0));
	ASSERT_EQ(1, reply(_metadata, self->raw, &r));
	EXPECT_EQ(43, ntohl(r.ack));
	EXPECT_EQ(self->inerrs, shake_stat("InErrs"));
}

TEST_F(input, bad_checksum_dropped)
{
	uint8_t buf[SEG_MAX];
	struct shake_seg r;
	int len = build(buf, 1000, 0, F_SYN, NULL, 0, 4);

	buf[len - 1] ^= 0x5a;		/* corrupt the payload */
	send_seg(_metadata, self->raw, buf, len);
	EXPECT_EQ(0, reply(_metadata, self->raw, &r));
	EXPECT_EQ(self->incsum + 1, shake_stat("InCsumErrors"));
	EXPECT_EQ(self->inerrs + 1, shake_stat("InErrs"));
	EXPECT_EQ(self->outrsts, shake_stat("OutRsts"));
}

TEST_F(input, short_header_dropped)
{
	uint8_t buf[SEG_MAX];
	struct shake_seg r;

	build(buf, 1000, 0, F_SYN, NULL, 0, 0);
	send_seg(_metadata, self->raw, buf, 12);
	EXPECT_EQ(0, reply(_metadata, self->raw, &r));
	EXPECT_EQ(self->inerrs + 1, shake_stat("InErrs"));
}

/* A SYN of len bytes whose header claims doff words */
static void send_with_offset(struct __test_metadata *_metadata, int raw,
			     int doff, int len)
{
	struct shake_seg_desc d = desc(1000, 0, F_SYN, len - 20);
	uint8_t buf[SEG_MAX];

	d.doff = doff;
	send_seg(_metadata, raw, buf, shake_seg_build(buf, sizeof(buf), &d));
}

TEST_F(input, data_offset_too_small)
{
	struct shake_seg r;

	send_with_offset(_metadata, self->raw, 4, 20);
	EXPECT_EQ(0, reply(_metadata, self->raw, &r));
	EXPECT_EQ(self->inerrs + 1, shake_stat("InErrs"));
}

TEST_F(input, data_offset_past_end)
{
	struct shake_seg r;

	send_with_offset(_metadata, self->raw, 8, 24);	/* says 32 bytes */
	EXPECT_EQ(0, reply(_metadata, self->raw, &r));
	EXPECT_EQ(self->inerrs + 1, shake_stat("InErrs"));
}

TEST_F(input, malformed_options_dropped)
{
	static const uint8_t bad[][8] = {
		{ 2, 3, 5, 1, 0, 0, 0, 0 },	/* MSS of length 3 */
		{ 99, 0, 0, 0, 0, 0, 0, 0 },	/* length 0 */
		{ 99, 1, 0, 0, 0, 0, 0, 0 },	/* length 1 */
		{ 1, 1, 1, 99, 6, 0, 0, 0 },	/* runs past the header */
		{ 1, 1, 1, 1, 1, 1, 1, 3 },	/* kind without its length */
		{ 8, 8, 0, 0, 0, 0, 0, 0 },	/* timestamps of length 8 */
		{ 5, 7, 0, 0, 0, 0, 0, 0 },	/* SACK not a whole block */
		{ 3, 4, 7, 0, 0, 0, 0, 0 },	/* window scale of length 4 */
	};
	uint8_t buf[SEG_MAX];
	struct shake_seg r;
	unsigned int i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		send_seg(_metadata, self->raw, buf,
			 build(buf, 1000, 0, F_SYN, bad[i], 8, 0));
		EXPECT_EQ(0, reply(_metadata, self->raw, &r))
			TH_LOG("option list %u was answered", i);
	}
	EXPECT_EQ(self->inerrs + i, shake_stat("InErrs"));
	EXPECT_EQ(self->outrsts, shake_stat("OutRsts"));
}

static int count_replies(struct __test_metadata *_metadata, int raw, int n)
{
	uint8_t buf[SEG_MAX];
	struct shake_seg r;
	int i, got = 0;

	for (i = 0; i < n; i++)
		send_seg(_metadata, raw, buf, build(buf, i, 0, F_SYN, NULL, 0, 0));
	while (reply(_metadata, raw, &r))
		got++;
	return got;
}

TEST_F(input, resets_rate_limited)
{
	const char *knob = "reset_msgs_per_sec";
	int got;

	ASSERT_EQ(0, shake_set_sysctl(shake_proto(), knob, "5"));
	got = count_replies(_metadata, self->raw, 40);
	EXPECT_LE(5, got);
	EXPECT_GE(7, got);	/* the bucket may refill a little meanwhile */
	EXPECT_EQ(self->outrsts + got, shake_stat("OutRsts"));
	EXPECT_EQ(self->limited + 40 - got, shake_stat("OutRstsRateLimited"));

	ASSERT_EQ(0, shake_set_sysctl(shake_proto(), knob, "0"));	/* no limit */
	EXPECT_EQ(40, count_replies(_metadata, self->raw, 40));
}

TEST(sysctl_per_namespace)
{
	const char *knob = "reset_msgs_per_sec";
	int proto = shake_proto();
	char val[32] = "";

	ASSERT_EQ(0, shake_new_netns());
	ASSERT_EQ(0, shake_set_sysctl(proto, knob, "7"));
	EXPECT_EQ(-EINVAL, shake_set_sysctl(proto, knob, "-1"));
	ASSERT_EQ(0, shake_new_netns());
	ASSERT_EQ(0, shake_get_sysctl(proto, knob, val, sizeof(val)));
	EXPECT_STREQ("1000", val);	/* the default, untouched */
}

TEST(stat_file_format)
{
	static const char * const names[] = {
		"InSegs", "OutSegs", "InErrs", "InCsumErrors", "OutRsts",
		"OutRstsRateLimited",
	};
	unsigned int i;

	ASSERT_EQ(0, shake_new_netns());
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		EXPECT_EQ(0, shake_stat(names[i])) TH_LOG("counter %u", i);
}

TEST_HARNESS_MAIN
