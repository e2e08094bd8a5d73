// SPDX-License-Identifier: GPL-2.0
/*
 * shake: loss recovery and retransmission. The retransmission timeout
 * from RTT samples (RFC 6298) and the timer that guards what is in flight
 * (SYN, SYN-ACK of a simultaneous open, data and FIN); the scoreboard's
 * lost marks, from RACK (rack.c), from SACKed segments above a hole (RFC
 * 6675) or, without SACK, from duplicate ACKs (NewReno, RFC 6582); fast
 * recovery with Proportional Rate Reduction (RFC 6937); and sending again
 * what is marked lost. The congestion window outside recovery comes from
 * the algorithm (cong.c).
 */

#include "protocol.h"

/* RFC 6298 2.4: the RTO's floor */
#define SHAKE_RTO_MIN	((unsigned int)(HZ / 5))

/* Fold one RTT measurement, in microseconds, into the RTO (RFC 6298 2) */
static void shake_rtt_sample(struct shake_sock *ssk, s64 rtt_us)
{
	u32 rtt = clamp_t(s64, rtt_us, 1, U32_MAX / 8);
	u64 rto_us;

	if (!ssk->min_rtt_us || rtt < ssk->min_rtt_us)
		ssk->min_rtt_us = rtt;

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
 * millisecond: an answer within the same one counts as a millisecond, not
 * as nothing (which would make the minimum RTT, and RACK's reordering
 * window, vanish). The SYN and SYN-ACK give the first sample (RFC 6298 2.2).
 *
 * Return: the sample, microseconds, or -1 if there was none.
 */
s32 shake_rtt_measure(struct shake_sock *ssk, u64 sent_us,
		      const struct shake_options *opt)
{
	s64 us;
	s32 ms;

	if (sent_us) {
		us = shake_clock_us() - sent_us;
	} else if (opt && ssk->opt.tstamp_ok && opt->saw_tstamp &&
		   opt->tsecr) {
		ms = shake_time_stamp() + ssk->opt.ts_off - opt->tsecr;
		us = (s64)max(ms, 1) * USEC_PER_MSEC;
	} else {
		return -1;
	}
	shake_rtt_sample(ssk, us);
	return clamp_t(s64, us, 0, S32_MAX);
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

/**
 * shake_mark_lost - loss detection gave up on @skb: it is to be sent again
 * @ssk: the socket, locked
 * @skb: a segment sent and not SACKed
 *
 * A retransmission of it in flight is lost too (LostRetransmit).
 */
void shake_mark_lost(struct shake_sock *ssk, struct sk_buff *skb)
{
	struct shake_skb_cb *cb = SHAKE_SKB_CB(skb);

	if (cb->retrans) {
		cb->retrans = 0;
		ssk->retrans_out--;
		SHAKE_INC_STATS(sock_net(&ssk->inet.sk),
				SHAKE_MIB_LOSTRETRANSMIT);
	}
	if (!cb->lost) {
		cb->lost = 1;
		ssk->lost_out++;
	}
}

/**
 * shake_retransmit_lost - send again what is marked lost, as cwnd allows
 * @sk: a synchronized socket, locked
 *
 * Oldest first, before any new data (RFC 6675 NextSeg() rule 1).
 */
void shake_retransmit_lost(struct sock *sk)
{
	struct shake_sock *ssk = shake_sk(sk);
	struct sk_buff *skb;

	if (ssk->lost_out <= ssk->retrans_out)
		return;
	skb_queue_walk(&sk->sk_write_queue, skb) {
		struct shake_skb_cb *cb = SHAKE_SKB_CB(skb);

		if (skb == ssk->send_head || shake_pipe(ssk) >= ssk->cwnd)
			break;
		if (!cb->lost || cb->retrans)
			continue;
		if (shake_send_skb(sk, skb))
			break;
		if (ssk->ca_state == SHAKE_CA_RECOVERY)
			SHAKE_INC_STATS(sock_net(sk), SHAKE_MIB_FASTRETRANS);
	}
}

/* The oldest segment, if not lost already: NewReno's one hole */
static void shake_mark_head_lost(struct sock *sk)
{
	struct sk_buff *skb = skb_peek(&sk->sk_write_queue);

	if (skb && skb != shake_sk(sk)->send_head && !SHAKE_SKB_CB(skb)->lost)
		shake_mark_lost(shake_sk(sk), skb);
}

/* Without SACK, duplicate ACKs stand for SACKed segments (as Linux's Reno
 * emulation): sacked_out counts them, so that the pipe and Limited
 * Transmit (RFC 3042) come out as with SACK. The reordering-th in a row
 * starts recovery, unless it acknowledges nothing beyond an earlier
 * recovery point (RFC 6582 4.1); a partial ACK marks the next hole (RFC
 * 6582 3.2 step 5).
 */
static void shake_reno_loss(struct sock *sk, u32 acked_segs, bool dupack,
			    u32 *delivered)
{
	struct shake_sock *ssk = shake_sk(sk);

	if (acked_segs) {
		/* but the first, they were counted as they left the network */
		u32 counted = min(acked_segs - 1, ssk->sacked_out);

		ssk->sacked_out -= counted;
		*delivered -= min(*delivered, counted);
		if (ssk->ca_state == SHAKE_CA_RECOVERY)
			shake_mark_head_lost(sk);
	}
	if (dupack && ssk->sacked_out + ssk->lost_out < ssk->packets_out) {
		ssk->sacked_out++;
		(*delivered)++;
		if (ssk->ca_state == SHAKE_CA_OPEN &&
		    ssk->sacked_out >= ssk->reordering &&
		    shake_after(ssk->snd_una, ssk->recover))
			shake_mark_head_lost(sk);
	}
	ssk->sacked_out = min(ssk->sacked_out,
			      ssk->packets_out - ssk->lost_out);
}

/* RFC 6675 IsLost(): a segment with reordering SACKed segments above it */
static void shake_sack_dupthresh_loss(struct sock *sk)
{
	struct shake_sock *ssk = shake_sk(sk);
	u32 sacked_below = 0;
	struct sk_buff *skb;

	skb_queue_walk(&sk->sk_write_queue, skb) {
		struct shake_skb_cb *cb = SHAKE_SKB_CB(skb);

		if (skb == ssk->send_head ||
		    ssk->sacked_out - sacked_below < ssk->reordering)
			break;
		if (cb->sacked)
			sacked_below++;
		else if (!cb->lost)
			shake_mark_lost(ssk, skb);
	}
}

/* A loss episode (recovery or a timeout) starts: what undoing it restores */
static void shake_undo_init(struct shake_sock *ssk)
{
	ssk->undo_ok = 1;
	ssk->undo_marker = ssk->snd_una;
	ssk->undo_until = ssk->snd_nxt;
	ssk->undo_retrans = 0;
	ssk->retrans_stamp = 0;
	ssk->prior_cwnd = ssk->cwnd;
	ssk->prior_ssthresh = ssk->ssthresh;
}

/* The episode was no loss (Linux's undo, RFC 3522's response): the window
 * and threshold come back, the lost marks go, and the path is known to
 * reorder
 */
static void shake_undo(struct sock *sk, int mib)
{
	struct shake_sock *ssk = shake_sk(sk);
	struct sk_buff *skb;

	ssk->cwnd = ssk->cong_ops->undo_cwnd(sk);
	ssk->ssthresh = max(ssk->ssthresh, ssk->prior_ssthresh);
	ssk->undo_ok = 0;
	shake_set_ca_state(sk, SHAKE_CA_OPEN);
	ssk->rack.reord = 1;
	if (!ssk->opt.sack_ok)
		ssk->sacked_out = 0;
	skb_queue_walk(&sk->sk_write_queue, skb)
		SHAKE_SKB_CB(skb)->lost = 0;
	ssk->lost_out = 0;
	SHAKE_INC_STATS(sock_net(sk), mib);
}

/**
 * shake_undo_dsack - a D-SACK reports a duplicate the peer received
 * @sk: a synchronized socket, locked
 * @b: the D-SACK block, checked
 *
 * When D-SACKs have reported every retransmission of the last episode,
 * none was needed: it is undone.
 */
void shake_undo_dsack(struct sock *sk, const struct shake_sack_block *b)
{
	struct shake_sock *ssk = shake_sk(sk);
	u32 segs;

	if (!ssk->undo_ok || !ssk->undo_retrans ||
	    !shake_after(b->end, ssk->undo_marker) ||
	    shake_after(b->end, ssk->undo_until))
		return;
	segs = DIV_ROUND_UP(b->end - b->start, ssk->mss_cache);
	ssk->undo_retrans -= min(segs, ssk->undo_retrans);
	if (!ssk->undo_retrans)
		shake_undo(sk, SHAKE_MIB_DSACKUNDO);
}

/* Fast recovery starts: ssthresh from the algorithm; PRR brings the window
 * down to it as the ACKs come
 */
static void shake_enter_recovery(struct sock *sk)
{
	struct shake_sock *ssk = shake_sk(sk);

	shake_undo_init(ssk);
	ssk->ssthresh = ssk->cong_ops->ssthresh(sk);
	ssk->cwnd_cnt = 0;
	ssk->prr_delivered = 0;
	ssk->prr_out = 0;
	ssk->recover_fs = max(ssk->packets_out, 1U);
	ssk->recover = ssk->snd_nxt;
	shake_set_ca_state(sk, SHAKE_CA_RECOVERY);
	SHAKE_INC_STATS(sock_net(sk), ssk->opt.sack_ok ?
			SHAKE_MIB_SACKRECOVERY : SHAKE_MIB_RENORECOVERY);
}

/* Proportional Rate Reduction (RFC 6937): while the pipe is above ssthresh,
 * send ssthresh/RecoverFS of what is delivered; below it, slow start back
 * up to it (PRR-SSRB). The first retransmission goes at once.
 */
static void shake_prr(struct sock *sk, u32 delivered)
{
	struct shake_sock *ssk = shake_sk(sk);
	u32 pipe = shake_pipe(ssk);
	s64 sndcnt;

	if (!delivered)
		return;
	ssk->prr_delivered += delivered;
	if (pipe > ssk->ssthresh) {
		u64 want = (u64)ssk->ssthresh * ssk->prr_delivered +
			   ssk->recover_fs - 1;

		sndcnt = (s64)div_u64(want, ssk->recover_fs) - ssk->prr_out;
	} else {
		sndcnt = max_t(s64, (s64)ssk->prr_delivered - ssk->prr_out,
			       delivered) + 1;
		sndcnt = min_t(s64, ssk->ssthresh - pipe, sndcnt);
	}
	sndcnt = max_t(s64, sndcnt, ssk->prr_out ? 0 : 1);
	ssk->cwnd = pipe + sndcnt;
}

/**
 * shake_recovery - what an ACK (or the reordering timer) says of losses
 * @sk: a synchronized socket, locked; snd_una and the scoreboard are
 *	updated
 * @acked_segs: segments newly acknowledged cumulatively
 * @delivered: segments newly acknowledged or SACKed that were not SACKed
 *	before (RFC 6937 DeliveredData)
 * @flags: SHAKE_ACK_*
 *
 * An ACK of data sent before the episode's first retransmission, as its
 * timestamp echo shows, filled a hole with a delayed original: the path
 * reorders more than loss detection allowed for. After a timeout that
 * undoes it (a spurious RTO); in recovery it undoes it once no
 * retransmission is in flight, and until then no more is marked lost or
 * sent again (as Linux's partial undo). Otherwise recovery (or a
 * timeout's) ends once snd_una passes its recovery point, the window at
 * ssthresh. Then losses are detected (RACK, or with sysctl recovery 0 the
 * SACKed segments above a hole; duplicate ACKs without SACK); a loss
 * starts recovery; and the window is set: by PRR in recovery, by the
 * algorithm otherwise, if it limited what was sent.
 */
void shake_recovery(struct sock *sk, u32 acked_segs, u32 delivered,
		    int flags)
{
	struct shake_sock *ssk = shake_sk(sk);
	bool done = !shake_before(ssk->snd_una, ssk->recover);
	struct net *net = sock_net(sk);
	bool detect = true;

	if (ssk->ca_state != SHAKE_CA_OPEN && ssk->undo_ok &&
	    (flags & SHAKE_ACK_ORIG)) {
		ssk->rack.reord = 1;
		if (ssk->ca_state == SHAKE_CA_LOSS) {
			shake_undo(sk, SHAKE_MIB_SPURIOUSRTOS);
			ssk->retransmits = 0;
		} else if (done || !ssk->retrans_out) {
			shake_undo(sk, done ? SHAKE_MIB_FULLUNDO :
				   SHAKE_MIB_PARTIALUNDO);
		} else {
			detect = false;
		}
	} else if (ssk->ca_state != SHAKE_CA_OPEN && done) {
		if (ssk->ca_state == SHAKE_CA_RECOVERY)
			ssk->cwnd = max(ssk->ssthresh, 2U);
		shake_set_ca_state(sk, SHAKE_CA_OPEN);
		ssk->undo_until = ssk->snd_nxt;
		if (!ssk->opt.sack_ok)
			ssk->sacked_out = 0;
	}
	if (detect && !ssk->opt.sack_ok)
		shake_reno_loss(sk, acked_segs, flags & SHAKE_ACK_DUP,
				&delivered);
	else if (detect &&
		 (ssk->sacked_out || ssk->lost_out || ssk->retrans_out))
		READ_ONCE(shake_net(net)->sysctl_recovery) ?
			shake_rack_detect(sk) : shake_sack_dupthresh_loss(sk);

	if (ssk->ca_state == SHAKE_CA_OPEN && ssk->lost_out)
		shake_enter_recovery(sk);
	if (ssk->ca_state == SHAKE_CA_RECOVERY)
		shake_prr(sk, delivered);
	else if (acked_segs && ssk->cwnd_limited)
		ssk->cong_ops->cong_avoid(sk, ssk->snd_una, acked_segs);
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
 * the connection fails. Otherwise everything in flight and not SACKed
 * counts as lost: the congestion window starts again from one segment
 * and ssthresh comes from the algorithm (RFC 5681 3.1, (4)); duplicate
 * ACKs of what was sent before start no new recovery (RFC 6582 4.1). The
 * RTO doubles (RFC 6298 5.5), and the oldest unacknowledged segment is
 * sent whatever the windows say (RFC 6298 5.4); the rest follow as the
 * window opens. If the peer had SACKed that oldest segment, it dropped
 * what it SACKed (RFC 2018 8): the marks go, and all of it is sent again.
 */
static void shake_data_timeout(struct sock *sk)
{
	struct shake_net *sn = shake_net(sock_net(sk));
	struct shake_sock *ssk = shake_sk(sk);
	struct sk_buff *skb, *head;
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
	head = skb_peek(&sk->sk_write_queue);
	if (head == ssk->send_head)
		head = NULL;
	if (!ssk->opt.sack_ok || (head && SHAKE_SKB_CB(head)->sacked))
		shake_sack_clear(sk);
	/* a timeout in recovery undoes, if at all, to before the recovery */
	if (ssk->ca_state == SHAKE_CA_OPEN)
		shake_undo_init(ssk);
	/* not again for the next timeouts of the same segment: the window
	 * of one segment says nothing of the path
	 */
	if (ssk->ca_state != SHAKE_CA_LOSS || !ssk->retransmits)
		ssk->ssthresh = ssk->cong_ops->ssthresh(sk);
	ssk->cwnd = 1;
	ssk->cwnd_cnt = 0;
	shake_set_ca_state(sk, SHAKE_CA_LOSS);
	ssk->recover = ssk->snd_nxt;
	ssk->tlp_out = 0;
	ssk->retransmits++;
	ssk->rto = min(ssk->rto * 2, SHAKE_RTO_MAX);

	skb_queue_walk(&sk->sk_write_queue, skb) {
		struct shake_skb_cb *cb = SHAKE_SKB_CB(skb);

		if (skb == ssk->send_head)
			break;
		cb->retrans = 0;
		if (!cb->sacked && !cb->lost) {
			cb->lost = 1;
			ssk->lost_out++;
		}
	}
	ssk->retrans_out = 0;
	if (head)
		shake_send_skb(sk, head);
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
		else if (ssk->timer_job == SHAKE_TIMER_REO)
			shake_rack_timeout(sk);
		else if (ssk->timer_job == SHAKE_TIMER_TLP)
			shake_tlp_timeout(sk);
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
