// SPDX-License-Identifier: GPL-2.0
/*
 * shake: the protocol's counters and /proc/net/shake_stat, "Name value"
 * lines named as TCP's counters where TCP has the same one (netstat -s and
 * nstat habits carry over). The counters are per CPU and summed when read;
 * the two gauges of records and orphans are kept in one place each
 * (shake_net.tw_count, shake_net.orphan_count) and read as they are.
 */

#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <net/snmp.h>

#include "protocol.h"

/* Each name tied to its counter, in the order the file shows them */
static const struct snmp_mib shake_mib_list[] = {
	SNMP_MIB_ITEM("InSegs", SHAKE_MIB_INSEGS),
	SNMP_MIB_ITEM("OutSegs", SHAKE_MIB_OUTSEGS),
	SNMP_MIB_ITEM("InErrs", SHAKE_MIB_INERRS),
	SNMP_MIB_ITEM("InCsumErrors", SHAKE_MIB_INCSUMERRORS),
	SNMP_MIB_ITEM("OutRsts", SHAKE_MIB_OUTRSTS),
	SNMP_MIB_ITEM("OutRstsRateLimited", SHAKE_MIB_OUTRSTSRATELIMITED),
	SNMP_MIB_ITEM("ActiveOpens", SHAKE_MIB_ACTIVEOPENS),
	SNMP_MIB_ITEM("AttemptFails", SHAKE_MIB_ATTEMPTFAILS),
	SNMP_MIB_ITEM("EstabResets", SHAKE_MIB_ESTABRESETS),
	SNMP_MIB_ITEM("CurrEstab", SHAKE_MIB_CURRESTAB),
	SNMP_MIB_ITEM("RetransSegs", SHAKE_MIB_RETRANSSEGS),
	SNMP_MIB_ITEM("ChallengeAcks", SHAKE_MIB_CHALLENGEACKS),
	SNMP_MIB_ITEM("ChallengeAcksRateLimited",
		      SHAKE_MIB_CHALLENGEACKSRATELIMITED),
	SNMP_MIB_ITEM("PassiveOpens", SHAKE_MIB_PASSIVEOPENS),
	SNMP_MIB_ITEM("ListenOverflows", SHAKE_MIB_LISTENOVERFLOWS),
	SNMP_MIB_ITEM("ListenDrops", SHAKE_MIB_LISTENDROPS),
	SNMP_MIB_ITEM("FastRetrans", SHAKE_MIB_FASTRETRANS),
	SNMP_MIB_ITEM("Timeouts", SHAKE_MIB_TIMEOUTS),
	SNMP_MIB_ITEM("WinProbes", SHAKE_MIB_WINPROBES),
	SNMP_MIB_ITEM("DelayedACKs", SHAKE_MIB_DELAYEDACKS),
	SNMP_MIB_ITEM("OFOQueue", SHAKE_MIB_OFOQUEUE),
	SNMP_MIB_ITEM("PAWSDrops", SHAKE_MIB_PAWSDROPS),
	SNMP_MIB_ITEM("RcvQDrops", SHAKE_MIB_RCVQDROPS),
	SNMP_MIB_ITEM("KeepaliveProbes", SHAKE_MIB_KEEPALIVEPROBES),
	SNMP_MIB_ITEM("TimeWaits", SHAKE_MIB_TIMEWAITS),
	SNMP_MIB_ITEM("TimeWaitOverflow", SHAKE_MIB_TIMEWAITOVERFLOW),
	SNMP_MIB_ITEM("TimeWaitReused", SHAKE_MIB_TIMEWAITREUSED),
	SNMP_MIB_ITEM("AbortOnClose", SHAKE_MIB_ABORTONCLOSE),
	SNMP_MIB_ITEM("AbortOnData", SHAKE_MIB_ABORTONDATA),
	SNMP_MIB_ITEM("AbortOnTimeout", SHAKE_MIB_ABORTONTIMEOUT),
	SNMP_MIB_ITEM("AbortOnMemory", SHAKE_MIB_ABORTONMEMORY),
	SNMP_MIB_ITEM("SyncookiesSent", SHAKE_MIB_SYNCOOKIESSENT),
	SNMP_MIB_ITEM("SyncookiesRecv", SHAKE_MIB_SYNCOOKIESRECV),
	SNMP_MIB_ITEM("SyncookiesFailed", SHAKE_MIB_SYNCOOKIESFAILED),
	SNMP_MIB_ITEM("BacklogDrop", SHAKE_MIB_BACKLOGDROP),
	SNMP_MIB_ITEM("SACKRecovery", SHAKE_MIB_SACKRECOVERY),
	SNMP_MIB_ITEM("RenoRecovery", SHAKE_MIB_RENORECOVERY),
	SNMP_MIB_ITEM("SACKReorder", SHAKE_MIB_SACKREORDER),
	SNMP_MIB_ITEM("SACKDiscard", SHAKE_MIB_SACKDISCARD),
	SNMP_MIB_ITEM("DSACKSent", SHAKE_MIB_DSACKSENT),
	SNMP_MIB_ITEM("DSACKRecv", SHAKE_MIB_DSACKRECV),
	SNMP_MIB_ITEM("LostRetransmit", SHAKE_MIB_LOSTRETRANSMIT),
	SNMP_MIB_ITEM("FullUndo", SHAKE_MIB_FULLUNDO),
	SNMP_MIB_ITEM("PartialUndo", SHAKE_MIB_PARTIALUNDO),
	SNMP_MIB_ITEM("DSACKUndo", SHAKE_MIB_DSACKUNDO),
	SNMP_MIB_ITEM("SpuriousRTOs", SHAKE_MIB_SPURIOUSRTOS),
	SNMP_MIB_ITEM("LossProbes", SHAKE_MIB_LOSSPROBES),
	SNMP_MIB_ITEM("LossProbeRecovery", SHAKE_MIB_LOSSPROBERECOVERY),
	SNMP_MIB_ITEM("HystartDelayDetect", SHAKE_MIB_HYSTARTDELAYDETECT),
	SNMP_MIB_ITEM("HystartDelayCwnd", SHAKE_MIB_HYSTARTDELAYCWND),
	SNMP_MIB_ITEM("MemoryPressures", SHAKE_MIB_MEMORYPRESSURES),
	SNMP_MIB_ITEM("OfoPruned", SHAKE_MIB_OFOPRUNED),
	SNMP_MIB_ITEM("GSOSends", SHAKE_MIB_GSOSENDS),
	SNMP_MIB_ITEM("GSOSegs", SHAKE_MIB_GSOSEGS),
	SNMP_MIB_ITEM("GROMerged", SHAKE_MIB_GROMERGED),
	SNMP_MIB_SENTINEL
};

