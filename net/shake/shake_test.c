// SPDX-License-Identifier: GPL-2.0
/*
 * shake: KUnit tests of the module's pure parts: option parsing, sequence
 * arithmetic, the state transition table, window scale and window
 * selection, and SYN cookies. Built as shake_test.ko only against a kernel
 * with CONFIG_KUNIT (the debug tier's); the suites run when it is loaded
 * after shake.ko, whose functions it calls through the
 * EXPORTED_FOR_KUNIT_TESTING namespace. The shipped shake.ko exports none
 * of them.
 */

#include <kunit/test.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/siphash.h>
#include <linux/string.h>
#include <net/tcp_states.h>

#include "protocol.h"

/* --- option parsing (wire.c) --- */

#define SHAKE_TEST_MAX_OPTS	40	/* doff 15 */

/**
 * shake_test_hdr - a header of its own around an option list
 * @test: the test, which owns the allocation
 * @bytes: the option bytes
 * @len: how many there are, a multiple of 4, at most 40: the data offset
 *	covers exactly them
 *
 * The header and its options are allocated to their exact length, so a
 * parser that reads past the data offset is caught by KASAN.
 *
 * Return: the header.
 */
static struct shakehdr *shake_test_hdr(struct kunit *test, const u8 *bytes,
				       unsigned int len)
{
	struct shakehdr *th;

	KUNIT_ASSERT_EQ(test, len % 4, 0U);
	KUNIT_ASSERT_LE(test, len, SHAKE_TEST_MAX_OPTS);
	th = kunit_kzalloc(test, sizeof(*th) + len, GFP_KERNEL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, th);
	if (len)
		memcpy(th + 1, bytes, len);
	th->doff = (sizeof(*th) + len) / 4;
	return th;
}

/**
 * shake_test_parse - parse an option list in a header of its own
 * @test: the test, which owns the allocation
 * @bytes: the option bytes
 * @len: their length, as for shake_test_hdr()
 * @opt: filled by shake_parse_options(); poisoned first, so that every
 *	field a test checks was written by the parser
 *
 * Return: what shake_parse_options() returns.
 */
static int shake_test_parse(struct kunit *test, const u8 *bytes,
			    unsigned int len, struct shake_options *opt)
{
	memset(opt, 0xa5, sizeof(*opt));
	return shake_parse_options(shake_test_hdr(test, bytes, len), opt);
}

static void shake_expect_no_opts(struct kunit *test,
				 const struct shake_options *opt)
{
	KUNIT_EXPECT_EQ(test, opt->mss, 0);
	KUNIT_EXPECT_EQ(test, opt->wscale, 0);
	KUNIT_EXPECT_FALSE(test, opt->wscale_ok);
	KUNIT_EXPECT_FALSE(test, opt->sack_ok);
	KUNIT_EXPECT_FALSE(test, opt->saw_tstamp);
	KUNIT_EXPECT_EQ(test, opt->num_sacks, 0);
	KUNIT_EXPECT_EQ(test, opt->tsval, 0U);
	KUNIT_EXPECT_EQ(test, opt->tsecr, 0U);
}

static void shake_opts_none(struct kunit *test)
{
	struct shake_options opt;

	KUNIT_EXPECT_EQ(test, shake_test_parse(test, NULL, 0, &opt), 0);
	shake_expect_no_opts(test, &opt);
}

/* A Linux SYN: MSS 1460, SACK-permitted, timestamps, NOP, window scale 7 */
static void shake_opts_syn(struct kunit *test)
{
	static const u8 b[] = {
		2, 4, 0x05, 0xb4,
		4, 2, 8, 10,
		0x00, 0x00, 0x12, 0x34,
		0x89, 0xab, 0xcd, 0xef,
		1, 3, 3, 7,
	};
	struct shake_options opt;

	KUNIT_ASSERT_EQ(test, shake_test_parse(test, b, sizeof(b), &opt), 0);
	KUNIT_EXPECT_EQ(test, opt.mss, 1460);
	KUNIT_EXPECT_TRUE(test, opt.sack_ok);
	KUNIT_EXPECT_TRUE(test, opt.saw_tstamp);
	KUNIT_EXPECT_EQ(test, opt.tsval, 0x1234U);
	KUNIT_EXPECT_EQ(test, opt.tsecr, 0x89abcdefU);
	KUNIT_EXPECT_TRUE(test, opt.wscale_ok);
	KUNIT_EXPECT_EQ(test, opt.wscale, 7);
	KUNIT_EXPECT_EQ(test, opt.num_sacks, 0);
}

/* A data segment's options: NOP, NOP, timestamps */
static void shake_opts_timestamps(struct kunit *test)
{
	static const u8 b[] = {
		1, 1, 8, 10,
		0xde, 0xad, 0xbe, 0xef,
		0x00, 0x00, 0x00, 0x01,
	};
	struct shake_options opt;

	KUNIT_ASSERT_EQ(test, shake_test_parse(test, b, sizeof(b), &opt), 0);
	KUNIT_EXPECT_TRUE(test, opt.saw_tstamp);
	KUNIT_EXPECT_EQ(test, opt.tsval, 0xdeadbeefU);
	KUNIT_EXPECT_EQ(test, opt.tsecr, 1U);
	KUNIT_EXPECT_EQ(test, opt.mss, 0);
	KUNIT_EXPECT_FALSE(test, opt.wscale_ok);
	KUNIT_EXPECT_FALSE(test, opt.sack_ok);
	KUNIT_EXPECT_EQ(test, opt.num_sacks, 0);
}

/* An option that ends exactly at the data offset is whole */
static void shake_opts_at_the_end(struct kunit *test)
{
	static const u8 b[] = { 1, 1, 1, 1, 2, 4, 0xff, 0xff };
	struct shake_options opt;

	KUNIT_ASSERT_EQ(test, shake_test_parse(test, b, sizeof(b), &opt), 0);
	KUNIT_EXPECT_EQ(test, opt.mss, 65535);
}

