// SPDX-License-Identifier: GPL-2.0
/*
 * shake: what an acknowledgment does on the sending side: it updates the
 * peer's window (flow.c), frees acknowledged data, gives an RTT sample
 * (retransmit.c), and tells loss recovery and congestion control what
 * arrived; then whatever the new windows allow is sent.
 */

#include "protocol.h"

/* Free the segments @ack covers, counting them in *@segs and, of those
 * not SACKed before, in *@delivered (which RACK sees delivered). Returns
 * the send time of the oldest one not SACKed, for an RTT sample, or 0 when
 * any of them was retransmitted (Karn): the ACK may answer the
 * retransmission, and the segments after it waited on the hole it filled,
 * not on the path.
 */
static u64 shake_clean_acked(struct sock *sk, u32 ack, u32 *segs,
			     u32 *delivered)
{
	struct shake_sock *ssk = shake_sk(sk);
	bool retransmitted = false;
	struct sk_buff *skb;
	u64 sent_us = 0;

	while ((skb = skb_peek(&sk->sk_write_queue)) &&
	       skb != ssk->send_head) {
		struct shake_skb_cb *cb = SHAKE_SKB_CB(skb);

		if (shake_after(cb->end_seq, ack))
			break;
		retransmitted |= cb->retransmitted;
		if (cb->sacked) {
			ssk->sacked_out--;
		} else {
			if (!sent_us)
				sent_us = cb->sent_us;
			(*delivered)++;
			if (ssk->opt.sack_ok)
				shake_rack_delivered(ssk, skb);
		}
		if (cb->lost)
			ssk->lost_out--;
		if (cb->retrans)
			ssk->retrans_out--;
		ssk->packets_out--;
		(*segs)++;
		__skb_unlink(skb, &sk->sk_write_queue);
		sk_wmem_queued_add(sk, -skb->truesize);
		sk_mem_uncharge(sk, skb->truesize);
		__kfree_skb(skb);
	}
	sk_mem_reclaim(sk);
	return retransmitted ? 0 : sent_us;
}

/**
 * shake_ack_rcv - process the acknowledgment of a segment
 * @sk: a synchronized socket, locked
 * @th: the segment's header
 * @opt: its options
 * @data_len: its data length
 *
 * The caller has checked that SEG.ACK is not beyond what we sent. Updates
 * the send window (RFC 9293 3.10.7.4), frees acknowledged data, marks what
 * SACK blocks report, samples the RTT, restarts or stops the
 * retransmission timer, tells loss recovery and congestion control, and
 * sends what the new windows allow.
 */
void shake_ack_rcv(struct sock *sk, const struct shakehdr *th,
		   const struct shake_options *opt, u32 data_len)
{
	struct shake_sock *ssk = shake_sk(sk);
	u32 ack = ntohl(th->ack_seq), seq = ntohl(th->seq);
	u32 wnd = (u32)ntohs(th->window) << ssk->opt.snd_wscale;
	u32 segs = 0, delivered = 0;
	int flags = 0;
	bool wnd_changed;

	if (shake_before(ack, ssk->snd_una))
		return;		/* an old duplicate: nothing to learn */

	wnd_changed = shake_snd_wnd_update(sk, ack, seq, wnd);
	if (shake_after(ack, ssk->snd_una)) {
		struct shake_ack_sample sample;
		u64 sent_us = shake_clean_acked(sk, ack, &segs, &delivered);

		sample.rtt_us = shake_rtt_measure(ssk, sent_us, opt);
		sample.acked = segs;
		ssk->bytes_acked += ack - ssk->snd_una;
		ssk->snd_una = ack;
		shake_cong_acked(sk, &sample);
		if (shake_before(ssk->highest_sack, ack))
			ssk->highest_sack = ack;
		ssk->retransmits = 0;
		ssk->probes_out = 0;

		if (ssk->snd_una == ssk->snd_nxt)
			shake_clear_retransmit_timer(sk);
		else if (!shake_tlp_schedule(sk))
			shake_reset_retransmit_timer(sk);
		/* a writer waits for room: tell it (shake_write_space());
		 * pairs with the barrier in shake_poll()
		 */
		smp_mb();
		if (sk->sk_socket &&
		    test_bit(SOCK_NOSPACE, &sk->sk_socket->flags))
			sk->sk_write_space(sk);
	} else if (!data_len && !wnd_changed && !th->fin &&
		   ssk->snd_nxt != ssk->snd_una) {
		flags |= SHAKE_ACK_DUP;
	}
	if (segs && ssk->retrans_stamp && ssk->opt.tstamp_ok &&
	    opt->saw_tstamp && opt->tsecr &&
	    shake_before(opt->tsecr, ssk->retrans_stamp))
		flags |= SHAKE_ACK_ORIG;
	if (opt->num_sacks && ssk->opt.sack_ok)
		delivered += shake_sack_rcv(sk, th, opt);
	if (ssk->tlp_out)
		shake_tlp_ack(sk, ack, flags);
	if (segs || delivered || flags)
		shake_recovery(sk, segs, delivered, flags);
	if (segs)
		shake_sndbuf_expand(sk);

	if (ssk->timer_job == SHAKE_TIMER_PROBE && ssk->snd_wnd) {
		shake_clear_retransmit_timer(sk);
		ssk->retransmits = 0;
	}
	shake_push(sk, false);
}
