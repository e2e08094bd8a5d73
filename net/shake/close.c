// SPDX-License-Identifier: GPL-2.0
/*
 * shake: connection release (RFC 9293 3.6): shutdown() and close(), our
 * FIN and the peer's, the states between them, orphans (connections whose
 * owner closed them and that finish their exchange on their own), SO_LINGER,
 * and the step into TIME_WAIT; and the end of a connection however it
 * comes (shake_done()): aborts, resets and timeouts.
 */

#include "protocol.h"

/* Our FIN follows the data written so far: it takes one sequence number and
 * rides on the last segment when that has not left yet.
 */
static void shake_queue_fin(struct sock *sk)
{
	struct shake_sock *ssk = shake_sk(sk);
	struct sk_buff *skb = skb_peek_tail(&sk->sk_write_queue);
	struct shake_skb_cb *cb;

	if (!ssk->send_head || !skb)
		/* a FIN lost here would leave the peer waiting forever */
		skb = shake_new_segment(sk, sk->sk_allocation | __GFP_NOFAIL);
	cb = SHAKE_SKB_CB(skb);
	cb->fin = 1;
	cb->end_seq++;
	ssk->write_seq++;
	shake_push(sk, false);
}

/* The state shutdown(SHUT_WR) or close() leaves: true if a FIN is due */
static bool shake_close_state(struct sock *sk)
{
	switch (sk->sk_state) {
	case TCP_ESTABLISHED:
		shake_set_state(sk, TCP_FIN_WAIT1);
		return true;
	case TCP_CLOSE_WAIT:
		shake_set_state(sk, TCP_LAST_ACK);
		return true;
	}
	return false;
}

/**
 * shake_shutdown - shutdown() (struct proto.shutdown)
 * @sk: the socket, locked; inet_shutdown() has set sk_shutdown already
 * @how: RCV_SHUTDOWN, SEND_SHUTDOWN or both
 *
 * SEND_SHUTDOWN is a half-close: our FIN goes after the queued data, and
 * the peer's data is still read. RCV_SHUTDOWN only makes reads see the end.
 */
void shake_shutdown(struct sock *sk, int how)
{
	if ((how & SEND_SHUTDOWN) && shake_close_state(sk))
		shake_queue_fin(sk);
}

/* The owner is gone; the connection lives on by itself */
static void shake_orphan(struct sock *sk)
{
	sock_orphan(sk);
	atomic_inc(&shake_net(sock_net(sk))->orphan_count);
}

/**
 * shake_destroy_sock - an orphan reached CLOSE: free it
 * @sk: the socket, locked, orphaned by shake_orphan()
 *
 * Drops the reference the owner left behind; whoever holds another (a
 * timer, the segment being processed) frees it when done. Its queues go
 * with it (shake_sock_destruct()).
 */
static void shake_destroy_sock(struct sock *sk)
{
	shake_clear_timers(sk);
	shake_put_port(sk);
	atomic_dec(&shake_net(sock_net(sk))->orphan_count);
	sock_put(sk);
}

/**
 * shake_done - a connection ends: close it and tell its owner
 * @sk: the socket, locked
 * @err: the error a waiting or later call sees (0 for none)
 *
 * An attempt that ends here (refused, timed out) counts in AttemptFails.
 * An orphan is freed; the caller must hold a reference of its own (a
 * timer's, a lookup's) and not touch the socket's queues afterwards.
 */
void shake_done(struct sock *sk, int err)
{
	if (sk->sk_state == TCP_SYN_SENT || sk->sk_state == TCP_SYN_RECV)
		SHAKE_INC_STATS(sock_net(sk), SHAKE_MIB_ATTEMPTFAILS);
	shake_clear_timers(sk);
	if (err)
		WRITE_ONCE(sk->sk_err, err);
	shake_set_state(sk, TCP_CLOSE);
	WRITE_ONCE(sk->sk_shutdown, SHUTDOWN_MASK);
	if (err)
		sk_error_report(sk);
	if (sock_flag(sk, SOCK_DEAD))
		shake_destroy_sock(sk);
	else
		sk->sk_state_change(sk);
}

/* Both FINs are exchanged and ours is acknowledged: a TIME_WAIT record
 * takes over the 4-tuple, and the socket itself closes.
 */
static void shake_time_wait(struct sock *sk)
{
	shake_set_state(sk, TCP_TIME_WAIT);
	shake_tw_enter(sk);
	shake_done(sk, 0);
}

/* An orphan in FIN_WAIT2 waits for the peer's FIN only this long */
static void shake_arm_fin_timeout(struct sock *sk)
{
	int secs = READ_ONCE(shake_net(sock_net(sk))->sysctl_fin_timeout);

	sk_reset_timer(sk, &sk->sk_timer, jiffies + secs * HZ);
}