static void shake_opts_sack_blocks(struct kunit *test)
{
	static const u8 one[] = {
		1, 1, 5, 10,
		0, 0, 0x10, 0, 0, 0, 0x20, 0,
	};
	static const u8 four[] = {
		1, 1, 5, 34,
		0, 0, 0, 1, 0, 0, 0, 2,
		0, 0, 0, 3, 0, 0, 0, 4,
		0, 0, 0, 5, 0, 0, 0, 6,
		0, 0, 0, 7, 0, 0, 0, 8,
	};
	/* timestamps and three blocks: the most that fit beside them */
	static const u8 ts_three[] = {
		1, 1, 8, 10,
		0, 0, 0, 7, 0, 0, 0, 9,
		1, 1, 5, 26,
		0, 0, 0, 1, 0, 0, 0, 2,
		0, 0, 0, 3, 0, 0, 0, 4,
		0, 0, 0, 5, 0, 0, 0, 6,
	};
	struct shake_options opt;

	KUNIT_ASSERT_EQ(test, shake_test_parse(test, one, sizeof(one), &opt),
			0);
	KUNIT_EXPECT_EQ(test, opt.num_sacks, 1);
	KUNIT_EXPECT_FALSE(test, opt.sack_ok);

	KUNIT_ASSERT_EQ(test, shake_test_parse(test, four, sizeof(four), &opt),
			0);
	KUNIT_EXPECT_EQ(test, opt.num_sacks, 4);

	KUNIT_ASSERT_EQ(test, shake_test_parse(test, ts_three,
					       sizeof(ts_three), &opt), 0);
	KUNIT_EXPECT_EQ(test, opt.num_sacks, 3);
	KUNIT_EXPECT_TRUE(test, opt.saw_tstamp);
	KUNIT_EXPECT_EQ(test, opt.tsval, 7U);
	KUNIT_EXPECT_EQ(test, opt.tsecr, 9U);
}

/* The blocks come back as sent, wherever the option sits in the list */
static void shake_opts_sack_block_values(struct kunit *test)
{
	static const u8 ts_two[] = {
		1, 1, 8, 10,
		0, 0, 0, 7, 0, 0, 0, 9,
		1, 1, 5, 18,
		0x80, 0, 0, 1, 0x80, 0, 0x05, 0xa9,
		0xff, 0xff, 0xff, 0xf0, 0, 0, 0, 0x10,
	};
	struct shake_sack_block b[SHAKE_MAX_SACKS];
	struct shakehdr *th = shake_test_hdr(test, ts_two, sizeof(ts_two));
	struct shake_options opt;

	KUNIT_ASSERT_EQ(test, shake_parse_options(th, &opt), 0);
	KUNIT_ASSERT_EQ(test, opt.num_sacks, 2);
	KUNIT_ASSERT_EQ(test, shake_sack_blocks(th, &opt, b), 2);
	KUNIT_EXPECT_EQ(test, b[0].start, 0x80000001U);
	KUNIT_EXPECT_EQ(test, b[0].end, 0x800005a9U);
	/* a block across the wrap of the sequence space */
	KUNIT_EXPECT_EQ(test, b[1].start, 0xfffffff0U);
	KUNIT_EXPECT_EQ(test, b[1].end, 0x10U);
}

/* Unknown kinds are skipped by their length; what they carry is not read */
static void shake_opts_unknown_skipped(struct kunit *test)
{
	static const u8 mss_after[] = {
		30, 4, 0xaa, 0xbb,	/* MPTCP's kind */
		254, 2, 2, 4,		/* experimental, empty; then MSS 536 */
		0x02, 0x18, 0, 0,
	};
	/* an unknown option whose payload looks like MSS and window scale */
	static const u8 disguised[] = {
		34, 10, 2, 4,
		0x05, 0xb4, 3, 3,
		14, 0, 1, 1,
	};
	struct shake_options opt;

	KUNIT_ASSERT_EQ(test, shake_test_parse(test, mss_after,
					       sizeof(mss_after), &opt), 0);
	KUNIT_EXPECT_EQ(test, opt.mss, 536);
	KUNIT_EXPECT_FALSE(test, opt.wscale_ok);

	KUNIT_ASSERT_EQ(test, shake_test_parse(test, disguised,
					       sizeof(disguised), &opt), 0);
	shake_expect_no_opts(test, &opt);
}

/* EOL ends the list: what follows it is padding, even if malformed */
static void shake_opts_eol(struct kunit *test)
{
	static const u8 ws_eol[] = { 3, 3, 5, 0, 0xff, 0xff, 0xff, 0xff };
	static const u8 eol_first[] = { 0, 2, 4, 5 };
	static const u8 nops[SHAKE_TEST_MAX_OPTS] = {
		[0 ... SHAKE_TEST_MAX_OPTS - 1] = 1
	};
	struct shake_options opt;

	KUNIT_ASSERT_EQ(test, shake_test_parse(test, ws_eol, sizeof(ws_eol),
					       &opt), 0);
	KUNIT_EXPECT_TRUE(test, opt.wscale_ok);
	KUNIT_EXPECT_EQ(test, opt.wscale, 5);

	KUNIT_ASSERT_EQ(test, shake_test_parse(test, eol_first,
					       sizeof(eol_first), &opt), 0);
	shake_expect_no_opts(test, &opt);

	KUNIT_ASSERT_EQ(test, shake_test_parse(test, nops, sizeof(nops), &opt),
			0);
	shake_expect_no_opts(test, &opt);
}

/* The parser reports the shift the wire carries; shake_syn_opts_agree()
 * caps it at 14 (RFC 7323 2.3)
 */
static void shake_opts_wscale_raw(struct kunit *test)
{
	static const u8 b[] = { 3, 3, 15, 1 };
	struct shake_options opt;

	KUNIT_ASSERT_EQ(test, shake_test_parse(test, b, sizeof(b), &opt), 0);
	KUNIT_EXPECT_TRUE(test, opt.wscale_ok);
	KUNIT_EXPECT_EQ(test, opt.wscale, 15);
}

/**
 * struct shake_bad_opts - an option list the parser must refuse
 * @desc: what is wrong with it
 * @len: its length (the data offset covers exactly this)
 * @bytes: the list
 */
struct shake_bad_opts {
	const char *desc;
	unsigned int len;
	u8 bytes[SHAKE_TEST_MAX_OPTS];
};

static const struct shake_bad_opts shake_bad_opts[] = {
	{ "MSS without its length byte", 4, { 1, 1, 1, 2 } },
	{ "unknown kind without its length byte", 4, { 1, 1, 1, 254 } },
	{ "length 0", 4, { 254, 0, 0, 0 } },
	{ "length 1", 4, { 254, 1, 0, 0 } },
	{ "MSS past the data offset", 4, { 1, 1, 2, 4 } },
	{ "timestamps past the data offset", 8, { 1, 1, 8, 10, 0, 0, 0, 0 } },
	{ "unknown kind past the data offset", 4, { 254, 5, 0, 0 } },
	{ "MSS of length 3", 4, { 2, 3, 5, 0 } },
	{ "MSS of length 6", 8, { 2, 6, 5, 0xb4, 0, 0, 1, 1 } },
	{ "window scale of length 2", 4, { 3, 2, 1, 1 } },
	{ "window scale of length 4", 4, { 3, 4, 7, 0 } },
	{ "SACK-permitted of length 3", 4, { 4, 3, 0, 0 } },
	{ "timestamps of length 8", 8, { 8, 8, 0, 0, 0, 1, 0, 0 } },
	{ "timestamps of length 12", 12, { 8, 12 } },
	{ "SACK without a block", 4, { 5, 2, 1, 1 } },
	{ "SACK of length 9", 12, { 5, 9 } },
	{ "SACK of length 11", 12, { 5, 11 } },
	{ "a bad option after a good one", 8, { 2, 4, 5, 0xb4, 254, 1, 0, 0 } },
};

