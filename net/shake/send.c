// SPDX-License-Identifier: GPL-2.0
/*
 * shake: the send side of the socket calls: sendmsg() turns a writer's
 * bytes into segments on sk_write_queue, where they stay until
 * acknowledged. The queue's memory (sk_wmem_queued) is bounded by
 * SO_SNDBUF; a writer waits for room, or gets EAGAIN.
 */

#include <linux/skbuff.h>
#include <net/sock.h>

#include "protocol.h"

/**
 * shake_write_space - wake writers once a third of the send buffer is free
 * @sk: the socket (struct sock.sk_write_space)
 *
 * What sk_stream_write_space() does; that one is not exported to modules.
 */
void shake_write_space(struct sock *sk)
{
	struct socket *sock = sk->sk_socket;
	struct socket_wq *wq;

	if (!sock || !sk_stream_is_writeable(sk))
		return;
	clear_bit(SOCK_NOSPACE, &sock->flags);
	rcu_read_lock();
	wq = rcu_dereference(sk->sk_wq);
	if (skwq_has_sleeper(wq))
		wake_up_interruptible_poll(&wq->wait, EPOLLOUT | EPOLLWRNORM |
						      EPOLLWRBAND);
	if (wq && wq->fasync_list && !(sk->sk_shutdown & SEND_SHUTDOWN))
		sock_wake_async(wq, SOCK_WAKE_SPACE, POLL_OUT);
	rcu_read_unlock();
}

/* How much data a segment a writer builds should carry: the MSS, bounded
 * by half the largest window the peer offered, so that a segment fits
 * once the peer's window is half open again (as TCP's).
 */
static u32 shake_size_goal(const struct shake_sock *ssk)
{
	u32 cutoff = ssk->max_window;

	if (cutoff > SHAKE_DEFAULT_MSS)
		cutoff /= 2;
	return min_t(u32, ssk->mss_cache, max_t(u32, cutoff, 64));
}

/**
 * shake_new_segment - a new, empty segment at the tail of the write queue
 * @sk: the socket, locked
 * @gfp: allocation flags
 *
 * With __GFP_NOFAIL (a FIN) it is charged whatever the protocol's memory
 * limits say.
 *
 * Return: the segment, charged to the send buffer, or NULL.
 */
struct sk_buff *shake_new_segment(struct sock *sk, gfp_t gfp)
{
	struct shake_sock *ssk = shake_sk(sk);
	struct shake_skb_cb *cb;
	struct sk_buff *skb;

	skb = alloc_skb(MAX_SHAKE_HEADER, gfp);
	if (!skb)
		return NULL;
	if (gfp & __GFP_NOFAIL) {
		shake_mem_force(sk, skb->truesize);
	} else if (sk_wmem_schedule(sk, skb->truesize)) {
		sk_mem_charge(sk, skb->truesize);
	} else {
		__kfree_skb(skb);
		return NULL;
	}
	skb_reserve(skb, MAX_SHAKE_HEADER);
	cb = SHAKE_SKB_CB(skb);
	memset(cb, 0, sizeof(*cb));
	cb->seq = ssk->write_seq;
	cb->end_seq = ssk->write_seq;
	__skb_queue_tail(&sk->sk_write_queue, skb);
	sk_wmem_queued_add(sk, skb->truesize);
	if (!ssk->send_head)
		ssk->send_head = skb;
	return skb;
}

/* Copy up to @copy bytes of @msg into the page fragments of @skb.
 * Return: bytes copied, 0 if @skb has no fragment slot left, or -errno.
 */
static int shake_append(struct sock *sk, struct sk_buff *skb,
			struct msghdr *msg, int copy)
{
	struct page_frag *pfrag = sk_page_frag(sk);
	int i = skb_shinfo(skb)->nr_frags, err;
	bool merge;

	if (!sk_page_frag_refill(sk, pfrag))
		return -ENOMEM;
	merge = skb_can_coalesce(skb, i, pfrag->page, pfrag->offset);
	if (!merge && i >= MAX_SKB_FRAGS)
		return 0;
	copy = min_t(int, copy, pfrag->size - pfrag->offset);
	/* the protocol's memory: the copy charges it */
	if (!sk_wmem_schedule(sk, copy))
		return -ENOMEM;
	err = skb_copy_to_page_nocache(sk, &msg->msg_iter, skb, pfrag->page,
				       pfrag->offset, copy);
	if (err)
		return err;
	if (merge) {
		skb_frag_size_add(&skb_shinfo(skb)->frags[i - 1], copy);
	} else {
		skb_fill_page_desc(skb, i, pfrag->page, pfrag->offset, copy);
		page_ref_inc(pfrag->page);
	}
	pfrag->offset += copy;
	return copy;
}

