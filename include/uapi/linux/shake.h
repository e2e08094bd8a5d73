/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * shake: a TCP-class transport protocol, as a loadable module.
 *
 * What user programs need to open a shake socket:
 *
 *	int fd = socket(AF_INET, SOCK_STREAM, IPPROTO_SHAKE);
 *
 * The module parameter "ipproto" may move shake to another IP protocol
 * number; /sys/module/shake/parameters/ipproto tells which one is in use.
 */
#ifndef _UAPI_LINUX_SHAKE_H
#define _UAPI_LINUX_SHAKE_H

/* RFC 3692 experimentation number; the default of the "ipproto" parameter */
#ifndef IPPROTO_SHAKE
#define IPPROTO_SHAKE	253
#endif

#endif /* _UAPI_LINUX_SHAKE_H */
