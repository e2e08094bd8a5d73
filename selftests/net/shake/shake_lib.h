/* SPDX-License-Identifier: GPL-2.0 */
/* Helpers shared by the shake selftests. */
#ifndef SHAKE_SELFTEST_LIB_H
#define SHAKE_SELFTEST_LIB_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/* The IP protocol number the loaded module uses (its ipproto parameter). */
int shake_proto(void);

/* Move the calling process into a new network namespace with lo up. */
int shake_new_netns(void);

/*
 * Run a shell command in network namespace ns (an open /proc/.../ns/net),
 * then move the caller to namespace back. The command's status, or -1.
 */
int shake_netns_sh(int ns, int back, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Run a shell command, formatted; its status, as system()'s. */
int shake_sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * The file of a sysctl named as under /proc/sys/net/shake/, for shake or
 * for TCP (proto IPPROTO_TCP), so that one experiment sets both alike:
 * /proc/sys/net/shake/<name>, and TCP's knob of the same meaning,
 * /proc/sys/net/ipv4/tcp_<name> unless the table in shake_lib.c names
 * another (or none). 0, or -ENOENT if the protocol has no such knob.
 */
int shake_sysctl_path(int proto, const char *name, char *path, size_t len);

/* Write that sysctl (in this namespace); 0 or -errno. */
int shake_set_sysctl(int proto, const char *name, const char *value);

/* Read it into value, without the newline; 0 or -errno. */
int shake_get_sysctl(int proto, const char *name, char *value, size_t len);

/* In the current namespace, orphans (closed connections still finishing)
 * give up after one retransmission timeout: what a test closes into a
 * dead link must not hold the module for minutes.
 */
int shake_short_orphans(int proto);

/* A sockaddr_in for a dotted address and a host-order port. */
struct sockaddr_in shake_addr(const char *ip, unsigned short port);

/* bind() a socket to ip:port; 0 or -errno. */
int shake_bind(int fd, const char *ip, unsigned short port);

/* The local port of a socket, or -1. */
int shake_local_port(int fd);

/*
 * Find the /proc/net/shake (or any /proc/net/tcp-layout file) line whose
 * local address is ip:port; copy it to line. Returns 1 if found, 0 if not,
 * -errno if the file cannot be read.
 */
int shake_proc_find(const char *file, const char *ip, unsigned short port,
		    char *line, size_t len);

/* Number of lines (sockets) in a /proc/net/tcp-layout file, header excluded. */
int shake_proc_count(const char *file);

/* The protocol's table in that layout: /proc/net/tcp or /proc/net/shake. */
const char *shake_proc_file(int proto);

/* What the table says of one connection. */
struct shake_proc_conn {
	int state;		/* st: the numbers of include/net/tcp_states.h */
	int timer;		/* tr: which timer runs (3: TIME_WAIT's) */
	long when_ms;		/* tm->when: when it fires, from now */
};

/*
 * The line of the connection lip:lport <-> rip:rport in the protocol's
 * table (this namespace). 1 if found, 0 if not, -errno.
 */
int shake_proc_conn(int proto, const char *lip, unsigned short lport,
		    const char *rip, unsigned short rport,
		    struct shake_proc_conn *out);

/* Lines of the protocol's table in state st, or -errno. */
int shake_proc_count_state(int proto, int st);

/* The "sockets" column of /proc/net/protocols (this namespace), or -1. */
long shake_protocols_sockets(const char *name);

/* Its "memory" column (pages, the whole protocol's), or -1. */
long shake_protocols_memory(const char *name);

/*
 * Wait up to two seconds for that column to read @want: closed sockets are
 * freed after an RCU grace period, a moment after close() returns.
 */
long shake_protocols_sockets_settle(const char *name, long want);

/* A counter of the calling thread's namespace's shake_stat, or -1. */
long shake_stat(const char *name);

/*
 * A counter named as in /proc/net/shake_stat, in the calling thread's
 * network namespace, for shake or for TCP (proto IPPROTO_TCP), so one
 * expectation serves both: TCP's equivalent is read from /proc/net/snmp
 * (Tcp:) or /proc/net/netstat (TcpExt:), e.g. FastRetrans is TcpExt's
 * TCPFastRetrans, and the gauges CurrOrphans and CurrTimeWait are
 * /proc/net/sockstat's "TCP: orphan" (all namespaces) and "tw". -1 if the
 * counter is missing.
 */
long shake_counter(int proto, const char *name);

/*
 * The state column of the first line of the protocol's table whose local
 * address is ip:port, or -1.
 */
int shake_proc_state(int proto, const char *ip, unsigned short port);

/* A field of the "TCP:"-style line prefix of /proc/net/sockstat, or -1. */
long shake_sockstat(const char *prefix, const char *name);

/* Wait up to ms milliseconds for events on fd; the events seen, or 0. */
short shake_wait_for(int fd, short events, int ms);

/* getsockopt(SO_ERROR) */
int shake_so_error(int fd);

/* Run fn(arg) in a child as uid/gid 65534 (no capabilities); its result. */
int shake_as_nobody(int (*fn)(void *), void *arg);

/* CLOCK_REALTIME in seconds: the clock of the capture's timestamps */
double shake_now(void);

/*
 * KSFT_MACHINE_SLOW=yes, netdev CI's word for a debug kernel (check-debug
 * sets it): tests that measure work by its time do less of it.
 */
bool shake_machine_slow(void);

/* One segment of the protocol, as a capture saw it. */
struct shake_wseg {
	double t;		/* when the tap saw it (shake_now()'s clock) */
	uint32_t saddr, daddr;	/* network order */
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t flags;
	uint16_t win;		/* as on the wire, unscaled */
	int len;		/* bytes of data */
	/*
	 * 1: the checksum is right; 0: wrong; -1: not known (the frame is
	 * larger than a capture keeps, or left its checksum to the device)
	 */
	int csum;
};

/*
 * A capture of every frame through dev (both directions) in namespace ns;
 * the caller then moves to namespace back. The packet socket, or -errno.
 */
int shake_cap_open(int ns, int back, const char *dev);

/* The segments of protocol proto captured since the last call (at most max) */
int shake_cap_read(int fd, int proto, struct shake_wseg *seg, int max);

/* Bytes [off, off + n) of a fixed pseudorandom stream */
void shake_pattern_fill(void *buf, size_t n, size_t off);

/* Index of the first byte of buf unlike the stream from off, or -1 */
long shake_pattern_check(const void *buf, size_t n, size_t off);

#endif