/* One case for the whole table: KUnit 6.1 keeps the debugfs log of a
 * parameterized case's last parameter only
 */
static void shake_opts_malformed(struct kunit *test)
{
	struct shake_options opt;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(shake_bad_opts); i++) {
		const struct shake_bad_opts *t = &shake_bad_opts[i];

		KUNIT_EXPECT_EQ_MSG(test, shake_test_parse(test, t->bytes,
							   t->len, &opt),
				    -EINVAL, "%s", t->desc);
	}
}

static struct kunit_case shake_options_cases[] = {
	KUNIT_CASE(shake_opts_none),
	KUNIT_CASE(shake_opts_syn),
	KUNIT_CASE(shake_opts_timestamps),
	KUNIT_CASE(shake_opts_at_the_end),
	KUNIT_CASE(shake_opts_sack_blocks),
	KUNIT_CASE(shake_opts_sack_block_values),
	KUNIT_CASE(shake_opts_unknown_skipped),
	KUNIT_CASE(shake_opts_eol),
	KUNIT_CASE(shake_opts_wscale_raw),
	KUNIT_CASE(shake_opts_malformed),
	{}
};

static struct kunit_suite shake_options_suite = {
	.name = "shake_options",
	.test_cases = shake_options_cases,
};

/* --- sequence arithmetic (wire.h) --- */

static void shake_seq_ordinary(struct kunit *test)
{
	KUNIT_EXPECT_TRUE(test, shake_before(1, 2));
	KUNIT_EXPECT_FALSE(test, shake_before(2, 1));
	KUNIT_EXPECT_TRUE(test, shake_after(2, 1));
	KUNIT_EXPECT_FALSE(test, shake_after(1, 2));
	KUNIT_EXPECT_TRUE(test, shake_before(1000, 1000 + 65535));
	/* a number is neither before nor after itself */
	KUNIT_EXPECT_FALSE(test, shake_before(5, 5));
	KUNIT_EXPECT_FALSE(test, shake_after(5, 5));
	KUNIT_EXPECT_FALSE(test, shake_before(0, 0));
}

static void shake_seq_wrap_zero(struct kunit *test)
{
	KUNIT_EXPECT_TRUE(test, shake_before(0xffffffff, 0));
	KUNIT_EXPECT_TRUE(test, shake_after(0, 0xffffffff));
	KUNIT_EXPECT_FALSE(test, shake_before(0, 0xffffffff));
	KUNIT_EXPECT_FALSE(test, shake_after(0xffffffff, 0));
	KUNIT_EXPECT_TRUE(test, shake_before(0xfffffff0, 0x10));
	KUNIT_EXPECT_TRUE(test, shake_after(0x10, 0xfffffff0));
	/* a window of 0x20 starting at 0xfffffff0 ends at 0x10 */
	KUNIT_EXPECT_TRUE(test, shake_after((u32)(0xfffffff0 + 0x20),
					    0xfffffff0));
}

static void shake_seq_half_space(struct kunit *test)
{
	KUNIT_EXPECT_TRUE(test, shake_before(0x7fffffff, 0x80000000));
	KUNIT_EXPECT_TRUE(test, shake_after(0x80000000, 0x7fffffff));
	KUNIT_EXPECT_FALSE(test, shake_after(0x7fffffff, 0x80000000));
	/* up to 2^31 - 1 ahead is after */
	KUNIT_EXPECT_TRUE(test, shake_after(0x7fffffff, 0));
	KUNIT_EXPECT_TRUE(test, shake_before(0, 0x7fffffff));
	KUNIT_EXPECT_TRUE(test, shake_after(0xffffffff, 0x80000000));
	/* 2^31 + 1 ahead is behind, the other way round the circle */
	KUNIT_EXPECT_TRUE(test, shake_before(0x80000001, 0));
	KUNIT_EXPECT_FALSE(test, shake_before(0, 0x80000001));
	/* exactly 2^31 apart the order is undefined (RFC 1982 3.2); the
	 * signed difference (TCP's before()) calls each before the other
	 */
	KUNIT_EXPECT_TRUE(test, shake_before(0, 0x80000000));
	KUNIT_EXPECT_TRUE(test, shake_before(0x80000000, 0));
	KUNIT_EXPECT_TRUE(test, shake_after(0, 0x80000000));
	KUNIT_EXPECT_TRUE(test, shake_after(0x80000000, 0));
}

static struct kunit_case shake_seq_cases[] = {
	KUNIT_CASE(shake_seq_ordinary),
	KUNIT_CASE(shake_seq_wrap_zero),
	KUNIT_CASE(shake_seq_half_space),
	{}
};

static struct kunit_suite shake_seq_suite = {
	.name = "shake_seq",
	.test_cases = shake_seq_cases,
};

/* --- the state machine (state.c) --- */

static const char * const shake_test_state_name[TCP_MAX_STATES] = {
	[TCP_ESTABLISHED] = "ESTABLISHED",
	[TCP_SYN_SENT] = "SYN_SENT",
	[TCP_SYN_RECV] = "SYN_RECV",
	[TCP_FIN_WAIT1] = "FIN_WAIT1",
	[TCP_FIN_WAIT2] = "FIN_WAIT2",
	[TCP_TIME_WAIT] = "TIME_WAIT",
	[TCP_CLOSE] = "CLOSE",
	[TCP_CLOSE_WAIT] = "CLOSE_WAIT",
	[TCP_LAST_ACK] = "LAST_ACK",
	[TCP_LISTEN] = "LISTEN",
	[TCP_CLOSING] = "CLOSING",
};

/**
 * struct shake_edge - a transition of RFC 9293's state diagram
 * @from: the state left
 * @to: the state entered
 * @why: the event, as Figure 5 (or the text of 3.10) names it
 */
struct shake_edge {
	int from;
	int to;
	const char *why;
};

/* Every transition shake makes; any other is illegal. Figure 5 has one
 * more, LISTEN -> SYN_SENT (a SEND on a listener), which shake, like
 * Linux, does not offer. The edges to CLOSE that are not in the figure
 * are its aborts (RFC 9293 3.10.4, 3.10.7: ABORT, RST, timeouts).
 */
