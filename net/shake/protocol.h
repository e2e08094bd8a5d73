/* SPDX-License-Identifier: GPL-2.0 */
/*
 * shake: the module's internal interfaces (private to net/shake, as
 * net/mptcp/protocol.h is to MPTCP). The wire format is in wire.h, the
 * counters in mib.h, the request and TIME_WAIT records in records.h.
 * User programs see only include/uapi/linux/shake.h.
 */
#ifndef _SHAKE_PROTOCOL_H
#define _SHAKE_PROTOCOL_H

#include <linux/bits.h>
#include <linux/rbtree.h>
#include <linux/siphash.h>
#include <linux/skbuff.h>
#include <linux/spinlock.h>
#include <linux/timekeeping.h>
#include <linux/types.h>
#include <net/inet_sock.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>

#include "mib.h"
#include "wire.h"

extern int shake_ipproto;

struct shake_request;
struct shake_tw;

/**
 * struct shake_addrs - the 4-tuple of a connection, seen from our end
 * @laddr: local address
 * @raddr: remote address
 * @lport: local port
 * @rport: remote port
 *
 * What requests, TIME_WAIT records and segments sent without a socket
 * know of their connection.
 */
struct shake_addrs {
	__be32 laddr;
	__be32 raddr;
	__be16 lport;
	__be16 rport;
};

#define SHAKE_BIND_HASH_BITS	8
#define SHAKE_BIND_HASH_SIZE	BIT(SHAKE_BIND_HASH_BITS)
#define SHAKE_EHASH_BITS	10
#define SHAKE_EHASH_SIZE	BIT(SHAKE_EHASH_BITS)
#define SHAKE_LHASH_BITS	5
#define SHAKE_LHASH_SIZE	BIT(SHAKE_LHASH_BITS)

/* RFC 6298 2.1 initial RTO (also of SYN and SYN-ACK), and the ceiling of
 * its backoff
 */
#define SHAKE_TIMEOUT_INIT	((unsigned int)HZ)
#define SHAKE_RTO_MAX		((unsigned int)(120 * HZ))
/* States in which queued data and our FIN are sent and retransmitted */
#define SHAKEF_SENDING	(TCPF_ESTABLISHED | TCPF_CLOSE_WAIT | TCPF_FIN_WAIT1 | \
			 TCPF_CLOSING | TCPF_LAST_ACK)

/**
 * struct shake_bind_table - the local ports of one network namespace
 * @lock: protects @chains, @tw_chains and every member's sk_bind_node and
 *	inet_num
 * @chains: bound sockets, hashed by local port
 * @tw_chains: TIME_WAIT records, which hold their port as TCP's TIME_WAIT
 *	sockets do, hashed like @chains
 */
struct shake_bind_table {
	spinlock_t lock;	/* see above */
	struct hlist_head chains[SHAKE_BIND_HASH_SIZE];
	struct hlist_head tw_chains[SHAKE_BIND_HASH_SIZE];
};

/**
 * struct shake_ehash - connected sockets of one namespace, by 4-tuple
 * @lock: serialises writers of both chain arrays, so that a 4-tuple check
 *	sees a connection's socket or its TIME_WAIT record; readers walk them
 *	under RCU
 * @chains: sockets linked by sk_node; each link holds a reference
 * @tw_chains: TIME_WAIT records, hashed like @chains
 */
struct shake_ehash {
	spinlock_t lock;	/* see above */
	struct hlist_head chains[SHAKE_EHASH_SIZE];
	struct hlist_head tw_chains[SHAKE_EHASH_SIZE];
};

/**
 * struct shake_ratelimit - a token bucket of messages per second
 * @lock: protects the other fields
 * @credit: messages that may go out now
 * @stamp: jiffies of the last refill
 */
struct shake_ratelimit {
	spinlock_t lock;	/* see above */
	u32 credit;
	unsigned long stamp;
};

/**
 * struct shake_lhash - listening sockets of one namespace, by local port
 * @lock: serialises writers; readers walk @chains under RCU
 * @chains: listeners linked by sk_node; each link holds a reference
 */
struct shake_lhash {
	spinlock_t lock;	/* see above */
	struct hlist_head chains[SHAKE_LHASH_SIZE];
};

