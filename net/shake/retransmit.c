// SPDX-License-Identifier: GPL-2.0
/*
 * shake: loss detection and retransmission. The retransmission timeout
 * from RTT samples (RFC 6298), the timer that guards what is in flight
 * (SYN, SYN-ACK of a simultaneous open, data and FIN) and goes back to the
 * oldest unacknowledged segment when it fires, and fast retransmit with
 * NewReno recovery on duplicate ACKs (RFC 5681 3.2, RFC 6582). The
 * congestion window's values come from the algorithm (cong.c); this file
 * decides what is lost and sends it again.
 */

#include "protocol.h"

/* RFC 6298 2.4: the RTO's floor */
#define SHAKE_RTO_MIN	((unsigned int)(HZ / 5))

/* Fold one RTT measurement, in microseconds, into the RTO (RFC 6298 2) */
static void shake_rtt_sample(struct shake_sock *ssk, s64 rtt_us)
{
	u32 rtt = clamp_t(s64, rtt_us, 1, U32_MAX / 8);
	u64 rto_us;

	if (!ssk->srtt_us) {
		ssk->srtt_us = rtt;
		ssk->rttvar_us = rtt / 2;
	} else {
		u32 delta = abs((s32)(ssk->srtt_us - rtt));

		ssk->rttvar_us = ssk->rttvar_us - ssk->rttvar_us / 4 +
				 delta / 4;
		ssk->srtt_us = ssk->srtt_us - ssk->srtt_us / 8 + rtt / 8;
	}
	/* G, the clock granularity, is one jiffy */
	rto_us = ssk->srtt_us + max_t(u64, jiffies_to_usecs(1),
				      4ULL * ssk->rttvar_us);
	ssk->rto = clamp_t(unsigned long, usecs_to_jiffies(rto_us),
			   SHAKE_RTO_MIN, SHAKE_RTO_MAX);
}

/**
 * shake_rtt_measure - take the RTT sample an acknowledgment gives, if any
 * @ssk: the socket, locked
 * @sent_us: when the newest segment it acknowledges was sent (shake_clock_us),
 *	0 if that was sent more than once (Karn: which copy is answered?)
 * @opt: the acknowledgment's options, NULL if its timestamp echo cannot be
 *	trusted as ours (a SYN cookie's)
 *
 * The clock of the sender measures a segment sent once; otherwise a
 * timestamp echo names the transmission it answers (RFC 7323 4), to the
 * millisecond. The SYN and SYN-ACK give the first sample (RFC 6298 2.2).
 */
void shake_rtt_measure(struct shake_sock *ssk, u64 sent_us,
		       const struct shake_options *opt)
{
	if (sent_us)
		shake_rtt_sample(ssk, shake_clock_us() - sent_us);
	else if (opt && ssk->opt.tstamp_ok && opt->saw_tstamp && opt->tsecr)
		shake_rtt_sample(ssk, (s64)(s32)(shake_time_stamp() +
						 ssk->opt.ts_off -
						 opt->tsecr) * USEC_PER_MSEC);
}

/**
 * shake_reset_retransmit_timer - (re)start the RTO for what is in flight
 * @sk: the socket, locked
 */
void shake_reset_retransmit_timer(struct sock *sk)
{
	struct shake_sock *ssk = shake_sk(sk);

	ssk->timer_job = SHAKE_TIMER_RETRANS;
	sk_reset_timer(sk, &ssk->retransmit_timer, jiffies + ssk->rto);
}

/**
 * shake_clear_retransmit_timer - nothing is in flight or to probe any more
 * @sk: the socket, locked
 */
void shake_clear_retransmit_timer(struct sock *sk)
{
	struct shake_sock *ssk = shake_sk(sk);

	ssk->timer_job = SHAKE_TIMER_NONE;
	sk_stop_timer(sk, &ssk->retransmit_timer);
}

/* Send the oldest unacknowledged segment again */
static void shake_retransmit_head(struct sock *sk)
{
	struct sk_buff *skb = skb_peek(&sk->sk_write_queue);

	if (skb && skb != shake_sk(sk)->send_head)
		shake_send_skb(sk, skb);
}

/**
 * shake_recovery_ack - new data was acknowledged: how recovery goes on
 * @sk: the socket, locked
 * @ack: the acknowledgment number; snd_una is still the old one, and the
 *	segments it covers are freed
 * @acked_segs: segments newly acknowledged
 *
 * In recovery, a partial ACK retransmits the next hole and deflates the
 * window by what it acknowledged (RFC 6582 3.2 step 5), a full ACK ends
 * recovery with the window at ssthresh (step 6).
 *
 * Return: true if the socket was in recovery (the window is not grown).
 */
bool shake_recovery_ack(struct sock *sk, u32 ack, u32 acked_segs)
{
	struct shake_sock *ssk = shake_sk(sk);

	ssk->dupacks = 0;
	if (!ssk->in_recovery)
		return false;
	if (shake_before(ack, ssk->recover)) {
		ssk->cwnd = ssk->cwnd > acked_segs ?
			    ssk->cwnd - acked_segs + 1 : 1;
		shake_retransmit_head(sk);
		return true;
	}
	ssk->in_recovery = 0;
	ssk->cwnd = min(ssk->ssthresh,
			DIV_ROUND_UP(ssk->snd_max - ack, ssk->mss_cache) + 1);
	return true;
}

/**
 * shake_recovery_dupack - a duplicate ACK arrived
 * @sk: the socket, locked
 *
 * The third in a row starts fast retransmit and recovery, unless it
 * acknowledges nothing beyond the recovery point of an earlier loss (RFC
 * 6582 4.1); in recovery each further one inflates the window by the
 * segment that left the network.
 */
