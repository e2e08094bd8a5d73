// SPDX-License-Identifier: GPL-2.0
/*
 * shake: TIME_WAIT. A connection that has closed on both sides keeps its
 * 4-tuple for 2*MSL (RFC 9293 3.6), so that a lost last ACK can be sent
 * again and old duplicates die out before a new connection may reuse the
 * 4-tuple. The socket is freed at once: a small record (struct shake_tw)
 * takes its place in the namespace's lookup table and holds its port.
 *
 * A record lives for as long as its timer is pending. Whoever stops the
 * pending timer ends the record (shake_tw_kill()): its handler when it
 * fires, or a new connection that takes the 4-tuple over, or the
 * namespace's exit. A restart of the timer (mod_timer_pending()) cannot
 * bring an ending record back.
 */

#include <linux/slab.h>
#include <net/ip.h>

#include "records.h"

/* TCP's out-of-window ACK limit (sysctl tcp_invalid_ratelimit's default) */
#define SHAKE_OOW_ACK_INTERVAL	(HZ / 2)

static struct kmem_cache *shake_tw_cache __read_mostly;

int shake_tw_cache_init(void)
{
	shake_tw_cache = KMEM_CACHE(shake_tw, 0);
	return shake_tw_cache ? 0 : -ENOMEM;
}

void shake_tw_cache_destroy(void)
{
	kmem_cache_destroy(shake_tw_cache);
}

static void shake_tw_free_rcu(struct rcu_head *head)
{
	kmem_cache_free(shake_tw_cache,
			container_of(head, struct shake_tw, rcu));
}

static void shake_tw_put(struct shake_tw *tw)
{
	if (refcount_dec_and_test(&tw->refcnt))
		call_rcu(&tw->rcu, shake_tw_free_rcu);
}

static unsigned long shake_tw_timeout(const struct shake_net *sn)
{
	return msecs_to_jiffies(2 * READ_ONCE(sn->sysctl_msl_ms));
}

/* End a record; the caller has stopped its pending timer, or is its
 * handler, so no one else does this
 */
static void shake_tw_kill(struct shake_tw *tw)
{
	struct net *net = read_pnet(&tw->net);

	shake_tw_unhash(tw);
	atomic_dec(&shake_net(net)->tw_count);
	shake_tw_put(tw);
}

static void shake_tw_expire(struct timer_list *t)
{
	struct shake_tw *tw = from_timer(tw, t, timer);

	SHAKE_INC_STATS(read_pnet(&tw->net), SHAKE_MIB_TIMEWAITS);
	shake_tw_kill(tw);
}

/**
 * shake_tw_enter - a connection enters TIME_WAIT: a record replaces it
 * @sk: the socket, locked, just moved to TIME_WAIT (both FINs exchanged,
 *	ours acknowledged); the caller then closes and frees it
 *
 * The record is in the tables before the caller takes the socket out of
 * them, so that no segment, bind() or connect() falls in a gap; until
 * then the socket, which lookups find first, hides it. Without room
 * (sysctl max_tw_buckets) or memory, there is no TIME_WAIT: counted in
 * TimeWaitOverflow.
 */
void shake_tw_enter(struct sock *sk)
{
	const struct shake_sock *ssk = shake_sk(sk);
	const struct inet_sock *inet = inet_sk(sk);
	struct net *net = sock_net(sk);
	struct shake_net *sn = shake_net(net);
	struct shake_tw *tw = NULL;

	if (atomic_inc_return(&sn->tw_count) <=
	    READ_ONCE(sn->sysctl_max_tw_buckets))
		tw = kmem_cache_alloc(shake_tw_cache, GFP_ATOMIC);
	if (!tw) {
		atomic_dec(&sn->tw_count);
		SHAKE_INC_STATS(net, SHAKE_MIB_TIMEWAITOVERFLOW);
		return;
	}

	refcount_set(&tw->refcnt, 1);
	tw->addrs.laddr = inet->inet_rcv_saddr;
	tw->addrs.raddr = inet->inet_daddr;
	tw->addrs.lport = inet->inet_sport;
	tw->addrs.rport = inet->inet_dport;
	tw->bound_dev_if = sk->sk_bound_dev_if;
	tw->snd_nxt = ssk->snd_nxt;
	tw->rcv_nxt = ssk->rcv_nxt;
	tw->ts_recent = ssk->opt.ts_recent;
	tw->ts_off = ssk->opt.ts_off;
	/* what is left of the window last advertised: its right edge stays */
	tw->window = min_t(u32, shake_window_now(ssk) >> ssk->opt.rcv_wscale,
			   65535U);
	tw->tos = inet->tos;
	tw->reuse = !!sk->sk_reuse;
	tw->reuseport = sk->sk_reuseport;
	tw->tstamp_ok = ssk->opt.tstamp_ok;
	tw->autoport = ssk->autoport;
	write_pnet(&tw->net, net);
	tw->entered = jiffies;
	tw->last_oow_ack = tw->entered - SHAKE_OOW_ACK_INTERVAL;
	timer_setup(&tw->timer, shake_tw_expire, 0);

	shake_tw_hash(tw);
	/* armed once hashed, so that its handler finds the record there; the
	 * socket hides the record from everyone else who could end it
	 */
	mod_timer(&tw->timer, jiffies + shake_tw_timeout(sn));
}

