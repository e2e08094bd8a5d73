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
	SHAKE_MIB_MAX
};

struct shake_mib {
	unsigned long mibs[SHAKE_MIB_MAX];
};

#define SHAKE_BIND_HASH_BITS	8
#define SHAKE_BIND_HASH_SIZE	BIT(SHAKE_BIND_HASH_BITS)

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
 * struct shake_net - per network namespace state
 * @bind: the local port table
 * @mib: counters, per CPU
 * @ctl_sk: kernel socket that sends segments no socket owns (RSTs)
 * @sysctl_hdr: registration of /proc/sys/net/shake
 * @sysctl_reset_msgs_per_sec: RSTs per second for segments without a
 *	socket; 0 for no limit
 * @reset_lock: protects @reset_credit and @reset_stamp
 * @reset_credit: RSTs that may go out now
 * @reset_stamp: jiffies of the last refill of @reset_credit
 */
struct shake_net {
	struct shake_bind_table bind;
	struct shake_mib __percpu *mib;
	struct sock *ctl_sk;
	struct ctl_table_header *sysctl_hdr;
	int sysctl_reset_msgs_per_sec;
	spinlock_t reset_lock;	/* see above */
	u32 reset_credit;
	unsigned long reset_stamp;
};

/**
 * struct shake_sock - a shake socket
 * @inet: the generic inet socket; must stay first
 */
struct shake_sock {
	struct inet_sock inet;
};

extern unsigned int shake_net_id;

static inline struct shake_net *shake_net(const struct net *net)
{
	return net_generic(net, shake_net_id);
}

#define SHAKE_INC_STATS(net, field) \
	this_cpu_inc(shake_net(net)->mib->mibs[field])

/* wire.c */
int shake_parse_options(const struct shakehdr *th, struct shake_options *opt);

/* input.c */
int shake_rcv(struct sk_buff *skb);

/* output.c */
void shake_send_reset(struct net *net, struct sk_buff *in_skb);

/* sysctl.c */
int shake_sysctl_init_net(struct net *net);
void shake_sysctl_exit_net(struct net *net);

/* hashtables.c */
void shake_bind_table_init(struct shake_bind_table *tb);
int shake_get_port(struct sock *sk, unsigned short snum);
void shake_put_port(struct sock *sk);

/* proc.c */
int shake_proc_init_net(struct net *net);
void shake_proc_exit_net(struct net *net);

#endif /* _NET_SHAKE_H */
