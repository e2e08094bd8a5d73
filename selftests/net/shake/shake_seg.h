/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Segments as the wire carries them, for the tests that craft them on raw
 * or packet sockets and read them back: the header (TCP's layout, RFC 9293
 * section 3.1, which is shake's), the Internet checksum, and one builder.
 */
#ifndef SHAKE_SELFTEST_SEG_H
#define SHAKE_SELFTEST_SEG_H

#include <stdbool.h>
#include <stdint.h>

#define F_FIN 0x01
#define F_SYN 0x02
#define F_RST 0x04
#define F_PSH 0x08
#define F_ACK 0x10

/* A segment's header, options included; fields in network order */
struct shake_seg {
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t off_res, flags;	/* data offset in off_res's high nibble */
	uint16_t win, check, urg;
	uint8_t opt[40];
} __attribute__((packed));

/* MSS 1460 (a 1500-byte MTU), the option a crafted SYN offers */
extern const uint8_t shake_mss_opt[4];

/*
 * The Internet checksum (RFC 1071) of len bytes at buf, on top of sum, a
 * partial sum of 16-bit words in network order (0 for none).
 */
uint16_t shake_inet_csum(const void *buf, int len, uint32_t sum);

/*
 * The checksum of a segment with its IPv4 pseudo-header (addresses in
 * network order): what its check field must hold, or 0 over a segment
 * whose check field is right.
 */
uint16_t shake_csum(const void *seg, int len, uint32_t saddr, uint32_t daddr,
		    int proto);

/*
 * An IPv4 header (20 bytes, TTL 64, checksum filled) for len bytes of
 * protocol proto. Returns its length.
 */
int shake_ip_hdr(void *buf, int proto, uint32_t saddr, uint32_t daddr,
		 int len);

/*
 * The SACK blocks of a segment read back (start, end in host order): how
 * many, at most max, 0 without the option; -1 if the option list is cut.
 */
int shake_seg_sacks(const struct shake_seg *s, uint32_t (*blocks)[2], int max);

/* What shake_seg_build() makes; numbers in host order, addresses not */
struct shake_seg_desc {
	int proto;		/* of the pseudo-header (and the IP header) */
	uint32_t saddr, daddr;	/* network order */
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t flags;		/* F_* */
	uint16_t win;
	const void *opt;	/* options, optlen bytes: a multiple of 4 */
	int optlen;
	const void *data;	/* payload, len bytes */
	int len;
	int doff;		/* data offset to claim (words); 0: the true one */
	bool ip;		/* an IPv4 header first (IP_HDRINCL, frames) */
};

/*
 * Write the segment d describes to buf (size bytes), checksum filled:
 * its length, IP header included, or -1 if the options are not whole
 * words or it does not fit.
 */
int shake_seg_build(void *buf, int size, const struct shake_seg_desc *d);

#endif