/**
 * struct shake_net - per network namespace state
 * @bind: the local port table
 * @ehash: connected sockets
 * @lhash: listening sockets
 * @mib: counters, per CPU
 * @ctl_sk: kernel socket that sends segments no socket owns (RSTs)
 * @sysctl_hdr: registration of /proc/sys/net/shake
 * @sysctl_reset_msgs_per_sec: RSTs per second for segments without a
 *	socket; 0 for no limit
 * @sysctl_syn_retries: SYN retransmissions before connect() gives up
 * @sysctl_challenge_ack_limit: challenge ACKs per second (RFC 5961)
 * @sysctl_synack_retries: SYN-ACK retransmissions before a request is dropped
 * @sysctl_max_syn_backlog: bound of every listener's SYN queue
 * @sysctl_abort_on_overflow: reset, rather than ignore, a final ACK that
 *	finds the accept queue full
 * @sysctl_retries2: retransmissions of data before a connection fails
 * @sysctl_timestamps: offer timestamps (RFC 7323) in our SYNs
 * @sysctl_window_scaling: offer window scaling in our SYNs
 * @sysctl_sack: offer SACK-permitted in our SYNs
 * @sysctl_dsack: send D-SACK blocks for duplicates received (RFC 2883)
 * @sysctl_recovery: 1: RACK detects losses (RFC 8985); 0: SACKed segments
 *	above a hole (RFC 6675), as tcp_recovery
 * @sysctl_reordering: a connection's first @reordering
 * @sysctl_early_retrans: send Tail Loss Probes (RFC 8985 7)
 * @sysctl_msl_ms: the maximum segment lifetime; TIME_WAIT lasts twice it
 * @sysctl_max_tw_buckets: bound of @tw_count; 0: no TIME_WAIT at all
 * @sysctl_tw_reuse: may connect() take a 4-tuple in TIME_WAIT (0 never,
 *	1 yes, 2 on loopback only; both with timestamps, after 1 s)
 * @sysctl_fin_timeout: seconds an orphan waits in FIN_WAIT2
 * @sysctl_max_orphans: bound of @orphan_count; beyond it close() resets
 * @sysctl_orphan_retries: retransmission timeouts an orphan survives
 * @reset_limit: bucket of @sysctl_reset_msgs_per_sec
 * @challenge_limit: bucket of @sysctl_challenge_ack_limit
 * @sysctl_syncookies: answer SYNs with cookies: 0 never, 1 when a
 *	listener's SYN queue is full, 2 always
 * @tw_count: TIME_WAIT records in the namespace (CurrTimeWait); while at
 *	@sysctl_max_tw_buckets it may count for a moment one that is refused
 * @orphan_count: orphans in the namespace (CurrOrphans), bounded by
 *	@sysctl_max_orphans
 * @sysctl_rmem: receive buffer min, default and max (TCP's tcp_rmem)
 * @sysctl_wmem: send buffer min, default and max (TCP's tcp_wmem)
 * @cong_default: the congestion control of new sockets (sysctl
 *	congestion_control); holds a reference to its module
 * @cookie_key: secret of the SYN cookies' hash, chosen at namespace init
 */
struct shake_net {
	struct shake_bind_table bind;
	struct shake_ehash ehash;
	struct shake_lhash lhash;
	struct shake_mib __percpu *mib;
	struct sock *ctl_sk;
	struct ctl_table_header *sysctl_hdr;
	int sysctl_reset_msgs_per_sec;
	int sysctl_syn_retries;
	int sysctl_challenge_ack_limit;
	int sysctl_synack_retries;
	int sysctl_max_syn_backlog;
	int sysctl_abort_on_overflow;
	int sysctl_retries2;
	int sysctl_timestamps;
	int sysctl_window_scaling;
	int sysctl_sack;
	int sysctl_dsack;
	int sysctl_recovery;
	int sysctl_reordering;
	int sysctl_early_retrans;
	int sysctl_msl_ms;
	int sysctl_max_tw_buckets;
	int sysctl_tw_reuse;
	int sysctl_fin_timeout;
	int sysctl_max_orphans;
	int sysctl_orphan_retries;
	int sysctl_syncookies;
	int sysctl_rmem[3];
	int sysctl_wmem[3];
	const struct shake_cong_ops __rcu *cong_default;
	struct shake_ratelimit reset_limit;
	struct shake_ratelimit challenge_limit;
	atomic_t tw_count;
	atomic_t orphan_count;
	siphash_key_t cookie_key;
};

/**
 * struct shake_syn_opts - what a SYN offered and the handshake agreed
 * @mss: the peer's MSS option (SHAKE_DEFAULT_MSS without one)
 * @snd_wscale: the peer's window scale: shifts the windows it sends us
 * @rcv_wscale: ours: shifts the windows we send
 * @wscale_ok: window scaling agreed
 * @sack_ok: SACK-permitted agreed
 * @tstamp_ok: timestamps agreed
 * @ts_recent: the peer's timestamp to echo (RFC 7323 4.3)
 * @ts_off: the offset of our timestamps on this connection
 */
struct shake_syn_opts {
	u16 mss;
	u8 snd_wscale;
	u8 rcv_wscale;
	u8 wscale_ok:1,
	   sack_ok:1,
	   tstamp_ok:1;
	u32 ts_recent;
	u32 ts_off;
};

/* Which job the retransmit timer does now */
enum shake_timer_job {
	SHAKE_TIMER_NONE,
	SHAKE_TIMER_RETRANS,	/* SYN, SYN-ACK or data unacknowledged */
	SHAKE_TIMER_PROBE,	/* zero window: probe it (persist) */
	SHAKE_TIMER_REO,	/* RACK: a segment's reordering window ends */
	SHAKE_TIMER_TLP,	/* the tail of the flight went unanswered: probe */
};

