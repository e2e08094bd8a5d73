// SPDX-License-Identifier: GPL-2.0
/*
 * shake: /proc/net/shake, one line per socket, request and TIME_WAIT
 * record in the layout of /proc/net/tcp, so that habits and tools that read
 * that file carry over. The counters' file is mib.c's.
 */

#include <linux/proc_fs.h>
#include <linux/seq_file.h>

#include "records.h"

/* /proc/net/tcp pads every line to this width */
#define SHAKE_PROC_LINE_WIDTH	149

/* What an entry of /proc/net/shake is */
enum shake_seq_entry {
	SHAKE_SEQ_SOCK,
	SHAKE_SEQ_REQ,
	SHAKE_SEQ_TW,
};

/**
 * struct shake_seq_state - /proc/net/shake reader state
 * @p: the namespace
 * @entry: what the current entry is
 */
struct shake_seq_state {
	struct seq_net_private p;
	enum shake_seq_entry entry;
};

/* Entry @pos of the reader's namespace: every bound socket, each listener
 * followed by its requests, then the TIME_WAIT records. Runs under the
 * port table's lock and RCU.
 */
static void *shake_seq_idx(struct seq_file *seq, loff_t pos)
{
	struct shake_bind_table *tb = &shake_net(seq_file_net(seq))->bind;
	struct shake_seq_state *st = seq->private;
	struct shake_request *req;
	struct hlist_head *reqs;
	struct shake_tw *tw;
	unsigned int i, j;
	struct sock *sk;

	for (i = 0; i < SHAKE_BIND_HASH_SIZE; i++) {
		sk_for_each_bound(sk, &tb->chains[i]) {
			if (pos-- == 0) {
				st->entry = SHAKE_SEQ_SOCK;
				return sk;
			}
			reqs = READ_ONCE(shake_sk(sk)->req_hash);
			if (inet_sk_state_load(sk) != TCP_LISTEN || !reqs)
				continue;
			for (j = 0; j < SHAKE_REQ_HASH_SIZE; j++) {
				hlist_for_each_entry_rcu(req, &reqs[j], node) {
					if (pos-- == 0) {
						st->entry = SHAKE_SEQ_REQ;
						return req;
					}
				}
			}
		}
	}
	for (i = 0; i < SHAKE_BIND_HASH_SIZE; i++) {
		hlist_for_each_entry(tw, &tb->tw_chains[i], bind_node) {
			if (pos-- == 0) {
				st->entry = SHAKE_SEQ_TW;
				return tw;
			}
		}
	}
	return NULL;
}

static void *shake_seq_start(struct seq_file *seq, loff_t *pos)
	__acquires(&tb->lock) __acquires(RCU)
{
	struct shake_bind_table *tb = &shake_net(seq_file_net(seq))->bind;

	spin_lock_bh(&tb->lock);
	rcu_read_lock();
	return *pos ? shake_seq_idx(seq, *pos - 1) : SEQ_START_TOKEN;
}

static void *shake_seq_next(struct seq_file *seq, void *v, loff_t *pos)
{
	++*pos;
	return shake_seq_idx(seq, *pos - 1);
}

static void shake_seq_stop(struct seq_file *seq, void *v)
	__releases(RCU) __releases(&tb->lock)
{
	struct shake_bind_table *tb = &shake_net(seq_file_net(seq))->bind;

	rcu_read_unlock();
	spin_unlock_bh(&tb->lock);
}

static void shake_seq_show_sock(struct seq_file *seq, struct sock *sk,
				loff_t sl)
{
	const struct inet_sock *inet = inet_sk(sk);
	const struct shake_sock *ssk = shake_sk(sk);
	const struct timer_list *timer = &ssk->retransmit_timer;
	int state = inet_sk_state_load(sk), tr = 0;

	/* TCP's codes: 1 retransmission, 4 zero window probe, 2 keepalive
	 * (or an orphan's FIN_WAIT2 limit)
	 */
	if (timer_pending(timer)) {
		tr = READ_ONCE(ssk->timer_job) == SHAKE_TIMER_PROBE ? 4 : 1;
	} else if (timer_pending(&sk->sk_timer)) {
		tr = 2;
		timer = &sk->sk_timer;
	}

	seq_printf(seq, "%4lld: %08X:%04X %08X:%04X %02X %08X:%08X %02X:%08lX %08X %5u %8d %lu %d %pK",
		   sl, inet->inet_rcv_saddr, inet->inet_num,
		   inet->inet_daddr, ntohs(inet->inet_dport), state,
		   /* tx_queue: written and not acknowledged */
		   state == TCP_LISTEN ? 0 :
		   READ_ONCE(ssk->write_seq) - READ_ONCE(ssk->snd_una),
		   /* rx_queue: a listener's accept queue, else unread data */
		   state == TCP_LISTEN ? READ_ONCE(sk->sk_ack_backlog) :
		   shake_inq(sk),
		   tr,
		   tr ? jiffies_delta_to_clock_t(READ_ONCE(timer->expires) -
						  jiffies) : 0L,
		   ssk->retransmits,
		   from_kuid_munged(seq_user_ns(seq), sock_i_uid(sk)),
		   0,		/* probes */
		   sock_i_ino(sk), refcount_read(&sk->sk_refcnt), sk);
	if (state == TCP_LISTEN) {
		seq_puts(seq, " 0 0 0 0 -1");
		return;
	}
	/* TCP's tail: rto, ato, quick ack (no such mode yet), cwnd, ssthresh (-1 before the
	 * first loss); then shake's: the algorithm and recovery state
	 */
	seq_printf(seq, " %ld %ld %u %u %d %s %u",
		   jiffies_to_clock_t(READ_ONCE(ssk->rto)),
		   jiffies_to_clock_t(SHAKE_DELACK_TIME), 0,
		   READ_ONCE(ssk->cwnd),
		   READ_ONCE(ssk->ssthresh) == U32_MAX ? -1 :
		   (int)READ_ONCE(ssk->ssthresh),
		   ssk->cong_ops->name, READ_ONCE(ssk->ca_state));
}