/**
 * shake_fin_acked - move on if an ACK acknowledged our FIN
 * @sk: a synchronized socket, locked; the ACK is processed
 * @fin_follows: the same segment brings the peer's FIN in order: the
 *	socket goes from FIN_WAIT1 straight to TIME_WAIT (shake_fin_rcv())
 *
 * Return: false if the connection ended (LAST_ACK, CLOSING): the segment
 * needs no more processing.
 */
bool shake_fin_acked(struct sock *sk, bool fin_follows)
{
	struct shake_sock *ssk = shake_sk(sk);

	/* the FIN is the last sequence number written */
	if (ssk->snd_una != ssk->write_seq)
		return true;
	switch (sk->sk_state) {
	case TCP_FIN_WAIT1:
		if (fin_follows)
			return true;
		shake_set_state(sk, TCP_FIN_WAIT2);
		WRITE_ONCE(sk->sk_shutdown, sk->sk_shutdown | SEND_SHUTDOWN);
		if (sock_flag(sk, SOCK_DEAD))
			shake_arm_fin_timeout(sk);
		else
			sk->sk_state_change(sk);
		return true;
	case TCP_CLOSING:
		shake_time_wait(sk);
		return false;
	case TCP_LAST_ACK:
		shake_done(sk, 0);
		return false;
	}
	return true;
}

/**
 * shake_fin_rcv - the peer's FIN arrived in order
 * @sk: a synchronized socket, locked; rcv_nxt is past the FIN
 *
 * The peer sends no more (RFC 9293 3.10.7.4, eighth step): readers see the
 * end of the stream, the FIN is acknowledged at once, and the state moves
 * on: ESTABLISHED to CLOSE_WAIT; FIN_WAIT1 to CLOSING, or to TIME_WAIT when
 * the same segment acknowledged our FIN; FIN_WAIT2 to TIME_WAIT.
 */
void shake_fin_rcv(struct sock *sk)
{
	struct shake_sock *ssk = shake_sk(sk);

	WRITE_ONCE(sk->sk_shutdown, sk->sk_shutdown | RCV_SHUTDOWN);
	/* nothing after the FIN is data */
	shake_purge_ooo(sk);
	shake_send_ack(sk);

	switch (sk->sk_state) {
	case TCP_ESTABLISHED:
		shake_set_state(sk, TCP_CLOSE_WAIT);
		break;
	case TCP_FIN_WAIT1:
		if (ssk->snd_una != ssk->write_seq) {
			/* both ends closed at once */
			shake_set_state(sk, TCP_CLOSING);
			break;
		}
		fallthrough;
	case TCP_FIN_WAIT2:
		shake_time_wait(sk);
		return;
	}
	if (!sock_flag(sk, SOCK_DEAD)) {
		sk->sk_state_change(sk);
		sk_wake_async(sk, SOCK_WAKE_WAITD,
			      sk->sk_shutdown == SHUTDOWN_MASK ? POLL_HUP :
								 POLL_IN);
	}
}

/**
 * shake_abort_on_data - new data for a socket that reads no more
 * @sk: the socket, locked, in FIN_WAIT1 or FIN_WAIT2
 * @seq: the segment's sequence number
 * @data_len: its data length
 *
 * RFC 1122 4.2.2.13: after close() (or shutdown(SHUT_RD)) nobody will read
 * it, so the connection is reset rather than left to stall the peer.
 *
 * Return: true if the connection was reset.
 */
bool shake_abort_on_data(struct sock *sk, u32 seq, u32 data_len)
{
	struct shake_sock *ssk = shake_sk(sk);

	if (!(sk->sk_shutdown & RCV_SHUTDOWN) || !data_len ||
	    !shake_after(seq + data_len, ssk->rcv_nxt))
		return false;
	SHAKE_INC_STATS(sock_net(sk), SHAKE_MIB_ABORTONDATA);
	shake_send_active_reset(sk);
	shake_done(sk, ECONNRESET);
	return true;
}

/* Are there more orphans than the namespace allows? */
static bool shake_too_many_orphans(struct sock *sk)
{
	struct shake_net *sn = shake_net(sock_net(sk));

	return atomic_read(&sn->orphan_count) >
	       READ_ONCE(sn->sysctl_max_orphans);
}

/* A listener closes: its requests and the children nobody accepted are
 * reset, as TCP does
 */
static void shake_listen_close(struct sock *sk)
{
	struct shake_sock *child, *next;
	LIST_HEAD(children);

	shake_listen_stop(sk, &children);
	list_for_each_entry_safe(child, next, &children, accept_node) {
		struct sock *nsk = &child->inet.sk;

		list_del_init(&child->accept_node);
		sock_hold(nsk);		/* destroying drops the queue's */
		lock_sock_nested(nsk, SINGLE_DEPTH_NESTING);
		shake_disconnect(nsk, 0);
		shake_orphan(nsk);
		shake_destroy_sock(nsk);
		release_sock(nsk);
		sock_put(nsk);
	}
}