/* A counter of a namespace, summed over the CPUs (a gauge such as
 * CurrEstab is incremented on one CPU and decremented on another: only the
 * sum means anything)
 */
static unsigned long shake_mib_sum(const struct shake_net *sn, int field)
{
	unsigned long sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += per_cpu_ptr(sn->mib, cpu)->mibs[field];
	return sum;
}

static int shake_stat_show(struct seq_file *seq, void *v)
{
	const struct shake_net *sn = shake_net(seq_file_single_net(seq));
	const struct snmp_mib *m;

	BUILD_BUG_ON(ARRAY_SIZE(shake_mib_list) != SHAKE_MIB_MAX + 1);
	for (m = shake_mib_list; m->name; m++)
		seq_printf(seq, "%s %lu\n", m->name,
			   shake_mib_sum(sn, m->entry));
	seq_printf(seq, "CurrTimeWait %d\n", atomic_read(&sn->tw_count));
	seq_printf(seq, "CurrOrphans %d\n", atomic_read(&sn->orphan_count));
	return 0;
}

/**
 * shake_mib_init_net - a namespace's counters and /proc/net/shake_stat
 * @net: the namespace
 *
 * Return: 0 or -ENOMEM.
 */
int shake_mib_init_net(struct net *net)
{
	struct shake_net *sn = shake_net(net);

	sn->mib = alloc_percpu(struct shake_mib);
	if (!sn->mib)
		return -ENOMEM;
	if (!proc_create_net_single("shake_stat", 0444, net->proc_net,
				    shake_stat_show, NULL)) {
		free_percpu(sn->mib);
		return -ENOMEM;
	}
	return 0;
}

void shake_mib_exit_net(struct net *net)
{
	remove_proc_entry("shake_stat", net->proc_net);
	free_percpu(shake_net(net)->mib);
}
