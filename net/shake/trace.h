/* SPDX-License-Identifier: GPL-2.0 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM shake

#if !defined(_SHAKE_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _SHAKE_TRACE_H

#include <linux/tracepoint.h>
#include <net/sock.h>
#include <net/tcp_states.h>

#define shake_state_name(state)					\
	__print_symbolic(state,					\
			 { TCP_ESTABLISHED, "ESTABLISHED" },	\
			 { TCP_SYN_SENT, "SYN_SENT" },		\
			 { TCP_SYN_RECV, "SYN_RECV" },		\
			 { TCP_FIN_WAIT1, "FIN_WAIT1" },	\
			 { TCP_FIN_WAIT2, "FIN_WAIT2" },	\
			 { TCP_TIME_WAIT, "TIME_WAIT" },	\
			 { TCP_CLOSE, "CLOSE" },		\
			 { TCP_CLOSE_WAIT, "CLOSE_WAIT" },	\
			 { TCP_LAST_ACK, "LAST_ACK" },		\
			 { TCP_LISTEN, "LISTEN" },		\
			 { TCP_CLOSING, "CLOSING" })

TRACE_EVENT(shake_set_state,
	TP_PROTO(const struct sock *sk, int oldstate, int newstate),
	TP_ARGS(sk, oldstate, newstate),

	TP_STRUCT__entry(
		__field(const void *, skaddr)
		__field(int, oldstate)
		__field(int, newstate)
		__array(__u8, saddr, 4)
		__array(__u8, daddr, 4)
		__field(u16, sport)
		__field(u16, dport)
	),

	TP_fast_assign(
		const struct inet_sock *inet = inet_sk(sk);

		__entry->skaddr = sk;
		__entry->oldstate = oldstate;
		__entry->newstate = newstate;
		memcpy(__entry->saddr, &inet->inet_saddr, 4);
		memcpy(__entry->daddr, &inet->inet_daddr, 4);
		__entry->sport = ntohs(inet->inet_sport);
		__entry->dport = ntohs(inet->inet_dport);
	),

	TP_printk("sk=%p %pI4:%u -> %pI4:%u %s -> %s", __entry->skaddr,
		  __entry->saddr, __entry->sport, __entry->daddr,
		  __entry->dport, shake_state_name(__entry->oldstate),
		  shake_state_name(__entry->newstate))
);

#endif /* _SHAKE_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
