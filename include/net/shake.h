/* SPDX-License-Identifier: GPL-2.0 */
/*
 * shake: interfaces shared by the files of the module.
 */
#ifndef _NET_SHAKE_H
#define _NET_SHAKE_H

#include <asm/byteorder.h>
#include <linux/bits.h>
#include <linux/skbuff.h>
#include <linux/spinlock.h>
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

/* RFC 6298 2.1 initial RTO, and the ceiling of its backoff */
#define SHAKE_TIMEOUT_INIT	((unsigned int)HZ)
#define SHAKE_RTO_MAX		((unsigned int)(120 * HZ))
#define SHAKE_SYN_RETRIES	6
#define SHAKE_SYNACK_RETRIES	5

/**
 * struct shake_bind_table - the local ports of one network namespace
 * @lock: protects @chains and every member's sk_bind_node and inet_num
 * @chains: bound sockets, hashed by local port
 */
struct shake_bind_table {
	spinlock_t lock;	/* see above */
	struct hlist_head chains[SHAKE_BIND_HASH_SIZE];
};

/**
 * struct shake_ehash - connected sockets of one namespace, by 4-tuple
 * @lock: serialises writers; readers walk @chains under RCU
 * @chains: sockets linked by sk_node; each link holds a reference
 */
struct shake_ehash {
	spinlock_t lock;	/* see above */
	struct hlist_head chains[SHAKE_EHASH_SIZE];
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
 * @reset_limit: bucket of @sysctl_reset_msgs_per_sec
 * @challenge_limit: bucket of @sysctl_challenge_ack_limit
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
	struct shake_ratelimit reset_limit;
	struct shake_ratelimit challenge_limit;
};

/**
 * struct shake_sock - a shake socket
 * @inet: the generic inet socket; must stay first
 * @iss: initial send sequence number
 * @snd_una: oldest unacknowledged sequence number
 * @snd_nxt: next sequence number to send
 * @rcv_nxt: next sequence number expected
 * @rcv_wnd: receive window we advertise
 * @retransmits: retransmissions of the segment the timer guards
 * @rto: retransmission timeout, in jiffies
 * @retransmit_timer: holds a socket reference while pending
 * @req_hash: a listener's pending requests (SYN_RECV), by 4-tuple, under
 *	RCU; changed only under the listener's socket lock
 * @syn_qlen: number of those requests
 * @accept_queue: a listener's established children not yet accepted;
 *	each holds a reference; under the listener's socket lock
 * @accept_node: a child's link in its listener's @accept_queue
 */
struct shake_sock {
	struct inet_sock inet;
	u32 iss;
	u32 snd_una;
	u32 snd_nxt;
	u32 rcv_nxt;
	u32 rcv_wnd;
	u8 retransmits;
	unsigned int rto;
	struct timer_list retransmit_timer;
	struct hlist_head *req_hash;
	u32 syn_qlen;
	struct list_head accept_queue;
	struct list_head accept_node;
};

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

/* isn.c */
void shake_isn_init(void);
u32 shake_isn(__be32 saddr, __be32 daddr, __be16 sport, __be16 dport);

/* connect.c */
int shake_v4_connect(struct sock *sk, struct sockaddr *uaddr, int addr_len);
int shake_disconnect(struct sock *sk, int flags);

/* listen.c */
int shake_listen(struct socket *sock, int backlog);
struct sock *shake_accept(struct sock *sk, int flags, int *err, bool kern);
bool shake_listen_rcv(struct sock *sk, struct sk_buff *skb);
void shake_listen_stop(struct sock *sk);
int shake_request_cache_init(void);
void shake_request_cache_destroy(void);

/* recv.c */
bool shake_queue_data(struct sock *sk, struct sk_buff *skb);
int shake_recvmsg(struct sock *sk, struct msghdr *msg, size_t len, int flags,
		  int *addr_len);

/* timer.c */
void shake_init_timers(struct sock *sk);
void shake_reset_retransmit_timer(struct sock *sk);
void shake_clear_timers(struct sock *sk);

/* wire.c */
int shake_parse_options(const struct shakehdr *th, struct shake_options *opt);

/* input.c */
int shake_rcv(struct sk_buff *skb);
int shake_sk_rcv(struct sock *sk, struct sk_buff *skb);
int shake_err(struct sk_buff *skb, u32 info);

/* output.c */
void shake_send_reset(struct net *net, struct sk_buff *in_skb);
void shake_send_syn(struct sock *sk);
void shake_send_ack(struct sock *sk);
void shake_send_challenge_ack(struct sock *sk);
void shake_send_active_reset(struct sock *sk);
void shake_send_synack(struct shake_request *req);
void shake_send_reset_request(struct shake_request *req);
void shake_ratelimit_init(struct shake_ratelimit *rl);

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
void shake_ehash_remove(struct sock *sk);
struct sock *shake_ehash_lookup(struct net *net, __be32 saddr, __be16 sport,
				__be32 daddr, __be16 dport);
void shake_lhash_insert(struct sock *sk);
void shake_lhash_remove(struct sock *sk);
struct sock *shake_lhash_lookup(struct net *net, __be32 daddr, __be16 dport,
				int dif);
int shake_listen_port_check(struct sock *sk);
void shake_inherit_port(struct sock *child);

/* proc.c */
int shake_proc_init_net(struct net *net);
void shake_proc_exit_net(struct net *net);

#endif /* _NET_SHAKE_H */
