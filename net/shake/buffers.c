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
 *
 * All shake sockets together are held to sysctl mem (pages: below the
 * first value nothing is held back; above the second the protocol is
 * under pressure, buffers stop growing and out-of-order data goes first;
 * above the third new data is refused), as TCP's tcp_mem, by the core's
 * accounting (sk_forward_alloc, the proto's memory_allocated).
 */

#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/percpu_counter.h>
#include <net/sock.h>

#include "protocol.h"

atomic_long_t shake_memory_allocated ____cacheline_aligned_in_smp;
DEFINE_PER_CPU(int, shake_memory_per_cpu_fw_alloc);
struct percpu_counter shake_sockets_allocated;
unsigned long shake_memory_pressure;
long sysctl_shake_mem[3];

/* struct proto.enter_memory_pressure: when it began, as TCP's */
void shake_enter_memory_pressure(struct sock *sk)
{
	unsigned long val = jiffies ? : 1;

	if (READ_ONCE(shake_memory_pressure))
		return;
	if (!cmpxchg(&shake_memory_pressure, 0, val))
		SHAKE_INC_STATS(sock_net(sk), SHAKE_MIB_MEMORYPRESSURES);
}

void shake_leave_memory_pressure(struct sock *sk)
{
	WRITE_ONCE(shake_memory_pressure, 0);
}

/**
 * shake_mem_init - the protocol's memory limits and socket count
 *
 * TCP's defaults (tcp_init_mem()): the pressure mark a sixteenth of the
 * memory, the low mark three quarters of it, the high mark twice the low.
 *
 * Return: 0 or -ENOMEM.
 */
int shake_mem_init(void)
{
	unsigned long limit = max(nr_free_buffer_pages() / 16, 128UL);

	sysctl_shake_mem[0] = limit / 4 * 3;
	sysctl_shake_mem[1] = limit;
	sysctl_shake_mem[2] = sysctl_shake_mem[0] * 2;
	return percpu_counter_init(&shake_sockets_allocated, 0, GFP_KERNEL);
}

void shake_mem_exit(void)
{
	percpu_counter_destroy(&shake_sockets_allocated);
}

/**
 * shake_mem_force - charge what must be queued whatever the limits
 * @sk: the socket, locked
 * @size: bytes (a FIN's segment)
 */
void shake_mem_force(struct sock *sk, int size)
{
	int delta = size - sk->sk_forward_alloc, pages;

	if (delta > 0) {
		pages = sk_mem_pages(delta);
		sk_forward_alloc_add(sk, pages << PAGE_SHIFT);
		/* past the per-CPU cache (sk_memory_allocated_add() needs a
		 * symbol the kernel does not export): the sum is the same
		 */
		atomic_long_add(pages, &shake_memory_allocated);
	}
	sk_mem_charge(sk, size);
}

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

	if ((sk->sk_userlocks & SOCK_SNDBUF_LOCK) ||
	    sk_under_memory_pressure(sk))
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
		if (!(sk->sk_userlocks & SOCK_RCVBUF_LOCK) &&
		    !sk_under_memory_pressure(sk)) {
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
