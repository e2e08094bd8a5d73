// SPDX-License-Identifier: GPL-2.0
/*
 * shake: timers. A pending timer holds a reference on its socket
 * (sk_reset_timer); the handler drops it. Each socket has three:
 * retransmission (retransmit.c; it also probes a zero window, flow.c),
 * delayed ACK, and keepalive (sk_timer, which also limits an orphan's
 * FIN_WAIT2). A timer that fires while a process owns the socket leaves its
 * work to the owner: a bit in shake_sock.deferred, done when the socket is
 * released (shake_release_cb(), as TCP's tcp_release_cb()).
 */

#include "protocol.h"

/**
 * shake_timer_defer - leave a timer's work to the socket's owner
 * @sk: the socket, bh-locked by the timer's handler
 * @bit: the work's SHAKE_*_DEFERRED bit
 *
 * The first deferral of a kind takes a reference, which shake_release_cb()
 * drops once the work is done.
 *
 * Return: true if a process owns the socket (the work is deferred), false
 * if the handler should do it now.
 */
bool shake_timer_defer(struct sock *sk, int bit)
{
	if (!sock_owned_by_user(sk))
		return false;
	if (!test_and_set_bit(bit, &shake_sk(sk)->deferred))
		sock_hold(sk);
	return true;
}

/* What the delayed-ACK timer does: the ACK still owed goes now */
static void shake_delack_work(struct sock *sk)
{
	if (shake_sk(sk)->ack_pending &&
	    ((1 << sk->sk_state) & (TCPF_ESTABLISHED | TCPF_FIN_WAIT1 |
				    TCPF_FIN_WAIT2))) {
		SHAKE_INC_STATS(sock_net(sk), SHAKE_MIB_DELAYEDACKS);
		shake_send_ack(sk);
	}
}

static void shake_delack_timer(struct timer_list *t)
{
	struct shake_sock *ssk = from_timer(ssk, t, delack_timer);
	struct sock *sk = &ssk->inet.sk;

	bh_lock_sock(sk);
	if (!shake_timer_defer(sk, SHAKE_DELACK_DEFERRED))
		shake_delack_work(sk);
	bh_unlock_sock(sk);
	sock_put(sk);
}

/**
 * shake_ack_sent - a segment carrying our ACK left: nothing is pending
 * @sk: the socket, locked
 */
void shake_ack_sent(struct sock *sk)
{
	struct shake_sock *ssk = shake_sk(sk);

	if (ssk->ack_pending) {
		ssk->ack_pending = 0;
		sk_stop_timer(sk, &ssk->delack_timer);
	}
}

/**
 * shake_schedule_ack - acknowledge received data now or a little later
 * @sk: the socket, locked
 * @len: bytes just received in order
 *
 * RFC 9293 3.8.6.3 and RFC 5681 4.2: at least every second full-sized
 * segment, and within 40 ms.
 */
void shake_schedule_ack(struct sock *sk, u32 len)
{
	struct shake_sock *ssk = shake_sk(sk);

	ssk->ack_pending += len;
	if (ssk->ack_pending >= 2U * ssk->rcv_mss) {
		shake_send_ack(sk);
		return;
	}
	if (!timer_pending(&ssk->delack_timer))
		sk_reset_timer(sk, &ssk->delack_timer,
			       jiffies + SHAKE_DELACK_TIME);
}

/* Keepalive (RFC 9293 3.8.4): probe an idle connection with an old
 * sequence number; keepalive_probes unanswered ones end it. The same timer
 * ends an orphan that waited too long in FIN_WAIT2. Nothing when the timer
 * was set again since it fired.
 */
