/* SPDX-License-Identifier: GPL-2.0 */
/*
 * shake: the wire format. The segment header and its options have TCP's
 * layout (RFC 9293 3.1), so packet tools decode shake as TCP.
 */
#ifndef _SHAKE_WIRE_H
#define _SHAKE_WIRE_H

#include <asm/byteorder.h>
#include <linux/skbuff.h>
#include <linux/types.h>

/**
 * struct shakehdr - the segment header; the layout of TCP's (RFC 9293 3.1)
 * @source: source port
 * @dest: destination port
 * @seq: sequence number of the first byte (or of the SYN)
 * @ack_seq: the next sequence number the sender expects, if @ack
 * @res1: reserved, zero
 * @doff: data offset: the header's length with options, in 32-bit words
 * @fin: FIN: no more data from the sender
 * @syn: SYN: synchronize sequence numbers
 * @rst: RST: reset the connection
 * @psh: PSH: push
 * @ack: ACK: @ack_seq is significant
 * @urg: URG: the urgent pointer is significant (shake sends none)
 * @ece: ECN echo (RFC 3168; shake has no ECN)
 * @cwr: congestion window reduced (RFC 3168)
 * @window: the receive window, scaled when window scaling was agreed
 * @check: the Internet checksum over the pseudo-header and segment
 * @urg_ptr: the urgent pointer
 */
struct shakehdr {
	__be16	source;
	__be16	dest;
	__be32	seq;
	__be32	ack_seq;
#if defined(__LITTLE_ENDIAN_BITFIELD)
	__u16	res1:4,
		doff:4,
		fin:1,
		syn:1,
		rst:1,
		psh:1,
		ack:1,
		urg:1,
		ece:1,
		cwr:1;
#elif defined(__BIG_ENDIAN_BITFIELD)
	__u16	doff:4,
		res1:4,
		cwr:1,
		ece:1,
		urg:1,
		ack:1,
		psh:1,
		rst:1,
		syn:1,
		fin:1;
#else
#error "byte order not set"
#endif
	__be16	window;
	__sum16	check;
	__be16	urg_ptr;
};

/* The flags byte, as in TCP's tcp_flag_byte() */
#define shake_flag_byte(th)	(((u8 *)(th))[13])
#define SHAKEHDR_FIN		0x01
#define SHAKEHDR_SYN		0x02
#define SHAKEHDR_RST		0x04
#define SHAKEHDR_PSH		0x08
#define SHAKEHDR_ACK		0x10
#define SHAKEHDR_URG		0x20
#define SHAKEHDR_CWR		0x80

static inline struct shakehdr *shake_hdr(const struct sk_buff *skb)
{
	return (struct shakehdr *)skb_transport_header(skb);
}

/* Option kinds and lengths, as TCP's */
#define SHAKEOPT_EOL		0
#define SHAKEOPT_NOP		1
#define SHAKEOPT_MSS		2
#define SHAKEOPT_WINDOW		3
#define SHAKEOPT_SACK_PERM	4
#define SHAKEOPT_SACK		5
#define SHAKEOPT_TIMESTAMP	8

#define SHAKEOLEN_MSS		4
#define SHAKEOLEN_WINDOW	3
#define SHAKEOLEN_SACK_PERM	2
#define SHAKEOLEN_SACK_BLOCK	8
#define SHAKE_MAX_SACKS		4
#define SHAKEOLEN_SACK_MAX	(2 + SHAKE_MAX_SACKS * SHAKEOLEN_SACK_BLOCK)
#define SHAKEOLEN_TIMESTAMP	10

/* Options as they ride on data segments: NOP, NOP, timestamps */
#define SHAKEOLEN_TSTAMP_ALIGNED	12
/* The largest window scale shift (RFC 7323 2.3) */
#define SHAKE_MAX_WSCALE		14
/* Smallest segment the peer may ask for, and a default without the option */
#define SHAKE_MIN_MSS			88
#define SHAKE_DEFAULT_MSS		536

/* IP and shake headers with the most options, for skb_reserve() */
#define MAX_SHAKE_HEADER	(60 + MAX_HEADER)

/**
 * struct shake_options - the options a segment carried
 * @mss: MSS option value, 0 if absent
 * @wscale: window scale shift, valid if @wscale_ok
 * @wscale_ok: window scale option present
 * @sack_ok: SACK-permitted option present
 * @saw_tstamp: timestamp option present
 * @num_sacks: number of SACK blocks
 * @sack_off: where the SACK option starts, bytes from the header's start
 * @tsval: timestamp value
 * @tsecr: timestamp echo reply
 */
struct shake_options {
	u16 mss;
	u8 wscale;
	u8 wscale_ok:1,
	   sack_ok:1,
	   saw_tstamp:1;
	u8 num_sacks;
	u8 sack_off;
	u32 tsval;
	u32 tsecr;
};

/* One SACK block (RFC 2018 3): received data from @start up to @end */
struct shake_sack_block {
	u32 start;
	u32 end;
};

int shake_parse_options(const struct shakehdr *th, struct shake_options *opt);
int shake_sack_blocks(const struct shakehdr *th,
		      const struct shake_options *opt,
		      struct shake_sack_block *blocks);

/* Sequence number comparisons, modulo 2^32 */
static inline bool shake_before(u32 seq1, u32 seq2)
{
	return (s32)(seq1 - seq2) < 0;
}

#define shake_after(seq2, seq1)	shake_before(seq1, seq2)

#endif /* _SHAKE_WIRE_H */