/* Bits of shake_sock.deferred: a timer's work left for the owner */
enum shake_deferred {
	SHAKE_RETRANSMIT_DEFERRED,
	SHAKE_DELACK_DEFERRED,
	SHAKE_KEEPALIVE_DEFERRED,
};

/* RFC 9293 3.8.6.3: ACK at least every second full segment or 40 ms */
#define SHAKE_DELACK_TIME	((unsigned int)(HZ / 25))

/* RFC 6928 initial window, in segments */
#define SHAKE_INIT_CWND		10

/* Longest name of a congestion control algorithm, NUL included (TCP's) */
#define SHAKE_CA_NAME_MAX	16
/* Room an algorithm has for its state in each socket (TCP's) */
#define SHAKE_CA_PRIV_SIZE	(13 * sizeof(u64))
/* shake_cong_ops.flags: any user may choose it (allowed_congestion_control) */
#define SHAKE_CONG_NON_RESTRICTED	BIT(0)

/* What happened to the connection, for shake_cong_ops.cwnd_event */
enum shake_ca_event {
	SHAKE_CA_EVENT_TX_START,	/* new data sent after all was acked */
};

/**
 * struct shake_ack_sample - what an ACK told of the path
 * @acked: segments it acknowledged cumulatively
 * @rtt_us: the RTT it measured, microseconds; negative if none
 */
struct shake_ack_sample {
	u32 acked;
	s32 rtt_us;
};

/**
 * struct shake_cong_ops - a congestion control algorithm
 * @list: its place in the registry (cong.c)
 * @flags: SHAKE_CONG_*
 * @init: the connection is set up, or the algorithm was chosen while
 *	it was (optional): its private state (shake_ca()) is zeroed
 * @release: the socket goes (optional)
 * @ssthresh: the slow start threshold after a loss, segments; the caller
 *	sets the window of recovery or of a timeout from it
 * @cong_avoid: new data was acknowledged outside recovery while the
 *	window limited the sender: grow cwnd
 * @set_state: the loss recovery state is about to change (optional)
 * @cwnd_event: shake_ca_event (optional)
 * @pkts_acked: an ACK acknowledged new data (optional)
 * @undo_cwnd: a loss episode was undone: the window to go back to
 * @name: its name, for TCP_CONGESTION and the sysctls
 * @owner: the module that provides it; NULL for shake's own
 *
 * Policy only: it sets cwnd and ssthresh and never sends. Loss detection
 * and recovery (retransmit.c) call it and do the sending. The shape of
 * the kernel's tcp_congestion_ops; shake_register_congestion_control()
 * adds one from another module.
 */
struct shake_cong_ops {
	struct list_head list;
	u32 flags;
	void (*init)(struct sock *sk);
	void (*release)(struct sock *sk);
	u32 (*ssthresh)(struct sock *sk);
	void (*cong_avoid)(struct sock *sk, u32 ack, u32 acked);
	void (*set_state)(struct sock *sk, u8 new_state);
	void (*cwnd_event)(struct sock *sk, enum shake_ca_event ev);
	void (*pkts_acked)(struct sock *sk,
			   const struct shake_ack_sample *sample);
	u32 (*undo_cwnd)(struct sock *sk);
	char name[SHAKE_CA_NAME_MAX];
	struct module *owner;
};

/* Where loss recovery is (shake_sock.ca_state), as TCP's ca_state */
enum shake_ca_state {
	SHAKE_CA_OPEN,		/* no loss known */
	SHAKE_CA_RECOVERY,	/* fast recovery, until snd_una passes recover */
	SHAKE_CA_LOSS,		/* after a timeout, until the same */
};

/**
 * struct shake_rack - RACK's view of the path (RFC 8985)
 * @sent_us: when the most recently sent of the delivered segments went
 * @end_seq: its end
 * @rtt_us: the RTT that delivery measured
 * @reo_wnd_mult: the reordering window, in quarters of the minimum RTT
 * @reord: the path was seen reordering
 * @dsack_round: snd_nxt when a D-SACK last widened the window: once a round
 */
struct shake_rack {
	u64 sent_us;
	u32 end_seq;
	u32 rtt_us;
	u8 reo_wnd_mult;
	u8 reord:1;
	u32 dsack_round;
};

/**
 * struct shake_rcvq_space - what the reader takes per round trip
 * @space: bytes it took in the last measured round trip
 * @seq: copied_seq when this one began
 * @time_us: when it began (shake_clock_us)
 */
struct shake_rcvq_space {
	u32 space;
	u32 seq;
	u64 time_us;
};

/**
 * struct shake_rcv_rtt - the round trip as the receiver measures it
 * @rtt_us: the estimate, microseconds, 0 before one
 * @seq: without timestamps: the sequence number that ends the window the
 *	measurement waits for
 * @time_us: when that window began, 0 when none is measured
 * @tsecr: with timestamps: the echo the last sample came from
 */