/**
 * shake_tw_reusable - may connect() take over a 4-tuple in TIME_WAIT?
 * @tw: the record that holds it
 * @autoport: connect() chose the new socket's port (else bind() did)
 *
 * As TCP: only if the old connection had timestamps. A port the user
 * bound may take it over at once; a port connect() chooses only as sysctl
 * tw_reuse allows: once the record is a second old, and with tw_reuse 2
 * only when one of the addresses is a loopback one. The peer's PAWS then
 * rejects the old connection's duplicates: timestamps towards one host
 * grow from one connection to the next (shake_ts_off()).
 *
 * Return: true if the 4-tuple may be reused.
 */
bool shake_tw_reusable(const struct shake_tw *tw, bool autoport)
{
	int reuse = READ_ONCE(shake_net(read_pnet(&tw->net))->sysctl_tw_reuse);

	if (!tw->tstamp_ok)
		return false;
	if (!autoport)
		return true;
	if (!reuse || time_before(jiffies, tw->entered + HZ))
		return false;
	return reuse == 1 ||
	       ipv4_is_loopback(tw->addrs.laddr) ||
	       ipv4_is_loopback(tw->addrs.raddr);
}

/**
 * shake_tw_reuse - a new connection takes over a record's 4-tuple
 * @tw: the record; the caller's reference is dropped
 *
 * The record ends at once, unless its timer has just fired and its
 * handler ends it. The new connection's ISN is left to the RFC 6528
 * generator: its clock has moved on since the old connection's ISN,
 * though not necessarily past every sequence number that connection used.
 */
void shake_tw_reuse(struct shake_tw *tw)
{
	if (del_timer(&tw->timer)) {
		SHAKE_INC_STATS(read_pnet(&tw->net), SHAKE_MIB_TIMEWAITREUSED);
		shake_tw_kill(tw);
	}
	shake_tw_put(tw);
}

/**
 * shake_tw_purge - end every record of a namespace that goes away
 * @net: the namespace, which no segment reaches any more
 *
 * Records hold no reference on the namespace or the module: they end here.
 */
void shake_tw_purge(struct net *net)
{
	struct shake_tw *tw;

	while ((tw = shake_tw_first(net))) {
		/* false: the handler has run, and the record is unhashed */
		if (del_timer_sync(&tw->timer))
			shake_tw_kill(tw);
		shake_tw_put(tw);
	}
	WARN_ON_ONCE(atomic_read(&shake_net(net)->tw_count));
}

/* TCP's limit on ACKs to out-of-window segments: a segment that occupies no
 * sequence space (or a SYN) draws at most one ACK per interval, so that two
 * ends which disagree cannot ACK each other forever
 */
static bool shake_tw_oow_limited(struct shake_tw *tw,
				 const struct shakehdr *th, u32 data_len)
{
	unsigned long now = jiffies;

	if ((data_len || th->fin) && !th->syn)
		return false;
	if (time_before(now, READ_ONCE(tw->last_oow_ack) +
			     SHAKE_OOW_ACK_INTERVAL))
		return true;
	WRITE_ONCE(tw->last_oow_ack, now);
	return false;
}

