// SPDX-License-Identifier: GPL-2.0
/*
 * shake: SYN cookies. When a listener answers a SYN with a cookie it keeps
 * nothing: everything the final ACK needs to build the connection is in
 * the SYN-ACK's sequence number (and, with timestamps, in our timestamp
 * value, which the ACK echoes). The cookie, 32 bits:
 *
 *	31..30	the time counter (64 s periods) modulo 4
 *	29..27	index of the MSS in shake_cookie_mss_table[]
 *	26..0	a keyed hash (SipHash, a secret per namespace) of the 4-tuple,
 *		the peer's ISN, the whole counter and the MSS index
 *
 * An ACK is taken for a cookie's if the counter in it is the current one
 * or the one before (a cookie lives 64 to 128 s) and the hash matches:
 * an attacker guesses 27 bits. The counter comes from the real-time clock,
 * as the ISN's clock does (isn.c): see shake_cookie_count().
 */

#include <linux/ktime.h>
#include <linux/siphash.h>
#include <kunit/visibility.h>
#include <net/ip.h>

#include "records.h"

#define SHAKE_COOKIE_PERIOD_SHIFT	6	/* 64 s */
#define SHAKE_COOKIE_COUNT_SHIFT	30
#define SHAKE_COOKIE_COUNT_MASK		3U
#define SHAKE_COOKIE_MSS_SHIFT		27
#define SHAKE_COOKIE_MSS_MASK		7U
#define SHAKE_COOKIE_HASH_MASK		(BIT(SHAKE_COOKIE_MSS_SHIFT) - 1)

/* Options that ride in the low bits of our timestamp value: the peer's
 * window scale (SHAKE_COOKIE_TS_NOWS: none) and SACK-permitted. The bit
 * above them is kept clear (TCP puts ECN there; shake has no ECN).
 */
#define SHAKE_COOKIE_TS_BITS		6
#define SHAKE_COOKIE_TS_MASK		(BIT(SHAKE_COOKIE_TS_BITS) - 1)
#define SHAKE_COOKIE_TS_WSCALE		0xfU
#define SHAKE_COOKIE_TS_NOWS		0xfU
#define SHAKE_COOKIE_TS_SACK		0x10U

/* MSS values a cookie can carry, ascending: each peer gets the largest
 * that does not exceed its own. Common Ethernet, tunnel and jumbo sizes.
 */
static const u16 shake_cookie_mss_table[] = {
	SHAKE_MIN_MSS, 536, 1200, 1360, 1440, 1460, 4312, 8960
};

/**
 * shake_cookie_init_net - choose a namespace's cookie secret
 * @sn: the namespace's shake state
 */
void shake_cookie_init_net(struct shake_net *sn)
{
	get_random_bytes(&sn->cookie_key, sizeof(sn->cookie_key));
}

/* The time counter: real time in 64 s periods. Real time, not jiffies,
 * because it is the clock an administrator (and a test) can move: a cookie
 * ages with the wall clock, so that its expiry can be checked without
 * waiting two minutes. The cost: stepping the clock forward invalidates
 * cookies in flight (their handshakes fall back on the SYN's
 * retransmission), stepping it back revives cookies for at most the same
 * span. The ISN clock (isn.c) has the same source.
 */
static u32 shake_cookie_count(void)
{
	return (u32)(ktime_get_real_seconds() >> SHAKE_COOKIE_PERIOD_SHIFT);
}

static u32 shake_cookie_hash(const siphash_key_t *key,
			     const struct shake_addrs *a, u32 peer_isn,
			     u32 count, u32 mssind)
{
	u64 addrs = (u64)(__force u32)a->laddr << 32 | (__force u32)a->raddr;
	u64 ports = (u64)((__force u32)a->lport << 16 |
			  (__force u32)a->rport) << 32 | peer_isn;

	return (u32)siphash_3u64(addrs, ports, (u64)count << 32 | mssind, key);
}

/**
 * shake_cookie_make - the cookie of a handshake
 * @key: the namespace's secret
 * @a: the handshake's 4-tuple
 * @peer_isn: the sequence number of the peer's SYN
 * @count: the time counter now (shake_cookie_count())
 * @mssind: the index of the MSS in shake_cookie_mss_table[]
 *
 * Return: the cookie, our ISN for this handshake.
 */
u32 shake_cookie_make(const siphash_key_t *key, const struct shake_addrs *a,
		      u32 peer_isn, u32 count, u32 mssind)
{
	return (count & SHAKE_COOKIE_COUNT_MASK) << SHAKE_COOKIE_COUNT_SHIFT |
	       mssind << SHAKE_COOKIE_MSS_SHIFT |
	       (shake_cookie_hash(key, a, peer_isn, count, mssind) &
		SHAKE_COOKIE_HASH_MASK);
}
EXPORT_SYMBOL_IF_KUNIT(shake_cookie_make);