struct shake_rcv_rtt {
	u32 rtt_us;
	u32 seq;
	u64 time_us;
	u32 tsecr;
};

/**
 * struct shake_sock - a shake socket
 * @inet: the generic inet socket; must stay first
 * @iss: initial send sequence number
 * @snd_una: oldest unacknowledged sequence number
 * @snd_nxt: next new sequence number to send: what was sent, plus one
 * @write_seq: sequence number of the next byte a writer queues
 * @snd_wnd: the peer's receive window, bytes
 * @snd_wl1: sequence number of the segment that last updated @snd_wnd
 * @snd_wl2: acknowledgment number of that segment
 * @max_window: the largest window the peer has offered
 * @send_head: first skb of sk_write_queue not yet sent, or NULL
 * @packets_out: segments sent and not acknowledged
 * @sacked_out: of those, SACKed; without SACK, the duplicate ACKs seen
 * @lost_out: of those, marked lost
 * @retrans_out: of those, retransmitted and not yet acknowledged, SACKed or
 *	lost again; the pipe (RFC 6675) is packets_out - sacked_out -
 *	lost_out + retrans_out
 * @mss_cache: largest data segment we send
 * @rcv_mss: largest data segment the peer has sent us (our estimate of its
 *	MSS, for delayed ACKs and window updates)
 * @user_mss: SHAKE_MAXSEG, 0 if unset
 * @opt: negotiated options
 * @srtt_us: smoothed RTT (RFC 6298), microseconds, 0 before a sample
 * @rttvar_us: RTT variation, microseconds
 * @syn_sent_us: when our SYN went out (shake_clock_us), 0 once it was sent
 *	again: the SYN-ACK's RTT sample
 * @rto: retransmission timeout, in jiffies
 * @retransmits: timeouts of the segment the timer guards (its backoff)
 * @timer_job: what @retransmit_timer does when it fires
 * @retransmit_timer: holds a socket reference while pending
 * @deferred: SHAKE_*_DEFERRED bits: timers that fired while a process owned
 *	the socket, whose work shake_release_cb() does; each holds a reference
 * @cong_ops: the congestion control algorithm; holds a reference to its
 *	module
 * @ca_priv: the algorithm's own state (shake_ca())
 * @cwnd: congestion window, segments
 * @ssthresh: slow start threshold, segments
 * @cwnd_cnt: ACKed segments towards the next congestion avoidance step
 * @recover: RFC 6582 "recover": snd_nxt when loss recovery began
 * @ca_state: SHAKE_CA_*: loss recovery, or a timeout's, under way
 * @reordering: segments the path may reorder: the duplicate ACK threshold
 * @prr_delivered: RFC 6937: segments delivered to the peer during recovery
 * @prr_out: segments sent during recovery
 * @recover_fs: segments in flight when recovery began
 * @tlp_high_seq: snd_nxt when the outstanding loss probe went
 * @undo_marker: snd_una when the loss episode that may be undone began
 * @undo_until: snd_nxt when its recovery ended: D-SACKs of later data say
 *	nothing of it
 * @undo_retrans: its retransmissions not yet reported spurious by D-SACK
 * @retrans_stamp: our timestamp value on its first retransmission, 0 if
 *	none yet: an ACK echoing an older one answers an original (RFC 3522)
 * @prior_cwnd: cwnd before the episode, which an undo restores
 * @prior_ssthresh: ssthresh before it
 * @highest_sack: end of the highest sequence SACKed (RFC 8985's FACK)
 * @rack: the RACK state (RFC 8985)
 * @min_rtt_us: the smallest RTT sample, microseconds
 * @rcv_sacks: SACK blocks we send (RFC 2018), the most recent first
 * @rcv_num_sacks: how many of @rcv_sacks are valid
 * @rcv_dsack: a D-SACK block (RFC 2883) for the next ACK, if @dsack_out
 * @dsack_out: @rcv_dsack waits to be sent
 * @undo_ok: the last loss episode may still be undone
 * @tlp_out: a loss probe is outstanding (RFC 8985 7)
 * @tlp_retrans: it sent old data again, not new data
 * @cwnd_limited: the congestion window, not the peer's or the writer,
 *	held back the last sending: only then does it grow (RFC 7661)
 * @nodelay: SHAKE_NODELAY
 * @cork: SHAKE_CORK
 * @ca_setsockopt: TCP_CONGESTION chose @cong_ops: a listener's children
 *	keep it
 * @autoport: connect() chose the local port: other connections may share
 *	it as long as their 4-tuples differ
 * @rcv_nxt: next sequence number expected
 * @copied_seq: next sequence number a reader takes
 * @rcv_wnd: the window we last advertised, from @rcv_wup
 * @rcv_wup: @rcv_nxt when we last advertised a window
 * @ooo_queue: out-of-order segments, by sequence number
 * @rcvq_space: receive-buffer autotuning's measure of the reader
 * @rcv_rtt: the receiver's RTT estimate, for that measure
 * @rcv_ooopack: segments received out of order and kept
 * @ack_pending: bytes received and not yet acknowledged
 * @delack_timer: sends a delayed ACK; holds a socket reference
 * @rcv_tstamp: jiffies when the last segment arrived (keepalive)
 * @keepalive_time: idle time before the first keepalive probe, jiffies
 * @keepalive_intvl: time between keepalive probes, jiffies
 * @keepalive_probes: unanswered probes before the connection fails
 * @probes_out: probes (keepalive or window) sent without an answer
 * @total_retrans: retransmitted segments
 * @bytes_sent: data bytes sent, retransmissions included
 * @bytes_acked: data bytes acknowledged
 * @bytes_received: data bytes received in order
 * @req_hash: a listener's pending requests (SYN_RECV), by 4-tuple, under
 *	RCU; changed only under the spinlock of its socket lock
 * @syn_qlen: number of those requests
 * @accept_queue: a listener's established children not yet accepted;
 *	each holds a reference; under the spinlock of the listener's socket
 *	lock (listen.c)
 * @accept_node: a child's link in its listener's @accept_queue
 * @cookie_stamp: jiffies (ORed with 1) when a listener last sent a SYN
 *	cookie; 0 if it never did
 * @synflood_warned: the listener has logged "Possible SYN flooding"
 */
