// SPDX-License-Identifier: GPL-2.0
/*
 * shake: loss detection by RACK-TLP (RFC 8985): a segment is lost when
 * one sent after it was delivered and more than an RTT plus a reordering
 * window has passed since it was sent. Time, not the count of duplicate
 * ACKs, decides, so a path that reorders a little costs no retransmission
 * and a lost retransmission is found as a lost original is. A Tail Loss
 * Probe makes the peer say what arrived when the tail of a flight goes
 * unanswered, so that a loss there costs no RTO either.
 */

#include "protocol.h"

/* RFC 8985 7.2's WCDelAckT: the longest a peer may delay its ACK */
#define SHAKE_TLP_DELACK_MAX	((unsigned long)(HZ / 5))

/* Was @cb sent before the segment RACK last saw delivered? */
static bool shake_rack_sent_before(const struct shake_rack *rack,
				   const struct shake_skb_cb *cb)
{
	return cb->sent_us < rack->sent_us ||
	       (cb->sent_us == rack->sent_us &&
		shake_before(cb->end_seq, rack->end_seq));
}

/**
 * shake_rack_delivered - the peer acknowledged or SACKed @skb
 * @ssk: the socket, locked
 * @skb: the segment, not yet freed
 *
 * RACK follows the most recently sent of the delivered segments (RFC 8985
 * 6.2, step 2). An answer quicker than the path's minimum RTT to a
 * retransmitted segment answers its original: it says nothing of when the
 * retransmission went. A segment sent once and delivered below one SACKed
 * before shows that the path reorders (step 3).
 */
void shake_rack_delivered(struct shake_sock *ssk, const struct sk_buff *skb)
{
	const struct shake_skb_cb *cb = SHAKE_SKB_CB(skb);
	s64 rtt = shake_clock_us() - cb->sent_us;

	if (!cb->retransmitted &&
	    shake_before(cb->end_seq, ssk->highest_sack)) {
		SHAKE_INC_STATS(sock_net(&ssk->inet.sk), SHAKE_MIB_SACKREORDER);
		ssk->rack.reord = 1;
	}
	if (cb->retransmitted && rtt < ssk->min_rtt_us)
		return;
	if (!shake_rack_sent_before(&ssk->rack, cb)) {
		ssk->rack.sent_us = cb->sent_us;
		ssk->rack.end_seq = cb->end_seq;
		ssk->rack.rtt_us = clamp_t(s64, rtt, 1, U32_MAX);
	}
}

/* RFC 8985 6.2, step 4: no window while no reordering was seen and a loss
 * is evident (in recovery, or reordering segments SACKed above a hole);
 * otherwise a quarter of the minimum RTT per D-SACK round that found
 * it too small, at most the smoothed RTT.
 */
static u32 shake_rack_reo_wnd(const struct shake_sock *ssk)
{
	if (!ssk->rack.reord &&
	    (ssk->ca_state != SHAKE_CA_OPEN ||
	     ssk->sacked_out >= ssk->reordering))
		return 0;
	return min_t(u32, (u64)ssk->rack.reo_wnd_mult * ssk->min_rtt_us / 4,
		     ssk->srtt_us);
}

/**
 * shake_rack_detect - mark the segments RACK finds lost
 * @sk: a synchronized socket, locked
 *
 * Every segment sent before the newest delivered one and not yet heard of
 * is lost once its RTT plus the reordering window has passed (RFC 8985
 * 6.2, step 5); for the others, the reordering timer is set to when the
 * first of them will be.
 */
void shake_rack_detect(struct sock *sk)
{
	struct shake_sock *ssk = shake_sk(sk);
	u32 reo_wnd = shake_rack_reo_wnd(ssk);
	u64 now = shake_clock_us();
	struct sk_buff *skb;
	s64 wait = 0;

	if (!ssk->rack.sent_us)
		return;
	skb_queue_walk(&sk->sk_write_queue, skb) {
		struct shake_skb_cb *cb = SHAKE_SKB_CB(skb);
		s64 left;

		if (skb == ssk->send_head)
			break;
		if (cb->sacked || cb->rack_off || (cb->lost && !cb->retrans) ||
		    !shake_rack_sent_before(&ssk->rack, cb))
			continue;
		left = (s64)(cb->sent_us + ssk->rack.rtt_us + reo_wnd - now);
		if (left <= 0) {
			shake_mark_lost(ssk, skb);
			cb->rack_off = 1;
		} else if (!wait || left < wait) {
			wait = left;
		}
	}
	if (wait) {
		ssk->timer_job = SHAKE_TIMER_REO;
		sk_reset_timer(sk, &ssk->retransmit_timer,
			       jiffies + max_t(unsigned long, 1,
					       usecs_to_jiffies(wait)));
	}
}

