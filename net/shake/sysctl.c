// SPDX-License-Identifier: GPL-2.0
/*
 * shake: /proc/sys/net/shake, one set per network namespace.
 */

#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/sysctl.h>

#include "protocol.h"

/* Defaults where TCP has the same knob: TCP's */
#define SHAKE_SYN_RETRIES	6
#define SHAKE_SYNACK_RETRIES	5
#define SHAKE_RETRIES2		15
/* How long an orphan waits in FIN_WAIT2 for the peer's FIN, seconds */
#define SHAKE_FIN_TIMEOUT	60
/* Retransmission timeouts an orphan survives (TCP's effective default) */
#define SHAKE_ORPHAN_RETRIES	8
/* Orphans a namespace may hold before closing ones are reset instead */
#define SHAKE_MAX_ORPHANS	65536

/* TCP's bound too (also of retries2): the backoff ceiling is reached long
 * before
 */
static int shake_max_syn_retries = 127;
/* an MSL of up to 10 minutes, five times RFC 9293's 2 */
static int shake_max_msl_ms = 600000;
/* a day: more says "never", and seconds * HZ must fit an int */
static int shake_max_fin_timeout = 86400;
/* TCP's tcp_max_reordering */
static int shake_max_reordering = 300;

/* Longest list of algorithm names a sysctl shows (TCP's) */
#define SHAKE_CA_BUF_MAX	(SHAKE_CA_NAME_MAX * 16)

/* congestion_control: the default of the namespace, by name; .data is the
 * namespace's cong_default
 */
static int shake_proc_cong_default(struct ctl_table *ctl, int write,
				   void *buffer, size_t *lenp, loff_t *ppos)
{
	struct shake_net *sn = container_of(ctl->data, struct shake_net,
					    cong_default);
	char val[SHAKE_CA_NAME_MAX];
	struct ctl_table tbl = {
		.data	= val,
		.maxlen	= sizeof(val),
	};
	int err;

	shake_cong_get_default(sn, val);
	err = proc_dostring(&tbl, write, buffer, lenp, ppos);
	if (write && !err)
		err = shake_cong_set_default(sn, val);
	return err;
}

/* A list of algorithm names: get() fills it, set() (if any) takes it */
static int shake_proc_cong_list(void *buffer, size_t *lenp, loff_t *ppos,
				int write, void (*get)(char *buf, size_t len),
				int (*set)(char *list))
{
	struct ctl_table tbl = { .maxlen = SHAKE_CA_BUF_MAX };
	int err;

	tbl.data = kmalloc(tbl.maxlen, GFP_USER);
	if (!tbl.data)
		return -ENOMEM;
	get(tbl.data, tbl.maxlen);
	err = proc_dostring(&tbl, write, buffer, lenp, ppos);
	if (write && !err && set)
		err = set(tbl.data);
	kfree(tbl.data);
	return err;
}

static int shake_proc_cong_available(struct ctl_table *ctl, int write,
				     void *buffer, size_t *lenp, loff_t *ppos)
{
	return shake_proc_cong_list(buffer, lenp, ppos, write,
				    shake_cong_get_available, NULL);
}

static int shake_proc_cong_allowed(struct ctl_table *ctl, int write,
				   void *buffer, size_t *lenp, loff_t *ppos)
{
	return shake_proc_cong_list(buffer, lenp, ppos, write,
				    shake_cong_get_allowed,
				    shake_cong_set_allowed);
}

/* Of the whole system, as TCP's: in the initial namespace only */
static struct ctl_table shake_sysctl_global_table[] = {
	{
		.procname	= "available_congestion_control",
		.maxlen		= SHAKE_CA_BUF_MAX,
		.mode		= 0444,
		.proc_handler	= shake_proc_cong_available,
	},
	{
		.procname	= "allowed_congestion_control",
		.maxlen		= SHAKE_CA_BUF_MAX,
		.mode		= 0644,
		.proc_handler	= shake_proc_cong_allowed,
	},
	{
		.procname	= "mem",
		.data		= &sysctl_shake_mem,
		.maxlen		= sizeof(sysctl_shake_mem),
		.mode		= 0644,
		.proc_handler	= proc_doulongvec_minmax,
	},
	{ }
};

static struct ctl_table_header *shake_sysctl_global_hdr;

int shake_sysctl_init(void)
{
	shake_sysctl_global_hdr = register_net_sysctl(&init_net, "net/shake",
						      shake_sysctl_global_table);
	return shake_sysctl_global_hdr ? 0 : -ENOMEM;
}

void shake_sysctl_exit(void)
{
	unregister_net_sysctl_table(shake_sysctl_global_hdr);
}

/* An entry's .data is the offset of its field in struct shake_net, made a
 * pointer into the namespace's own by shake_sysctl_init_net()
 */
