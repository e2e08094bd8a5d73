/* SPDX-License-Identifier: GPL-2.0 */
/*
 * shake: interfaces shared by the files of the module.
 */
#ifndef _NET_SHAKE_H
#define _NET_SHAKE_H

#include <asm/byteorder.h>
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

extern int shake_ipproto;

/**
 * struct shakehdr - the segment header; the layout of TCP's (RFC 9293 3.1)
 */
struct shakehdr {
	__be16	source;
	__be16	dest;
	__be32	seq;
	__be32	ack_seq;
#if defined(__LITTLE_ENDIAN_BITFIELD)
	__u16	res1:4,
		doff:4,
		fin:1,
		syn:1,
		rst:1,
		psh:1,
		ack:1,
		urg:1,
		ece:1,
		cwr:1;
#elif defined(__BIG_ENDIAN_BITFIELD)
	__u16	doff:4,
		res1:4,
		cwr:1,
		ece:1,
		urg:1,
		ack:1,
		psh:1,
		rst:1,
		syn:1,
		fin:1;
#else
#error "byte order not set"
#endif
	__be16	window;
	__sum16	check;
	__be16	urg_ptr;
};

/* The flags byte, as in TCP's tcp_flag_byte() */
#define shake_flag_byte(th)	(((u8 *)(th))[13])
#define SHAKEHDR_FIN		0x01
#define SHAKEHDR_SYN		0x02
#define SHAKEHDR_RST		0x04
#define SHAKEHDR_PSH		0x08
#define SHAKEHDR_ACK		0x10

static inline struct shakehdr *shake_hdr(const struct sk_buff *skb)
{
	return (struct shakehdr *)skb_transport_header(skb);
}

/* Option kinds and lengths, as TCP's */
#define SHAKEOPT_EOL		0
#define SHAKEOPT_NOP		1
#define SHAKEOPT_MSS		2
#define SHAKEOPT_WINDOW		3
#define SHAKEOPT_SACK_PERM	4
#define SHAKEOPT_SACK		5
#define SHAKEOPT_TIMESTAMP	8

#define SHAKEOLEN_MSS		4
#define SHAKEOLEN_WINDOW	3
#define SHAKEOLEN_SACK_PERM	2
#define SHAKEOLEN_SACK_BLOCK	8
#define SHAKEOLEN_SACK_MAX	(2 + 4 * SHAKEOLEN_SACK_BLOCK)
#define SHAKEOLEN_TIMESTAMP	10

/* Options as they ride on data segments: NOP, NOP, timestamps */
#define SHAKEOLEN_TSTAMP_ALIGNED	12
/* The largest window scale shift (RFC 7323 2.3) */
#define SHAKE_MAX_WSCALE		14
/* Smallest segment the peer may ask for, and a default without the option */
#define SHAKE_MIN_MSS			88
#define SHAKE_DEFAULT_MSS		536

/* IP and shake headers with the most options, for skb_reserve() */
#define MAX_SHAKE_HEADER	(60 + MAX_HEADER)

/**
 * struct shake_options - the options a segment carried
 * @mss: MSS option value, 0 if absent
 * @wscale: window scale shift, valid if @wscale_ok
 * @wscale_ok: window scale option present
 * @sack_ok: SACK-permitted option present
 * @saw_tstamp: timestamp option present
 * @num_sacks: number of SACK blocks
 * @tsval: timestamp value
 * @tsecr: timestamp echo reply
 */
struct shake_options {
	u16 mss;
	u8 wscale;
	u8 wscale_ok:1,
	   sack_ok:1,
	   saw_tstamp:1;
	u8 num_sacks;
	u32 tsval;
	u32 tsecr;
};

