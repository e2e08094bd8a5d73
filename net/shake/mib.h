/* SPDX-License-Identifier: GPL-2.0 */
/*
 * shake: the protocol's counters, per network namespace and per CPU, as
 * /proc/net/shake_stat shows them. mib.c names each one.
 */
#ifndef _SHAKE_MIB_H
#define _SHAKE_MIB_H

#include <linux/percpu.h>

struct net;

/* Counters of /proc/net/shake_stat; shake_mib_list[] in mib.c names them */
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
	SHAKE_MIB_ABORTONCLOSE,
	SHAKE_MIB_ABORTONDATA,
	SHAKE_MIB_ABORTONTIMEOUT,
	SHAKE_MIB_ABORTONMEMORY,
	SHAKE_MIB_SYNCOOKIESSENT,
	SHAKE_MIB_SYNCOOKIESRECV,
	SHAKE_MIB_SYNCOOKIESFAILED,
	SHAKE_MIB_BACKLOGDROP,
	SHAKE_MIB_MAX
};

struct shake_mib {
	unsigned long mibs[SHAKE_MIB_MAX];
};

#define SHAKE_INC_STATS(net, field) \
	this_cpu_inc(shake_net(net)->mib->mibs[field])
#define SHAKE_DEC_STATS(net, field) \
	this_cpu_dec(shake_net(net)->mib->mibs[field])

int shake_mib_init_net(struct net *net);
void shake_mib_exit_net(struct net *net);

#endif /* _SHAKE_MIB_H */