/* A half-open connection, as /proc/net/tcp shows its requests */
static void shake_seq_show_req(struct seq_file *seq,
			       const struct shake_request *req, loff_t sl)
{
	seq_printf(seq, "%4lld: %08X:%04X %08X:%04X %02X %08X:%08X %02X:%08lX %08X %5u %8d %d %d %pK",
		   sl, req->addrs.laddr, ntohs(req->addrs.lport),
		   req->addrs.raddr, ntohs(req->addrs.rport), TCP_SYN_RECV, 0, 0,
		   1,		/* the SYN-ACK retransmission timer */
		   jiffies_delta_to_clock_t(req->timer.expires - jiffies),
		   req->retransmits,
		   from_kuid_munged(seq_user_ns(seq),
				    sock_i_uid(req->listener)),
		   0, 0,	/* probes; a request has no inode */
		   0, req);
}

/* A connection in TIME_WAIT, as /proc/net/tcp shows one: timer 3 with the
 * time left, no uid or inode
 */
static void shake_seq_show_tw(struct seq_file *seq, const struct shake_tw *tw,
			      loff_t sl)
{
	long left = READ_ONCE(tw->timer.expires) - jiffies;

	seq_printf(seq, "%4lld: %08X:%04X %08X:%04X %02X %08X:%08X %02X:%08lX %08X %5u %8d %d %d %pK",
		   sl, tw->addrs.laddr, ntohs(tw->addrs.lport),
		   tw->addrs.raddr, ntohs(tw->addrs.rport), TCP_TIME_WAIT, 0, 0,
		   3, jiffies_delta_to_clock_t(left),
		   0, 0, 0, 0,	/* retransmits, uid, probes, inode */
		   refcount_read(&tw->refcnt), tw);
}

static int shake_seq_show(struct seq_file *seq, void *v)
{
	const struct shake_seq_state *st = seq->private;

	seq_setwidth(seq, SHAKE_PROC_LINE_WIDTH);
	if (v == SEQ_START_TOKEN)
		seq_puts(seq, "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode");
	else if (st->entry == SHAKE_SEQ_REQ)
		shake_seq_show_req(seq, v, seq->index - 1);
	else if (st->entry == SHAKE_SEQ_TW)
		shake_seq_show_tw(seq, v, seq->index - 1);
	else
		shake_seq_show_sock(seq, v, seq->index - 1);
	seq_pad(seq, '\n');
	return 0;
}

static const struct seq_operations shake_seq_ops = {
	.start	= shake_seq_start,
	.next	= shake_seq_next,
	.stop	= shake_seq_stop,
	.show	= shake_seq_show,
};

/* /proc/net/shake_sockstat: the TCP: line of /proc/net/sockstat, for
 * shake. alloc and mem (pages) are the whole protocol's, as TCP's.
 */
static int shake_sockstat_show(struct seq_file *seq, void *v)
{
	struct net *net = seq_file_single_net(seq);
	const struct shake_net *sn = shake_net(net);

	seq_printf(seq, "SHAKE: inuse %d orphan %d tw %d alloc %lld mem %ld\n",
		   sock_prot_inuse_get(net, &shake_prot),
		   atomic_read(&sn->orphan_count), atomic_read(&sn->tw_count),
		   percpu_counter_sum_positive(&shake_sockets_allocated),
		   proto_memory_allocated(&shake_prot));
	return 0;
}

int shake_proc_init_net(struct net *net)
{
	if (!proc_create_net("shake", 0444, net->proc_net, &shake_seq_ops,
			     sizeof(struct shake_seq_state)))
		return -ENOMEM;
	if (!proc_create_net_single("shake_sockstat", 0444, net->proc_net,
				    shake_sockstat_show, NULL)) {
		remove_proc_entry("shake", net->proc_net);
		return -ENOMEM;
	}
	return 0;
}

void shake_proc_exit_net(struct net *net)
{
	remove_proc_entry("shake_sockstat", net->proc_net);
	remove_proc_entry("shake", net->proc_net);
}
