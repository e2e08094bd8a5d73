// SPDX-License-Identifier: GPL-2.0
/*
 * shake: the receive side of a connection: in-order data to the receive
 * queue, and recvmsg(). Reordering, window updates and delayed ACKs come
 * with the data transfer work; until then only data that arrives in order
 * and fits the receive buffer is taken (and acknowledged at once).
 */

#include <linux/skbuff.h>
#include <net/shake.h>

/* How much of a queued segment recvmsg() has consumed */
struct shake_recv_cb {
	u32 consumed;
};

#define SHAKE_RECV_CB(skb) ((struct shake_recv_cb *)&((skb)->cb[0]))

/**
 * shake_queue_data - take a segment's data, if it is the next expected
 * @sk: a synchronized socket, locked
 * @skb: the segment, header still in front
 *
 * Return: true if the skb now sits in the receive queue.
 */
bool shake_queue_data(struct sock *sk, struct sk_buff *skb)
{
	struct shake_sock *ssk = shake_sk(sk);
	const struct shakehdr *th = shake_hdr(skb);
	unsigned int doff = th->doff * 4;
	u32 len = skb->len - doff;

	if (!len || ntohl(th->seq) != ssk->rcv_nxt ||
	    atomic_read(&sk->sk_rmem_alloc) + skb->truesize >
	    READ_ONCE(sk->sk_rcvbuf)) {
		shake_send_ack(sk);
		return false;
	}
	__skb_pull(skb, doff);
	BUILD_BUG_ON(sizeof(struct shake_recv_cb) > sizeof(skb->cb));
	SHAKE_RECV_CB(skb)->consumed = 0;
	skb_dst_drop(skb);
	skb_set_owner_r(skb, sk);
	__skb_queue_tail(&sk->sk_receive_queue, skb);
	ssk->rcv_nxt += len;
	shake_send_ack(sk);
	sk->sk_data_ready(sk);
	return true;
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
			u32 off = SHAKE_RECV_CB(skb)->consumed;
			size_t chunk = min_t(size_t, skb->len - off,
					     len - copied);

			err = skb_copy_datagram_msg(skb, off, msg, chunk);
			if (err) {
				/* what was copied before the fault is read */
				if (copied)
					err = 0;
				goto out;
			}
			copied += chunk;
			if (!(flags & MSG_PEEK)) {
				SHAKE_RECV_CB(skb)->consumed += chunk;
				if (SHAKE_RECV_CB(skb)->consumed == skb->len) {
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
		sk_wait_data(sk, &timeo, NULL);
	}
out:
	release_sock(sk);
	return err ? err : copied;
}