static const struct shake_edge shake_legal_edges[] = {
	{ TCP_CLOSE, TCP_LISTEN, "passive OPEN" },
	{ TCP_CLOSE, TCP_SYN_SENT, "active OPEN, snd SYN" },
	{ TCP_LISTEN, TCP_SYN_RECV, "rcv SYN, snd SYN,ACK" },
	{ TCP_LISTEN, TCP_CLOSE, "CLOSE" },
	{ TCP_SYN_SENT, TCP_ESTABLISHED, "rcv SYN,ACK, snd ACK" },
	{ TCP_SYN_SENT, TCP_SYN_RECV, "rcv SYN (simultaneous open)" },
	{ TCP_SYN_SENT, TCP_CLOSE, "CLOSE, or RST, or timeout" },
	{ TCP_SYN_RECV, TCP_ESTABLISHED, "rcv ACK of SYN" },
	{ TCP_SYN_RECV, TCP_FIN_WAIT1, "CLOSE, snd FIN" },
	{ TCP_SYN_RECV, TCP_CLOSE, "RST, or timeout" },
	{ TCP_ESTABLISHED, TCP_FIN_WAIT1, "CLOSE, snd FIN" },
	{ TCP_ESTABLISHED, TCP_CLOSE_WAIT, "rcv FIN, snd ACK" },
	{ TCP_ESTABLISHED, TCP_CLOSE, "ABORT, RST, or timeout" },
	{ TCP_FIN_WAIT1, TCP_FIN_WAIT2, "rcv ACK of FIN" },
	{ TCP_FIN_WAIT1, TCP_CLOSING, "rcv FIN, snd ACK (simultaneous close)" },
	{ TCP_FIN_WAIT1, TCP_TIME_WAIT, "rcv FIN with the ACK of ours" },
	{ TCP_FIN_WAIT1, TCP_CLOSE, "ABORT, RST, or timeout" },
	{ TCP_FIN_WAIT2, TCP_TIME_WAIT, "rcv FIN, snd ACK" },
	{ TCP_FIN_WAIT2, TCP_CLOSE, "ABORT, RST, or orphan timeout" },
	{ TCP_CLOSING, TCP_TIME_WAIT, "rcv ACK of FIN (simultaneous close)" },
	{ TCP_CLOSING, TCP_CLOSE, "RST, or timeout" },
	{ TCP_CLOSE_WAIT, TCP_LAST_ACK, "CLOSE, snd FIN" },
	{ TCP_CLOSE_WAIT, TCP_CLOSE, "ABORT, RST, or timeout" },
	{ TCP_LAST_ACK, TCP_CLOSE, "rcv ACK of FIN" },
	{ TCP_TIME_WAIT, TCP_CLOSE, "timeout = 2MSL" },
};

/* Transitions that would be bugs, each with why it is not one */
static const struct shake_edge shake_illegal_edges[] = {
	{ TCP_LISTEN, TCP_ESTABLISHED, "a listener never connects itself" },
	{ TCP_TIME_WAIT, TCP_ESTABLISHED, "reuse makes a new connection" },
	{ TCP_CLOSE, TCP_ESTABLISHED, "no handshake" },
	{ TCP_CLOSE, TCP_SYN_RECV, "only a listener or SYN_SENT gets there" },
	{ TCP_LISTEN, TCP_SYN_SENT, "SEND on a listener: not offered" },
	{ TCP_SYN_RECV, TCP_LISTEN, "requests are records, not sockets" },
	{ TCP_SYN_SENT, TCP_FIN_WAIT1, "closing SYN_SENT just closes" },
	{ TCP_ESTABLISHED, TCP_SYN_SENT, "no second handshake" },
	{ TCP_ESTABLISHED, TCP_LISTEN, "a connection does not listen" },
	{ TCP_ESTABLISHED, TCP_TIME_WAIT, "TIME_WAIT only after our FIN" },
	{ TCP_FIN_WAIT2, TCP_FIN_WAIT1, "no way back" },
	{ TCP_FIN_WAIT2, TCP_CLOSING, "our FIN is acknowledged already" },
	{ TCP_CLOSING, TCP_FIN_WAIT2, "the peer's FIN came already" },
	{ TCP_CLOSE_WAIT, TCP_FIN_WAIT1, "the passive side has LAST_ACK" },
	{ TCP_CLOSE_WAIT, TCP_ESTABLISHED, "the peer's FIN cannot be undone" },
	{ TCP_LAST_ACK, TCP_TIME_WAIT, "the passive side has no TIME_WAIT" },
	{ TCP_TIME_WAIT, TCP_SYN_RECV, "a reopened 4-tuple is a new socket" },
	{ TCP_CLOSE, TCP_CLOSE, "a state is no transition to itself" },
	{ TCP_ESTABLISHED, TCP_ESTABLISHED,
	  "a state is no transition to itself" },
};

static bool shake_test_edge_listed(int from, int to)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(shake_legal_edges); i++)
		if (shake_legal_edges[i].from == from &&
		    shake_legal_edges[i].to == to)
			return true;
	return false;
}

static void shake_state_legal_edges(struct kunit *test)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(shake_legal_edges); i++) {
		const struct shake_edge *e = &shake_legal_edges[i];

		KUNIT_EXPECT_TRUE_MSG(test, shake_state_legal(e->from, e->to),
				      "%s -> %s (%s)",
				      shake_test_state_name[e->from],
				      shake_test_state_name[e->to], e->why);
	}
}

static void shake_state_simultaneous(struct kunit *test)
{
	/* open: SYN_SENT, a SYN crosses ours, SYN_RECV, its ACK */
	KUNIT_EXPECT_TRUE(test, shake_state_legal(TCP_SYN_SENT, TCP_SYN_RECV));
	KUNIT_EXPECT_TRUE(test, shake_state_legal(TCP_SYN_RECV,
						  TCP_ESTABLISHED));
	/* close: FIN_WAIT1, a FIN crosses ours, CLOSING, its ACK */
	KUNIT_EXPECT_TRUE(test, shake_state_legal(TCP_FIN_WAIT1, TCP_CLOSING));
	KUNIT_EXPECT_TRUE(test, shake_state_legal(TCP_CLOSING, TCP_TIME_WAIT));
}

static void shake_state_illegal_edges(struct kunit *test)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(shake_illegal_edges); i++) {
		const struct shake_edge *e = &shake_illegal_edges[i];

		KUNIT_EXPECT_FALSE_MSG(test, shake_state_legal(e->from, e->to),
				       "%s -> %s (%s)",
				       shake_test_state_name[e->from],
				       shake_test_state_name[e->to], e->why);
	}
}

/* Every pair of the eleven states: legal exactly when listed */
static void shake_state_all_pairs(struct kunit *test)
{
	int from, to;

	for (from = TCP_ESTABLISHED; from <= TCP_CLOSING; from++)
		for (to = TCP_ESTABLISHED; to <= TCP_CLOSING; to++)
			KUNIT_EXPECT_EQ_MSG(test, shake_state_legal(from, to),
					    shake_test_edge_listed(from, to),
					    "%s -> %s",
					    shake_test_state_name[from],
					    shake_test_state_name[to]);
}

