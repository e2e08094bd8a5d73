/* SPDX-License-Identifier: GPL-2.0 */
/* Helpers shared by the shake selftests. */
#ifndef SHAKE_SELFTEST_LIB_H
#define SHAKE_SELFTEST_LIB_H

#include <netinet/in.h>
#include <stdbool.h>
#include <sys/socket.h>

/* The IP protocol number the loaded module uses (its ipproto parameter). */
int shake_proto(void);

/* Move the calling process into a new network namespace with lo up. */
int shake_new_netns(void);

/* Write a string to a /proc/sys file; 0 or -errno. */
int shake_write_sysctl(const char *path, const char *value);

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

/* The "sockets" column of /proc/net/protocols (this namespace), or -1. */
long shake_protocols_sockets(const char *name);

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
 * TCPFastRetrans. -1 if the counter is missing.
 */
long shake_counter(int proto, const char *name);

/* The state column of the /proc/net/shake line for ip:port, or -1. */
int shake_proc_state(const char *ip, unsigned short port);

/* Wait up to ms milliseconds for events on fd; the events seen, or 0. */
short shake_wait_for(int fd, short events, int ms);

/* getsockopt(SO_ERROR) */
int shake_so_error(int fd);

/* Run fn(arg) in a child as uid/gid 65534 (no capabilities); its result. */
int shake_as_nobody(int (*fn)(void *), void *arg);

#endif