/**
 * shake_cookie_decode - check a cookie that an ACK acknowledges
 * @key: the namespace's secret
 * @a: the 4-tuple of the ACK, seen from our end
 * @cookie: what the ACK acknowledges, less one
 * @peer_isn: the ACK's sequence number, less one
 * @now: the time counter now
 *
 * Valid if made for this 4-tuple and peer ISN in this period or the one
 * before: the latest counter not after @now that has the cookie's two low
 * bits is taken for the one it was made with.
 *
 * Return: the cookie's MSS index, or -EINVAL.
 */
int shake_cookie_decode(const siphash_key_t *key, const struct shake_addrs *a,
			u32 cookie, u32 peer_isn, u32 now)
{
	u32 count, mssind;

	count = now - ((now - (cookie >> SHAKE_COOKIE_COUNT_SHIFT)) &
		       SHAKE_COOKIE_COUNT_MASK);
	if (now - count > 1)
		return -EINVAL;			/* expired */
	mssind = (cookie >> SHAKE_COOKIE_MSS_SHIFT) & SHAKE_COOKIE_MSS_MASK;
	if ((shake_cookie_hash(key, a, peer_isn, count, mssind) ^ cookie) &
	    SHAKE_COOKIE_HASH_MASK)
		return -EINVAL;
	return mssind;
}
EXPORT_SYMBOL_IF_KUNIT(shake_cookie_decode);

/**
 * shake_cookie_mss - the MSS a cookie's index stands for
 * @mssind: the index, 0 to 7
 *
 * Return: the MSS, bytes.
 */
u16 shake_cookie_mss(unsigned int mssind)
{
	return shake_cookie_mss_table[mssind & SHAKE_COOKIE_MSS_MASK];
}
EXPORT_SYMBOL_IF_KUNIT(shake_cookie_mss);

/**
 * shake_cookie_mss_index - the index a cookie carries for a peer's MSS
 * @mss: the MSS of the peer's SYN
 *
 * Return: the index of the largest table entry not above @mss (0 for an
 * MSS below them all).
 */
unsigned int shake_cookie_mss_index(u16 mss)
{
	unsigned int i;

	for (i = ARRAY_SIZE(shake_cookie_mss_table) - 1; i; i--)
		if (mss >= shake_cookie_mss_table[i])
			break;
	return i;
}
EXPORT_SYMBOL_IF_KUNIT(shake_cookie_mss_index);

/**
 * shake_cookie_tsval - our timestamp value in a cookie's SYN-ACK
 * @tsval: what it would be without a cookie
 * @opt: the options agreed with the SYN
 *
 * The low bits carry the options the cookie has no room for. The value
 * must not run ahead of @tsval: the connection's later segments, with the
 * plain clock, would look older to the peer's PAWS than the SYN-ACK.
 *
 * Return: the timestamp value to send.
 */
u32 shake_cookie_tsval(u32 tsval, const struct shake_syn_opts *opt)
{
	u32 bits = opt->wscale_ok ? opt->snd_wscale : SHAKE_COOKIE_TS_NOWS;
	u32 ts;

	if (opt->sack_ok)
		bits |= SHAKE_COOKIE_TS_SACK;
	ts = (tsval & ~SHAKE_COOKIE_TS_MASK) | bits;
	if (shake_after(ts, tsval))
		ts -= SHAKE_COOKIE_TS_MASK + 1;
	return ts;
}
EXPORT_SYMBOL_IF_KUNIT(shake_cookie_tsval);

/* Without timestamps there is nowhere to keep the other options: as if
 * neither side had offered them, as TCP does
 */
static void shake_cookie_no_opts(struct shake_syn_opts *opt)
{
	opt->tstamp_ok = 0;
	opt->wscale_ok = 0;
	opt->snd_wscale = 0;
	opt->rcv_wscale = 0;
	opt->sack_ok = 0;
}

/**
 * shake_cookie_ts_opts - the options a cookie's timestamp echo carries
 * @tsecr: the ACK's timestamp echo, our shake_cookie_tsval()
 * @opt: what we offered (shake_syn_opts_offer()); gets the peer's window
 *	scale and SACK-permitted as the SYN-ACK agreed them
 *
 * Return: 0, or -EINVAL for bits a cookie never sets (a forged echo).
 */
