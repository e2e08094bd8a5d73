// SPDX-License-Identifier: GPL-2.0
/*
 * shake: the wire format: option parsing.
 */

#include <linux/string.h>
#include <asm/unaligned.h>
#include <kunit/visibility.h>

#include "wire.h"

/* Whether @len is the length an option of @kind must have. */
static bool shake_option_len_ok(u8 kind, u8 len)
{
	switch (kind) {
	case SHAKEOPT_MSS:
		return len == SHAKEOLEN_MSS;
	case SHAKEOPT_WINDOW:
		return len == SHAKEOLEN_WINDOW;
	case SHAKEOPT_SACK_PERM:
		return len == SHAKEOLEN_SACK_PERM;
	case SHAKEOPT_SACK:
		return len > 2 && len <= SHAKEOLEN_SACK_MAX &&
		       (len - 2) % SHAKEOLEN_SACK_BLOCK == 0;
	case SHAKEOPT_TIMESTAMP:
		return len == SHAKEOLEN_TIMESTAMP;
	default:
		return true;	/* unknown kinds are skipped by their length */
	}
}

/**
 * shake_parse_options - read the options of a segment
 * @th: the header; the whole of th->doff * 4 bytes must be linear
 * @opt: filled with what the options say
 *
 * An option list is malformed when an option's length byte is missing,
 * below 2, runs past the header, or is not the fixed length of a known kind.
 * Unknown kinds are skipped by their length; EOL ends the list.
 *
 * Return: 0, or -EINVAL for a malformed list (the segment is dropped).
 */
int shake_parse_options(const struct shakehdr *th, struct shake_options *opt)
{
	const u8 *ptr = (const u8 *)(th + 1);
	int left = th->doff * 4 - sizeof(*th);

	memset(opt, 0, sizeof(*opt));
	while (left > 0) {
		u8 kind = *ptr, len;

		if (kind == SHAKEOPT_EOL)
			break;
		if (kind == SHAKEOPT_NOP) {
			ptr++;
			left--;
			continue;
		}
		if (left < 2)
			return -EINVAL;
		len = ptr[1];
		if (len < 2 || len > left || !shake_option_len_ok(kind, len))
			return -EINVAL;

		switch (kind) {
		case SHAKEOPT_MSS:
			opt->mss = get_unaligned_be16(ptr + 2);
			break;
		case SHAKEOPT_WINDOW:
			opt->wscale_ok = 1;
			opt->wscale = ptr[2];
			break;
		case SHAKEOPT_SACK_PERM:
			opt->sack_ok = 1;
			break;
		case SHAKEOPT_SACK:
			opt->num_sacks = (len - 2) / SHAKEOLEN_SACK_BLOCK;
			opt->sack_off = ptr - (const u8 *)th;
			break;
		case SHAKEOPT_TIMESTAMP:
			opt->saw_tstamp = 1;
			opt->tsval = get_unaligned_be32(ptr + 2);
			opt->tsecr = get_unaligned_be32(ptr + 6);
			break;
		}
		ptr += len;
		left -= len;
	}
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(shake_parse_options);

/**
 * shake_sack_blocks - the SACK blocks a segment carries, as it sent them
 * @th: the header, options linear, as shake_parse_options() read it
 * @opt: what it found
 * @blocks: room for SHAKE_MAX_SACKS blocks
 *
 * Return: the number of blocks copied to @blocks, in host order.
 */
int shake_sack_blocks(const struct shakehdr *th,
		      const struct shake_options *opt,
		      struct shake_sack_block *blocks)
{
	const u8 *ptr = (const u8 *)th + opt->sack_off + 2;
	int i;

	for (i = 0; i < opt->num_sacks; i++, ptr += SHAKEOLEN_SACK_BLOCK) {
		blocks[i].start = get_unaligned_be32(ptr);
		blocks[i].end = get_unaligned_be32(ptr + 4);
	}
	return opt->num_sacks;
}
EXPORT_SYMBOL_IF_KUNIT(shake_sack_blocks);