struct shake_sock {
	struct inet_sock inet;
	u32 iss;
	u32 snd_una;
	u32 snd_nxt;
	u32 write_seq;
	u32 snd_wnd;
	u32 snd_wl1;
	u32 snd_wl2;
	u32 max_window;
	struct sk_buff *send_head;
	u32 packets_out;
	u16 mss_cache;
	u16 rcv_mss;
	u16 user_mss;
	struct shake_syn_opts opt;
	u32 srtt_us;
	u32 rttvar_us;
	u64 syn_sent_us;
	unsigned int rto;
	u8 retransmits;
	u8 timer_job;
	struct timer_list retransmit_timer;
	unsigned long deferred;
	const struct shake_cong_ops *cong_ops;
	u64 ca_priv[SHAKE_CA_PRIV_SIZE / sizeof(u64)];
	u32 cwnd;
	u32 ssthresh;
	u32 cwnd_cnt;
	u32 recover;
	u8 ca_state;
	u8 rcv_num_sacks;
	u32 sacked_out;
	u32 lost_out;
	u32 retrans_out;
	u32 reordering;
	u32 prr_delivered;
	u32 prr_out;
	u32 recover_fs;
	u32 tlp_high_seq;
	u32 undo_marker;
	u32 undo_until;
	u32 undo_retrans;
	u32 retrans_stamp;
	u32 prior_cwnd;
	u32 prior_ssthresh;
	u32 highest_sack;
	struct shake_rack rack;
	u32 min_rtt_us;
	struct shake_sack_block rcv_sacks[SHAKE_MAX_SACKS];
	struct shake_sack_block rcv_dsack;
	u8 dsack_out:1,
	   undo_ok:1,
	   tlp_out:1,
	   tlp_retrans:1,
	   cwnd_limited:1,
	   nodelay:1,
	   cork:1,
	   ca_setsockopt:1,
	   autoport:1;
	u32 rcv_nxt;
	u32 copied_seq;
	u32 rcv_wnd;
	u32 rcv_wup;
	struct rb_root ooo_queue;
	struct shake_rcvq_space rcvq_space;
	struct shake_rcv_rtt rcv_rtt;
	u32 rcv_ooopack;
	u32 ack_pending;
	struct timer_list delack_timer;
	unsigned long rcv_tstamp;
	unsigned int keepalive_time;
	unsigned int keepalive_intvl;
	u8 keepalive_probes;
	u8 probes_out;
	u32 total_retrans;
	u64 bytes_sent;
	u64 bytes_acked;
	u64 bytes_received;
	struct hlist_head *req_hash;
	u32 syn_qlen;
	struct list_head accept_queue;
	struct list_head accept_node;
	unsigned long cookie_stamp;
	u8 synflood_warned:1;
};

/**
 * struct shake_skb_cb - what shake keeps in skb->cb of a queued segment
 * @seq: sequence number of the first data byte
 * @end_seq: @seq plus the data length, plus one for a FIN
 * @consumed: bytes a reader has taken (receive side) or that were already
 *	acknowledged when it was queued (out-of-order overlap)
 * @sent_us: when it was last sent, microseconds (send side)
 * @retransmitted: sent more than once (Karn's rule)
 * @sacked: the peer SACKed it (send side, as the next three)
 * @lost: marked lost: to be sent again, or sent again (@retrans)
 * @retrans: a retransmission of it is in flight
 * @rack_off: RACK marked it lost: RACK looks at it again only once it is
 *	sent again (as Linux, which takes it off its time-ordered list), even
 *	if the loss is undone meanwhile, lest each late original undo one
 *	more recovery that the next ACK starts again
 * @fin: the segment carries a FIN after its data
 */