/**
 * shake_disconnect - back to CLOSE (struct proto.disconnect)
 * @sk: the socket, locked
 * @flags: unused
 *
 * close(), connect() with AF_UNSPEC and shutdown(SHUT_RD) of a listener
 * (through inet_shutdown()) come here. A listener stops listening, resetting
 * what waits on it; a synchronized connection is aborted with a RST.
 * Addresses the user did not bind are forgotten, so the socket may connect
 * or listen again.
 *
 * Return: 0.
 */
int shake_disconnect(struct sock *sk, int flags)
{
	struct shake_sock *ssk = shake_sk(sk);
	struct inet_sock *inet = inet_sk(sk);
	int old = sk->sk_state;

	if (old == TCP_LISTEN) {
		shake_listen_close(sk);
	} else {
		shake_clear_timers(sk);
		/* the peer holds state for us: tell it (RFC 9293 3.10.5) */
		if ((1 << old) & (TCPF_SYN_RECV | TCPF_ESTABLISHED |
				  TCPF_CLOSE_WAIT | TCPF_FIN_WAIT1 |
				  TCPF_FIN_WAIT2 | TCPF_CLOSING | TCPF_LAST_ACK))
			shake_send_active_reset(sk);
		shake_set_state(sk, TCP_CLOSE);
	}
	shake_write_queue_purge(sk);
	shake_purge_ooo(sk);
	__skb_queue_purge(&sk->sk_receive_queue);
	ssk->write_seq = 0;
	ssk->snd_una = 0;
	ssk->snd_nxt = 0;
	ssk->snd_nxt = 0;
	ssk->rcv_nxt = 0;
	ssk->copied_seq = 0;

	inet->inet_dport = 0;
	inet->inet_daddr = 0;
	if (!(sk->sk_userlocks & SOCK_BINDADDR_LOCK)) {
		inet->inet_saddr = 0;
		inet->inet_rcv_saddr = 0;
	}
	if (!inet->inet_num)
		inet->inet_sport = 0;
	sk_dst_reset(sk);
	sock_reset_flag(sk, SOCK_DONE);
	WRITE_ONCE(sk->sk_shutdown, 0);
	return 0;
}

/**
 * shake_close - close() (struct proto.close)
 * @sk: the socket
 * @timeout: SO_LINGER's time when set, else 0
 *
 * A listener resets what waits on it. A connection with data its owner
 * never read is reset (RFC 2525 2.17), as is one under SO_LINGER {1, 0};
 * any other sends its FIN after the queued data and lives on as an orphan
 * until the exchange ends. With SO_LINGER {1, t} close() waits up to t for
 * the FIN to be acknowledged.
 */
void shake_close(struct sock *sk, long timeout)
{
	struct net *net = sock_net(sk);
	bool unread;
	int state;

	lock_sock(sk);
	WRITE_ONCE(sk->sk_shutdown, SHUTDOWN_MASK);
	if (sk->sk_state == TCP_LISTEN) {
		shake_listen_close(sk);
		goto orphan;
	}
	unread = shake_inq(sk) > 0;
	__skb_queue_purge(&sk->sk_receive_queue);
	shake_purge_ooo(sk);

	if (sk->sk_state == TCP_CLOSE) {
		/* reset or never connected: nothing to tell the peer */
	} else if (unread) {
		SHAKE_INC_STATS(net, SHAKE_MIB_ABORTONCLOSE);
		shake_disconnect(sk, 0);
	} else if (sock_flag(sk, SOCK_LINGER) && !sk->sk_lingertime) {
		/* TCP counts this abort as AbortOnData too */
		SHAKE_INC_STATS(net, SHAKE_MIB_ABORTONDATA);
		shake_disconnect(sk, 0);
	} else if (sk->sk_state == TCP_SYN_SENT ||
		   sk->sk_state == TCP_SYN_RECV) {
		shake_disconnect(sk, 0);
	} else if (shake_close_state(sk)) {
		shake_queue_fin(sk);
	}	/* else our FIN went with shutdown(SHUT_WR) */
	sk_stream_wait_close(sk, timeout);

orphan:
	state = sk->sk_state;
	sock_hold(sk);
	shake_orphan(sk);
	/* segments that waited in the backlog are processed here */
	release_sock(sk);

	local_bh_disable();
	bh_lock_sock(sk);
	/* the backlog closed it, and shake_done() freed it */
	if (state != TCP_CLOSE && sk->sk_state == TCP_CLOSE)
		goto out;
	if (sk->sk_state != TCP_CLOSE && shake_too_many_orphans(sk)) {
		net_info_ratelimited("shake: too many orphaned sockets\n");
		SHAKE_INC_STATS(net, SHAKE_MIB_ABORTONMEMORY);
		shake_send_active_reset(sk);
		shake_done(sk, 0);
		goto out;
	}
	if (sk->sk_state == TCP_FIN_WAIT2)
		shake_arm_fin_timeout(sk);
	else if (sk->sk_state == TCP_CLOSE)
		shake_destroy_sock(sk);
out:
	bh_unlock_sock(sk);
	local_bh_enable();
	sock_put(sk);
}
