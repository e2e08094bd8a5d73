// SPDX-License-Identifier: GPL-2.0
/*
 * shake: the receive side of a connection: data in order to the receive
 * queue, data out of order to an rbtree until the hole before it fills,
 * acknowledgments (delayed or at once), and recvmsg().
 */

#include <linux/skbuff.h>

#include "protocol.h"

/* Charge a segment to the receive buffer, or refuse it when full or when
 * the protocol's memory is spent
 */
static bool shake_rmem_take(struct sock *sk, struct sk_buff *skb)
{
	if (atomic_read(&sk->sk_rmem_alloc) + skb->truesize >
	    READ_ONCE(sk->sk_rcvbuf) ||
	    !sk_rmem_schedule(sk, skb, skb->truesize)) {
		SHAKE_INC_STATS(sock_net(sk), SHAKE_MIB_RCVQDROPS);
		return false;
	}
	skb_dst_drop(skb);
	skb_set_owner_r(skb, sk);
	return true;
}

/* Take a segment that starts at or before rcv_nxt and ends after it: its
 * new data goes to the receive queue (the bytes before rcv_nxt are skipped
 * when read), and rcv_nxt moves past its FIN, if any (*@fin is set then).
 * Returns true if the skb was queued.
 */
static bool shake_queue_in_order(struct sock *sk, struct sk_buff *skb,
				 bool *fin)
{
	struct shake_sock *ssk = shake_sk(sk);
	struct shake_skb_cb *cb = SHAKE_SKB_CB(skb);
	u32 data_end = cb->end_seq - cb->fin;
	bool queued = false;

	if (shake_after(data_end, ssk->rcv_nxt)) {
		cb->consumed = ssk->rcv_nxt - cb->seq;
		ssk->bytes_received += data_end - ssk->rcv_nxt;
		WRITE_ONCE(ssk->rcv_nxt, data_end);
		__skb_queue_tail(&sk->sk_receive_queue, skb);
		queued = true;
	}
	if (cb->fin) {
		sock_set_flag(sk, SOCK_DONE);
		/* flagged before rcv_nxt covers it, so that shake_inq()
		 * never counts it as a byte; pairs with its smp_rmb()
		 */
		smp_wmb();
		WRITE_ONCE(ssk->rcv_nxt, ssk->rcv_nxt + 1);
		*fin = true;
	}
	return queued;
}

/* Move what the out-of-order queue holds at rcv_nxt to the receive queue,
 * up to a FIN
 */
static void shake_ooo_drain(struct sock *sk, bool *fin)
{
	struct shake_sock *ssk = shake_sk(sk);
	struct rb_node *node;

	while (!*fin && (node = rb_first(&ssk->ooo_queue))) {
		struct sk_buff *skb = rb_to_skb(node);
		struct shake_skb_cb *cb = SHAKE_SKB_CB(skb);

		if (shake_after(cb->seq, ssk->rcv_nxt))
			break;
		rb_erase(node, &ssk->ooo_queue);
		if (!shake_after(cb->end_seq, ssk->rcv_nxt) ||
		    !shake_queue_in_order(sk, skb, fin))
			kfree_skb(skb);		/* nothing new in it */
	}
}

/* Make room for in-order data by dropping out-of-order data from the far
 * end: otherwise a buffer filled behind a hole refuses the very segment
 * that fills it, and the connection stalls. Nothing of it was
 * acknowledged, so the sender still holds it.
 */
static void shake_ooo_prune(struct sock *sk, unsigned int need)
{
	struct shake_sock *ssk = shake_sk(sk);
	struct rb_node *node;

	bool pruned = false;

	while (atomic_read(&sk->sk_rmem_alloc) + need >
	       READ_ONCE(sk->sk_rcvbuf) &&
	       (node = rb_last(&ssk->ooo_queue))) {
		rb_erase(node, &ssk->ooo_queue);
		kfree_skb(rb_to_skb(node));
		SHAKE_INC_STATS(sock_net(sk), SHAKE_MIB_RCVQDROPS);
		pruned = true;
	}
	if (!pruned)
		return;
	node = rb_last(&ssk->ooo_queue);
	if (node)
		shake_sack_ooo_trim(sk, SHAKE_SKB_CB(rb_to_skb(node))->end_seq);
	else
		ssk->rcv_num_sacks = 0;
}

/* The protocol's memory has no room for in-order data: what waits beyond
 * a hole goes first (the sender still holds it), as TCP prunes its
 * out-of-order queue
 */
static void shake_ooo_memory_prune(struct sock *sk)
{
	struct rb_node *node;
	unsigned long n = 0;

	for (node = rb_first(&shake_sk(sk)->ooo_queue); node;
	     node = rb_next(node))
		n++;
	if (!n)
		return;
	shake_purge_ooo(sk);
	SHAKE_ADD_STATS(sock_net(sk), SHAKE_MIB_OFOPRUNED, n);
	sk_mem_reclaim(sk);
}