/**
 * shake_rack_timeout - the reordering window of a segment ended
 * @sk: a synchronized socket, locked
 *
 * What RACK now finds lost is sent again (and recovery starts if it was
 * not under way); the timer goes back to guarding the flight with the RTO.
 */
void shake_rack_timeout(struct sock *sk)
{
	shake_reset_retransmit_timer(sk);
	shake_recovery(sk, 0, 0, 0);	/* detects, may set us again */
	shake_push(sk, false);
}

/**
 * shake_tlp_schedule - set the probe timeout instead of the RTO, if due
 * @sk: a synchronized socket, locked, with something in flight
 *
 * A Tail Loss Probe (RFC 8985 7) goes when the flight's tail stays
 * unanswered for two smoothed RTTs (plus the peer's worst delayed ACK
 * when one segment is out), or at the RTO if that comes first: in the open
 * state, with SACK agreed (the probe's answer must say what arrived), and
 * one probe at a time.
 *
 * Return: true if the timer now waits for the probe.
 */
bool shake_tlp_schedule(struct sock *sk)
{
	struct shake_sock *ssk = shake_sk(sk);
	struct sk_buff *head = skb_peek(&sk->sk_write_queue);
	unsigned long pto;
	u64 rto_us, elapsed;

	if (!ssk->opt.sack_ok || ssk->ca_state != SHAKE_CA_OPEN ||
	    !ssk->packets_out || ssk->tlp_out || !ssk->srtt_us || !head ||
	    !READ_ONCE(shake_net(sock_net(sk))->sysctl_early_retrans))
		return false;
	pto = usecs_to_jiffies(2 * ssk->srtt_us) +
	      (ssk->packets_out == 1 ? SHAKE_TLP_DELACK_MAX : 2);
	/* what the RTO, which runs from the oldest segment, has left */
	rto_us = jiffies_to_usecs(ssk->rto);
	elapsed = shake_clock_us() - SHAKE_SKB_CB(head)->sent_us;
	pto = min(pto, usecs_to_jiffies(rto_us > elapsed ? rto_us - elapsed : 0));
	ssk->timer_job = SHAKE_TIMER_TLP;
	sk_reset_timer(sk, &ssk->retransmit_timer, jiffies + max(pto, 1UL));
	return true;
}

/**
 * shake_tlp_timeout - the probe timeout fired: send a loss probe
 * @sk: a synchronized socket, locked
 *
 * New data if there is some and the peer's window takes it, else the last
 * segment sent once more (RFC 8985 7.3); its answer, SACK blocks or an
 * ACK, lets RACK find a loss at the tail without waiting for the RTO,
 * which guards the flight again from now.
 */
void shake_tlp_timeout(struct sock *sk)
{
	struct shake_sock *ssk = shake_sk(sk);
	struct sk_buff *skb = ssk->send_head;

	shake_reset_retransmit_timer(sk);
	ssk->tlp_out = 1;
	ssk->tlp_retrans = !skb || shake_after(SHAKE_SKB_CB(skb)->end_seq,
					      ssk->snd_una + ssk->snd_wnd);
	if (ssk->tlp_retrans)
		skb = skb ? skb->prev : skb_peek_tail(&sk->sk_write_queue);
	if (!skb || skb == (struct sk_buff *)&sk->sk_write_queue ||
	    shake_send_skb(sk, skb)) {
		ssk->tlp_out = 0;
		return;
	}
	ssk->tlp_high_seq = ssk->snd_nxt;
	SHAKE_INC_STATS(sock_net(sk), SHAKE_MIB_LOSSPROBES);
}

/**
 * shake_tlp_ack - an ACK while a loss probe is outstanding
 * @sk: a synchronized socket, locked; the ACK is processed
 * @ack: its acknowledgment number
 * @flags: SHAKE_ACK_*
 *
 * A probe of new data needs no answer of its own. For a probe that sent
 * data again, a duplicate ACK (or a D-SACK of it, sack.c) says the
 * original had arrived: no loss. An ACK beyond the probe says it repaired
 * one: the window comes down as after a recovery (LossProbeRecovery).
 */
void shake_tlp_ack(struct sock *sk, u32 ack, int flags)
{
	struct shake_sock *ssk = shake_sk(sk);

	if (shake_before(ack, ssk->tlp_high_seq))
		return;
	if (!ssk->tlp_retrans || (flags & SHAKE_ACK_DUP)) {
		ssk->tlp_out = 0;
	} else if (shake_after(ack, ssk->tlp_high_seq)) {
		ssk->ssthresh = ssk->cong_ops->ssthresh(sk);
		ssk->cwnd = min(ssk->cwnd, max(ssk->ssthresh, 2U));
		ssk->tlp_out = 0;
		SHAKE_INC_STATS(sock_net(sk), SHAKE_MIB_LOSSPROBERECOVERY);
	}
}