/* What a segment for a record calls for */
enum shake_tw_verdict {
	SHAKE_TW_DROP,		/* nothing */
	SHAKE_TW_ACK,		/* our last ACK again */
	SHAKE_TW_REOPEN,	/* a new connection: end the record */
};

/* RFC 9293 3.10.7.4 for TIME_WAIT, with RFC 1337 and RFC 7323 (PAWS). A
 * record's timestamps compare like sequence numbers (RFC 7323 5.2).
 */
static enum shake_tw_verdict shake_tw_process(struct shake_tw *tw,
					      const struct sk_buff *skb,
					      const struct shakehdr *th,
					      const struct shake_options *opt)
{
	struct net *net = read_pnet(&tw->net);
	u32 data_len = skb->len - th->doff * 4;
	u32 ts_recent = READ_ONCE(tw->ts_recent);
	bool tstamp = tw->tstamp_ok && opt->saw_tstamp;
	u32 seq = ntohl(th->seq);

	/* RFC 1337: a RST must not end TIME_WAIT early ("assassination") */
	if (th->rst)
		return SHAKE_TW_DROP;

	if (tstamp && shake_before(opt->tsval, ts_recent)) {
		SHAKE_INC_STATS(net, SHAKE_MIB_PAWSDROPS);
		goto ack;
	}

	if (th->syn) {
		/* RFC 1122 4.2.2.13: a SYN beyond the old connection, by its
		 * sequence number or its timestamp, may open a new one (the
		 * timestamp test is TCP's; it tells a new connection of a peer
		 * whose timestamps grow across connections)
		 */
		if (!th->ack && (shake_after(seq, tw->rcv_nxt) ||
				 (tstamp && shake_after(opt->tsval, ts_recent))))
			return SHAKE_TW_REOPEN;
		goto ack;
	}

	/* RFC 7323 4.3: remember the timestamp to echo */
	if (tstamp && !shake_after(seq, tw->rcv_nxt))
		WRITE_ONCE(tw->ts_recent, opt->tsval);

	/* the peer's FIN again: our ACK of it was lost (RFC 9293 3.10.7.4,
	 * TIME_WAIT: acknowledge it and restart the 2*MSL timeout)
	 */
	if (th->fin && seq + data_len + 1 == tw->rcv_nxt) {
		mod_timer_pending(&tw->timer,
				  jiffies + shake_tw_timeout(shake_net(net)));
		return SHAKE_TW_ACK;
	}

	/* a bare ACK in order: nothing to say, and answering could start an
	 * ACK loop (TCP is silent too)
	 */
	if (seq == tw->rcv_nxt && !data_len && !th->fin)
		return SHAKE_TW_DROP;
ack:
	return shake_tw_oow_limited(tw, th, data_len) ? SHAKE_TW_DROP :
							 SHAKE_TW_ACK;
}

/**
 * shake_tw_rcv - give a segment to the TIME_WAIT record of its 4-tuple
 * @net: the namespace it arrived in
 * @skb: a validated segment whose options are in SHAKE_RCV_OPT(); no
 *	socket has its 4-tuple
 *
 * Called under rcu_read_lock().
 *
 * Return: true if a record took the segment (the skb is consumed), false
 * if there is none, or if the segment is a SYN that ended the record to
 * open a new connection: a listener may take it.
 */
bool shake_tw_rcv(struct net *net, struct sk_buff *skb)
{
	const struct shakehdr *th = shake_hdr(skb);
	const struct iphdr *iph = ip_hdr(skb);
	struct shake_tw *tw;

	tw = shake_tw_lookup(net, iph->saddr, th->source, iph->daddr,
			     th->dest);
	if (!tw)
		return false;

	switch (shake_tw_process(tw, skb, th, SHAKE_RCV_OPT(skb))) {
	case SHAKE_TW_REOPEN:
		/* the SYN's ISN came from the peer; ours for the new
		 * connection comes from the RFC 6528 generator (see
		 * shake_tw_reuse())
		 */
		shake_tw_reuse(tw);
		return false;
	case SHAKE_TW_ACK:
		shake_send_tw_ack(tw);
		break;
	case SHAKE_TW_DROP:
		break;
	}
	shake_tw_put(tw);
	consume_skb(skb);
	return true;
}