/* Counters of /proc/net/shake_stat; names in proc.c, in this order */
enum shake_mib_field {
	SHAKE_MIB_INSEGS,
	SHAKE_MIB_OUTSEGS,
	SHAKE_MIB_INERRS,
	SHAKE_MIB_INCSUMERRORS,
	SHAKE_MIB_OUTRSTS,
	SHAKE_MIB_OUTRSTSRATELIMITED,
	SHAKE_MIB_ACTIVEOPENS,
	SHAKE_MIB_ATTEMPTFAILS,
	SHAKE_MIB_ESTABRESETS,
	SHAKE_MIB_CURRESTAB,
	SHAKE_MIB_RETRANSSEGS,
	SHAKE_MIB_CHALLENGEACKS,
	SHAKE_MIB_CHALLENGEACKSRATELIMITED,
	SHAKE_MIB_PASSIVEOPENS,
	SHAKE_MIB_LISTENOVERFLOWS,
	SHAKE_MIB_LISTENDROPS,
	SHAKE_MIB_FASTRETRANS,
	SHAKE_MIB_TIMEOUTS,
	SHAKE_MIB_WINPROBES,
	SHAKE_MIB_DELAYEDACKS,
	SHAKE_MIB_OFOQUEUE,
	SHAKE_MIB_PAWSDROPS,
	SHAKE_MIB_RCVQDROPS,
	SHAKE_MIB_KEEPALIVEPROBES,
	SHAKE_MIB_TIMEWAITS,
	SHAKE_MIB_TIMEWAITOVERFLOW,
	SHAKE_MIB_TIMEWAITREUSED,
	SHAKE_MIB_CURRTIMEWAIT,
	SHAKE_MIB_ABORTONCLOSE,
	SHAKE_MIB_ABORTONDATA,
	SHAKE_MIB_ABORTONTIMEOUT,
	SHAKE_MIB_ABORTONMEMORY,
	SHAKE_MIB_CURRORPHANS,
	SHAKE_MIB_SYNCOOKIESSENT,
	SHAKE_MIB_SYNCOOKIESRECV,
	SHAKE_MIB_SYNCOOKIESFAILED,
	SHAKE_MIB_BACKLOGDROP,
	SHAKE_MIB_MAX
};

struct shake_mib {
	unsigned long mibs[SHAKE_MIB_MAX];
};

#define SHAKE_BIND_HASH_BITS	8
#define SHAKE_BIND_HASH_SIZE	BIT(SHAKE_BIND_HASH_BITS)
#define SHAKE_EHASH_BITS	10
#define SHAKE_EHASH_SIZE	BIT(SHAKE_EHASH_BITS)
#define SHAKE_LHASH_BITS	5
#define SHAKE_LHASH_SIZE	BIT(SHAKE_LHASH_BITS)
#define SHAKE_REQ_HASH_BITS	6
#define SHAKE_REQ_HASH_SIZE	BIT(SHAKE_REQ_HASH_BITS)

/* RFC 6298 2.1 initial RTO, its floor (2.4) and the ceiling of its backoff */
#define SHAKE_TIMEOUT_INIT	((unsigned int)HZ)
#define SHAKE_RTO_MIN		((unsigned int)(HZ / 5))
#define SHAKE_RTO_MAX		((unsigned int)(120 * HZ))
#define SHAKE_SYN_RETRIES	6
#define SHAKE_SYNACK_RETRIES	5
#define SHAKE_RETRIES2		15
/* RFC 9293 3.8.6.3: ACK at least every second full segment or 40 ms */
#define SHAKE_DELACK_TIME	((unsigned int)(HZ / 25))
/* RFC 6928 initial window, in segments */
#define SHAKE_INIT_CWND		10
/* Send and receive buffers of a new socket (no autotuning) */
#define SHAKE_WMEM_DEFAULT	(512 * 1024)
#define SHAKE_RMEM_DEFAULT	(512 * 1024)
/* Keepalive defaults, as TCP's */
#define SHAKE_KEEPALIVE_TIME	(7200 * HZ)
#define SHAKE_KEEPALIVE_INTVL	(75 * HZ)
#define SHAKE_KEEPALIVE_PROBES	9
/* States in which queued data and our FIN are sent and retransmitted */
#define SHAKEF_SENDING	(TCPF_ESTABLISHED | TCPF_CLOSE_WAIT | TCPF_FIN_WAIT1 | \
			 TCPF_CLOSING | TCPF_LAST_ACK)
/* How long an orphan waits in FIN_WAIT2 for the peer's FIN, seconds */
#define SHAKE_FIN_TIMEOUT	60
/* Retransmission timeouts an orphan survives (TCP's effective default) */
#define SHAKE_ORPHAN_RETRIES	8
/* Orphans a namespace may hold before closing ones are reset instead */
#define SHAKE_MAX_ORPHANS	65536

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
 * @sysctl_msl_ms: the maximum segment lifetime; TIME_WAIT lasts twice it
 * @sysctl_max_tw_buckets: bound of @tw_count; 0: no TIME_WAIT at all
 * @sysctl_tw_reuse: may connect() take a 4-tuple in TIME_WAIT (0 never,
 *	1 yes, 2 on loopback only; both with timestamps, after 1 s)
 * @reset_limit: bucket of @sysctl_reset_msgs_per_sec
 * @challenge_limit: bucket of @sysctl_challenge_ack_limit
 * @sysctl_syncookies: answer SYNs with cookies: 0 never, 1 when a
 *	listener's SYN queue is full, 2 always
 * @tw_count: TIME_WAIT records in the namespace (CurrTimeWait sums per-CPU
 *	counters, too slow to read on every entry)
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
	int sysctl_msl_ms;
	int sysctl_max_tw_buckets;
	int sysctl_tw_reuse;
	int sysctl_fin_timeout;
	int sysctl_max_orphans;
	int sysctl_orphan_retries;
	int sysctl_syncookies;
	struct shake_ratelimit reset_limit;
	struct shake_ratelimit challenge_limit;
	atomic_t tw_count;
	siphash_key_t cookie_key;
};

