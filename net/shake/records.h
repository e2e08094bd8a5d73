/* SPDX-License-Identifier: GPL-2.0 */
/*
 * shake: the small records that stand for a connection where a socket would
 * be too much: a request (a half-open connection in a listener's SYN queue,
 * or a SYN cookie's description of one) and a TIME_WAIT record.
 */
#ifndef _SHAKE_RECORDS_H
#define _SHAKE_RECORDS_H

#include <linux/rcupdate.h>
#include <linux/refcount.h>
#include <linux/timer.h>

#include "protocol.h"

#define SHAKE_REQ_HASH_BITS	6
#define SHAKE_REQ_HASH_SIZE	BIT(SHAKE_REQ_HASH_BITS)

/**
 * struct shake_request - a half-open connection on a listener (SYN_RECV):
 *	what the SYN-ACK said, not a socket
 * @node: link in the listener's req_hash
 * @refcnt: one for the hash, one for a pending timer
 * @listener: the listener; referenced
 * @addrs: the 4-tuple
 * @iss: our initial sequence number
 * @rcv_nxt: the peer's ISN plus one
 * @rcv_wnd: the window our SYN-ACK offers (never scaled, RFC 7323 2.2)
 * @retransmits: SYN-ACK retransmissions so far
 * @synack_us: when the SYN-ACK was sent (shake_clock_us), 0 once it was
 *	sent again (the final ACK then gives no RTT sample of its own)
 * @cookie: not a record: the SYN-ACK's sequence number is a cookie, and
 *	this describes the handshake only while it is answered or completed
 * @opt: options of the SYN and of our SYN-ACK
 * @timer: SYN-ACK retransmission
 * @rcu: deferred free, for /proc readers
 */
struct shake_request {
	struct hlist_node node;
	refcount_t refcnt;
	struct sock *listener;
	struct shake_addrs addrs;
	u32 iss;
	u32 rcv_nxt;
	u32 rcv_wnd;
	u64 synack_us;
	u8 retransmits;
	u8 cookie:1;
	struct shake_syn_opts opt;
	struct timer_list timer;
	struct rcu_head rcu;
};

/**
 * struct shake_tw - a connection in TIME_WAIT: what answering the last
 *	segments of the old connection takes, not a socket
 * @node: link in the namespace's ehash.tw_chains, under RCU
 * @bind_node: link in the namespace's bind.tw_chains
 * @refcnt: one for the tables, while the record lives, and one for each
 *	user of a lookup
 * @addrs: the 4-tuple
 * @bound_dev_if: the socket's SO_BINDTODEVICE, for bind() and our ACKs
 * @snd_nxt: the sequence number after our FIN
 * @rcv_nxt: the sequence number after the peer's FIN
 * @ts_recent: the peer's last timestamp (RFC 7323 4.3), which segments
 *	may update: READ_ONCE()/WRITE_ONCE()
 * @ts_off: the offset of our timestamps on this connection
 * @window: the window field of our ACKs, scaled
 * @tos: the socket's IP_TOS
 * @reuse: the socket's SO_REUSEADDR
 * @reuseport: the socket's SO_REUSEPORT
 * @tstamp_ok: timestamps were agreed
 * @autoport: connect() chose the local port (struct shake_sock's)
 * @net: the namespace
 * @entered: jiffies when the connection entered TIME_WAIT
 * @last_oow_ack: jiffies of the last ACK to a segment that occupied no
 *	sequence space (rate limit)
 * @timer: ends the record after 2*MSL; pending for as long as it lives
 * @rcu: deferred free, for lookups and /proc readers
 */
struct shake_tw {
	struct hlist_node node;
	struct hlist_node bind_node;
	refcount_t refcnt;
	struct shake_addrs addrs;
	int bound_dev_if;
	u32 snd_nxt;
	u32 rcv_nxt;
	u32 ts_recent;
	u32 ts_off;
	u16 window;
	u8 tos;
	u8 reuse:1,
	   reuseport:1,
	   tstamp_ok:1,
	   autoport:1;
	possible_net_t net;
	unsigned long entered;
	unsigned long last_oow_ack;
	struct timer_list timer;
	struct rcu_head rcu;
};

#endif /* _SHAKE_RECORDS_H */
