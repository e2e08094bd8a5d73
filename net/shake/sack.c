// SPDX-License-Identifier: GPL-2.0
/*
 * shake: selective acknowledgments (RFC 2018). As receiver: the blocks our
 * ACKs carry, kept up to date as the out-of-order queue changes (the block
 * of the most recent arrival first), and a D-SACK block (RFC 2883) for a
 * duplicate. As sender: the scoreboard on the write queue that the peer's
 * blocks mark, once each block is checked to describe data we sent and the
 * peer has not acknowledged.
 */

#include "protocol.h"

/* Merge @b into @a if the two overlap or touch */
static bool shake_sack_merge(struct shake_sack_block *a,
			     const struct shake_sack_block *b)
{
	if (shake_after(b->start, a->end) || shake_after(a->start, b->end))
		return false;
	if (shake_before(b->start, a->start))
		a->start = b->start;
	if (shake_after(b->end, a->end))
		a->end = b->end;
	return true;
}

static void shake_sack_remove(struct shake_sock *ssk, int i)
{
	ssk->rcv_num_sacks--;
	memmove(&ssk->rcv_sacks[i], &ssk->rcv_sacks[i + 1],
		(ssk->rcv_num_sacks - i) * sizeof(ssk->rcv_sacks[0]));
}

/**
 * shake_sack_ooo_add - data from @seq to @end_seq joined the out-of-order queue
 * @sk: the socket, locked
 * @seq: its first sequence number
 * @end_seq: the one after it
 *
 * Its block, merged with those it touches, goes first (RFC 2018 4); the
 * others follow in the order they were last reported, the oldest falling
 * off when there are more than fit.
 */
void shake_sack_ooo_add(struct sock *sk, u32 seq, u32 end_seq)
{
	struct shake_sock *ssk = shake_sk(sk);
	struct shake_sack_block nb = { .start = seq, .end = end_seq };
	int i = 0;

	if (!ssk->opt.sack_ok)
		return;
	while (i < ssk->rcv_num_sacks) {
		if (shake_sack_merge(&nb, &ssk->rcv_sacks[i])) {
			shake_sack_remove(ssk, i);
			i = 0;	/* the grown block may touch one passed */
			continue;
		}
		i++;
	}
	if (ssk->rcv_num_sacks == SHAKE_MAX_SACKS)
		ssk->rcv_num_sacks--;
	memmove(&ssk->rcv_sacks[1], &ssk->rcv_sacks[0],
		ssk->rcv_num_sacks * sizeof(ssk->rcv_sacks[0]));
	ssk->rcv_sacks[0] = nb;
	ssk->rcv_num_sacks++;
}

/**
 * shake_sack_advance - rcv_nxt moved: forget the blocks below it
 * @sk: the socket, locked
 */
void shake_sack_advance(struct sock *sk)
{
	struct shake_sock *ssk = shake_sk(sk);
	int i = 0;

	while (i < ssk->rcv_num_sacks) {
		struct shake_sack_block *b = &ssk->rcv_sacks[i];

		if (!shake_after(b->end, ssk->rcv_nxt)) {
			shake_sack_remove(ssk, i);
			continue;
		}
		if (shake_before(b->start, ssk->rcv_nxt))
			b->start = ssk->rcv_nxt;
		i++;
	}
}

/**
 * shake_sack_ooo_trim - out-of-order data from @end on was dropped
 * @sk: the socket, locked
 * @end: where what is left of the out-of-order queue ends
 *
 * The blocks stop saying we hold it. The sender keeps SACKed data until it
 * is acknowledged, and sends it again after a timeout (RFC 2018 8).
 */
void shake_sack_ooo_trim(struct sock *sk, u32 end)
{
	struct shake_sock *ssk = shake_sk(sk);
	int i = 0;

	while (i < ssk->rcv_num_sacks) {
		struct shake_sack_block *b = &ssk->rcv_sacks[i];

		if (!shake_before(b->start, end)) {
			shake_sack_remove(ssk, i);
			continue;
		}
		if (shake_after(b->end, end))
			b->end = end;
		i++;
	}
}

/**
 * shake_dsack_set - a segment brought data we already had
 * @sk: the socket, locked
 * @seq: the first duplicate sequence number
 * @end_seq: the one after the last
 *
 * The next ACK reports it in a D-SACK block (RFC 2883), if SACK was agreed
 * and sysctl dsack is on: the sender learns that a retransmission was
 * spurious, or that the path duplicates.
 */
void shake_dsack_set(struct sock *sk, u32 seq, u32 end_seq)
{
	struct shake_sock *ssk = shake_sk(sk);

	if (!ssk->opt.sack_ok ||
	    !READ_ONCE(shake_net(sock_net(sk))->sysctl_dsack))
		return;
	ssk->rcv_dsack.start = seq;
	ssk->rcv_dsack.end = end_seq;
	ssk->dsack_out = 1;
	SHAKE_INC_STATS(sock_net(sk), SHAKE_MIB_DSACKSENT);
}

/**
 * shake_sack_opt_blocks - the blocks of an outgoing ACK
 * @sk: the socket, locked
 * @out: filled with the blocks, in the order they go on the wire
 * @room: how many fit
 *
 * A D-SACK block first, sent once; then the SACK blocks, the most recent
 * first.
 *
 * Return: the number of blocks in @out.
 */
int shake_sack_opt_blocks(struct sock *sk, struct shake_sack_block *out,
			  int room)
{
	struct shake_sock *ssk = shake_sk(sk);
	int n = 0, i;

	if (ssk->dsack_out && room) {
		out[n++] = ssk->rcv_dsack;
		ssk->dsack_out = 0;
	}
	for (i = 0; i < ssk->rcv_num_sacks && n < room; i++)
		out[n++] = ssk->rcv_sacks[i];
	return n;
}