int shake_cookie_ts_opts(u32 tsecr, struct shake_syn_opts *opt)
{
	u32 bits = tsecr & SHAKE_COOKIE_TS_MASK;

	if (bits & ~(SHAKE_COOKIE_TS_WSCALE | SHAKE_COOKIE_TS_SACK))
		return -EINVAL;
	opt->sack_ok = opt->sack_ok && (bits & SHAKE_COOKIE_TS_SACK);
	bits &= SHAKE_COOKIE_TS_WSCALE;
	if (bits == SHAKE_COOKIE_TS_NOWS) {
		opt->wscale_ok = 0;
		opt->snd_wscale = 0;
		opt->rcv_wscale = 0;
		return 0;
	}
	if (bits > SHAKE_MAX_WSCALE || !opt->wscale_ok)
		return -EINVAL;
	opt->snd_wscale = bits;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(shake_cookie_ts_opts);

/* "Possible SYN flooding", once per listener */
static void shake_cookie_warn(struct sock *sk, const char *action)
{
	struct shake_sock *ssk = shake_sk(sk);

	if (ssk->synflood_warned)
		return;
	ssk->synflood_warned = 1;
	net_info_ratelimited("shake: Possible SYN flooding on port %pI4:%u. %s.\n",
			     &inet_sk(sk)->inet_rcv_saddr,
			     inet_sk(sk)->inet_num, action);
}

/**
 * shake_cookie_want - answer this SYN with a cookie?
 * @sk: the listener, bh-locked
 * @queue_full: its SYN queue is at its bound
 *
 * sysctl syncookies: 0 never (a SYN past the bound is dropped), 1 only
 * when the queue is full, 2 always. A full queue is logged once per
 * listener, as TCP does.
 *
 * Return: true for a cookie, false for a request record (or a drop, when
 * @queue_full).
 */
bool shake_cookie_want(struct sock *sk, bool queue_full)
{
	int mode = READ_ONCE(shake_net(sock_net(sk))->sysctl_syncookies);

	if (mode == 2)
		return true;
	if (!queue_full)
		return false;
	shake_cookie_warn(sk, mode ? "Sending cookies" : "Dropping request");
	return mode == 1;
}

/**
 * shake_cookie_synack - answer a SYN with a cookie, keeping nothing
 * @sk: the listener, bh-locked
 * @skb: the SYN
 * @th: its header
 * @opt: its options
 */
void shake_cookie_synack(struct sock *sk, struct sk_buff *skb,
			 const struct shakehdr *th,
			 const struct shake_options *opt)
{
	struct shake_net *sn = shake_net(sock_net(sk));
	struct shake_request req;

	shake_req_init(sk, skb, th, &req);
	req.cookie = 1;
	req.rcv_nxt = ntohl(th->seq) + 1;
	shake_syn_opts_offer(sk, &req.opt, req.addrs.laddr, req.addrs.raddr);
	shake_syn_opts_agree(&req.opt, opt);
	if (!req.opt.tstamp_ok)
		shake_cookie_no_opts(&req.opt);
	req.iss = shake_cookie_make(&sn->cookie_key, &req.addrs,
				    ntohl(th->seq), shake_cookie_count(),
				    shake_cookie_mss_index(req.opt.mss));

	shake_send_synack(&req, shake_cookie_tsval(shake_time_stamp() +
						   req.opt.ts_off, &req.opt));
	shake_sk(sk)->cookie_stamp = jiffies | 1;	/* 0: never */
	SHAKE_INC_STATS(sock_net(sk), SHAKE_MIB_SYNCOOKIESSENT);
}

/* Would an ACK to this listener be for a cookie? Only if it may have sent
 * one lately: otherwise a stray ACK costs a hash and counts as failed.
 */
static bool shake_cookie_recent(struct sock *sk)
{
	unsigned long stamp = shake_sk(sk)->cookie_stamp;
	int mode = READ_ONCE(shake_net(sock_net(sk))->sysctl_syncookies);

	if (mode == 2)
		return true;
	return stamp && time_before(jiffies, stamp +
				    (2UL << SHAKE_COOKIE_PERIOD_SHIFT) * HZ);
}

/**
 * shake_cookie_check - is an ACK for a listener the end of a cookie handshake?
 * @sk: the listener, bh-locked
 * @skb: the ACK (no SYN, no RST); no request record matched it
 * @th: its header
 * @opt: its options
 * @req: filled in with what the handshake agreed, when valid
 *
 * Return: 1 if the cookie is valid (SyncookiesRecv), 0 if it is not
 * (SyncookiesFailed), -ENOENT if the listener has sent no cookie lately
 * and the ACK is simply one that found no connection.
 */
int shake_cookie_check(struct sock *sk, struct sk_buff *skb,
		       const struct shakehdr *th,
		       const struct shake_options *opt,
		       struct shake_request *req)
{
	struct shake_net *sn = shake_net(sock_net(sk));
	u32 cookie = ntohl(th->ack_seq) - 1;
	u32 peer_isn = ntohl(th->seq) - 1;
	struct shake_syn_opts *o = &req->opt;
	int mssind;

	if (!shake_cookie_recent(sk))
		return -ENOENT;

	shake_req_init(sk, skb, th, req);
	req->cookie = 1;
	mssind = shake_cookie_decode(&sn->cookie_key, &req->addrs, cookie,
				     peer_isn, shake_cookie_count());
	if (mssind < 0)
		goto failed;

	req->iss = cookie;
	req->rcv_nxt = peer_isn + 1;
	/* our rcv_wscale as offered, and the timestamp offset */
	shake_syn_opts_offer(sk, o, req->addrs.laddr, req->addrs.raddr);
	o->mss = shake_cookie_mss(mssind);
	if (o->tstamp_ok && opt->saw_tstamp) {
		if (shake_cookie_ts_opts(opt->tsecr, o))
			goto failed;
	} else {
		shake_cookie_no_opts(o);
	}
	SHAKE_INC_STATS(sock_net(sk), SHAKE_MIB_SYNCOOKIESRECV);
	return 1;

failed:
	SHAKE_INC_STATS(sock_net(sk), SHAKE_MIB_SYNCOOKIESFAILED);
	return 0;
}