#define SHAKE_SYSCTL_FIELD(name) \
	((void *)offsetof(struct shake_net, sysctl_##name))

static struct ctl_table shake_sysctl_table[] = {
	{
		.procname	= "reset_msgs_per_sec",
		.data		= SHAKE_SYSCTL_FIELD(reset_msgs_per_sec),
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= proc_dointvec_minmax,
		.extra1		= SYSCTL_ZERO,
	},
	{
		.procname	= "syn_retries",
		.data		= SHAKE_SYSCTL_FIELD(syn_retries),
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= proc_dointvec_minmax,
		.extra1		= SYSCTL_ONE,
		.extra2		= &shake_max_syn_retries,
	},
	{
		.procname	= "synack_retries",
		.data		= SHAKE_SYSCTL_FIELD(synack_retries),
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= proc_dointvec_minmax,
		.extra1		= SYSCTL_ONE,
		.extra2		= &shake_max_syn_retries,
	},
	{
		.procname	= "max_syn_backlog",
		.data		= SHAKE_SYSCTL_FIELD(max_syn_backlog),
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= proc_dointvec_minmax,
		.extra1		= SYSCTL_ONE,
	},
	{
		.procname	= "abort_on_overflow",
		.data		= SHAKE_SYSCTL_FIELD(abort_on_overflow),
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= proc_dointvec_minmax,
		.extra1		= SYSCTL_ZERO,
		.extra2		= SYSCTL_ONE,
	},
	{
		.procname	= "challenge_ack_limit",
		.data		= SHAKE_SYSCTL_FIELD(challenge_ack_limit),
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= proc_dointvec_minmax,
		.extra1		= SYSCTL_ZERO,
	},
	{
		.procname	= "retries2",
		.data		= SHAKE_SYSCTL_FIELD(retries2),
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= proc_dointvec_minmax,
		.extra1		= SYSCTL_ONE,
		.extra2		= &shake_max_syn_retries,
	},
	{
		.procname	= "timestamps",
		.data		= SHAKE_SYSCTL_FIELD(timestamps),
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= proc_dointvec_minmax,
		.extra1		= SYSCTL_ZERO,
		.extra2		= SYSCTL_ONE,
	},
	{
		.procname	= "window_scaling",
		.data		= SHAKE_SYSCTL_FIELD(window_scaling),
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= proc_dointvec_minmax,
		.extra1		= SYSCTL_ZERO,
		.extra2		= SYSCTL_ONE,
	},
	{
		.procname	= "sack",
		.data		= SHAKE_SYSCTL_FIELD(sack),
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= proc_dointvec_minmax,
		.extra1		= SYSCTL_ZERO,
		.extra2		= SYSCTL_ONE,
	},
	{
		.procname	= "dsack",
		.data		= SHAKE_SYSCTL_FIELD(dsack),
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= proc_dointvec_minmax,
		.extra1		= SYSCTL_ZERO,
		.extra2		= SYSCTL_ONE,
	},
	{
		.procname	= "recovery",
		.data		= SHAKE_SYSCTL_FIELD(recovery),
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= proc_dointvec_minmax,
		.extra1		= SYSCTL_ZERO,
		.extra2		= SYSCTL_ONE,
	},
	{
		.procname	= "early_retrans",
		.data		= SHAKE_SYSCTL_FIELD(early_retrans),
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= proc_dointvec_minmax,
		.extra1		= SYSCTL_ZERO,
		.extra2		= SYSCTL_ONE,
	},
	{
		.procname	= "reordering",
		.data		= SHAKE_SYSCTL_FIELD(reordering),
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= proc_dointvec_minmax,
		.extra1		= SYSCTL_ONE,
		.extra2		= &shake_max_reordering,
	},
	{
		.procname	= "msl_ms",
		.data		= SHAKE_SYSCTL_FIELD(msl_ms),
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= proc_dointvec_minmax,
		.extra1		= SYSCTL_ONE,
		.extra2		= &shake_max_msl_ms,
	},
	{
		.procname	= "max_tw_buckets",
		.data		= SHAKE_SYSCTL_FIELD(max_tw_buckets),
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= proc_dointvec_minmax,
		.extra1		= SYSCTL_ZERO,
	},
	{
		.procname	= "tw_reuse",
		.data		= SHAKE_SYSCTL_FIELD(tw_reuse),
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= proc_dointvec_minmax,
		.extra1		= SYSCTL_ZERO,
		.extra2		= SYSCTL_TWO,
	},
	{
		.procname	= "fin_timeout",
		.data		= SHAKE_SYSCTL_FIELD(fin_timeout),
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= proc_dointvec_minmax,
		.extra1		= SYSCTL_ONE,
		.extra2		= &shake_max_fin_timeout,
	},
	{
		.procname	= "max_orphans",
		.data		= SHAKE_SYSCTL_FIELD(max_orphans),
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= proc_dointvec_minmax,
		.extra1		= SYSCTL_ZERO,
	},
	{
		.procname	= "orphan_retries",
		.data		= SHAKE_SYSCTL_FIELD(orphan_retries),
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= proc_dointvec_minmax,
		.extra1		= SYSCTL_ZERO,
		.extra2		= &shake_max_syn_retries,
	},
	{
		.procname	= "rmem",
		.data		= SHAKE_SYSCTL_FIELD(rmem),
		.maxlen		= sizeof(int) * 3,
		.mode		= 0644,
		.proc_handler	= proc_dointvec_minmax,
		.extra1		= SYSCTL_ONE,
	},
	{
		.procname	= "wmem",
		.data		= SHAKE_SYSCTL_FIELD(wmem),
		.maxlen		= sizeof(int) * 3,
		.mode		= 0644,
		.proc_handler	= proc_dointvec_minmax,
		.extra1		= SYSCTL_ONE,
	},
	{
		.procname	= "congestion_control",
		.data		= (void *)offsetof(struct shake_net, cong_default),
		.maxlen		= SHAKE_CA_NAME_MAX,
		.mode		= 0644,
		.proc_handler	= shake_proc_cong_default,
	},
	{
		.procname	= "syncookies",
		.data		= SHAKE_SYSCTL_FIELD(syncookies),
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= proc_dointvec_minmax,
		.extra1		= SYSCTL_ZERO,
		.extra2		= SYSCTL_TWO,
	},
	{ }
};

/* TCP's buffer sizes: the maxima a 128th of the memory, at most 4 and
 * 6 MiB (tcp_init())
 */
static void shake_sysctl_mem_defaults(struct shake_net *sn)
{
	unsigned long limit = nr_free_buffer_pages() << (PAGE_SHIFT - 7);

	sn->sysctl_wmem[0] = PAGE_SIZE;
	sn->sysctl_wmem[1] = 16 * 1024;
	sn->sysctl_wmem[2] = max(64UL * 1024, min(4UL * 1024 * 1024, limit));
	sn->sysctl_rmem[0] = PAGE_SIZE;
	sn->sysctl_rmem[1] = 131072;
	sn->sysctl_rmem[2] = max(131072UL, min(6UL * 1024 * 1024, limit));
}

int shake_sysctl_init_net(struct net *net)
{
	struct shake_net *sn = shake_net(net);
	struct ctl_table *table;
	unsigned int i;

	sn->sysctl_reset_msgs_per_sec = 1000;
	sn->sysctl_syn_retries = SHAKE_SYN_RETRIES;
	sn->sysctl_challenge_ack_limit = 1000;
	sn->sysctl_synack_retries = SHAKE_SYNACK_RETRIES;
	sn->sysctl_max_syn_backlog = 1024;
	sn->sysctl_abort_on_overflow = 0;
	sn->sysctl_retries2 = SHAKE_RETRIES2;
	sn->sysctl_timestamps = 1;
	sn->sysctl_window_scaling = 1;
	sn->sysctl_sack = 1;
	sn->sysctl_dsack = 1;
	sn->sysctl_recovery = 1;
	sn->sysctl_reordering = 3;
	sn->sysctl_early_retrans = 1;
	sn->sysctl_msl_ms = 30000;
	sn->sysctl_max_tw_buckets = 262144;
	sn->sysctl_tw_reuse = 2;
	sn->sysctl_fin_timeout = SHAKE_FIN_TIMEOUT;
	sn->sysctl_max_orphans = SHAKE_MAX_ORPHANS;
	sn->sysctl_orphan_retries = SHAKE_ORPHAN_RETRIES;
	sn->sysctl_syncookies = 1;
	shake_sysctl_mem_defaults(sn);

	table = kmemdup(shake_sysctl_table, sizeof(shake_sysctl_table),
			GFP_KERNEL);
	if (!table)
		return -ENOMEM;
	for (i = 0; i < ARRAY_SIZE(shake_sysctl_table) - 1; i++)
		table[i].data = (char *)sn + (uintptr_t)table[i].data;

	sn->sysctl_hdr = register_net_sysctl(net, "net/shake", table);
	if (!sn->sysctl_hdr) {
		kfree(table);
		return -ENOMEM;
	}
	return 0;
}

void shake_sysctl_exit_net(struct net *net)
{
	struct shake_net *sn = shake_net(net);
	struct ctl_table *table = sn->sysctl_hdr->ctl_table_arg;

	unregister_net_sysctl_table(sn->sysctl_hdr);
	kfree(table);
}