/* RFC 2883 4: a first block below the cumulative ACK, or inside the second
 * block, reports a duplicate
 */
static bool shake_is_dsack(const struct shake_sack_block *b, int n, u32 ack)
{
	if (shake_before(b[0].start, ack))
		return true;
	return n > 1 && !shake_before(b[0].start, b[1].start) &&
	       !shake_after(b[0].end, b[1].end);
}

/* A D-SACK: a retransmission was spurious or the path duplicated. Either
 * way the path reorders more than RACK assumed: widen its window, once a
 * round trip (RFC 8985 6.2, step 4).
 */
static void shake_dsack_rcv(struct sock *sk, const struct shake_sack_block *b)
{
	struct shake_sock *ssk = shake_sk(sk);

	if (!shake_after(b->end, b->start) || shake_after(b->end, ssk->snd_nxt)) {
		SHAKE_INC_STATS(sock_net(sk), SHAKE_MIB_SACKDISCARD);
		return;
	}
	SHAKE_INC_STATS(sock_net(sk), SHAKE_MIB_DSACKRECV);
	/* the loss probe was a copy of what had arrived */
	if (ssk->tlp_out && ssk->tlp_retrans && b->end == ssk->tlp_high_seq)
		ssk->tlp_out = 0;
	shake_undo_dsack(sk, b);
	ssk->rack.reord = 1;
	if (shake_after(ssk->snd_una, ssk->rack.dsack_round) &&
	    ssk->rack.reo_wnd_mult < U8_MAX) {
		ssk->rack.reo_wnd_mult++;
		ssk->rack.dsack_round = ssk->snd_nxt;
	}
}

/* The peer holds @skb: take it out of the pipe's lost and retransmitted
 * counts; returns 1, the segment delivered
 */
static u32 shake_sack_tag(struct shake_sock *ssk, struct sk_buff *skb)
{
	struct shake_skb_cb *cb = SHAKE_SKB_CB(skb);

	cb->sacked = 1;
	ssk->sacked_out++;
	if (cb->lost) {
		cb->lost = 0;
		ssk->lost_out--;
	}
	if (cb->retrans) {
		cb->retrans = 0;
		ssk->retrans_out--;
	}
	shake_rack_delivered(ssk, skb);
	if (shake_after(cb->end_seq, ssk->highest_sack))
		ssk->highest_sack = cb->end_seq;
	return 1;
}

/**
 * shake_sack_rcv - mark what the SACK blocks of an ACK say the peer holds
 * @sk: a synchronized socket, locked; snd_una is this ACK's
 * @th: the ACK's header, options linear
 * @opt: its options, with num_sacks > 0
 *
 * A block must lie between snd_una and snd_nxt and not be empty; one that
 * does not (a peer that lies, or a segment mangled on the way) is ignored
 * and counted in SACKDiscard, as is a D-SACK of data never sent. Only
 * whole segments are marked: shake's segments are the ones it sent.
 *
 * Return: segments newly SACKed.
 */
u32 shake_sack_rcv(struct sock *sk, const struct shakehdr *th,
		   const struct shake_options *opt)
{
	struct shake_sack_block b[SHAKE_MAX_SACKS], tmp;
	struct shake_sock *ssk = shake_sk(sk);
	int n = shake_sack_blocks(th, opt, b), first = 0, i, j;
	u32 delivered = 0;
	struct sk_buff *skb;

	if (shake_is_dsack(b, n, ssk->snd_una)) {
		shake_dsack_rcv(sk, &b[0]);
		first = 1;
	}
	/* keep the valid ones, in sequence order */
	for (i = first, j = 0; i < n; i++) {
		int k;

		if (!shake_after(b[i].end, b[i].start) ||
		    shake_before(b[i].start, ssk->snd_una) ||
		    shake_after(b[i].end, ssk->snd_nxt)) {
			SHAKE_INC_STATS(sock_net(sk), SHAKE_MIB_SACKDISCARD);
			continue;
		}
		tmp = b[i];
		for (k = j; k > 0 && shake_before(tmp.start, b[k - 1].start); k--)
			b[k] = b[k - 1];
		b[k] = tmp;
		j++;
	}
	n = j;
	if (!n)
		return 0;

	j = 0;
	skb_queue_walk(&sk->sk_write_queue, skb) {
		struct shake_skb_cb *cb = SHAKE_SKB_CB(skb);

		if (skb == ssk->send_head)
			break;
		while (j < n && !shake_after(b[j].end, cb->seq))
			j++;
		if (j == n)
			break;
		if (!cb->sacked && !shake_before(cb->seq, b[j].start) &&
		    !shake_after(cb->end_seq, b[j].end))
			delivered += shake_sack_tag(ssk, skb);
	}
	return delivered;
}

/**
 * shake_sack_clear - forget what the peer SACKed
 * @sk: the socket, locked
 *
 * After a timeout whose segment the peer had SACKed: it dropped what it
 * SACKed (reneging, RFC 2018 8), so everything not acknowledged is sent
 * again.
 */
void shake_sack_clear(struct sock *sk)
{
	struct shake_sock *ssk = shake_sk(sk);
	struct sk_buff *skb;

	skb_queue_walk(&sk->sk_write_queue, skb)
		SHAKE_SKB_CB(skb)->sacked = 0;
	ssk->sacked_out = 0;
	ssk->highest_sack = ssk->snd_una;
}