struct shake_skb_cb {
	u32 seq;
	u32 end_seq;
	u32 consumed;
	u64 sent_us;
	u8 retransmitted:1,
	   sacked:1,
	   lost:1,
	   retrans:1,
	   rack_off:1,
	   fin:1;
};

#define SHAKE_SKB_CB(skb) ((struct shake_skb_cb *)&((skb)->cb[0]))

/* A received segment's options, from shake_rcv() until its socket takes it
 * (the IP layer is done with skb->cb by then)
 */
#define SHAKE_RCV_OPT(skb) ((struct shake_options *)&((skb)->cb[0]))

static inline struct shake_sock *shake_sk(const struct sock *sk)
{
	return (struct shake_sock *)sk;
}

/* The private state of a socket's congestion control algorithm */
static inline void *shake_ca(const struct sock *sk)
{
	return (void *)shake_sk(sk)->ca_priv;
}

/* The clock of RTT samples */
static inline u64 shake_clock_us(void)
{
	return div_u64(ktime_get_ns(), NSEC_PER_USEC);
}

/* The clock of our timestamp option values (RFC 7323 5.4: 1 ms) */
static inline u32 shake_time_stamp(void)
{
	return (u32)div_u64(ktime_get_ns(), NSEC_PER_MSEC);
}

/* Segments in the network (RFC 6675 "pipe"), as Linux's in_flight */
static inline u32 shake_pipe(const struct shake_sock *ssk)
{
	return ssk->packets_out - ssk->sacked_out - ssk->lost_out +
	       ssk->retrans_out;
}

extern unsigned int shake_net_id;

static inline struct shake_net *shake_net(const struct net *net)
{
	return net_generic(net, shake_net_id);
}

/* af_shake.c */
extern struct proto shake_prot;

/* state.c */
bool shake_state_legal(int from, int to);
void shake_set_state(struct sock *sk, int state);

/* close.c */
void shake_shutdown(struct sock *sk, int how);
void shake_close(struct sock *sk, long timeout);
int shake_disconnect(struct sock *sk, int flags);
void shake_done(struct sock *sk, int err);
void shake_fin_rcv(struct sock *sk);
bool shake_fin_acked(struct sock *sk, bool fin_follows);
bool shake_abort_on_data(struct sock *sk, u32 seq, u32 data_len);

/* isn.c */
void shake_isn_init(void);
u32 shake_isn(__be32 saddr, __be32 daddr, __be16 sport, __be16 dport);
u32 shake_ts_off(__be32 saddr, __be32 daddr);

/* cookie.c */
void shake_cookie_init_net(struct shake_net *sn);
u32 shake_cookie_make(const siphash_key_t *key, const struct shake_addrs *a,
		      u32 peer_isn, u32 count, u32 mssind);
int shake_cookie_decode(const siphash_key_t *key, const struct shake_addrs *a,
			u32 cookie, u32 peer_isn, u32 now);
u16 shake_cookie_mss(unsigned int mssind);
unsigned int shake_cookie_mss_index(u16 mss);
u32 shake_cookie_tsval(u32 tsval, const struct shake_syn_opts *opt);
int shake_cookie_ts_opts(u32 tsecr, struct shake_syn_opts *opt);
bool shake_cookie_want(struct sock *sk, bool queue_full);
void shake_cookie_synack(struct sock *sk, struct sk_buff *skb,
			 const struct shakehdr *th,
			 const struct shake_options *opt);
int shake_cookie_check(struct sock *sk, struct sk_buff *skb,
		       const struct shakehdr *th,
		       const struct shake_options *opt,
		       struct shake_request *req);

/* connect.c */
int shake_v4_connect(struct sock *sk, struct sockaddr *uaddr, int addr_len);

/* listen.c */
int shake_listen(struct socket *sock, int backlog);
struct sock *shake_accept(struct sock *sk, int flags, int *err, bool kern);
bool shake_listen_rcv(struct sock *sk, struct sk_buff *skb,
		      const struct shake_options *opt);
void shake_listen_stop(struct sock *sk, struct list_head *children);
int shake_request_cache_init(void);
void shake_request_cache_destroy(void);

/* handshake.c */
u16 shake_mss_for(const struct dst_entry *dst, u16 user_mss);
u8 shake_wscale_for(u32 space);
u32 shake_syn_window(const struct sock *sk);
void shake_req_init(struct sock *sk, const struct sk_buff *skb,
		    const struct shakehdr *th, struct shake_request *req);
void shake_syn_opts_offer(const struct sock *sk, struct shake_syn_opts *opt,
			  __be32 saddr, __be32 daddr);
void shake_syn_opts_agree(struct shake_syn_opts *opt,
			  const struct shake_options *peer);
void shake_reset_transfer(struct shake_sock *ssk);
void shake_init_transfer(struct sock *sk, const struct shakehdr *th);
void shake_established(struct sock *sk, const struct shakehdr *th);
void shake_syn_sent_rcv(struct sock *sk, struct sk_buff *skb,
			const struct shakehdr *th,
			const struct shake_options *opt);