/* Numbers that are not one of the eleven states are never legal */
static void shake_state_out_of_range(struct kunit *test)
{
	static const int bad[] = {
		-1, 0, TCP_NEW_SYN_RECV, TCP_MAX_STATES, 16, 1000, INT_MIN
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		KUNIT_EXPECT_FALSE_MSG(test,
				       shake_state_legal(TCP_CLOSE, bad[i]),
				       "CLOSE -> %d", bad[i]);
		KUNIT_EXPECT_FALSE_MSG(test,
				       shake_state_legal(bad[i], TCP_CLOSE),
				       "%d -> CLOSE", bad[i]);
	}
}

static struct kunit_case shake_state_cases[] = {
	KUNIT_CASE(shake_state_legal_edges),
	KUNIT_CASE(shake_state_simultaneous),
	KUNIT_CASE(shake_state_illegal_edges),
	KUNIT_CASE(shake_state_all_pairs),
	KUNIT_CASE(shake_state_out_of_range),
	{}
};

static struct kunit_suite shake_state_suite = {
	.name = "shake_state",
	.test_cases = shake_state_cases,
};

/* --- window scale and window selection (handshake.c, flow.c) --- */

static void shake_wscale_boundaries(struct kunit *test)
{
	static const struct {
		u32 space;
		u8 wscale;
	} cases[] = {
		/* TCP's rule: the bits of the space beyond 15 */
		{ 0, 0 },
		{ 1, 0 },
		{ 65535, 0 },
		{ 65536, 1 },
		{ 131071, 1 },
		{ 131072, 2 },
		{ 1U << 20, 5 },
		{ 6291456, 7 },			/* TCP's default tcp_rmem max */
		{ (1U << 23) - 1, 7 },
		{ 1U << 23, 8 },
		{ 1U << 29, 14 },
		{ 1U << 30, 14 },		/* no more than 14 */
		{ U32_MAX, 14 },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++)
		KUNIT_EXPECT_EQ_MSG(test, shake_wscale_for(cases[i].space),
				    cases[i].wscale, "space %u",
				    cases[i].space);
}

static void shake_window_opens(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, shake_window_choose(1000, 5000, 1460, 0), 5000U);
	/* by exactly min_step */
	KUNIT_EXPECT_EQ(test, shake_window_choose(1000, 2460, 1460, 0), 2460U);
	KUNIT_EXPECT_EQ(test, shake_window_choose(0, 1460, 1460, 0), 1460U);
	/* min_step 0: any opening counts */
	KUNIT_EXPECT_EQ(test, shake_window_choose(1000, 1001, 0, 0), 1001U);
}

/* Receiver silly window avoidance (RFC 9293 3.8.6.2.2) */
static void shake_window_sws(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, shake_window_choose(1000, 2000, 1460, 0), 1000U);
	KUNIT_EXPECT_EQ(test, shake_window_choose(1000, 2459, 1460, 0), 1000U);
	/* a closed window stays closed until it can open by min_step */
	KUNIT_EXPECT_EQ(test, shake_window_choose(0, 1000, 1460, 0), 0U);
	KUNIT_EXPECT_EQ(test, shake_window_choose(0, 0, 1460, 0), 0U);
}

/* The right edge never moves back, however little space is left */
static void shake_window_never_shrinks(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, shake_window_choose(5000, 3000, 1460, 0), 5000U);
	KUNIT_EXPECT_EQ(test, shake_window_choose(5000, 0, 0, 0), 5000U);
	KUNIT_EXPECT_EQ(test, shake_window_choose(65535, 0, 1460, 0), 65535U);
}

static void shake_window_capped(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, shake_window_choose(0, 100000, 1, 0), 65535U);
	KUNIT_EXPECT_EQ(test, shake_window_choose(0, 10000000, 1460, 7),
			65535U << 7);
	KUNIT_EXPECT_EQ(test, shake_window_choose(65535U << 14, U32_MAX, 1, 14),
			65535U << 14);
}

/* The field counts units of 1 << wscale */
static void shake_window_rounding(struct kunit *test)
{
	/* down: 100000 / 128 = 781.25 */
	KUNIT_EXPECT_EQ(test, shake_window_choose(0, 100000, 1460, 7), 99968U);
	KUNIT_EXPECT_EQ(test, shake_window_choose(1000, 3000, 1000, 10), 2048U);
	KUNIT_EXPECT_EQ(test, shake_window_choose(1024, 2047, 1, 10), 1024U);
	/* up, when down would move the right edge back */
	KUNIT_EXPECT_EQ(test, shake_window_choose(1000, 1000, 1460, 7), 1024U);
	KUNIT_EXPECT_EQ(test, shake_window_choose(2100, 3000, 500, 10), 3072U);
	KUNIT_EXPECT_EQ(test, shake_window_choose(1, 0, 0, 14), 16384U);
}

/* The rules on a grid of inputs, for every scale */
static void shake_window_invariants(struct kunit *test)
{
	static const u32 curs[] = {
		0, 1, 127, 128, 1000, 65535, 65536, 1U << 20, 65535U << 14
	};
	static const u32 spaces[] = {
		0, 1, 1000, 65535, 70000, 1U << 20, 3U << 20, 1U << 30, U32_MAX
	};
	static const u32 steps[] = { 0, 536, 1460, 1U << 16 };
	unsigned int c, s, m;
	u8 ws;

	for (ws = 0; ws <= SHAKE_MAX_WSCALE; ws++) {
		u32 unit = 1U << ws, cap = 65535U << ws;

		for (c = 0; c < ARRAY_SIZE(curs); c++) {
			u32 cur = curs[c];

			if (cur > cap)	/* never advertised */
				continue;
			for (s = 0; s < ARRAY_SIZE(spaces); s++) {
				for (m = 0; m < ARRAY_SIZE(steps); m++) {
					u32 space = spaces[s], step = steps[m];
					u32 win = shake_window_choose(cur, space,
								      step, ws);

					KUNIT_EXPECT_GE(test, win, cur);
					KUNIT_EXPECT_LE(test, win, cap);
					KUNIT_EXPECT_EQ(test, win % unit, 0U);
					/* beyond cur's rounding only by space */
					if (win >= cur + unit)
						KUNIT_EXPECT_LE(test, win, space);
					/* too small an opening: no opening */
					if (space < cur || space - cur < step)
						KUNIT_EXPECT_LT(test, win,
								cur + unit);
				}
			}
		}
	}
}

static struct kunit_case shake_window_cases[] = {
	KUNIT_CASE(shake_wscale_boundaries),
	KUNIT_CASE(shake_window_opens),
	KUNIT_CASE(shake_window_sws),
	KUNIT_CASE(shake_window_never_shrinks),
	KUNIT_CASE(shake_window_capped),
	KUNIT_CASE(shake_window_rounding),
	KUNIT_CASE(shake_window_invariants),
	{}
};