/* Keep a segment that arrived ahead of a hole. Segments wholly covered by
 * another are dropped; partial overlaps stay and are trimmed when read.
 */
static bool shake_ooo_insert(struct sock *sk, struct sk_buff *skb)
{
	struct shake_sock *ssk = shake_sk(sk);
	struct shake_skb_cb *cb = SHAKE_SKB_CB(skb);
	struct rb_node **p = &ssk->ooo_queue.rb_node, *parent = NULL;
	struct sk_buff *other, *next;

	while (*p) {
		struct shake_skb_cb *ocb;

		parent = *p;
		other = rb_to_skb(parent);
		ocb = SHAKE_SKB_CB(other);
		if (!shake_before(cb->seq, ocb->seq) &&
		    !shake_after(cb->end_seq, ocb->end_seq)) {
			shake_dsack_set(sk, cb->seq, cb->end_seq);
			return false;	/* nothing new */
		}
		if (shake_before(cb->seq, ocb->seq))
			p = &parent->rb_left;
		else
			p = &parent->rb_right;
	}
	if (!shake_rmem_take(sk, skb))
		return false;
	rb_link_node(&skb->rbnode, parent, p);
	rb_insert_color(&skb->rbnode, &ssk->ooo_queue);
	SHAKE_INC_STATS(sock_net(sk), SHAKE_MIB_OFOQUEUE);
	ssk->rcv_ooopack++;
	shake_sack_ooo_add(sk, cb->seq, cb->end_seq);

	/* later segments the new one covers whole are redundant */
	for (other = skb_rb_next(skb); other; other = next) {
		next = skb_rb_next(other);
		if (shake_after(SHAKE_SKB_CB(other)->end_seq, cb->end_seq))
			break;
		rb_erase(&other->rbnode, &ssk->ooo_queue);
		kfree_skb(other);
	}
	return true;
}

/**
 * shake_data_rcv - take the data and FIN of an acceptable segment
 * @sk: a synchronized socket, locked, that still reads
 * @skb: the segment, header still in front; its sequence space overlaps
 *	the receive window
 *
 * Data is trimmed to the window (a FIN beyond it is dropped too). In-order
 * data goes to the receive queue and is acknowledged per the delayed-ACK
 * rule; data beyond a hole waits in the out-of-order queue and is
 * acknowledged at once (the duplicate ACK the sender's fast retransmit
 * counts, with SACK blocks when agreed), as is data that fills a hole.
 * Either is refused when the receive buffer is full. Data we had already
 * draws a D-SACK. A FIN counts once everything before it arrived.
 *
 * Return: true if the skb was kept.
 */
bool shake_data_rcv(struct sock *sk, struct sk_buff *skb)
{
	struct shake_sock *ssk = shake_sk(sk);
	const struct shakehdr *th = shake_hdr(skb);
	struct shake_skb_cb *cb = SHAKE_SKB_CB(skb);
	u32 seq = ntohl(th->seq), wnd_end, seg_len;
	unsigned int doff = th->doff * 4;
	bool fin = th->fin, kept;

	__skb_pull(skb, doff);
	BUILD_BUG_ON(sizeof(struct shake_skb_cb) > sizeof(skb->cb));
	memset(cb, 0, sizeof(*cb));
	cb->seq = seq;
	cb->end_seq = seq + skb->len + fin;
	cb->fin = fin;
	if (cb->end_seq == seq)
		return false;

	if (!shake_after(cb->end_seq, ssk->rcv_nxt)) {
		/* all of it arrived before */
		shake_dsack_set(sk, seq, cb->end_seq);
		shake_send_ack(sk);
		return false;
	}
	if (shake_before(seq, ssk->rcv_nxt))
		shake_dsack_set(sk, seq, ssk->rcv_nxt);
	/* a bare FIN at rcv_nxt fits even a closed window, as in TCP */
	wnd_end = ssk->rcv_nxt + max_t(u32, shake_window_now(ssk), 1);
	if (shake_after(cb->end_seq, wnd_end)) {
		cb->fin = 0;
		if (shake_after(seq + skb->len, wnd_end) &&
		    pskb_trim(skb, wnd_end - seq)) {
			shake_send_ack(sk);
			return false;
		}
		cb->end_seq = seq + skb->len;
	}
	/* a merged super-segment tells the size of the segments it holds */
	seg_len = skb_is_gso(skb) ? skb_shinfo(skb)->gso_size : skb->len;
	if (seg_len > ssk->rcv_mss)
		ssk->rcv_mss = min_t(u32, seg_len, U16_MAX);

	if (shake_after(seq, ssk->rcv_nxt)) {
		bool kept = shake_ooo_insert(sk, skb);

		shake_send_ack(sk);
		return kept;
	}
	if (skb->len) {
		shake_ooo_prune(sk, skb->truesize);
		if (!sk_rmem_schedule(sk, skb, skb->truesize))
			shake_ooo_memory_prune(sk);
		if (!shake_rmem_take(sk, skb)) {
			shake_send_ack(sk);
			return false;
		}
	}
	fin = false;
	kept = shake_queue_in_order(sk, skb, &fin);
	if (fin) {
		/* it acknowledges at once, and wakes readers and pollers */
		shake_fin_rcv(sk);
	} else if (RB_EMPTY_ROOT(&ssk->ooo_queue)) {
		shake_schedule_ack(sk, cb->end_seq - seq);
		sk->sk_data_ready(sk);
	} else {
		shake_ooo_drain(sk, &fin);
		shake_sack_advance(sk);
		if (fin) {
			shake_fin_rcv(sk);
		} else {
			shake_send_ack(sk);
			sk->sk_data_ready(sk);
		}
	}
	return kept;
}

