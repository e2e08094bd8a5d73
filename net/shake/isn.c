// SPDX-License-Identifier: GPL-2.0
/*
 * shake: initial sequence numbers (RFC 6528): ISN = M + F(4-tuple, key),
 * M a clock ticking every 4 microseconds, F a keyed hash (SipHash) with a
 * key chosen at load, so that an off-path attacker cannot predict an ISN
 * and successive connections on one 4-tuple still move forward. The
 * timestamp clock's offset is keyed the same way, on the address pair
 * (RFC 7323 5.4), so that it too moves forward from one connection to the
 * next between two hosts: PAWS then tells an old connection's duplicates
 * from a new one's segments (TIME_WAIT reuse).
 */

#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/siphash.h>

#include "protocol.h"

static siphash_aligned_key_t shake_isn_key;
static siphash_aligned_key_t shake_ts_key;

void shake_isn_init(void)
{
	get_random_bytes(&shake_isn_key, sizeof(shake_isn_key));
	get_random_bytes(&shake_ts_key, sizeof(shake_ts_key));
}

u32 shake_isn(__be32 saddr, __be32 daddr, __be16 sport, __be16 dport)
{
	u32 hash = siphash_3u32((__force u32)saddr, (__force u32)daddr,
				(__force u32)sport << 16 | (__force u32)dport,
				&shake_isn_key);

	return hash + (u32)div_u64(ktime_get_real_ns(), 4000);
}

/* The offset of our timestamps towards @daddr, seen from @saddr */
u32 shake_ts_off(__be32 saddr, __be32 daddr)
{
	return siphash_2u32((__force u32)saddr, (__force u32)daddr,
			    &shake_ts_key);
}