/**
 * shake_sendmsg - queue a writer's bytes and send what may go (proto.sendmsg)
 * @sk: the socket
 * @msg: the data; MSG_DONTWAIT, MSG_NOSIGNAL, MSG_MORE are honoured
 * @size: its length
 *
 * Waits for a connection in progress (or EAGAIN), then for room in the
 * send buffer (or EAGAIN, or the SO_SNDTIMEO error).
 *
 * Return: bytes queued, or a negative errno as TCP's: EPIPE (with SIGPIPE
 * unless MSG_NOSIGNAL) on a connection that is gone or shut down for
 * writing, the pending error after a reset.
 */
int shake_sendmsg(struct sock *sk, struct msghdr *msg, size_t size)
{
	struct shake_sock *ssk = shake_sk(sk);
	int flags = msg->msg_flags, copied = 0, err;
	u32 push_segs;
	long timeo;

	lock_sock(sk);
	timeo = sock_sndtimeo(sk, flags & MSG_DONTWAIT);
	if (!((1 << sk->sk_state) & (TCPF_ESTABLISHED | TCPF_CLOSE_WAIT))) {
		err = sk_stream_wait_connect(sk, &timeo);
		if (err)
			goto out_err;
	}
	err = -EPIPE;
	if (sk->sk_err || (sk->sk_shutdown & SEND_SHUTDOWN))
		goto out_err;
	push_segs = shake_gso_segs(sk);

	while (msg_data_left(msg)) {
		struct sk_buff *skb = NULL;
		u32 goal = shake_size_goal(ssk);
		int copy;

		/* an unsent tail segment takes more bytes first */
		if (ssk->send_head) {
			skb = skb_peek_tail(&sk->sk_write_queue);
			if (skb->len >= goal)
				skb = NULL;
		}
		if (!skb) {
			if (!sk_stream_memory_free(sk))
				goto wait_for_space;
			skb = shake_new_segment(sk, sk->sk_allocation);
			if (!skb)
				goto wait_for_space;
		}
		copy = min_t(size_t, msg_data_left(msg), goal - skb->len);
		copy = shake_append(sk, skb, msg, copy);
		if (copy < 0) {
			if (copy == -ENOMEM)
				goto wait_for_space;
			err = copy;
			goto do_error;
		}
		if (!copy) {
			/* out of fragment slots: this segment is done */
			shake_push(sk, false);
			if (!sk_stream_memory_free(sk))
				goto wait_for_space;
			if (!shake_new_segment(sk, sk->sk_allocation))
				goto wait_for_space;
			continue;
		}
		SHAKE_SKB_CB(skb)->end_seq += copy;
		ssk->write_seq += copy;
		copied += copy;
		/* send as soon as a super-segment's worth waits (one segment
		 * without GSO): smaller runs would cost what GSO saves
		 */
		if (skb->len >= goal &&
		    ssk->write_seq - ssk->snd_nxt >= goal * push_segs)
			shake_push(sk, false);
		continue;

wait_for_space:
		set_bit(SOCK_NOSPACE, &sk->sk_socket->flags);
		shake_push(sk, false);
		err = sk_stream_wait_memory(sk, &timeo);
		if (err)
			goto do_error;
	}
	shake_push(sk, flags & MSG_MORE);
	release_sock(sk);
	return copied;

do_error:
	if (copied) {
		shake_push(sk, flags & MSG_MORE);
		release_sock(sk);
		return copied;
	}
out_err:
	err = sk_stream_error(sk, flags, err);
	release_sock(sk);
	return err;
}

/**
 * shake_write_queue_purge - forget everything queued for sending
 * @sk: the socket, locked or dying
 */
void shake_write_queue_purge(struct sock *sk)
{
	struct shake_sock *ssk = shake_sk(sk);
	struct sk_buff *skb;

	while ((skb = __skb_dequeue(&sk->sk_write_queue))) {
		sk_wmem_queued_add(sk, -skb->truesize);
		sk_mem_uncharge(sk, skb->truesize);
		__kfree_skb(skb);
	}
	sk_mem_reclaim(sk);
	ssk->send_head = NULL;
	ssk->packets_out = 0;
	ssk->sacked_out = 0;
	ssk->lost_out = 0;
	ssk->retrans_out = 0;
}