/* What a SYN offered and the handshake agreed */
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
};

/**
 * struct shake_sock - a shake socket
 * @inet: the generic inet socket; must stay first
 * @iss: initial send sequence number
 * @snd_una: oldest unacknowledged sequence number
 * @snd_nxt: next sequence number to send; moves back after a timeout
 * @snd_max: highest sequence number sent, plus one
 * @write_seq: sequence number of the next byte a writer queues
 * @snd_wnd: the peer's receive window, bytes
 * @snd_wl1: sequence number of the segment that last updated @snd_wnd
 * @snd_wl2: acknowledgment number of that segment
 * @max_window: the largest window the peer has offered
 * @send_head: first skb of sk_write_queue not yet sent, or NULL
 * @packets_out: segments sent and not acknowledged (since a timeout)
 * @mss_cache: largest data segment we send
 * @rcv_mss: largest data segment the peer has sent us (our estimate of its
 *	MSS, for delayed ACKs and window updates)
 * @user_mss: SHAKE_MAXSEG, 0 if unset
 * @opt: negotiated options
 * @srtt_us: smoothed RTT (RFC 6298), microseconds, 0 before a sample
 * @rttvar_us: RTT variation, microseconds
 * @rto: retransmission timeout, in jiffies
 * @retransmits: timeouts of the segment the timer guards (its backoff)
 * @timer_job: what @retransmit_timer does when it fires
 * @retransmit_timer: holds a socket reference while pending
 * @cwnd: congestion window, segments
 * @ssthresh: slow start threshold, segments
 * @cwnd_cnt: ACKed segments towards the next congestion avoidance step
 * @dupacks: duplicate ACKs in a row
 * @recover: RFC 6582 "recover": snd_max when loss recovery began
 * @in_recovery: fast recovery is under way
 * @nodelay: SHAKE_NODELAY
 * @cork: SHAKE_CORK
 * @autoport: connect() chose the local port: other connections may share
 *	it as long as their 4-tuples differ
 * @rcv_nxt: next sequence number expected
 * @copied_seq: next sequence number a reader takes
 * @rcv_wnd: the window we last advertised, from @rcv_wup
 * @rcv_wup: @rcv_nxt when we last advertised a window
 * @ooo_queue: out-of-order segments, by sequence number
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
	u32 snd_max;
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
	unsigned int rto;
	u8 retransmits;
	u8 timer_job;
	struct timer_list retransmit_timer;
	u32 cwnd;
	u32 ssthresh;
	u32 cwnd_cnt;
	u32 dupacks;
	u32 recover;
	u8 in_recovery:1,
	   nodelay:1,
	   cork:1,
	   autoport:1;
	u32 rcv_nxt;
	u32 copied_seq;
	u32 rcv_wnd;
	u32 rcv_wup;
	struct rb_root ooo_queue;
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
 * @in_flight: counted in the socket's packets_out
 * @fin: the segment carries a FIN after its data
 */
struct shake_skb_cb {
	u32 seq;
	u32 end_seq;
	u32 consumed;
	u64 sent_us;
	u8 retransmitted:1,
	   in_flight:1,
	   fin:1;
};

#define SHAKE_SKB_CB(skb) ((struct shake_skb_cb *)&((skb)->cb[0]))

/* A received segment's options, from shake_rcv() until its socket takes it
 * (the IP layer is done with skb->cb by then)
 */
#define SHAKE_RCV_OPT(skb) ((struct shake_options *)&((skb)->cb[0]))

/**
 * struct shake_request - a half-open connection on a listener (SYN_RECV):
 *	what the SYN-ACK said, not a socket
 * @node: link in the listener's req_hash
 * @refcnt: one for the hash, one for a pending timer
 * @listener: the listener; referenced
 * @laddr: local address
 * @raddr: remote address
 * @lport: local port
 * @rport: remote port
 * @iss: our initial sequence number
 * @rcv_nxt: the peer's ISN plus one
 * @retransmits: SYN-ACK retransmissions so far
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
	__be32 laddr;
	__be32 raddr;
	__be16 lport;
	__be16 rport;
	u32 iss;
	u32 rcv_nxt;
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
 * @laddr: local address
 * @raddr: remote address
 * @lport: local port
 * @rport: remote port
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
	__be32 laddr;
	__be32 raddr;
	__be16 lport;
	__be16 rport;
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

static inline struct shake_sock *shake_sk(const struct sock *sk)
{
	return (struct shake_sock *)sk;
}

/* Sequence number comparisons, modulo 2^32 */
static inline bool shake_before(u32 seq1, u32 seq2)
{
	return (s32)(seq1 - seq2) < 0;
}