static struct kunit_suite shake_window_suite = {
	.name = "shake_window",
	.test_cases = shake_window_cases,
};

/* --- SYN cookies (cookie.c) --- */

static const siphash_key_t shake_test_key = {
	{ 0x0706050403020100ULL, 0x0f0e0d0c0b0a0908ULL }
};

/* 10.0.0.1:8080, the listener, and its peer 10.0.0.2:40000 */
#define SHAKE_TEST_ADDRS {				\
	.laddr = cpu_to_be32(0x0a000001),		\
	.raddr = cpu_to_be32(0x0a000002),		\
	.lport = cpu_to_be16(8080),			\
	.rport = cpu_to_be16(40000),			\
}

#define SHAKE_TEST_ISN		0x12345678U
#define SHAKE_TEST_COUNT	27812345U	/* late 2026, in 64 s periods */

static u32 shake_test_cookie(u32 count, u32 mssind)
{
	const struct shake_addrs a = SHAKE_TEST_ADDRS;

	return shake_cookie_make(&shake_test_key, &a, SHAKE_TEST_ISN, count,
				 mssind);
}

static int shake_test_decode(u32 cookie, u32 now)
{
	const struct shake_addrs a = SHAKE_TEST_ADDRS;

	return shake_cookie_decode(&shake_test_key, &a, cookie, SHAKE_TEST_ISN,
				   now);
}

/* Bits 31..30: the counter modulo 4; 29..27: the MSS index */
static void shake_cookie_layout(struct kunit *test)
{
	u32 count, mssind, cookie;

	for (count = SHAKE_TEST_COUNT; count < SHAKE_TEST_COUNT + 4; count++) {
		for (mssind = 0; mssind < 8; mssind++) {
			cookie = shake_test_cookie(count, mssind);
			KUNIT_EXPECT_EQ(test, cookie >> 30, count & 3);
			KUNIT_EXPECT_EQ(test, (cookie >> 27) & 7, mssind);
			KUNIT_EXPECT_EQ(test, shake_test_cookie(count, mssind),
					cookie);
		}
	}
	/* the hash covers the whole counter, not only its two bits */
	KUNIT_EXPECT_NE(test, shake_test_cookie(SHAKE_TEST_COUNT, 5),
			shake_test_cookie(SHAKE_TEST_COUNT + 4, 5));
}

/* Valid in the period it was made in and the next one */
static void shake_cookie_round_trip(struct kunit *test)
{
	u32 count = SHAKE_TEST_COUNT, mssind, cookie;

	for (mssind = 0; mssind < 8; mssind++) {
		cookie = shake_test_cookie(count, mssind);
		KUNIT_EXPECT_EQ(test, shake_test_decode(cookie, count),
				(int)mssind);
		KUNIT_EXPECT_EQ(test, shake_test_decode(cookie, count + 1),
				(int)mssind);
	}
}

static void shake_cookie_expiry(struct kunit *test)
{
	u32 count = SHAKE_TEST_COUNT, cookie = shake_test_cookie(count, 3);

	KUNIT_EXPECT_EQ(test, shake_test_decode(cookie, count + 1), 3);
	KUNIT_EXPECT_EQ(test, shake_test_decode(cookie, count + 2), -EINVAL);
	KUNIT_EXPECT_EQ(test, shake_test_decode(cookie, count + 3), -EINVAL);
	/* the same two counter bits, four periods on */
	KUNIT_EXPECT_EQ(test, shake_test_decode(cookie, count + 4), -EINVAL);
	KUNIT_EXPECT_EQ(test, shake_test_decode(cookie, count + 100), -EINVAL);
	/* from the future */
	KUNIT_EXPECT_EQ(test, shake_test_decode(cookie, count - 1), -EINVAL);
}

/* The counter wraps: made in its last period, valid in period 0 */
static void shake_cookie_counter_wrap(struct kunit *test)
{
	u32 cookie = shake_test_cookie(U32_MAX, 6);

	KUNIT_EXPECT_EQ(test, shake_test_decode(cookie, U32_MAX), 6);
	KUNIT_EXPECT_EQ(test, shake_test_decode(cookie, 0), 6);
	KUNIT_EXPECT_EQ(test, shake_test_decode(cookie, 1), -EINVAL);
	cookie = shake_test_cookie(3, 1);
	KUNIT_EXPECT_EQ(test, shake_test_decode(cookie, 4), 1);
	KUNIT_EXPECT_EQ(test, shake_test_decode(cookie, 5), -EINVAL);
}

/* Any change to what the hash covers makes the cookie invalid */
static void shake_cookie_changed_inputs(struct kunit *test)
{
	const struct shake_addrs good = SHAKE_TEST_ADDRS;
	u32 count = SHAKE_TEST_COUNT, cookie = shake_test_cookie(count, 5);
	siphash_key_t key = shake_test_key;
	struct shake_addrs a;

	KUNIT_ASSERT_EQ(test, shake_cookie_decode(&shake_test_key, &good,
						  cookie, SHAKE_TEST_ISN,
						  count), 5);

	a = good;
	a.laddr = cpu_to_be32(0x0a000003);
	KUNIT_EXPECT_EQ(test, shake_cookie_decode(&shake_test_key, &a, cookie,
						  SHAKE_TEST_ISN, count),
			-EINVAL);
	a = good;
	a.raddr = cpu_to_be32(0x0a000003);
	KUNIT_EXPECT_EQ(test, shake_cookie_decode(&shake_test_key, &a, cookie,
						  SHAKE_TEST_ISN, count),
			-EINVAL);
	a = good;
	a.lport = cpu_to_be16(8081);
	KUNIT_EXPECT_EQ(test, shake_cookie_decode(&shake_test_key, &a, cookie,
						  SHAKE_TEST_ISN, count),
			-EINVAL);
	a = good;
	a.rport = cpu_to_be16(40001);
	KUNIT_EXPECT_EQ(test, shake_cookie_decode(&shake_test_key, &a, cookie,
						  SHAKE_TEST_ISN, count),
			-EINVAL);
	/* the other end's view of the same connection */
	a.laddr = good.raddr;
	a.raddr = good.laddr;
	a.lport = good.rport;
	a.rport = good.lport;
	KUNIT_EXPECT_EQ(test, shake_cookie_decode(&shake_test_key, &a, cookie,
						  SHAKE_TEST_ISN, count),
			-EINVAL);

	KUNIT_EXPECT_EQ(test, shake_cookie_decode(&shake_test_key, &good,
						  cookie, SHAKE_TEST_ISN + 1,
						  count), -EINVAL);
	KUNIT_EXPECT_EQ(test, shake_cookie_decode(&shake_test_key, &good,
						  cookie,
						  SHAKE_TEST_ISN ^ 0x80000000,
						  count), -EINVAL);

	key.key[1] ^= 1;	/* another namespace's secret */
	KUNIT_EXPECT_EQ(test, shake_cookie_decode(&key, &good, cookie,
						  SHAKE_TEST_ISN, count),
			-EINVAL);
	KUNIT_EXPECT_NE(test, shake_cookie_make(&key, &good, SHAKE_TEST_ISN,
						count, 5), cookie);
}