/* send.c */
int shake_sendmsg(struct sock *sk, struct msghdr *msg, size_t size);
void shake_write_space(struct sock *sk);
void shake_write_queue_purge(struct sock *sk);
struct sk_buff *shake_new_segment(struct sock *sk, gfp_t gfp);

/* recv.c */
bool shake_data_rcv(struct sock *sk, struct sk_buff *skb);
void shake_purge_ooo(struct sock *sk);
u32 shake_inq(const struct sock *sk);
int shake_recvmsg(struct sock *sk, struct msghdr *msg, size_t len, int flags,
		  int *addr_len);

/* ack.c */
void shake_ack_rcv(struct sock *sk, const struct shakehdr *th,
		   const struct shake_options *opt, u32 data_len);

/* flow.c */
u32 shake_window_now(const struct shake_sock *ssk);
u32 shake_window_choose(u32 cur, u32 space, u32 min_step, u8 wscale);
u16 shake_select_window(struct sock *sk);
bool shake_window_update_due(const struct sock *sk);
bool shake_snd_wnd_update(struct sock *sk, u32 ack, u32 seq, u32 wnd);
void shake_reset_probe_timer(struct sock *sk);
void shake_probe_timeout(struct sock *sk);

/* cong.c: the registry and what the protocol asks of an algorithm */
int shake_register_congestion_control(struct shake_cong_ops *ca);
void shake_unregister_congestion_control(struct shake_cong_ops *ca);
u32 shake_slow_start(struct shake_sock *ssk, u32 acked);
void shake_cong_avoid_ai(struct shake_sock *ssk, u32 w, u32 acked);
u32 shake_reno_ssthresh(struct sock *sk);
void shake_reno_cong_avoid(struct sock *sk, u32 ack, u32 acked);
u32 shake_reno_undo_cwnd(struct sock *sk);
int shake_cong_builtin_init(void);
void shake_cong_builtin_exit(void);
void shake_cong_init_net(struct shake_net *sn, struct net *net);
void shake_cong_exit_net(struct shake_net *sn);
int shake_cong_set_default(struct shake_net *sn, const char *name);
void shake_cong_get_default(struct shake_net *sn, char *buf);
void shake_cong_get_available(char *buf, size_t len);
void shake_cong_get_allowed(char *buf, size_t len);
int shake_cong_set_allowed(char *list);
void shake_cong_assign(struct sock *sk);
void shake_cong_clone(struct sock *nsk);
void shake_cong_init(struct sock *sk);
void shake_cong_release(struct sock *sk);
int shake_cong_set(struct sock *sk, const char *name, bool cap_net_admin);
void shake_set_ca_state(struct sock *sk, u8 state);
void shake_cong_event(struct sock *sk, enum shake_ca_event ev);
void shake_cong_acked(struct sock *sk, const struct shake_ack_sample *s);

/* buffers.c */
extern atomic_long_t shake_memory_allocated;
DECLARE_PER_CPU(int, shake_memory_per_cpu_fw_alloc);
extern struct percpu_counter shake_sockets_allocated;
extern unsigned long shake_memory_pressure;
extern long sysctl_shake_mem[3];
void shake_enter_memory_pressure(struct sock *sk);
void shake_leave_memory_pressure(struct sock *sk);
int shake_mem_init(void);
void shake_mem_exit(void);
void shake_mem_force(struct sock *sk, int size);
void shake_sndbuf_expand(struct sock *sk);
void shake_buffers_init(struct sock *sk);
void shake_rcv_rtt_measure(struct sock *sk, const struct shake_options *opt,
			   u32 data_len);
void shake_rcv_space_adjust(struct sock *sk);

/* cubic.c */
extern struct shake_cong_ops shake_cubic;
u32 shake_cubic_cbrt(u64 a);
u32 shake_cubic_k(u32 w_max, u32 cwnd);
u32 shake_cubic_window(u32 origin, u32 k_ms, u32 t_ms);

/* retransmit.c */
s32 shake_rtt_measure(struct shake_sock *ssk, u64 sent_us,
		      const struct shake_options *opt);
void shake_retransmit_timer(struct timer_list *t);
void shake_retransmit_work(struct sock *sk);
void shake_reset_retransmit_timer(struct sock *sk);
void shake_clear_retransmit_timer(struct sock *sk);
void shake_retransmit_lost(struct sock *sk);
void shake_mark_lost(struct shake_sock *ssk, struct sk_buff *skb);
/* What shake_recovery() learns of an ACK besides its counts */
#define SHAKE_ACK_DUP	BIT(0)	/* a duplicate ACK */
#define SHAKE_ACK_ORIG	BIT(1)	/* it echoes a timestamp older than the
				 * episode's first retransmission
				 */
void shake_recovery(struct sock *sk, u32 acked_segs, u32 delivered,
		    int flags);
void shake_undo_dsack(struct sock *sk, const struct shake_sack_block *b);

