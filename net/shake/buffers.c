// SPDX-License-Identifier: GPL-2.0
/*
 * shake: how big the send and receive buffers of a connection are.
 *
 * They start at the middle values of sysctls wmem and rmem and grow with
 * the path, up to the maxima, as TCP's do: the send buffer holds twice
 * what the congestion window may have in flight; the receive buffer is
 * sized from what the reader takes per round trip (dynamic right-sizing,
 * TCP's tcp_rcv_space_adjust()), so the advertised window stays ahead of
 * the sender. SO_SNDBUF and SO_RCVBUF fix a buffer where the application
 * puts it.
 */

#include <linux/log2.h>
#include <net/sock.h>

#include "protocol.h"

/* The memory a full-sized segment of @mss takes in a queue, as TCP counts
 * it for its send buffer (tcp_sndbuf_expand())
 */
static u32 shake_segment_mem(u32 mss)
{
	u32 per_mss = mss + MAX_SHAKE_HEADER +
		      SKB_DATA_ALIGN(sizeof(struct skb_shared_info));

	return roundup_pow_of_two(per_mss) +
	       SKB_DATA_ALIGN(sizeof(struct sk_buff));
}

/**
 * shake_sndbuf_expand - let the send buffer hold twice the window's worth
 * @sk: the socket, locked
 *
 * Of the congestion window, at least the initial one, and of what
 * reordering may keep unacknowledged.
 */
void shake_sndbuf_expand(struct sock *sk)
{
	struct shake_sock *ssk = shake_sk(sk);
	u32 segs, sndmem;
	int max;

	if (sk->sk_userlocks & SOCK_SNDBUF_LOCK)
		return;
	segs = max3(ssk->cwnd, (u32)SHAKE_INIT_CWND, ssk->reordering + 1);
	sndmem = 2 * segs * shake_segment_mem(ssk->mss_cache);
	max = READ_ONCE(shake_net(sock_net(sk))->sysctl_wmem[2]);
	if (READ_ONCE(sk->sk_sndbuf) < sndmem)
		WRITE_ONCE(sk->sk_sndbuf, min_t(u32, sndmem, max));
}

/**
 * shake_buffers_init - a connection is set up: its first buffer sizes
 * @sk: the socket, locked
 *
 * The reader's first round trip is measured against what the first
 * window allows.
 */
void shake_buffers_init(struct sock *sk)
{
	struct shake_sock *ssk = shake_sk(sk);

	shake_sndbuf_expand(sk);
	ssk->rcvq_space.space = min_t(u32, ssk->rcv_wnd,
				      SHAKE_INIT_CWND * ssk->rcv_mss);
	ssk->rcvq_space.seq = ssk->copied_seq;
	ssk->rcvq_space.time_us = shake_clock_us();
	ssk->rcv_rtt.rtt_us = 0;
	ssk->rcv_rtt.time_us = 0;
	ssk->rcv_rtt.tsecr = 0;
}

/**
 * shake_rcv_rtt_measure - the receiver's view of the round trip
 * @sk: a synchronized socket, locked
 * @opt: the options of a data segment acceptable to us
 * @data_len: its data length
 *
 * With timestamps, a full segment echoing a new value of ours took about
 * an RTT since we sent that value: a smoothed estimate. Without them,
 * the time the peer takes to send a window's worth, the least seen.
 */
void shake_rcv_rtt_measure(struct sock *sk, const struct shake_options *opt,
			   u32 data_len)
{
	struct shake_sock *ssk = shake_sk(sk);
	struct shake_rcv_rtt *r = &ssk->rcv_rtt;
	u64 now = shake_clock_us();
	s32 ms;
	u32 us;

	if (ssk->opt.tstamp_ok) {
		if (!opt->saw_tstamp || !opt->tsecr || opt->tsecr == r->tsecr ||
		    data_len < ssk->rcv_mss)
			return;
		r->tsecr = opt->tsecr;
		ms = shake_time_stamp() + ssk->opt.ts_off - opt->tsecr;
		if (ms < 0 || ms > jiffies_to_msecs(SHAKE_RTO_MAX))
			return;
		us = max(ms, 1) * USEC_PER_MSEC;
		r->rtt_us = r->rtt_us ? r->rtt_us - r->rtt_us / 8 + us / 8 : us;
		return;
	}
	if (!r->time_us) {
		r->seq = ssk->rcv_nxt + max(ssk->rcv_wnd, ssk->rcv_mss);
		r->time_us = now;
		return;
	}
	if (shake_before(ssk->rcv_nxt + data_len, r->seq))
		return;
	us = clamp_t(u64, now - r->time_us, 1, U32_MAX);
	if (!r->rtt_us || us < r->rtt_us)
		r->rtt_us = us;
	r->time_us = 0;
}

/**
 * shake_rcv_space_adjust - the reader took data: grow the buffer to it
 * @sk: the socket, locked
 *
 * Once a round trip: if the reader took more than in the last, the
 * buffer is made room for twice that (the sender may be doubling, in
 * slow start) plus what growth itself suggests, as TCP does.
 */
void shake_rcv_space_adjust(struct sock *sk)
{
	struct shake_sock *ssk = shake_sk(sk);
	struct shake_rcvq_space *q = &ssk->rcvq_space;
	u64 now = shake_clock_us(), rcvwin, grow;
	u32 copied, space = max(q->space, 1U);
	int max;

	if (!ssk->rcv_rtt.rtt_us || now - q->time_us < ssk->rcv_rtt.rtt_us)
		return;
	copied = ssk->copied_seq - q->seq;
	if (copied > q->space) {
		if (!(sk->sk_userlocks & SOCK_RCVBUF_LOCK)) {
			rcvwin = ((u64)copied << 1) + 16 * ssk->rcv_mss;
			grow = div_u64(rcvwin * (copied - q->space), space);
			rcvwin += grow << 1;
			/* the window is half the free buffer */
			max = READ_ONCE(shake_net(sock_net(sk))->sysctl_rmem[2]);
			rcvwin = min_t(u64, rcvwin * 2, max);
			if (rcvwin > READ_ONCE(sk->sk_rcvbuf))
				WRITE_ONCE(sk->sk_rcvbuf, rcvwin);
		}
		q->space = copied;
	}
	q->seq = ssk->copied_seq;
	q->time_us = now;
}