static void shake_keepalive_work(struct sock *sk)
{
	struct shake_sock *ssk = shake_sk(sk);
	unsigned long idle, when = ssk->keepalive_time;

	if (timer_pending(&sk->sk_timer))
		return;
	if (sk->sk_state == TCP_FIN_WAIT2 && sock_flag(sk, SOCK_DEAD)) {
		/* fin_timeout: the peer never closed; end silently, as TCP */
		shake_done(sk, 0);
		return;
	}
	if (!sock_flag(sk, SOCK_KEEPOPEN) ||
	    !((1 << sk->sk_state) & (TCPF_ESTABLISHED | TCPF_CLOSE_WAIT)))
		return;
	/* data in flight has its own timer to find a dead peer */
	if (ssk->packets_out || ssk->send_head)
		goto rearm;

	idle = jiffies - ssk->rcv_tstamp;
	if (idle >= ssk->keepalive_time) {
		if (ssk->probes_out >= ssk->keepalive_probes) {
			shake_done(sk, sk->sk_err_soft ? : ETIMEDOUT);
			return;
		}
		SHAKE_INC_STATS(sock_net(sk), SHAKE_MIB_KEEPALIVEPROBES);
		shake_send_probe(sk);
		ssk->probes_out++;
		when = ssk->keepalive_intvl;
	} else {
		when = ssk->keepalive_time - idle;
	}
rearm:
	sk_reset_timer(sk, &sk->sk_timer, jiffies + when);
}

static void shake_keepalive_timer(struct timer_list *t)
{
	struct sock *sk = from_timer(sk, t, sk_timer);

	bh_lock_sock(sk);
	if (!shake_timer_defer(sk, SHAKE_KEEPALIVE_DEFERRED))
		shake_keepalive_work(sk);
	bh_unlock_sock(sk);
	sock_put(sk);
}

/**
 * shake_keepalive_reset - (re)start or stop the keepalive timer
 * @sk: the socket, locked
 *
 * The idle time counts from the last segment received, so a connection
 * that has been idle longer than a newly set TCP_KEEPIDLE probes at once,
 * as TCP's does.
 */
void shake_keepalive_reset(struct sock *sk)
{
	struct shake_sock *ssk = shake_sk(sk);
	unsigned long idle;

	if (sock_flag(sk, SOCK_KEEPOPEN) &&
	    ((1 << sk->sk_state) & (TCPF_ESTABLISHED | TCPF_CLOSE_WAIT))) {
		idle = min_t(unsigned long, jiffies - ssk->rcv_tstamp,
			     ssk->keepalive_time);
		sk_reset_timer(sk, &sk->sk_timer,
			       jiffies + ssk->keepalive_time - idle);
	} else {
		sk_stop_timer(sk, &sk->sk_timer);
	}
}

/**
 * shake_release_cb - do the timers' work left while the socket was owned
 *	(struct proto.release_cb)
 * @sk: the socket; release_sock() holds its spinlock and still owns it,
 *	and its caller holds a reference
 *
 * The work runs as in the timer's handler, after the backlog's segments.
 */
void shake_release_cb(struct sock *sk)
{
	struct shake_sock *ssk = shake_sk(sk);

	if (!READ_ONCE(ssk->deferred))
		return;
	if (test_and_clear_bit(SHAKE_RETRANSMIT_DEFERRED, &ssk->deferred)) {
		shake_retransmit_work(sk);
		__sock_put(sk);
	}
	if (test_and_clear_bit(SHAKE_DELACK_DEFERRED, &ssk->deferred)) {
		shake_delack_work(sk);
		__sock_put(sk);
	}
	if (test_and_clear_bit(SHAKE_KEEPALIVE_DEFERRED, &ssk->deferred)) {
		shake_keepalive_work(sk);
		__sock_put(sk);
	}
}

void shake_init_timers(struct sock *sk)
{
	struct shake_sock *ssk = shake_sk(sk);

	timer_setup(&ssk->retransmit_timer, shake_retransmit_timer, 0);
	timer_setup(&ssk->delack_timer, shake_delack_timer, 0);
	timer_setup(&sk->sk_timer, shake_keepalive_timer, 0);
	ssk->timer_job = SHAKE_TIMER_NONE;
	ssk->deferred = 0;
}

void shake_clear_timers(struct sock *sk)
{
	struct shake_sock *ssk = shake_sk(sk);

	ssk->timer_job = SHAKE_TIMER_NONE;
	ssk->ack_pending = 0;
	sk_stop_timer(sk, &ssk->retransmit_timer);
	sk_stop_timer(sk, &ssk->delack_timer);
	sk_stop_timer(sk, &sk->sk_timer);
}
