// SPDX-License-Identifier: GPL-2.0
/*
 * shake: the state machine. Every change of state goes through
 * shake_set_state(), which refuses the transitions RFC 9293 does not have.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <kunit/visibility.h>

#include "protocol.h"

#define CREATE_TRACE_POINTS
#include "trace.h"

#define S(state)	(1U << (state))

/* For each state, the states it may move to (RFC 9293 3.3.2, Figure 5) */
static const u16 shake_next_states[TCP_MAX_STATES] = {
	[TCP_CLOSE]	  = S(TCP_SYN_SENT) | S(TCP_LISTEN),
	[TCP_LISTEN]	  = S(TCP_SYN_RECV) | S(TCP_CLOSE),
	[TCP_SYN_SENT]	  = S(TCP_SYN_RECV) | S(TCP_ESTABLISHED) | S(TCP_CLOSE),
	[TCP_SYN_RECV]	  = S(TCP_ESTABLISHED) | S(TCP_FIN_WAIT1) |
			    S(TCP_CLOSE),
	[TCP_ESTABLISHED] = S(TCP_FIN_WAIT1) | S(TCP_CLOSE_WAIT) | S(TCP_CLOSE),
	[TCP_FIN_WAIT1]	  = S(TCP_FIN_WAIT2) | S(TCP_CLOSING) |
			    S(TCP_TIME_WAIT) | S(TCP_CLOSE),
	[TCP_FIN_WAIT2]	  = S(TCP_TIME_WAIT) | S(TCP_CLOSE),
	[TCP_CLOSING]	  = S(TCP_TIME_WAIT) | S(TCP_CLOSE),
	[TCP_CLOSE_WAIT]  = S(TCP_LAST_ACK) | S(TCP_CLOSE),
	[TCP_LAST_ACK]	  = S(TCP_CLOSE),
	[TCP_TIME_WAIT]	  = S(TCP_CLOSE),
};

/**
 * shake_state_legal - does RFC 9293 move a connection from one state to
 *	another?
 * @from: the state it is in
 * @to: the state it would enter
 *
 * Return: true if the transition is one of Figure 5's (with simultaneous
 * open and close).
 */
bool shake_state_legal(int from, int to)
{
	if (from < 0 || from >= TCP_MAX_STATES || to < 0 ||
	    to >= TCP_MAX_STATES)
		return false;
	return shake_next_states[from] & S(to);
}
EXPORT_SYMBOL_IF_KUNIT(shake_state_legal);

/**
 * shake_set_state - move a socket to another state
 * @sk: the socket, locked
 * @state: the new state
 *
 * Counts CurrEstab and EstabResets as TCP does, and emits
 * the shake:shake_set_state tracepoint. Entering CLOSE takes the socket out
 * of the connection table and gives back a port connect() chose for it.
 * An illegal transition WARNs and is not made.
 */
void shake_set_state(struct sock *sk, int state)
{
	int old = sk->sk_state;
	struct net *net = sock_net(sk);

	if (old == state)
		return;
	if (WARN_ONCE(!shake_state_legal(old, state),
		      "illegal transition %d -> %d\n", old, state))
		return;

	trace_shake_set_state(sk, old, state);
	if (state == TCP_ESTABLISHED)
		SHAKE_INC_STATS(net, SHAKE_MIB_CURRESTAB);
	else if (old == TCP_ESTABLISHED)
		SHAKE_DEC_STATS(net, SHAKE_MIB_CURRESTAB);

	if (state == TCP_CLOSE) {
		if (old == TCP_ESTABLISHED || old == TCP_CLOSE_WAIT)
			SHAKE_INC_STATS(net, SHAKE_MIB_ESTABRESETS);
		shake_ehash_remove(sk);
		if (!(sk->sk_userlocks & SOCK_BINDPORT_LOCK))
			shake_put_port(sk);
	}
	inet_sk_set_state(sk, state);
}