void shake_recovery_dupack(struct sock *sk)
{
	struct shake_sock *ssk = shake_sk(sk);

	ssk->dupacks++;
	if (ssk->in_recovery) {
		ssk->cwnd++;
		return;
	}
	if (ssk->dupacks != 3 || !shake_after(ssk->snd_una, ssk->recover))
		return;
	ssk->ssthresh = ssk->cong_ops->ssthresh(sk);
	ssk->cwnd = ssk->ssthresh + 3;
	ssk->cwnd_cnt = 0;
	ssk->recover = ssk->snd_max;
	ssk->in_recovery = 1;
	SHAKE_INC_STATS(sock_net(sk), SHAKE_MIB_FASTRETRANS);
	shake_retransmit_head(sk);
}

/* An unanswered SYN, or SYN-ACK of a simultaneous open */
static void shake_syn_timeout(struct sock *sk)
{
	struct shake_sock *ssk = shake_sk(sk);
	int retries = READ_ONCE(shake_net(sock_net(sk))->sysctl_syn_retries);

	if (ssk->retransmits >= retries) {
		/* a soft error (ICMP) seen meanwhile says more than a timeout */
		shake_done(sk, sk->sk_err_soft ? : ETIMEDOUT);
		return;
	}
	ssk->retransmits++;
	ssk->rto = min(ssk->rto * 2, SHAKE_RTO_MAX);
	ssk->total_retrans++;
	SHAKE_INC_STATS(sock_net(sk), SHAKE_MIB_RETRANSSEGS);
	shake_send_syn(sk);
	shake_reset_retransmit_timer(sk);
}

/**
 * shake_data_timeout - data went unacknowledged for an RTO
 * @sk: a synchronized socket, locked
 *
 * After sysctl retries2 timeouts in a row (orphan_retries for an orphan)
 * the connection fails. Otherwise everything in flight counts as lost:
 * the congestion window starts again from one segment and ssthresh comes
 * from the algorithm (RFC 5681 3.1, (4)); duplicate ACKs of what was sent
 * before start no new recovery (RFC 6582 4.1). The RTO doubles (RFC 6298
 * 5.5), and sending goes back to the oldest unacknowledged segment, which
 * is sent whatever the windows say (RFC 6298 5.4).
 */
static void shake_data_timeout(struct sock *sk)
{
	struct shake_net *sn = shake_net(sock_net(sk));
	struct shake_sock *ssk = shake_sk(sk);
	struct sk_buff *skb;
	int retries;

	/* nobody waits for an orphan's result: it gives up sooner */
	retries = sock_flag(sk, SOCK_DEAD) ?
		  READ_ONCE(sn->sysctl_orphan_retries) :
		  READ_ONCE(sn->sysctl_retries2);

	if (ssk->retransmits >= retries) {
		SHAKE_INC_STATS(sock_net(sk), SHAKE_MIB_ABORTONTIMEOUT);
		shake_done(sk, sk->sk_err_soft ? : ETIMEDOUT);
		return;
	}
	SHAKE_INC_STATS(sock_net(sk), SHAKE_MIB_TIMEOUTS);
	ssk->ssthresh = ssk->cong_ops->ssthresh(sk);
	ssk->cwnd = 1;
	ssk->cwnd_cnt = 0;
	ssk->dupacks = 0;
	ssk->in_recovery = 0;
	ssk->recover = ssk->snd_max;
	ssk->retransmits++;
	ssk->rto = min(ssk->rto * 2, SHAKE_RTO_MAX);

	skb_queue_walk(&sk->sk_write_queue, skb)
		SHAKE_SKB_CB(skb)->in_flight = 0;
	ssk->packets_out = 0;
	ssk->send_head = skb_peek(&sk->sk_write_queue);
	ssk->snd_nxt = ssk->snd_una;
	if (ssk->send_head)
		shake_send_skb(sk, ssk->send_head);
	shake_reset_retransmit_timer(sk);
}

/**
 * shake_retransmit_work - what the retransmission timer does when it fires
 * @sk: the socket, bh-locked by the timer, or owned by the caller of
 *	release_sock() (shake_release_cb())
 *
 * Nothing when the timer was stopped or set again since: its job is done,
 * or not due yet.
 */
void shake_retransmit_work(struct sock *sk)
{
	struct shake_sock *ssk = shake_sk(sk);

	if (ssk->timer_job == SHAKE_TIMER_NONE ||
	    timer_pending(&ssk->retransmit_timer))
		return;
	switch (sk->sk_state) {
	case TCP_SYN_SENT:
	case TCP_SYN_RECV:	/* a socket in SYN_RECV: a simultaneous open */
		shake_syn_timeout(sk);
		break;
	default:
		if (!((1 << sk->sk_state) & SHAKEF_SENDING))
			break;
		if (ssk->timer_job == SHAKE_TIMER_RETRANS)
			shake_data_timeout(sk);
		else if (ssk->timer_job == SHAKE_TIMER_PROBE)
			shake_probe_timeout(sk);
		break;
	}
}

/**
 * shake_retransmit_timer - the retransmission (or persist) timer fired
 * @t: the socket's retransmit_timer
 *
 * While a process owns the socket the work waits for it to release the
 * socket (shake_release_cb()).
 */
void shake_retransmit_timer(struct timer_list *t)
{
	struct shake_sock *ssk = from_timer(ssk, t, retransmit_timer);
	struct sock *sk = &ssk->inet.sk;

	bh_lock_sock(sk);
	if (!shake_timer_defer(sk, SHAKE_RETRANSMIT_DEFERRED))
		shake_retransmit_work(sk);
	bh_unlock_sock(sk);
	sock_put(sk);
}