/**
 * shake_purge_ooo - drop the out-of-order queue
 * @sk: the socket, locked or dying
 */
void shake_purge_ooo(struct sock *sk)
{
	struct rb_root *root = &shake_sk(sk)->ooo_queue;
	struct rb_node *node;

	/* skb_rbtree_purge() is not exported to modules */
	while ((node = rb_first(root))) {
		rb_erase(node, root);
		kfree_skb(rb_to_skb(node));
	}
	shake_sk(sk)->rcv_num_sacks = 0;
}

/* Data a reader may take now */
u32 shake_inq(const struct sock *sk)
{
	const struct shake_sock *ssk = shake_sk(sk);
	u32 inq = READ_ONCE(ssk->rcv_nxt) - READ_ONCE(ssk->copied_seq);

	/* the peer's FIN took a sequence number, not a byte; pairs with
	 * the smp_wmb() of shake_queue_in_order()
	 */
	smp_rmb();
	if (inq && sock_flag(sk, SOCK_DONE))
		inq--;
	return inq;
}

/* The reader made room: reopen the peer's window if that tells it much */
static void shake_rcv_space_freed(struct sock *sk)
{
	if (((1 << sk->sk_state) & (TCPF_ESTABLISHED | TCPF_CLOSE_WAIT)) &&
	    shake_window_update_due(sk))
		shake_send_ack(sk);
}

/**
 * shake_recvmsg - read from the receive queue (struct proto.recvmsg)
 * @sk: the socket
 * @msg: where to copy
 * @len: how much at most
 * @flags: MSG_PEEK, MSG_DONTWAIT, MSG_WAITALL
 * @addr_len: unused; a stream has no source address per read
 *
 * Return: bytes copied, 0 at end of stream, or a negative errno as TCP's
 * (ENOTCONN before a connection, the socket's error after a reset, EAGAIN).
 */
int shake_recvmsg(struct sock *sk, struct msghdr *msg, size_t len, int flags,
		  int *addr_len)
{
	long timeo = sock_rcvtimeo(sk, flags & MSG_DONTWAIT);
	struct shake_sock *ssk = shake_sk(sk);
	int target, copied = 0, err = 0;
	struct sk_buff *skb, *tmp;

	lock_sock(sk);
	if (sk->sk_state == TCP_LISTEN) {
		err = -ENOTCONN;
		goto out;
	}
	target = sock_rcvlowat(sk, flags & MSG_WAITALL, len);

	while (copied < len) {
		skb_queue_walk_safe(&sk->sk_receive_queue, skb, tmp) {
			struct shake_skb_cb *cb = SHAKE_SKB_CB(skb);
			size_t chunk = min_t(size_t, skb->len - cb->consumed,
					     len - copied);

			err = skb_copy_datagram_msg(skb, cb->consumed, msg,
						    chunk);
			if (err) {
				/* what was copied before the fault is read */
				if (copied)
					err = 0;
				goto out;
			}
			copied += chunk;
			if (!(flags & MSG_PEEK)) {
				cb->consumed += chunk;
				WRITE_ONCE(ssk->copied_seq,
					   ssk->copied_seq + chunk);
				if (cb->consumed == skb->len) {
					__skb_unlink(skb, &sk->sk_receive_queue);
					consume_skb(skb);
				}
			}
			if (copied >= len)
				break;
		}
		/* a peek walks the queue once and leaves it as it was */
		if (copied >= target || (flags & MSG_PEEK && copied))
			break;
		if (sk->sk_err) {
			err = copied ? 0 : sock_error(sk);
			break;
		}
		if (sk->sk_shutdown & RCV_SHUTDOWN)
			break;
		if (sk->sk_state == TCP_CLOSE) {
			err = copied ? 0 : -ENOTCONN;
			break;
		}
		if (!timeo) {
			err = copied ? 0 : -EAGAIN;
			break;
		}
		if (signal_pending(current)) {
			err = copied ? 0 : sock_intr_errno(timeo);
			break;
		}
		if (copied)
			shake_rcv_space_freed(sk);
		sk_wait_data(sk, &timeo, NULL);
	}
out:
	if (copied && !(flags & MSG_PEEK)) {
		sk_mem_reclaim(sk);
		shake_rcv_space_adjust(sk);
		shake_rcv_space_freed(sk);
	}
	release_sock(sk);
	return err ? err : copied;
}