/* sack.c */
void shake_sack_ooo_add(struct sock *sk, u32 seq, u32 end_seq);
void shake_sack_ooo_trim(struct sock *sk, u32 end);
void shake_sack_advance(struct sock *sk);
void shake_dsack_set(struct sock *sk, u32 seq, u32 end_seq);
int shake_sack_opt_blocks(struct sock *sk, struct shake_sack_block *out,
			  int room);
u32 shake_sack_rcv(struct sock *sk, const struct shakehdr *th,
		   const struct shake_options *opt);
void shake_sack_clear(struct sock *sk);

/* rack.c */
void shake_rack_delivered(struct shake_sock *ssk, const struct sk_buff *skb);
void shake_rack_detect(struct sock *sk);
void shake_rack_timeout(struct sock *sk);
bool shake_tlp_schedule(struct sock *sk);
void shake_tlp_timeout(struct sock *sk);
void shake_tlp_ack(struct sock *sk, u32 ack, int flags);

/* timer.c */
void shake_init_timers(struct sock *sk);
void shake_clear_timers(struct sock *sk);
bool shake_timer_defer(struct sock *sk, int bit);
void shake_release_cb(struct sock *sk);
void shake_ack_sent(struct sock *sk);
void shake_schedule_ack(struct sock *sk, u32 len);
void shake_keepalive_reset(struct sock *sk);

/* sockopt.c */
int shake_setsockopt(struct sock *sk, int level, int optname,
		     sockptr_t optval, unsigned int optlen);
int shake_getsockopt(struct sock *sk, int level, int optname,
		     char __user *optval, int __user *optlen);
int shake_ioctl(struct sock *sk, int cmd, unsigned long arg);
void shake_set_keepalive(struct sock *sk, int val);
int shake_set_rcvlowat(struct sock *sk, int val);

/* input.c */
int shake_rcv(struct sk_buff *skb);
int shake_sk_rcv(struct sock *sk, struct sk_buff *skb);
int shake_backlog_rcv(struct sock *sk, struct sk_buff *skb);
int shake_err(struct sk_buff *skb, u32 info);

/* output.c */
void shake_ratelimit_init(struct shake_ratelimit *rl);
void shake_send_reset(struct net *net, struct sk_buff *in_skb);
void shake_send_syn(struct sock *sk);
void shake_send_ack(struct sock *sk);
void shake_send_probe(struct sock *sk);
void shake_send_challenge_ack(struct sock *sk);
void shake_send_active_reset(struct sock *sk);
void shake_send_synack(const struct shake_request *req, u32 tsval);
void shake_send_reset_request(const struct shake_request *req);
void shake_send_tw_ack(const struct shake_tw *tw);
int shake_send_skb(struct sock *sk, struct sk_buff *skb);
u32 shake_gso_segs(const struct sock *sk);
void shake_push(struct sock *sk, bool more);

/* offload.c: super-segments carry SCTP's GSO type (see there) */
#define SHAKE_GSO_TYPE	SKB_GSO_SCTP
int shake_offload_init(void);
void shake_offload_exit(void);

/* sysctl.c */
int shake_sysctl_init(void);
void shake_sysctl_exit(void);
int shake_sysctl_init_net(struct net *net);
void shake_sysctl_exit_net(struct net *net);

/* proc.c */
int shake_proc_init_net(struct net *net);
void shake_proc_exit_net(struct net *net);

/* hashtables.c */
void shake_hashtables_init(struct shake_net *sn);
void shake_hash_secret_init(void);
u32 shake_hash_4tuple(__be32 laddr, __be16 lport, __be32 raddr, __be16 rport);
int shake_get_port(struct sock *sk, unsigned short snum);
void shake_put_port(struct sock *sk);
int shake_ehash_insert(struct sock *sk);
int shake_connect_port(struct sock *sk);
void shake_ehash_remove(struct sock *sk);
struct sock *shake_ehash_lookup(struct net *net, __be32 saddr, __be16 sport,
				__be32 daddr, __be16 dport);
void shake_lhash_insert(struct sock *sk);
void shake_lhash_remove(struct sock *sk);
struct sock *shake_lhash_lookup(struct net *net, __be32 daddr, __be16 dport,
				int dif);
int shake_listen_port_check(struct sock *sk);
void shake_inherit_port(struct sock *child);
void shake_tw_hash(struct shake_tw *tw);
void shake_tw_unhash(struct shake_tw *tw);
struct shake_tw *shake_tw_lookup(struct net *net, __be32 saddr, __be16 sport,
				 __be32 daddr, __be16 dport);
struct shake_tw *shake_tw_first(struct net *net);

/* timewait.c */
void shake_tw_enter(struct sock *sk);
bool shake_tw_rcv(struct net *net, struct sk_buff *skb);
bool shake_tw_reusable(const struct shake_tw *tw, bool autoport);
void shake_tw_reuse(struct shake_tw *tw);
void shake_tw_purge(struct net *net);
int shake_tw_cache_init(void);
void shake_tw_cache_destroy(void);

#endif /* _SHAKE_PROTOCOL_H */