/* Flipping any one bit of a cookie (hash, MSS index or counter) fails */
static void shake_cookie_bit_flips(struct kunit *test)
{
	u32 count = SHAKE_TEST_COUNT, cookie = shake_test_cookie(count, 2);
	unsigned int bit;

	for (bit = 0; bit < 32; bit++) {
		KUNIT_EXPECT_EQ_MSG(test,
				    shake_test_decode(cookie ^ BIT(bit), count),
				    -EINVAL, "bit %u", bit);
		KUNIT_EXPECT_EQ_MSG(test,
				    shake_test_decode(cookie ^ BIT(bit),
						      count + 1),
				    -EINVAL, "bit %u, a period later", bit);
	}
}

static void shake_cookie_mss_table(struct kunit *test)
{
	static const u16 table[] = {
		88, 536, 1200, 1360, 1440, 1460, 4312, 8960
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(table); i++) {
		KUNIT_EXPECT_EQ(test, shake_cookie_mss(i), table[i]);
		KUNIT_EXPECT_EQ(test, shake_cookie_mss_index(table[i]), i);
		KUNIT_EXPECT_EQ(test, shake_cookie_mss_index(table[i] + 1), i);
		if (i > 0)
			KUNIT_EXPECT_EQ_MSG(test,
					    shake_cookie_mss_index(table[i] - 1),
					    i - 1, "mss %u", table[i] - 1);
	}
	KUNIT_EXPECT_EQ(test, shake_cookie_mss_index(1459), 4U);
	KUNIT_EXPECT_EQ(test, shake_cookie_mss_index(9000), 7U);
	KUNIT_EXPECT_EQ(test, shake_cookie_mss_index(65535), 7U);
	/* below the smallest entry: the smallest */
	KUNIT_EXPECT_EQ(test, shake_cookie_mss_index(87), 0U);
	KUNIT_EXPECT_EQ(test, shake_cookie_mss_index(0), 0U);
}

static void shake_cookie_tsval_bits(struct kunit *test)
{
	const struct shake_syn_opts ws7_sack = {
		.wscale_ok = 1, .snd_wscale = 7, .sack_ok = 1,
	};
	const struct shake_syn_opts ws0 = { .wscale_ok = 1 };
	const struct shake_syn_opts ws14_sack = {
		.wscale_ok = 1, .snd_wscale = 14, .sack_ok = 1,
	};
	const struct shake_syn_opts sack = { .sack_ok = 1 };
	const struct shake_syn_opts none = {};

	/* 0x17 = window scale 7 | SACK, below the low bits 0x38 */
	KUNIT_EXPECT_EQ(test, shake_cookie_tsval(0x12345678, &ws7_sack),
			0x12345657U);
	/* already carried: unchanged */
	KUNIT_EXPECT_EQ(test, shake_cookie_tsval(0xabcdef17, &ws7_sack),
			0xabcdef17U);
	/* above the low bits 0: taken from the 64 below, never ahead */
	KUNIT_EXPECT_EQ(test, shake_cookie_tsval(0x12345640, &ws7_sack),
			0x12345617U);
	KUNIT_EXPECT_EQ(test, shake_cookie_tsval(0x1000, &none), 0x0fcfU);
	/* ... across zero */
	KUNIT_EXPECT_EQ(test, shake_cookie_tsval(5, &ws7_sack), 0xffffffd7U);
	KUNIT_EXPECT_EQ(test, shake_cookie_tsval(0x12345678, &ws0),
			0x12345640U);
	KUNIT_EXPECT_EQ(test, shake_cookie_tsval(0x12345678, &ws14_sack),
			0x1234565eU);
	KUNIT_EXPECT_EQ(test, shake_cookie_tsval(0x12345678, &sack),
			0x1234565fU);
	KUNIT_EXPECT_EQ(test, shake_cookie_tsval(0x12345678, &none),
			0x1234564fU);
}

/* What we offer in a SYN-ACK: window scale 9, SACK, timestamps */
#define SHAKE_TEST_OFFER {				\
	.wscale_ok = 1, .rcv_wscale = 9,		\
	.sack_ok = 1, .tstamp_ok = 1,			\
}

static void shake_cookie_ts_decode(struct kunit *test)
{
	struct shake_syn_opts o = SHAKE_TEST_OFFER;

	KUNIT_ASSERT_EQ(test, shake_cookie_ts_opts(0xabcdef17, &o), 0);
	KUNIT_EXPECT_TRUE(test, o.wscale_ok);
	KUNIT_EXPECT_EQ(test, o.snd_wscale, 7);
	KUNIT_EXPECT_EQ(test, o.rcv_wscale, 9);
	KUNIT_EXPECT_TRUE(test, o.sack_ok);
	KUNIT_EXPECT_TRUE(test, o.tstamp_ok);

	/* 0xf: the peer offered no window scale, so neither side scales */
	o = (struct shake_syn_opts)SHAKE_TEST_OFFER;
	KUNIT_ASSERT_EQ(test, shake_cookie_ts_opts(0x0f, &o), 0);
	KUNIT_EXPECT_FALSE(test, o.wscale_ok);
	KUNIT_EXPECT_EQ(test, o.snd_wscale, 0);
	KUNIT_EXPECT_EQ(test, o.rcv_wscale, 0);
	KUNIT_EXPECT_FALSE(test, o.sack_ok);

	o = (struct shake_syn_opts)SHAKE_TEST_OFFER;
	KUNIT_ASSERT_EQ(test, shake_cookie_ts_opts(0x1f, &o), 0);
	KUNIT_EXPECT_FALSE(test, o.wscale_ok);
	KUNIT_EXPECT_TRUE(test, o.sack_ok);

	/* shift 0 is a window scale option, not none */
	o = (struct shake_syn_opts)SHAKE_TEST_OFFER;
	KUNIT_ASSERT_EQ(test, shake_cookie_ts_opts(0x10, &o), 0);
	KUNIT_EXPECT_TRUE(test, o.wscale_ok);
	KUNIT_EXPECT_EQ(test, o.snd_wscale, 0);
	KUNIT_EXPECT_EQ(test, o.rcv_wscale, 9);
	KUNIT_EXPECT_TRUE(test, o.sack_ok);

	o = (struct shake_syn_opts)SHAKE_TEST_OFFER;
	KUNIT_ASSERT_EQ(test, shake_cookie_ts_opts(0xffffff0e, &o), 0);
	KUNIT_EXPECT_TRUE(test, o.wscale_ok);
	KUNIT_EXPECT_EQ(test, o.snd_wscale, 14);
	KUNIT_EXPECT_FALSE(test, o.sack_ok);

	/* SACK only if we offered it too */
	o = (struct shake_syn_opts)SHAKE_TEST_OFFER;
	o.sack_ok = 0;
	KUNIT_ASSERT_EQ(test, shake_cookie_ts_opts(0x17, &o), 0);
	KUNIT_EXPECT_FALSE(test, o.sack_ok);
	KUNIT_EXPECT_EQ(test, o.snd_wscale, 7);
}