#define shake_after(seq2, seq1)	shake_before(seq1, seq2)

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

extern unsigned int shake_net_id;

static inline struct shake_net *shake_net(const struct net *net)
{
	return net_generic(net, shake_net_id);
}

#define SHAKE_INC_STATS(net, field) \
	this_cpu_inc(shake_net(net)->mib->mibs[field])
#define SHAKE_DEC_STATS(net, field) \
	this_cpu_dec(shake_net(net)->mib->mibs[field])

/* state.c */
void shake_set_state(struct sock *sk, int state);
void shake_done(struct sock *sk, int err);

/* close.c */
void shake_shutdown(struct sock *sk, int how);
void shake_close(struct sock *sk, long timeout);
void shake_orphan(struct sock *sk);
void shake_destroy_sock(struct sock *sk);
void shake_fin_rcv(struct sock *sk);
bool shake_fin_acked(struct sock *sk, bool fin_follows);
bool shake_abort_on_data(struct sock *sk, u32 seq, u32 data_len);

/* isn.c */
void shake_isn_init(void);
u32 shake_isn(__be32 saddr, __be32 daddr, __be16 sport, __be16 dport);
u32 shake_ts_off(__be32 saddr, __be32 daddr);

/* cookie.c */
void shake_cookie_init_net(struct shake_net *sn);
u32 shake_cookie_tsval(u32 tsval, const struct shake_syn_opts *opt);
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
int shake_disconnect(struct sock *sk, int flags);

/* listen.c */
int shake_listen(struct socket *sock, int backlog);
struct sock *shake_accept(struct sock *sk, int flags, int *err, bool kern);
bool shake_listen_rcv(struct sock *sk, struct sk_buff *skb,
		      const struct shake_options *opt);
void shake_listen_stop(struct sock *sk);
void shake_req_init(struct sock *sk, const struct sk_buff *skb,
		    const struct shakehdr *th, struct shake_request *req);
int shake_request_cache_init(void);
void shake_request_cache_destroy(void);

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

/* cong.c */
void shake_cong_init(struct shake_sock *ssk);
void shake_cong_ack(struct sock *sk, u32 ack, u32 acked);
void shake_cong_dupack(struct sock *sk);
void shake_cong_timeout(struct shake_sock *ssk);

/* timer.c */
void shake_init_timers(struct sock *sk);
void shake_reset_retransmit_timer(struct sock *sk);
void shake_reset_probe_timer(struct sock *sk);
void shake_clear_retransmit_timer(struct sock *sk);
void shake_clear_timers(struct sock *sk);
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

/* wire.c */
int shake_parse_options(const struct shakehdr *th, struct shake_options *opt);

/* input.c */
int shake_rcv(struct sk_buff *skb);
int shake_sk_rcv(struct sock *sk, struct sk_buff *skb);
int shake_backlog_rcv(struct sock *sk, struct sk_buff *skb);
int shake_err(struct sk_buff *skb, u32 info);
void shake_reset_transfer(struct shake_sock *ssk);
void shake_init_transfer(struct sock *sk, const struct shakehdr *th);

/* output.c */
u16 shake_mss_for(const struct dst_entry *dst, u16 user_mss);
void shake_syn_opts_offer(const struct sock *sk, struct shake_syn_opts *opt,
			  __be32 saddr, __be32 daddr);
void shake_syn_opts_agree(struct shake_syn_opts *opt,
			  const struct shake_options *peer);
u32 shake_window_now(const struct shake_sock *ssk);
bool shake_window_update_due(const struct sock *sk);
void shake_send_reset(struct net *net, struct sk_buff *in_skb);
void shake_send_syn(struct sock *sk);
void shake_send_ack(struct sock *sk);
void shake_send_probe(struct sock *sk);
void shake_send_challenge_ack(struct sock *sk);
void shake_send_active_reset(struct sock *sk);
void shake_send_synack(struct shake_request *req);
void shake_send_reset_request(struct shake_request *req);
void shake_send_tw_ack(const struct shake_tw *tw);
void shake_ratelimit_init(struct shake_ratelimit *rl);
int shake_send_skb(struct sock *sk, struct sk_buff *skb);
void shake_push(struct sock *sk, bool more);
void shake_retransmit_head(struct sock *sk);

/* sysctl.c */
int shake_sysctl_init_net(struct net *net);
void shake_sysctl_exit_net(struct net *net);

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

/* proc.c */
unsigned long shake_mib_sum(const struct net *net, unsigned int field);
int shake_proc_init_net(struct net *net);
void shake_proc_exit_net(struct net *net);

#endif /* _NET_SHAKE_H */