/* Echoes no cookie of ours can have: forged */
static void shake_cookie_ts_forged(struct kunit *test)
{
	static const u32 bad[] = { 0x20, 0x27, 0x2f, 0x3f, 0xffffffff };
	struct shake_syn_opts o;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		o = (struct shake_syn_opts)SHAKE_TEST_OFFER;
		KUNIT_EXPECT_EQ_MSG(test, shake_cookie_ts_opts(bad[i], &o),
				    -EINVAL, "tsecr %#x", bad[i]);
	}
	/* a window scale we never offered */
	o = (struct shake_syn_opts)SHAKE_TEST_OFFER;
	o.wscale_ok = 0;
	o.rcv_wscale = 0;
	KUNIT_EXPECT_EQ(test, shake_cookie_ts_opts(0x17, &o), -EINVAL);
}

/* Every combination the SYN-ACK can agree survives the echo */
static void shake_cookie_ts_round_trip(struct kunit *test)
{
	static const u32 clocks[] = {
		0, 1, 0x3f, 0x40, 0x12345678, 0x7fffffe0, 0x80000000, U32_MAX
	};
	unsigned int c, ws, sack;

	for (c = 0; c < ARRAY_SIZE(clocks); c++) {
		/* ws 15: no window scale option */
		for (ws = 0; ws <= 15; ws++) {
			for (sack = 0; sack <= 1; sack++) {
				struct shake_syn_opts agreed = {
					.wscale_ok = ws != 15,
					.snd_wscale = ws != 15 ? ws : 0,
					.sack_ok = sack,
				};
				struct shake_syn_opts o = SHAKE_TEST_OFFER;
				u32 tsval = clocks[c], ts;

				ts = shake_cookie_tsval(tsval, &agreed);
				KUNIT_EXPECT_FALSE(test,
						   shake_after(ts, tsval));
				KUNIT_EXPECT_LT(test, tsval - ts, 64U);
				KUNIT_EXPECT_EQ(test, ts & 0x3f,
						ws | (sack ? 0x10U : 0));
				KUNIT_ASSERT_EQ(test,
						shake_cookie_ts_opts(ts, &o),
						0);
				KUNIT_EXPECT_EQ(test, !!o.wscale_ok, ws != 15);
				KUNIT_EXPECT_EQ(test, o.snd_wscale,
						ws != 15 ? ws : 0);
				KUNIT_EXPECT_EQ(test, !!o.sack_ok, !!sack);
			}
		}
	}
}

static struct kunit_case shake_cookie_cases[] = {
	KUNIT_CASE(shake_cookie_layout),
	KUNIT_CASE(shake_cookie_round_trip),
	KUNIT_CASE(shake_cookie_expiry),
	KUNIT_CASE(shake_cookie_counter_wrap),
	KUNIT_CASE(shake_cookie_changed_inputs),
	KUNIT_CASE(shake_cookie_bit_flips),
	KUNIT_CASE(shake_cookie_mss_table),
	KUNIT_CASE(shake_cookie_tsval_bits),
	KUNIT_CASE(shake_cookie_ts_decode),
	KUNIT_CASE(shake_cookie_ts_forged),
	KUNIT_CASE(shake_cookie_ts_round_trip),
	{}
};

static struct kunit_suite shake_cookie_suite = {
	.name = "shake_cookie",
	.test_cases = shake_cookie_cases,
};

/* --- CUBIC's curve (cubic.c) --- */

static void shake_cubic_cbrt_exact(struct kunit *test)
{
	static const u64 cases[][2] = {
		{ 0, 0 }, { 1, 1 }, { 7, 1 }, { 8, 2 }, { 26, 2 }, { 27, 3 },
		{ 999999, 99 }, { 1000000, 100 },
		{ 75000000000ULL, 4217 },	/* 30 segments below W_max */
		{ 1ULL << 60, 1U << 20 },
		{ U64_MAX, 2642245 },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++)
		KUNIT_EXPECT_EQ_MSG(test, shake_cubic_cbrt(cases[i][0]),
				    (u32)cases[i][1], "cbrt(%llu)",
				    cases[i][0]);
}

/* RFC 9438 figure 1 with C = 0.4, from W_max 100 and beta 0.7 */
static void shake_cubic_curve_points(struct kunit *test)
{
	u32 k = shake_cubic_k(100, 70);

	/* K = cbrt(30 / 0.4) s */
	KUNIT_EXPECT_EQ(test, k, 4217U);
	KUNIT_EXPECT_EQ(test, shake_cubic_k(100, 100), 0U);
	KUNIT_EXPECT_EQ(test, shake_cubic_k(100, 140), 0U);
	/* the epoch starts where the reduction left the window */
	KUNIT_EXPECT_EQ(test, shake_cubic_window(100, k, 0), 70U);
	/* concave up to the plateau, flat there, convex beyond */
	KUNIT_EXPECT_EQ(test, shake_cubic_window(100, k, 1000), 86U);
	KUNIT_EXPECT_EQ(test, shake_cubic_window(100, k, 3000), 99U);
	KUNIT_EXPECT_EQ(test, shake_cubic_window(100, k, k), 100U);
	KUNIT_EXPECT_EQ(test, shake_cubic_window(100, k, k + 1000), 100U);
	KUNIT_EXPECT_EQ(test, shake_cubic_window(100, k, k + 5000), 150U);
	/* never below one segment, never wrapping far out */
	KUNIT_EXPECT_EQ(test, shake_cubic_window(1, 100000, 0), 1U);
	KUNIT_EXPECT_GT(test, shake_cubic_window(100, 0, U32_MAX), 100U);
}

static struct kunit_case shake_cubic_cases[] = {
	KUNIT_CASE(shake_cubic_cbrt_exact),
	KUNIT_CASE(shake_cubic_curve_points),
	{}
};

static struct kunit_suite shake_cubic_suite = {
	.name = "shake_cubic",
	.test_cases = shake_cubic_cases,
};

kunit_test_suites(&shake_options_suite, &shake_seq_suite, &shake_state_suite,
		  &shake_window_suite, &shake_cookie_suite, &shake_cubic_suite);

MODULE_DESCRIPTION("shake: KUnit tests of the pure parts");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
